#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# faultline release sign / verify and keys against imgtool's own output (tests/data/mcuboot, README.md there): every
# vector signed again with the same options comes out byte for byte; each verifies; the keys' PEM is imgtool's; and
# what a user gets wrong is refused with a message that names it and an exit status that says so.
# Usage: release-vectors.sh FAULTLINE DATA_DIR
set -eu
faultline=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# expect STATUS REGEX COMMAND...: the command exits STATUS and its output (stdout and stderr) matches REGEX
expect() {
	want=$1 regex=$2
	shift 2
	set +e
	"$@" > "$work/out" 2>&1
	got=$?
	set -e
	[ "$got" = "$want" ] || { cat "$work/out"; fail "$* exited $got, not $want"; }
	grep -Eq -- "$regex" "$work/out" || { cat "$work/out"; fail "$* did not say /$regex/"; }
}

grep -v '^#' "$data/vectors.txt" | while read -r name input key options; do
	# shellcheck disable=SC2086 # the options are words
	(cd "$data" && "$faultline" release sign --key "$key" $options "$input" -o "$work/$name.bin") > /dev/null
	cmp "$work/$name.bin" "$data/$name.signed.bin" || fail "$name: not the bytes imgtool wrote"
	expect 0 "good" "$faultline" release verify --key "$data/${key%.pem}.pub.pem" "$data/$name.signed.bin"
	echo "$name: the bytes imgtool wrote ($(wc -c < "$work/$name.bin") bytes), and it verifies"
done

# the keys: imgtool's public key from its private key, a generated pair readable by the CLI
"$faultline" keys public "$data/test-key.pem" | cmp - "$data/test-key.pub.pem" || fail "keys public: not imgtool's getpub"
expect 0 "wrote the private key to $work/k.pem .* public key to $work/k.pub.pem" "$faultline" keys generate -o "$work/k.pem"
[ "$(stat -c %a "$work/k.pem")" = 600 ] || fail "the private key is readable by others"
expect 1 "never overwritten" "$faultline" keys generate -o "$work/k.pem"
expect 0 "bytes signed" "$faultline" release sign --key "$work/k.pem" --version 1.0.0 -H 0x200 --pad-header -S 0x10000 \
	"$data/fw-1000.bin" -o "$work/mine.bin"
expect 0 "good" "$faultline" release verify --key "$data/other-key.pub.pem" --key "$work/k.pub.pem" "$work/mine.bin"

# what is wrong, said
expect 1 "none of the 1 key" "$faultline" release verify --key "$data/other-key.pub.pem" "$data/counter.signed.bin"
cp "$data/counter.signed.bin" "$work/flipped.bin"
printf '\377' | dd of="$work/flipped.bin" bs=1 seek=1000 conv=notrunc 2> /dev/null
expect 1 "bad: the SHA-256 of bytes 0-1523 .* changed after signing" \
	"$faultline" release verify --key "$data/test-key.pub.pem" "$work/flipped.bin"
head -c 1600 "$data/counter.signed.bin" > "$work/cut.bin"
expect 1 "bad: the TLV area .* says it is 144 bytes long, but the image ends 76 bytes after it begins" \
	"$faultline" release verify --key "$data/test-key.pub.pem" "$work/cut.bin"
expect 1 "not a signed MCUboot image" "$faultline" release verify --key "$data/test-key.pub.pem" "$data/fw-1000.bin"
expect 1 "not an ED25519 key" "$faultline" release verify --key "$data/ecdsa-p256-key.pem" "$data/basic.signed.bin"
expect 1 "is a public key" "$faultline" release sign --key "$data/test-key.pub.pem" --version 1.0.0 -H 0x200 \
	--pad-header -S 0x10000 "$data/fw-1000.bin" -o "$work/x.bin"
expect 1 "do not fit the slot \\(0x800\\)" "$faultline" release sign --key "$data/test-key.pem" --version 1.0.0 \
	-H 0x200 --pad-header -S 0x800 "$data/fw-1000.bin" -o "$work/x.bin"
expect 1 "are not zero, and --pad-header was not given" "$faultline" release sign --key "$data/test-key.pem" \
	--version 1.0.0 -H 0x200 -S 0x10000 "$data/fw-1000.bin" -o "$work/x.bin"
expect 2 "not an MCUboot version" "$faultline" release sign --key "$data/test-key.pem" --version v1.0 -H 0x200 \
	--pad-header -S 0x10000 "$data/fw-1000.bin" -o "$work/x.bin"
expect 2 "usage: faultline release sign" "$faultline" release sign --key "$data/test-key.pem" --version 1.0.0 \
	"$data/fw-1000.bin" -o "$work/x.bin"
[ ! -e "$work/x.bin" ] || fail "a refused signing left an output file"
echo "release-vectors: all good"
