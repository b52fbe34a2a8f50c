#!/bin/sh
# stasis image keygen, sign and verify: Ed25519 in signify(1)'s formats,
# checked both ways against OpenBSD's signify (Debian's signify-openbsd):
# our signatures verify with it, its keys and signatures work here, and a
# changed file, another key, a broken signature file, a passphrase-
# protected key and existing key files are refused with a message.
. "$(dirname "$0")/tap.sh"
command -v signify-openbsd >/dev/null ||
    skip_all "signify-openbsd not installed (scripts/deps.sh)"
D=$(mktemp -d /tmp/stasis-sign.XXXXXX)
cleanup "rm -rf $D"
cd "$D" || exit 1

run_ok "keygen" -- stasis image keygen -c "release key" -p rel.pub -s rel.sec
is "$(stat -c %a rel.sec)" 600 "the secret key is mode 0600"
is "$(head -1 rel.pub)" "untrusted comment: release key public key" "the public key's comment, as signify writes it"
out=$(stasis image keygen -p rel.pub -s rel2.sec 2>&1)
ok $([ $? -ne 0 ]; echo $?) "keygen never overwrites a key ($out)"
[ ! -e rel2.sec ]; ok $? "and leaves nothing half-made"

head -c 3000000 /dev/urandom >app.tar
: >empty
is "$(stasis image sign -s rel.sec app.tar)" app.tar.sig "sign writes FILE.sig"
is "$(head -1 app.tar.sig)" "untrusted comment: verify with rel.pub" "naming the public key, as signify does"
is "$(stasis image verify -p rel.pub app.tar)" "Signature Verified" "verify"
run_ok "signify -V verifies our signature" -- signify-openbsd -V -q -p rel.pub -m app.tar
signify-openbsd -S -s rel.sec -m app.tar -x app.tar.signify
cmp -s app.tar.sig app.tar.signify
ok $? "signify, with our key, makes the same signature byte for byte"
run_ok "an empty file signs and verifies" -- sh -c \
    'stasis image sign -q -s rel.sec empty && stasis image verify -q -p rel.pub empty && signify-openbsd -V -q -p rel.pub -m empty'

signify-openbsd -G -n -c "their key" -p their.pub -s their.sec
signify-openbsd -S -s their.sec -m app.tar -x app.tar.theirs
run_ok "a signify key and signature verify here" -- stasis image verify -q -p their.pub -x app.tar.theirs app.tar
run_ok "a signify secret key signs here" -- stasis image sign -q -s their.sec -x app.tar.ours app.tar
run_ok "and signify verifies that" -- signify-openbsd -V -q -p their.pub -x app.tar.ours -m app.tar

out=$(stasis image verify -p their.pub app.tar 2>&1)
ok $([ $? -ne 0 ]; echo $?) "another key's public key is refused"
like "$out" "signed with key [0-9a-f]{16}, and their.pub is key [0-9a-f]{16}" "naming both keys"
cp app.tar changed.tar
printf x | dd of=changed.tar bs=1 seek=1000000 conv=notrunc 2>/dev/null
cp app.tar.sig changed.tar.sig
out=$(stasis image verify -p rel.pub changed.tar 2>&1)
ok $([ $? -ne 0 ]; echo $?) "one byte changed: refused"
like "$out" "changed.tar: signature verification failed" "and says so"
cp app.tar nosig.tar
out=$(stasis image verify -p rel.pub nosig.tar 2>&1)
ok $([ $? -ne 0 ]; echo $?) "no signature file: refused"
like "$out" "nosig.tar.sig" "naming the file it looked for"
out=$(stasis image verify -p rel.pub nosuch.tar 2>&1)
ok $([ $? -ne 0 ]; echo $?) "no file: refused"
like "$out" "nosuch.tar: No such file" "naming it"
printf 'untrusted comment: x\nnot base64 at all\n' >bad.sig
out=$(stasis image verify -p rel.pub -x bad.sig app.tar 2>&1)
ok $([ $? -ne 0 ]; echo $?) "a broken signature file: refused"
like "$out" "signature bad.sig: not a signature record" "and says what is wrong"
head -c 100000 /dev/zero >huge.sig
out=$(stasis image verify -p rel.pub -x huge.sig app.tar 2>&1)
ok $([ $? -ne 0 ]; echo $?) "a 100 KB signature file: refused"
out=$(stasis image sign -s rel.pub app.tar 2>&1)
ok $([ $? -ne 0 ]; echo $?) "a public key is no secret key ($out)"

# A passphrase-protected key: rounds > 0 in the record (signify -G
# without -n asks for a passphrase on the terminal; the record is edited
# instead), refused by name.
python3 - rel.sec locked.sec <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().split("\n")
rec = bytearray(base64.b64decode(lines[1]))
rec[4:8] = (42).to_bytes(4, "big")
open(sys.argv[2], "w").write(lines[0] + "\n" + base64.b64encode(rec).decode() + "\n")
PY
out=$(stasis image sign -s locked.sec app.tar -x locked.sig 2>&1)
ok $([ $? -ne 0 ]; echo $?) "a passphrase-protected key is refused"
like "$out" "protected by a passphrase" "and says why"
[ ! -e locked.sig ]; ok $? "and no signature is written"
run_fails "image sign without -s" -- stasis image sign app.tar
like "$(stasis image sign app.tar 2>&1)" "^stasis: image sign: -s seckey is required" "sign without -s says so"
like "$(stasis image verify app.tar 2>&1)" "^stasis: image verify: -p pubkey is required" "verify without -p says so"
like "$(stasis image keygen -s x.sec 2>&1)" "^stasis: image keygen: -p pubkey is required" "keygen without -p says so"
like "$(stasis image keygen -p x.pub 2>&1)" "^stasis: image keygen: -s seckey is required" "keygen without -s says so"
for v in zfs tar keygen sign verify; do
	out=$(stasis image $v --help 2>&1)
	ok $? "image $v --help exits 0"
	like "$out" "^usage: stasis image" "image $v --help prints the usage"
done
run_ok "image --help" -- stasis image --help
done_testing
