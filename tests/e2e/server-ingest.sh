#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-ingest.sh SERVER DATA CLI: POST /api/v1/devices/{serial}/chunks on a real server: the FORMAT.md example as a
# batch and chunk by chunk, duplicates, a kill -9 between chunks, and hostile input (each a clear 4xx that stores
# nothing wrong). DATA is tests/data; CLI the faultline binary, whose listings page through them.
set -u
server=$1 data=$2 cli=$3
dir=$(mktemp -d)
fail() { echo "server-ingest: $*"; kill -9 "$pid" 2>/dev/null; cat "$dir/out"; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
# post SERIAL TYPE FILE: print the HTTP status; the body goes to $dir/body
post() {
	curl -s -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" -H "Content-Type: application/vnd.faultline.$2" \
		--data-binary "@$3" "http://127.0.0.1:$port/api/v1/devices/$1/chunks"
}
results() { json '.results[].result' "$dir/body" | tr '\n' ' ' | sed 's/ $//'; }
expect() { # WANT_STATUS GOT_STATUS WANT_RESULTS WHAT
	[ "$1" = "$2" ] || fail "$4: HTTP $2, expected $1: $(cat "$dir/body")"
	[ -z "$3" ] || [ "$(results)" = "$3" ] || fail "$4: results '$(results)', expected '$3': $(cat "$dir/body")"
}
devices() { curl -s -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/devices?limit=500"; }
# messages SERIAL: how many messages the server holds of the device (from the device list, parsed)
messages() { devices > "$dir/devices"; json '.devices[]' "$dir/devices" | grep "\"serial\":\"$1\"" | json .messages; }

start
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
flc="$data/format-v1/chunks-mtu20.flc"
tail -c +6 "$flc" > "$dir/batch"
# the four chunks of the example, one file each (records at 5, 26, 47 and 68 of the chunk file)
for i in 1 2 3 4; do
	off=$((5 + 21 * (i - 1)))
	len=$(( i < 4 ? 20 : 15 ))
	dd if="$flc" of="$dir/c$i" bs=1 skip=$((off + 1)) count=$len 2>/dev/null
done

expect 200 "$(post dev-0042 chunk-batch "$dir/batch")" "accepted accepted accepted complete" "the example as a batch"
[ "$(json '.results[3].message' "$dir/body")" -ge 1 ] || fail "a complete message without its id"
expect 200 "$(post dev-0042 chunk-batch "$dir/batch")" "duplicate duplicate duplicate duplicate" "the batch again"
expect 200 "$(post dev-0042 chunk "$dir/c3")" "duplicate" "a late retransmission"
[ "$(messages dev-0042)" = 1 ] || fail "dev-0042 should have one message: $(devices)"

# chunk by chunk, out of order, with a kill -9 in the middle: nothing acknowledged is lost
expect 200 "$(post dev-k chunk "$dir/c1")" "accepted" "chunk 1"
expect 200 "$(post dev-k chunk "$dir/c3")" "accepted" "chunk 3"
kill -9 "$pid"
wait "$pid" 2>/dev/null
start
expect 200 "$(post dev-k chunk "$dir/c3")" "duplicate" "chunk 3 again after the restart"
expect 200 "$(post dev-k chunk "$dir/c4")" "accepted" "chunk 4"
expect 200 "$(post dev-k chunk "$dir/c2")" "complete" "chunk 2 completes it"
[ "$(messages dev-k)" = 1 ] || fail "dev-k should have one message: $(devices)"

# hostile input
printf '\201' > "$dir/cut"
expect 400 "$(post dev-h chunk "$dir/cut")" "malformed" "a chunk cut after one byte"
json '.results[0].error' "$dir/body" | grep -q 'ends inside boot/seq' || fail "the malformed chunk's error does not say why"
cp "$dir/c4" "$dir/badcrc"
printf '\000' | dd of="$dir/badcrc" bs=1 seek=14 conv=notrunc 2>/dev/null
expect 200 "$(post dev-h chunk "$dir/c1")" "accepted" "dev-h chunk 1"
expect 200 "$(post dev-h chunk "$dir/c2")" "accepted" "dev-h chunk 2"
expect 200 "$(post dev-h chunk "$dir/c3")" "accepted" "dev-h chunk 3"
expect 400 "$(post dev-h chunk "$dir/badcrc")" "crc_mismatch" "a wrong CRC trailer"
printf '\201\001\000\000\000\200\200\200\004\252' > "$dir/huge"   # total = 8 MiB, above the server's 1 MiB
expect 400 "$(post dev-h chunk "$dir/huge")" "too_large" "a total far larger than the server takes"
head -c 3000 /dev/urandom > "$dir/random"
[ "$(post dev-h chunk-batch "$dir/random")" = 400 ] || fail "random bytes as a batch: $(cat "$dir/body")"
{ [ "$(json .error.code "$dir/body" 2>/dev/null)" = bad_batch ] || json '.results[].result' "$dir/body" | grep -q malformed; } ||
	fail "random bytes: $(cat "$dir/body")"
head -c 1100000 /dev/zero > "$dir/big"
expect 413 "$(post dev-h chunk-batch "$dir/big")" "" "a body over 1 MiB"
printf '\003\201\001\000' > "$dir/short"                          # a record claiming 3 bytes, 3 present: ok
{ cat "$dir/short"; printf '\050'; } > "$dir/lying"                 # then one claiming 40 bytes, 0 present
expect 400 "$(post dev-h chunk-batch "$dir/lying")" "" "a batch record that lies about its length"
[ "$(json .error.code "$dir/body")" = bad_batch ] || fail "a lying record: $(cat "$dir/body")"
{ printf '\024'; cat "$dir/c1"; printf '\001\201'; } > "$dir/mixed"  # a good chunk, then a broken one
expect 400 "$(post dev-m chunk-batch "$dir/mixed")" "accepted malformed" "a batch with one bad chunk"
expect 415 "$(curl -s -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" -H 'Content-Type: text/plain' \
	--data-binary x "http://127.0.0.1:$port/api/v1/devices/dev-h/chunks")" "" "a wrong content type"
# a media type with parameters, in another case, is the media type
expect 200 "$(curl -s -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" \
	-H 'Content-Type: Application/Vnd.Faultline.Chunk-Batch; charset=utf-8' --data-binary "@$dir/batch" \
	"http://127.0.0.1:$port/api/v1/devices/dev-p/chunks")" "accepted accepted accepted complete" "parameters"
