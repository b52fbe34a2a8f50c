#!/bin/sh
# The FreeBSD jail backend against a mock kernel (tests/freebsd/
# mock_kernel.c): jail_freebsd.c, compiled against FreeBSD's
# declarations, run on Linux with jail_set(2), jail_get(2),
# jail_attach(2), jail_remove(2), nmount(2) and unmount(2) replaced by
# stubs that print what they are given.  This checks the name/value
# pairs and the order of the calls, not what FreeBSD does with them.
. "$(dirname "$0")/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v "${CC:-cc}" >/dev/null 2>&1 || skip_all "no C compiler"
[ -f "$STASIS_BUILD/src/jail/params.o" ] || skip_all "no build objects"

T=$(mktemp -d "${TMPDIR:-/tmp}/jfbmock.XXXXXX")
cleanup "rm -rf '$T'"
run_ok "the mock kernel builds" -- \
    "$top/tests/freebsd/mock.sh" "$STASIS_BUILD" "$T/mk"
mkdir -p "$T/root/data" "$T/root/tmp" "$T/data" "$T/tmpl/etc" "$T/conf" \
    "$T/up"

mock() {	# mock WHAT PARAM...: the calls, with $T shown as T
	"$T/mk" "$T/run" "$@" 2>&1 | sed "s|$T|T|g"
}

is "$(mock release name=t path="$T/root" host.hostname=h \
    ip4.addr=10.1.2.3,10.1.2.4 ip6.addr=::1 allow.raw_sockets \
    allow.mount.nodevfs enforce_statfs=1 children.max=3 mount.devfs \
    mount.procfs "mount=$T/data $T/root/data nullfs ro" \
    "mount+=tmpfs $T/root/tmp tmpfs rw,size=4m" devfs_ruleset=5)" \
"nmount flags=0x1 fstype=nullfs fspath=T/root/data target=T/data errmsg[256]
nmount flags=0 fstype=tmpfs fspath=T/root/tmp from=tmpfs size=4m errmsg[256]
nmount flags=0 fstype=devfs fspath=T/root/dev from=devfs ruleset=5 errmsg[256]
nmount flags=0 fstype=procfs fspath=T/root/proc from=procfs errmsg[256]
jail_set flags=0x1 name=t path=T/root persist host.hostname=h allow.raw_sockets allow.mount.nodevfs enforce_statfs=#1 children.max=#3 devfs_ruleset=#5 ip4.addr=10.1.2.3,10.1.2.4 ip6.addr=::1 errmsg[256]
jid 7
jail_set flags=0x2 nopersist jid=#7 errmsg[256]
jail_get flags=0 jid=#7 name=<out>
unmount T/root/proc flags=0
unmount T/root/dev flags=0
unmount T/root/tmp flags=0
unmount T/root/data flags=0
release 1
state removed" \
    "create: mounts in order, then jail_set (created persistent, flags and ints as the kernel takes them, address arrays); release: nopersist, gone, unmounted in reverse"

is "$(mock stop name=p path="$T/root" persist ip4=inherit allow.mount)" \
"jail_set flags=0x1 name=p path=T/root persist ip4=#2 allow.mount ip6=#2 errmsg[256]
jid 7
jail_get flags=0 jid=#7 name=<out>
jail_remove 7
jail_get flags=0 jid=#7 name=<out>
stop 0" \
    "ip4=inherit is both families' inherit (as one namespace is on Linux); stop: jail_remove"

is "$(mock modify name=m path="$T/root" ip4.addr=10.1.2.3 ip4.addr+=10.1.2.4)" \
"jail_set flags=0x1 name=m path=T/root persist ip4.addr=10.1.2.3,10.1.2.4 errmsg[256]
jid 7
jail_set flags=0x2 host.hostname=h2 jid=#7 errmsg[256]
sethostname 0
jail_set flags=0x2 ip4.addr=10.1.2.4,10.1.2.5 jid=#7 errmsg[256]
setaddrs 0
jail_set flags=0x2 nopersist jid=#7 errmsg[256]
jail_get flags=0 jid=#7 name=<out>
release 1" \
    "jail -m: hostname and the whole new address list by JAIL_UPDATE"

