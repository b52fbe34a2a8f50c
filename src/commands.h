/*
 * The command table's entry points.  Each feature's cmd_*.c defines its
 * own; argv[0] is the command name (or the personality's, "jail").
 */
#ifndef STASIS_COMMANDS_H
#define STASIS_COMMANDS_H

int	cmd_hooks(int, char **);	/* src/hooks/cmd_hooks.c */
int	cmd_tarfs(int, char **);	/* src/tarfs/cmd_tarfs.c */
int	cmd_jail(int, char **);		/* src/jail/cmd_jail.c */
int	cmd_jls(int, char **);		/* src/jail/cmd_jls.c */
int	cmd_jexec(int, char **);	/* src/jail/cmd_jexec.c */
int	cmd_be(int, char **);		/* src/be/cmd_be.c */
int	cmd_sync_be(int, char **);	/* src/be/cmd_sync_be.c */
int	cmd_image(int, char **);	/* src/image/cmd_image.c */
int	cmd_serve(int, char **);	/* src/node/cmd_serve.c */
int	cmd_drain(int, char **);	/* src/node/cmd_ctl.c */
int	cmd_undrain(int, char **);
int	cmd_status(int, char **);
int	cmd_reload(int, char **);

#endif
