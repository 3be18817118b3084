#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-symbols.sh SERVER ELF NODEBUG NOBUILDID: POST /api/v1/symbols on a real server: a firmware ELF is kept
# under DIR/symbols by build-id; a non-ELF, an ELF without DWARF or without a build-id, a file over the limit and
# the wrong credential are refused with a clear message, leaving nothing behind.
set -u
server=$1 elf=$2 nodebug=$3 nobuildid=$4
dir=$(mktemp -d)
fail() { echo "server-symbols: $*"; kill "$pid" 2>/dev/null; cat "$dir/out"; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
start --symbols-max-mb 1
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
upload() { # FILE [AUTH HEADER]
	curl -s -o "$dir/body" -w '%{http_code}' -H "${2:-Authorization: Bearer $admin}" --data-binary "@$1" \
		"http://127.0.0.1:$port/api/v1/symbols"
}
id=$(arm-none-eabi-readelf -n "$elf" | awk '/Build ID:/ { print $3 }')
[ "$(upload "$elf")" = 201 ] || fail "a firmware ELF: $(cat "$dir/body")"
[ "$(json .build_id "$dir/body")" = "$id" ] || fail "the answer does not give the build-id $id: $(cat "$dir/body")"
cmp -s "$elf" "$dir/data/symbols/$id.elf" || fail "the ELF is not stored as symbols/$id.elf"
[ "$(upload "$elf")" = 201 ] || fail "the same ELF again"
check() { # STATUS CODE TEXT FILE [AUTH]
	got=$(upload "$4" "${5:-}")
	[ "$got" = "$1" ] && [ "$(json .error.code "$dir/body")" = "$2" ] && json .error.message "$dir/body" | grep -q "$3" ||
		fail "$4: HTTP $got, expected $1 $2 '$3': $(cat "$dir/body")"
}
printf 'not an elf' > "$dir/text"
check 400 bad_elf "is not an ELF file" "$dir/text"
check 400 bad_elf "build the firmware with -g" "$nodebug"
check 400 bad_elf "link the firmware with -Wl,--build-id" "$nobuildid"
head -c $(($(wc -c < "$elf") * 2 / 3)) "$elf" > "$dir/cut.elf"
check 400 bad_elf "is cut short" "$dir/cut.elf"                      # not "no DWARF, build with -g"
# Paths an upload names are never opened: a debug link to a FIFO in the symbols folder (which libdwfl's standard
# search opened, blocking the HTTP thread), and a dwz supplementary file (which libdw opens when it needs it).
arm-none-eabi-objcopy --strip-debug "$elf" "$dir/stripped.elf"
echo x > "$dir/data/symbols/evil.debug"
arm-none-eabi-objcopy --add-gnu-debuglink="$dir/data/symbols/evil.debug" "$dir/stripped.elf" "$dir/linked.elf"
rm "$dir/data/symbols/evil.debug"
mkfifo "$dir/data/symbols/evil.debug"
got=$(curl -s --max-time 10 -o "$dir/body" -w '%{http_code}' -H "Authorization: Bearer $admin" \
	--data-binary "@$dir/linked.elf" "http://127.0.0.1:$port/api/v1/symbols")
[ "$got" = 400 ] && json .error.message "$dir/body" | grep -q "no DWARF" ||
	fail "a debug link to a FIFO: HTTP $got (000: the server blocked), $(cat "$dir/body")"
rm "$dir/data/symbols/evil.debug"
printf '../../../tmp/alt.debug\000aaaaaaaaaaaaaaaaaaaa' > "$dir/altlink"
arm-none-eabi-objcopy --add-section .gnu_debugaltlink="$dir/altlink" "$elf" "$dir/alt.elf"
check 400 bad_elf "supplementary file" "$dir/alt.elf"
# A compression bomb: 64 MiB of zeros in a compressed debug section of a file of some 250 KB (libdw would inflate
# it at every open); refused at upload, saying why.
head -c 67108864 /dev/zero > "$dir/zeros"
arm-none-eabi-objcopy --add-section .debug_zeros="$dir/zeros" "$elf" "$dir/zeros.elf"
rm "$dir/zeros"
arm-none-eabi-objcopy --compress-debug-sections=zlib "$dir/zeros.elf" "$dir/bomb.elf"
rm "$dir/zeros.elf"
check 400 bad_elf "compression bomb" "$dir/bomb.elf"
head -c 1100000 /dev/zero > "$dir/big"
check 413 too_large "limit of 1 MiB" "$dir/big"
# refused from its Content-Length alone: curl waits for "100 Continue" before a body this large, and sends none
sent=$(curl -s -o "$dir/body" -w '%{http_code} %{size_upload}' -H "Authorization: Bearer $admin" \
	--data-binary "@$dir/big" "http://127.0.0.1:$port/api/v1/symbols")
[ "$sent" = "413 0" ] || fail "an upload over the limit was read before the 413 (status, bytes sent: $sent)"
check 401 unauthorized "may only send chunks" "$elf" "X-Faultline-Key: $key"
[ "$(ls "$dir/data/symbols")" = "$id.elf" ] || fail "left behind: $(ls "$dir/data/symbols")"
kill -TERM "$pid"
wait "$pid"
echo "server-symbols: ok"
rm -rf "$dir"