is "$(mock release name=r path="$T/root" stasis.template="$T/tmpl" \
    mount.devfs mount.fdescfs "mount=$T/conf $T/root/etc/app nullfs ro")" \
"nmount flags=0x1 fstype=nullfs fspath=T/root target=T/tmpl errmsg[256]
nmount flags=0x1 fstype=nullfs fspath=T/root/etc/app target=T/conf errmsg[256]
nmount flags=0 fstype=devfs fspath=T/root/dev from=devfs ruleset=4 errmsg[256]
nmount flags=0 fstype=fdescfs fspath=T/root/dev/fd from=fdescfs errmsg[256]
jail_set flags=0x1 name=r path=T/root persist devfs_ruleset=#4 errmsg[256]
jid 7
jail_set flags=0x2 nopersist jid=#7 errmsg[256]
jail_get flags=0 jid=#7 name=<out>
unmount T/root/dev/fd flags=0
unmount T/root/dev flags=0
unmount T/root/etc/app flags=0
unmount T/root flags=0
release 1
state removed" \
    "a template root: nullfs read-only, devfs with ruleset 4 and the jail held to it"
ok $([ -d "$T/tmpl/etc/app" ] && [ -d "$T/tmpl/dev" ]; echo $?) \
    "mount points missing in the read-only root are made in its source"

is "$(mock release name=o path="$T/root" stasis.template="$T/tmpl" \
    stasis.root=overlay stasis.upper="$T/up")" \
"nmount flags=0x1 fstype=nullfs fspath=T/root target=T/tmpl errmsg[256]
nmount flags=0 fstype=unionfs fspath=T/root target=T/up/upper errmsg[256]
jail_set flags=0x1 name=o path=T/root persist errmsg[256]
jid 7
jail_set flags=0x2 nopersist jid=#7 errmsg[256]
jail_get flags=0 jid=#7 name=<out>
unmount T/root flags=0
unmount T/root flags=0
release 1
state removed" \
    "stasis.root=overlay: unionfs over the read-only template"

out=$(mock release name=v path="$T/root" vnet ip4.addr=10.9.9.9)
like "$out" "^jail_set flags=0x1 name=v path=T/root persist vnet=#1 errmsg\\[256\\]$" \
    "vnet: vnet=new and no ip4.addr (the kernel refuses both)"
like "$out" "jail_attach 7" "its addresses go on its lo0, from inside"
like "$out" "jail_remove 7" "a failed step after jail_set removes the jail"

# jail_attach pretending to work: the command runs on the host, as it
# would be run in the jail (chdir(path) first, jail_attach, the user, a
# clean environment).
out=$(cd "$T" && MOCK_ATTACH=1 mock command name=c path="$T/root" \
    command=sh command+=-c \
    'command+=echo "$PATH" $(id -u) $(pwd); exit 3' exec.clean \
    exec.jail_user=nobody)
is "$out" \
"jail_set flags=0x1 name=c path=T/root persist errmsg[256]
jid 7
jail_attach 7 from T/root
/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin $(id -u nobody) /
command 3
jail_set flags=0x2 nopersist jid=#7 errmsg[256]
jail_get flags=0 jid=#7 name=<out>
release 1" \
    "a command: fork, chdir(path), jail_attach, the user, exec.clean's environment; its exit status; then nopersist"

# ifconfig(8) as jail(8) runs it, for addresses with an interface.
iflog=$T/mk.ifconfig.log
rm -f "$iflog"
is "$(mock release name=a path="$T/root" 'ip4.addr=em0|10.0.0.1/24' \
    ip4.addr+=10.0.0.2 interface=lo1 ip6.addr=2001:db8::1)" \
