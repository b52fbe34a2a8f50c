#!/bin/sh
# jail.conf(5): several jails, "*" defaults, $name and variables, +=,
# .include, comments; exec.* hooks in jail(8)'s order; jail -m.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/jail.sh"
jail_setup

A=a$$; B=b$$; LOG=$JT/hl/hooks.log
mkdir -p "$JT/hl"
cat >"$JT/inc.conf" <<EOC
$B {
	host.hostname = "\$name.example";	// from the included file
	\$greeting = 'hello $$';
	exec.start += "echo \$greeting > /tmp/greet";
}
EOC
cat >"$JT/jail.conf" <<EOC
# defaults for every jail
\$base = "$JT";
path = "$ROOT";
mount = "/usr $ROOT/usr nullfs ro";
mount += "tmpfs $ROOT/tmp tmpfs rw";
mount += "$JT/hl $ROOT/data nullfs rw";	# the hooks' log, seen inside
persist;
/* the hooks, in order */
* {
	exec.prestart = "echo prestart \$name >> $LOG";
	exec.created = "echo created \$name >> $LOG";
	exec.start = "echo start-in-jail \$(hostname) >> /tmp/log";
	exec.start += "echo start \$(hostname) >> /data/hooks.log";
	exec.poststart = "echo poststart \$name >> $LOG";
	exec.prestop = "echo prestop \$name >> $LOG";
	exec.stop = "echo stop \$(hostname) >> /data/hooks.log";
	exec.poststop = "echo poststop \$name >> $LOG";
	exec.release = "echo release \$name >> $LOG";
}
$A {
	host.hostname = "\$name.\${base}";
	host.hostname = "\$name.host";	# the last one wins
}
.include "$JT/inc.conf";
EOC

run_ok "jail -f jail.conf -c NAME" -- jail -q -f "$JT/jail.conf" -c $A
is "$(jexec $A hostname)" "$A.host" "\$name expanded, last assignment wins"
is "$(cat "$LOG")" "prestart $A
created $A
start $A.host
poststart $A" "hooks ran in order prestart, created, start (in the jail), poststart"
is "$(jexec $A cat /tmp/log)" "start-in-jail $A.host" "exec.start ran inside the jail"
run_ok "second jail from the included file" -- jail -q -f "$JT/jail.conf" -c $B
is "$(jexec $B hostname)" "$B.example" "block from .include"
is "$(jexec $B cat /tmp/greet)" "hello $$" "'...' variable, += appended to the default exec.start"
is "$(jls -N | grep -c "^ [ab]$$ ")" 2 "both jails listed"

run_ok "jail -m changes the hostname" -- jail -q -m name=$A host.hostname=changed$$
is "$(jexec $A hostname)" "changed$$" "new hostname inside"
like "$(jls -j $A -n host.hostname)" "changed$$" "jls shows it"
run_fails "jail -m refuses what cannot change (path)" -- jail -m name=$A path=/tmp

: >"$LOG"
run_ok "jail -f jail.conf -r NAME" -- jail -q -f "$JT/jail.conf" -r $A
is "$(cat "$LOG")" "prestop $A
stop changed$$
poststop $A
release $A" "removal hooks in order prestop, stop (in the jail), poststop, release"
run_ok "jail -r by name without the file" -- jail -q -r $B
ok $([ -z "$(ls "$STASIS_RUNDIR/jails")" ]; echo $?) "no state left"

# exec.stop runs inside, before the kill: it can see the jail's files.
cat >"$JT/stop.conf" <<EOC
s$$ {
	path = "$ROOT";
	mount = "/usr $ROOT/usr nullfs ro";
	mount += "$JT/out $ROOT/data nullfs rw";
	mount.devfs;
	persist;
	exec.start = "sh -c 'sleep 300 &'";
	exec.stop = "sh -c 'hostname > /data/stopped'";
	exec.poststop = "test ! -e /proc/\$(cat $JT/initpid)/status";
}
EOC
mkdir -p "$JT/out"
jail -q -f "$JT/stop.conf" -c s$$
init_pid s$$ >"$JT/initpid"
run_ok "remove: exec.stop inside, poststop after the jail is gone" -- \
    jail -q -f "$JT/stop.conf" -r s$$
ok $([ -s "$JT/out/stopped" ]; echo $?) "exec.stop ran in the jail"

# Errors name file and line; bad files change nothing.
printf 'x%s {\n\tpath = "/";\n\tpersist\n}\n' $$ >"$JT/bad.conf"
out=$(jail -f "$JT/bad.conf" -c x$$ 2>&1); rc=$?
ok $([ $rc -ne 0 ]; echo $?) "syntax error refused"
like "$out" "bad.conf line [34]" "error names file and line ($out)"
printf 'y%s { path = "/$undefined"; persist; }\n' $$ >"$JT/undef.conf"
out=$(jail -f "$JT/undef.conf" -c y$$ 2>&1)
like "$out" "undefined" "undefined variable refused ($out)"
out=$(jail -f "$JT/jail.conf" -c nosuch$$ 2>&1)
like "$out" "not found" "unknown jail refused ($out)"
ok $([ -z "$(ls "$STASIS_RUNDIR/jails")" ]; echo $?) "still no state"

# depend: the jails a jail needs are created first.
cat >"$JT/dep.conf" <<EOC
path = "$ROOT";
persist;
d1$$ { }
d2$$ { depend = d1$$; }
EOC
run_ok "jail -c with depend" -- jail -q -f "$JT/dep.conf" -c d2$$
is "$(jls -N | grep -c "^ d[12]$$ ")" 2 "its dependency was created first"
jail -q -r d1$$ d2$$

# -cm creates or updates from jail.conf; -rc recreates.
printf 'cm%s { path = "%s"; mount = "/usr %s/usr nullfs ro"; persist; host.hostname = one; }\n' $$ "$ROOT" "$ROOT" >"$JT/cm.conf"
run_ok "jail -cm creates" -- jail -q -f "$JT/cm.conf" -cm cm$$
sed -i 's/= one;/= two;/' "$JT/cm.conf"
run_ok "jail -cm updates a running jail with unchanged path" -- jail -q -f "$JT/cm.conf" -cm cm$$
is "$(jexec cm$$ hostname)" two "the new hostname"
p1=$(init_pid cm$$)
run_ok "jail -rc recreates" -- jail -q -f "$JT/cm.conf" -rc cm$$
ok $([ "$(init_pid cm$$)" != "$p1" ]; echo $?) "a new init"
jail -q -r cm$$

# The shipped examples parse and resolve.
top=$(cd "$(dirname "$0")/../.." && pwd)
for f in "$top"/examples/jail/*.conf; do
	out=$(jail -f "$f" -c nosuch$$ 2>&1)
	like "$out" "not found in" "$(basename "$f") parses"
done
done_testing
