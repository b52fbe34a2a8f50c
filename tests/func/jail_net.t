#!/bin/sh
# ip4.addr / ip6.addr / vnet: each jail in its own network namespace with
# its own addresses on its own loopback.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/jail.sh"
jail_setup
command -v python3 >/dev/null || skip_all "needs python3"

# 10.x addresses derived from the pid so parallel runs do not collide
# (they could not anyway: each jail has its own namespace).
o=$(( $$ % 250 + 1 ))
A=na$$; B=nb$$; IPA=10.201.$o.1; IPB=10.201.$o.2
run_ok "jail A with ip4.addr and ip6.addr" -- jail -q -c name=$A path="$ROOT" \
    "$USR" mount.devfs persist ip4.addr=$IPA ip6.addr=fd00:$o::1
run_ok "jail B with its own ip4.addr" -- jail -q -c name=$B path="$ROOT" \
    "$USR" mount.devfs persist "ip4.addr=lo0|$IPB/24"

serve='import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 7000)); s.listen(1)
c=socket.create_connection((sys.argv[1], 7000)); a,_=s.accept()
c.send(b"own"); print(a.recv(3).decode())'
is "$(jexec $A python3 -c "$serve" $IPA)" own "jail A reaches its own address"
is "$(jexec $B python3 -c "$serve" $IPB)" own "jail B reaches its own address"
bind='import socket,sys
s=socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.bind((sys.argv[1], 0))'
run_fails "jail A cannot bind B's address" -- jexec $A python3 -c "$bind" $IPB
run_fails "jail B cannot bind A's address" -- jexec $B python3 -c "$bind" $IPA
run_fails "the host does not have A's address" -- python3 -c "$bind" $IPA
run_ok "jail A binds its IPv6 address" -- jexec $A python3 -c "$bind" fd00:$o::1
pa=$(init_pid $A); pb=$(init_pid $B)
ok $([ "$(readlink /proc/$pa/ns/net)" != "$(readlink /proc/$pb/ns/net)" ] &&
    [ "$(readlink /proc/$pa/ns/net)" != "$(readlink /proc/self/ns/net)" ]; echo $?) \
    "two network namespaces, neither the host's"
j=$(jls -v --libxo json)
is "$(printf '%s' "$j" | jq -r ".[\"jail-information\"].jail[] | select(.name==\"$A\") | .ipv4_addrs[0]")" $IPA "jls JSON ipv4_addrs"
is "$(printf '%s' "$j" | jq -r ".[\"jail-information\"].jail[] | select(.name==\"$A\") | .ipv6_addrs[0]")" fd00:$o::1 "jls JSON ipv6_addrs"
is "$(printf '%s' "$j" | jq -r ".[\"jail-information\"].jail[] | select(.name==\"$B\") | .ipv4_addrs[0]")" $IPB "interface and prefix stripped"

run_ok "jail -m adds and drops addresses" -- jail -q -m name=$A ip4.addr=10.201.$o.9
run_ok "new address bindable" -- jexec $A python3 -c "$bind" 10.201.$o.9
run_fails "old address gone" -- jexec $A python3 -c "$bind" $IPA

V=nv$$
run_ok "vnet jail" -- jail -q -c name=$V path="$ROOT" "$USR" persist vnet
is "$(jexec $V ip -o link | awk -F': ' '{printf "%s ", $2}')" "lo " "a vnet jail has only its loopback"
VH=vh$$; VJ=vj$$
if ip link add $VH type veth peer name $VJ 2>/dev/null; then
	cleanup "ip link del $VH"
	run_ok "vnet.interface moves a host interface in" -- jail -q -c \
	    name=vi$$ path="$ROOT" "$USR" persist vnet vnet.interface=$VJ
	like "$(jexec vi$$ ip -o link)" "$VJ" "the jail has it"
	run_fails "the host does not" -- ip link show $VJ
	run_ok "remove" -- jail -q -r vi$$
	wait_for sh -c "! ip link show $VH"; ok $? "a veth pair dies with the jail's stack"
else
	ok 0 "# SKIP no veth"
fi
run_fails "vnet.interface without vnet is refused" -- jail -c name=vx$$ \
    path="$ROOT" persist ip4.addr=10.203.0.1 vnet.interface=lo
ok $([ ! -e "$STASIS_RUNDIR/jails/vx$$" ]; echo $?) "and leaves nothing"
# FreeBSD's default: no addresses, no network; ip4=inherit shares the host's.
N=nn$$; I=ni$$
run_ok "a jail without addresses" -- jail -q -c name=$N path="$ROOT" "$USR" persist
pn=$(init_pid $N)
ok $([ "$(readlink /proc/$pn/ns/net)" != "$(readlink /proc/self/ns/net)" ]; echo $?) "has a network namespace of its own"
is "$(jexec $N ip -o link | awk -F': ' '{printf "%s ", $2}')" "lo " "with only its loopback (no network, as on FreeBSD)"
run_ok "jail with ip4=inherit" -- jail -q -c name=$I path="$ROOT" "$USR" persist ip4=inherit
pi=$(init_pid $I)
is "$(readlink /proc/$pi/ns/net)" "$(readlink /proc/self/ns/net)" "ip4=inherit shares the host's network"
out=$(jail -c name=nx$$ path="$ROOT" persist ip4=inherit ip6.addr=fd00:$o::9 2>&1)
ok $([ $? -ne 0 ]; echo $?) "ip4=inherit with ip6.addr is refused ($out)"
ok $([ ! -e "$STASIS_RUNDIR/jails/nx$$" ]; echo $?) "and leaves nothing"
run_ok "remove them" -- jail -q -r $N $I

pv=$(init_pid $V)
netns=$(readlink /proc/$pv/ns/net)
run_ok "remove all" -- jail -q -r $A $B $V
left=0
for p in /proc/[0-9]*; do
	[ "$(readlink $p/ns/net 2>/dev/null)" = "$netns" ] && left=$((left+1))
done
is $left 0 "nothing holds the vnet jail's network namespace"
done_testing