expect 415 "$(curl -s -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" \
	-H 'Content-Type: application/vnd.faultline.chunk-batchx' --data-binary "@$dir/batch" \
	"http://127.0.0.1:$port/api/v1/devices/dev-p/chunks")" "" "a longer media type"
expect 400 "$(post 'bad%21serial' chunk "$dir/c1")" "" "a serial with a character outside the set"
[ "$(json .error.code "$dir/body")" = bad_serial ] || fail "bad serial: $(cat "$dir/body")"
expect 400 "$(post "$(printf 'x%.0s' $(seq 65))" chunk "$dir/c1")" "" "a 65-character serial"

# amplification: a 1 MiB batch of 524,288 one-byte records is refused whole (its answer would be 44 MB); 16
# batches at once of the most records a request may have (4,096, each refused: words for the first 64 only) keep
# the server's memory within 128 MB of what it was
awk 'BEGIN { for (i = 0; i < 524288; i++) printf "\001\201" }' > "$dir/tiny"
expect 413 "$(post dev-a chunk-batch "$dir/tiny")" "" "524,288 one-byte records"
[ "$(json .error.code "$dir/body")" = too_large ] && [ "$(wc -c < "$dir/body")" -lt 1000 ] ||
	fail "524,288 records: $(head -c 300 "$dir/body")"
