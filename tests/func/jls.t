#!/bin/sh
# jls(8): FreeBSD's columns and flags, and --libxo json in FreeBSD's
# layout (the talk's jq filters run unchanged).
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/jail.sh"
jail_setup

A=la$$; B=lb$$
jail -q -c name=$A path="$ROOT" host.hostname=ha$$ persist jid=$(( $$ % 30000 + 1000 ))
jail -q -c name=$B path="$ROOT" host.hostname=hb$$ persist ip4.addr=10.202.0.1 ip4.addr+=10.202.0.2
JA=$(( $$ % 30000 + 1000 ))

out=$(jls)
is "$(printf '%s\n' "$out" | head -1)" "   JID  IP Address      Hostname                      Path" "default header"
row=$(printf '%6d  %-15.15s %-29.29s %s' $JA "" ha$$ "$ROOT")
ok $(printf '%s\n' "$out" | grep -qxF "$row"; echo $?) "default row, FreeBSD's widths"
like "$out" "10\.202\.0\.1 +hb$$" "first address in the IP column"
out=$(jls -N)
is "$(printf '%s\n' "$out" | head -1)" " JID             IP Address      Hostname                      Path" "-N header"
like "$out" "^ $A +" "-N shows names"
out=$(jls -v)
is "$(printf '%s\n' "$out" | head -4 | tr '\n' '|')" "   JID  Hostname                      Path|        Name                          State|        CPUSetID|        IP Address(es)|" "-v header"
like "$out" "^        $B +ACTIVE" "-v name and state"
like "$out" "^        10\.202\.0\.2$" "-v lists every address"
is "$(jls -j $A -n name host.hostname)" "name=$A host.hostname=ha$$" "-n name=value of chosen params"
is "$(jls -j $A -h jid name)" "jid name
$JA $A" "-h header line"
like "$(jls -j $A -s)" "persist" "-s: parameters as jail(8) takes them"
like "$(jls -j $A -s)" "^jid=$JA name=$A " "-s starts with jid and name"
is "$(jls -j $JA -n name)" "name=$A" "-j by jid"
run_fails "-j of a missing jail fails" -- jls -j nosuch$$
is "$(jls -j $A -q -n host.hostname)" "host.hostname=ha$$" "-q"

j=$(jls -v --libxo json)
ok $(printf '%s' "$j" | jq -e . >/dev/null; echo $?) "--libxo json is JSON"
is "$(printf '%s' "$j" | jq -r '.__version')" 2 "__version 2"
is "$(printf '%s' "$j" | jq -r ".[\"jail-information\"].jail[] | select(.name==\"$A\") | .state")" ACTIVE "the talk's filter: state"
is "$(printf '%s' "$j" | jq -r ".[\"jail-information\"].jail[] | select(.name==\"$A\") | .jid")" $JA "jid is a number"
is "$(printf '%s' "$j" | jq -r ".[\"jail-information\"].jail[] | select(.name==\"$A\") | [.hostname, .path, (.cpusetid|type), (.ipv4_addrs|type)] | join(\",\")")" "ha$$,$ROOT,number,array" "hostname, path, cpusetid, ipv4_addrs"
is "$(printf '%s' "$j" | jq -r ".[\"jail-information\"].jail[] | select(.name==\"$B\") | .ipv4_addrs | join(\",\")")" "10.202.0.1,10.202.0.2" "ipv4_addrs list"
is "$(jls --libxo=json | jq -r ".[\"jail-information\"].jail[] | select(.hostname==\"hb$$\") | .ipv4")" 10.202.0.1 "--libxo=json default layout: ipv4"
is "$(jls -N --libxo json | jq -r ".[\"jail-information\"].jail[] | select(.name==\"$B\") | .path")" "$ROOT" "-N --libxo json has name"
is "$(jls -j $A -n --libxo json name persist | jq -c '.["jail-information"].jail[0]')" "{\"name\":\"$A\",\"persist\":true}" "-n --libxo json"
is "$(jls -j $A -n --libxo json jid name enforce_statfs children.max | jq -c '.["jail-information"].jail[0]')" "{\"jid\":$JA,\"name\":\"$A\",\"enforce_statfs\":2,\"children.max\":0}" "-n --libxo json: integer parameters are numbers"
is "$(jls -j $A -n --libxo json all | jq -r '.["jail-information"].jail[0] | [(.jid|type), (.enforce_statfs|type), (.["children.max"]|type), (.persist|type), (.name|type)] | join(",")')" "number,number,number,boolean,string" "and in 'all'"
run_fails "unknown --libxo style refused" -- jls --libxo xml
jail -q -r $A $B

# jls -d: a jail being removed (its exec.prestop still running) is
# dying; only -d lists it, -v calls it DYING.
D=ld$$
jail -q -c name=$D path="$ROOT" persist \
    "exec.prestop=sh -c 'touch $JT/in-prestop; while [ ! -e $JT/go ]; do sleep 0.05; done'"
jail -q -r $D &
rmpid=$!
wait_for test -e "$JT/in-prestop"
ok $(jls -N | grep -q " $D "; [ $? -ne 0 ]; echo $?) "a dying jail is not listed by default"
like "$(jls -d -N)" " $D " "jls -d lists it"
like "$(jls -d -v)" "^        $D +DYING" "jls -d -v: DYING"
is "$(jls -d -j $D -n dying)" dying "its dying parameter (a boolean: set)"
out=$(jail -m name=$D host.hostname=x$$ 2>&1)
ok $([ $? -ne 0 ]; echo $?) "jail -m of a dying jail is refused"
like "$out" "dying.*-d allows" "naming -d ($out)"
run_ok "jail -d -m changes it, as FreeBSD's -d allows" -- jail -q -d -m name=$D host.hostname=x$$
is "$(jls -d -j $D -n host.hostname)" "host.hostname=x$$" "the dying jail's new hostname"
touch "$JT/go"
wait $rmpid
ok $(jls -d -N | grep -q " $D "; [ $? -ne 0 ]; echo $?) "gone once removed"
is "$(jls --libxo json | jq '.["jail-information"].jail | map(select(.name=="'$A'")) | length')" 0 "removed jails are gone from the JSON"
done_testing