"jail_set flags=0x1 name=a path=T/root persist ip4.addr=10.0.0.1,10.0.0.2 ip6.addr=2001:db8::1 errmsg[256]
jid 7
jail_set flags=0x2 nopersist jid=#7 errmsg[256]
jail_get flags=0 jid=#7 name=<out>
release 1
state removed" "addresses with an interface: the jail's ip4.addr and ip6.addr"
is "$(cat "$iflog")" \
"ifconfig em0 inet 10.0.0.1/24 alias
ifconfig lo1 inet 10.0.0.2/32 alias
ifconfig lo1 inet6 2001:db8::1/128 alias
ifconfig em0 inet 10.0.0.1/24 -alias
ifconfig lo1 inet 10.0.0.2/32 -alias
ifconfig lo1 inet6 2001:db8::1/128 -alias" \
    "and aliases on the host before the jail, removed after it"

rm -f "$iflog"
out=$(MOCK_FAIL="unknown parameter: allow.bogus" mock release name=a \
    path="$T/root" 'ip4.addr=em0|10.0.0.1' allow.bogus)
like "$out" "^start: jail_set: unknown parameter: allow.bogus$" \
    "the kernel's errmsg is the error"
is "$(cat "$iflog")" \
"ifconfig em0 inet 10.0.0.1/32 alias
ifconfig em0 inet 10.0.0.1/32 -alias" "a failed jail_set takes its alias back"

rm -f "$iflog"
out=$(cd "$T" && MOCK_ATTACH=1 mock release name=v path="$T/root" vnet \
    ip4.addr=10.9.9.9 ip6.addr=fd00::9)
is "$(cat "$iflog")" \
"ifconfig lo0 up
ifconfig lo0 inet 10.9.9.9/32 alias
ifconfig lo0 inet6 fd00::9/128 alias" \
    "vnet: lo0 up and the addresses on it, run inside the jail"
like "$out" "^release 1$" "and it is released"

is "$(MOCK_BUSY=3 mock release name=b path="$T/root" \
    "mount=$T/data $T/root/data nullfs rw")" \
"nmount flags=0 fstype=nullfs fspath=T/root/data target=T/data errmsg[256]
jail_set flags=0x1 name=b path=T/root persist errmsg[256]
jid 7
jail_set flags=0x2 nopersist jid=#7 errmsg[256]
jail_get flags=0 jid=#7 name=<out>
release 0, supervised
state removed" \
    "a jail that outlives its creator: a supervisor polls jail_get and cleans up once it is gone"

# params.c as FreeBSD builds it: the kernel's own parameters pass.
is "$(mock check name=c path=/tmp allow.nfsd allow.noextattr \
    enforce_statfs=0 children.max=5 sysvshm=inherit host=inherit \
    devfs_ruleset=7)" "check ok" \
    "FreeBSD: any allow.*, enforce_statfs=0, children.max, sysv*/host inherit, devfs_ruleset pass"
is "$(mock check name=c path=/tmp ip4=inherit ip6.addr=::1)" "check ok" \
    "FreeBSD: ip4=inherit with IPv6 addresses (two stacks of the kernel's)"
is "$(mock check name=c path=/tmp enforce_statfs=3)" \
    'check enforce_statfs: invalid value "3"' "enforce_statfs=3 is refused"
is "$(mock check name=c path=/tmp allow.mount=maybe)" \
    'check allow.mount: invalid boolean "maybe"' "a non-boolean allow.* is refused"
is "$(mock check name=c path=/tmp securelevel=3)" \
    'check unknown parameter: securelevel' \
    "a parameter outside the table is refused on both"

is "$(mock release name=s path=/ mount.devfs)" \
    "start: path=/ with mounts would mount over the host's own tree (FreeBSD has no mount namespaces)" \
    "path=/ with mounts is refused"
done_testing