awk 'BEGIN { for (i = 0; i < 4096; i++) printf "\001\201" }' > "$dir/most"
rss() { awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status"; } # peak resident KiB
before=$(rss)
posts=
for i in $(seq 16); do
	curl -s -o "$dir/most.$i" -H "X-Faultline-Key: $key" -H "Content-Type: application/vnd.faultline.chunk-batch" \
		--data-binary "@$dir/most" "http://127.0.0.1:$port/api/v1/devices/dev-amp$i/chunks" &
	posts="$posts $!"
done
wait $posts # (not the server's)
after=$(rss)
[ "$(json '.results#' "$dir/most.16")" = 4096 ] && [ "$(json '.results[].error' "$dir/most.16" 2>/dev/null | wc -l)" = 64 ] ||
	fail "4,096 records: $(head -c 300 "$dir/most.16")"
[ $((after - before)) -lt 131072 ] || fail "16 batches of 4,096 records took $(((after - before) / 1024)) MB"
echo "server-ingest: 16 batches of 4,096 records at once: peak memory $((before / 1024)) -> $((after / 1024)) MB"

# one device cannot hold more than 4 MiB of partial messages: four 1 MB messages fit, a fifth does not
for seq in 0 1 2 3 4; do
	printf "\\201\\001\\000\\00$seq\\000\\300\\204\\075\\252" > "$dir/q$seq"  # total 1,000,000
done
for seq in 0 1 2 3; do expect 200 "$(post dev-q chunk "$dir/q$seq")" "accepted" "partial message $seq"; done
expect 400 "$(post dev-q chunk "$dir/q4")" "over_quota" "a fifth 1 MB partial message"

# thousands of invented serials (curl's URL ranges: one process, one connection), each with a small partial
# message: the server keeps answering, and the CLI pages through them all (500 a page)
curl -s -o /dev/null -w '%{http_code}\n' -H "X-Faultline-Key: $key" -H "Content-Type: application/vnd.faultline.chunk" \
	--data-binary "@$dir/c1" "http://127.0.0.1:$port/api/v1/devices/invented-[1000-2999]/chunks" > "$dir/codes"
[ "$(grep -c '^200$' "$dir/codes")" = 2000 ] || fail "not every invented serial was answered 200: $(sort "$dir/codes" | uniq -c)"
"$cli" devices --server "http://127.0.0.1:$port" --token "$admin" > "$dir/list" || fail "faultline devices"
[ "$(grep -c '^invented-' "$dir/list")" = 2000 ] || fail "faultline devices lists $(grep -c '^invented-' "$dir/list") of 2000"
"$cli" devices --json --server "http://127.0.0.1:$port" --token "$admin" > "$dir/list.json" || fail "devices --json"
[ "$(json '.[].serial' "$dir/list.json" | grep -c '^invented-')" = 2000 ] || fail "devices --json: not 2000 invented"
expect 200 "$(post dev-0042 chunk-batch "$dir/batch")" "duplicate duplicate duplicate duplicate" \
	"the first device, after all that"

# a disk below the reserve: chunks are answered 503 with Retry-After, nothing is stored, before the disk is full
kill -TERM "$pid"
wait "$pid"
start --disk-reserve-mb 1073741824 # more than any disk has free
got=$(curl -s -D "$dir/headers" -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" \
	-H "Content-Type: application/vnd.faultline.chunk-batch" --data-binary "@$dir/batch" \
	"http://127.0.0.1:$port/api/v1/devices/dev-disk/chunks")
[ "$got" = 503 ] && [ "$(json .error.code "$dir/body")" = disk_low ] && grep -qi '^retry-after: 60' "$dir/headers" ||
	fail "below the disk reserve: HTTP $got $(cat "$dir/body")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $admin" \
	"http://127.0.0.1:$port/api/v1/devices/dev-disk")" = 404 ] || fail "a chunk refused for the disk was stored"
kill -TERM "$pid"
wait "$pid"
start
expect 200 "$(post dev-disk chunk-batch "$dir/batch")" "accepted accepted accepted complete" "with room again"
kill -TERM "$pid"
wait "$pid"
echo "server-ingest: ok"
rm -rf "$dir"
