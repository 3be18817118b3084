#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-releases.sh SERVER CLI ELF: release signing keys and releases on a real server (docs/API.md, Updates). A
# signed image of a firmware whose ELF the server has is kept by its SHA-256 and listed; every way to be wrong is
# refused with a message that names it and nothing kept: no signing key yet, a private key offered, not a key, a
# key the server does not have, a removed key, a byte changed after signing, not an image, the ELF not uploaded, too
# large, the project key; the same image again is the same release; a restart keeps them.
set -u
server=$1 cli=$2 elf=$3
dir=$(mktemp -d)
fail() { echo "server-releases: $*"; kill "$pid" 2>/dev/null; cat "$dir/out"; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
start
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
export FAULTLINE_SERVER="http://127.0.0.1:$port" FAULTLINE_TOKEN="$admin"
post() { # PATH FILE [AUTH HEADER]: the HTTP status; the body in $dir/body
	curl -s -o "$dir/body" -w '%{http_code}' -H "${3:-Authorization: Bearer $admin}" --data-binary "@$2" \
		"http://127.0.0.1:$port/api/v1/$1"
}
check() { # STATUS CODE TEXT PATH FILE [AUTH]
	got=$(post "$4" "$5" "${6:-}")
	[ "$got" = "$1" ] && [ "$(json .error.code "$dir/body")" = "$2" ] && json .error.message "$dir/body" | grep -q -- "$3" ||
		fail "$5 to $4: HTTP $got, expected $1 $2 '$3': $(cat "$dir/body")"
}
nothing_kept() { [ -z "$(ls "$dir/data/releases" 2>/dev/null)" ] || fail "a refused release left $(ls "$dir/data/releases")"; }

arm-none-eabi-objcopy -O binary "$elf" "$dir/fw.bin"
"$cli" keys generate -o "$dir/k.pem" > /dev/null || fail "keys generate"
"$cli" keys generate -o "$dir/other.pem" > /dev/null || fail "keys generate"
sign() { # KEY OUT [OPTIONS]: fw.bin signed
	k=$1 o=$2
	shift 2
	"$cli" release sign --key "$k" --version 1.0.1 -H 0x200 --pad-header -S 0x40000 "$@" "$dir/fw.bin" -o "$o" \
		> /dev/null || fail "release sign $*"
}
sign "$dir/k.pem" "$dir/fw.signed.bin" --security-counter 4
sign "$dir/other.pem" "$dir/other.signed.bin"

check 400 bad_release "no signing key to check it with" releases "$dir/fw.signed.bin"
printf '{"public_key": "%s"}' "$(sed 's/$/\\n/' "$dir/k.pem" | tr -d '\n')" > "$dir/private.json"
check 400 bad_key "that is a private key" signing-keys "$dir/private.json"
printf '{"public_key": "hello"}' > "$dir/notkey.json"
check 400 bad_key "not a PEM key" signing-keys "$dir/notkey.json"
"$cli" keys add "$dir/k.pub.pem" --name "release key" > "$dir/added" || fail "keys add: $(cat "$dir/added")"
grep -q "signing key 1 added" "$dir/added" || fail "keys add said: $(cat "$dir/added")"
"$cli" keys add "$dir/k.pub.pem" | grep -q "was already there" || fail "the same key twice"
check 400 bad_release "signed by a key the server does not have" releases "$dir/other.signed.bin"
cp "$dir/fw.signed.bin" "$dir/flipped.bin"
printf '\001' | dd of="$dir/flipped.bin" bs=1 seek=4000 conv=notrunc 2> /dev/null
check 400 bad_release "changed after signing" releases "$dir/flipped.bin"
check 400 bad_release "not a signed MCUboot image" releases "$dir/fw.bin"
check 409 symbols_missing "upload it first (faultline symbols upload" releases "$dir/fw.signed.bin"
head -c $((17 * 1024 * 1024)) /dev/zero > "$dir/huge.bin"
check 413 too_large "larger than a release can be" releases "$dir/huge.bin"
got=$(post releases "$dir/fw.signed.bin" "X-Faultline-Key: $key")
[ "$got" = 401 ] || fail "the project key uploaded a release: HTTP $got"
nothing_kept

"$cli" release upload "$dir/fw.signed.bin" --elf "$elf" > "$dir/up" || fail "release upload: $(cat "$dir/up")"
grep -q "release 1: version 1.0.1, .* security counter 4, build-id $(arm-none-eabi-readelf -n "$elf" |
	awk '/Build ID:/ { print $3 }'), signed by key 1" "$dir/up" || fail "release upload said: $(cat "$dir/up")"
sha=$("$cli" releases --json | json '.releases[0].sha256')
cmp -s "$dir/fw.signed.bin" "$dir/data/releases/$sha.bin" || fail "the image is not kept as releases/$sha.bin"
[ "$(post releases "$dir/fw.signed.bin")" = 200 ] && [ "$(json .id "$dir/body")" = 1 ] ||
	fail "the same image again: $(cat "$dir/body")"
[ "$("$cli" releases --json | json '.releases#')" = 1 ] || fail "the same image made two releases"
# the same firmware signed again, padded and confirmed: the same hash, other bytes: refused, the kept one stays
sign "$dir/k.pem" "$dir/confirmed.bin" --security-counter 4 --confirm
check 409 exists "is kept with other bytes" releases "$dir/confirmed.bin"
cmp -s "$dir/fw.signed.bin" "$dir/data/releases/$sha.bin" || fail "a re-signed image replaced the kept one"
"$cli" keys list | grep -q "^1 *release key .* 1$" || fail "keys list: $("$cli" keys list)"

# a removed key: its release stays, new ones signed by it are refused
"$cli" keys remove 1 | grep -q "removed" || fail "keys remove"
sign "$dir/k.pem" "$dir/fw2.signed.bin" --security-counter 5
check 400 bad_release "no signing key" releases "$dir/fw2.signed.bin"
"$cli" keys add "$dir/other.pub.pem" > /dev/null || fail "keys add other"
check 400 bad_release "a key the server does not have" releases "$dir/fw2.signed.bin"
[ "$("$cli" releases --json | json '.releases#')" = 1 ] || fail "a removed key's release went"
got=$(curl -s -o "$dir/body" -w '%{http_code}' -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/releases/9")
[ "$got" = 404 ] || fail "GET releases/9: HTTP $got"

# a restart: the releases and keys stay, a half-written upload left behind is removed
kill -9 "$pid"
wait "$pid" 2> /dev/null
echo half > "$dir/data/releases/upload-XXXXXX"
start
export FAULTLINE_SERVER="http://127.0.0.1:$port"
[ "$("$cli" releases --json | json '.releases[0].id')" = 1 ] || fail "the release went with the restart"
[ ! -e "$dir/data/releases/upload-XXXXXX" ] || fail "a stopped upload's file stayed"
kill "$pid"
wait "$pid" 2> /dev/null
rm -rf "$dir"
echo "server-releases: all good"
