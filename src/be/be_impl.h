/*
 * Shared between the files of src/be/ only; not part of the API.
 */
#ifndef STASIS_BE_IMPL_H
#define STASIS_BE_IMPL_H

#include "be/be.h"

/* sync-be's temporary datasets: <beroot>/.sync-be.<pid>. */
#define BE_SYNC_PREFIX	".sync-be."

int	 be_refresh(struct be *);
int	 be_set_bootonce(struct be *, const char *ds);
char	*be_existing(const struct be *, const char *name);
int	 be_make_bootable(const char *ds);
/* A fresh snapshot name like libbe's: 2026-11-25-20:31:07-0. */
char	*be_auto_snapname(const char *ds);
int	 be_is_auto_snapname(const char *snap);

/* Was the caller interrupted (struct be's stop)?  Says so when it was. */
int	be_interrupted(const struct be *);

#endif
