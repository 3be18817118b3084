#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-limits.sh SERVER SERIAL2BATCH DATA LOG_A LOG_B: the rate limits on a real server, set low: a serial never
# seen past the hour's new devices, a device's new message past its hour's messages, and a credential's bytes
# past its day are answered 429 with Retry-After and a message naming the limit, and store nothing; devices already
# known, messages sent again and the other limits' budgets are unaffected; GET /api/v1/limits counts each refusal.
set -u
server=$1 batch=$2 data=$3 loga=$4 logb=$5
dir=$(mktemp -d)
fail() { echo "server-limits: $*"; kill "$pid" 2>/dev/null; cat "$dir/out"; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
start --new-devices-per-hour 3 --device-messages-per-hour 3 --key-mb-per-day 1
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
post() { # SERIAL FILE: the HTTP status; the body in $dir/body, the headers in $dir/headers
	curl -s -D "$dir/headers" -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" \
		-H "Content-Type: application/vnd.faultline.chunk-batch" --data-binary "@$2" \
		"http://127.0.0.1:$port/api/v1/devices/$1/chunks"
}
refused() { # STATUS WHAT TEXT: a 429 naming the limit, with a Retry-After within its window
	[ "$1" = 429 ] || fail "$2: HTTP $1, expected 429: $(cat "$dir/body")"
	[ "$(json .error.code "$dir/body")" = rate_limited ] && json .error.message "$dir/body" | grep -q "$3" ||
		fail "$2: $(cat "$dir/body")"
	wait=$(tr -d '\r' < "$dir/headers" | sed -n 's/^Retry-After: //p')
	[ -n "$wait" ] && [ "$wait" -ge 1 ] && [ "$wait" -le 86400 ] || fail "$2: Retry-After '$wait'"
}
devices() { curl -s -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/devices" | json '.devices#'; }
tail -c +6 "$data/format-v1/chunks-mtu20.flc" > "$dir/example"
"$batch" "$loga" > "$dir/a" || fail "cannot read $loga"
"$batch" "$logb" > "$dir/b" || fail "cannot read $logb"

# New devices: three an hour.
for d in dev-1 dev-2 dev-3; do
	[ "$(post $d "$dir/example")" = 200 ] || fail "$d: $(cat "$dir/body")"
done
refused "$(post dev-4 "$dir/example")" "a fourth new device" "new devices this hour (faultline-server --new-devices-per-hour)"
[ "$(devices)" = 3 ] || fail "a refused device was stored: $(devices) devices"
[ "$(post dev-1 "$dir/example")" = 200 ] || fail "a known device was refused: $(cat "$dir/body")"
# New messages: three a device an hour (dev-2 holds one). A request that brings more is refused whole and charged
# nothing (the two of its four that fitted are given back, so they fit later); then one more is refused; what
# was taken is sent again as duplicates.
cat "$dir/a" "$dir/b" > "$dir/ab"
refused "$(post dev-2 "$dir/ab")" "dev-2's four more" "new messages of this device this hour (faultline-server --device-messages-per-hour)"
[ "$(post dev-2 "$dir/a")" = 200 ] || fail "dev-2's second and third messages, after a refusal: $(cat "$dir/body")"
refused "$(post dev-2 "$dir/b")" "dev-2's fourth and fifth" "new messages of this device this hour"
curl -s -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/devices" > "$dir/devices"
[ "$(json '.devices[]' "$dir/devices" | grep '"serial":"dev-2"' | json .messages)" = 3 ] ||
	fail "dev-2 after the refusals: $(cat "$dir/devices")"
[ "$(post dev-2 "$dir/a")" = 200 ] || fail "dev-2's messages sent again: $(cat "$dir/body")"
json '.results[].result' "$dir/body" | grep -vq duplicate && fail "dev-2's messages again are not duplicates"
# Bytes: 1 MiB a day for the project key; a body is charged whatever becomes of it.
head -c 600000 /dev/zero > "$dir/zeros"
[ "$(post dev-1 "$dir/zeros")" = 400 ] || fail "600 KB of zeros: $(cat "$dir/body")"
refused "$(post dev-1 "$dir/zeros")" "past 1 MiB today" "bytes a day for this credential (faultline-server --key-mb-per-day)"
curl -s -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/limits" > "$dir/limits"
[ "$(json .refused.new_devices "$dir/limits")" = 1 ] && [ "$(json .refused.messages "$dir/limits")" = 2 ] &&
	[ "$(json .refused.bytes "$dir/limits")" = 1 ] && [ "$(json .limits.bytes_per_key_day "$dir/limits")" = 1048576 ] ||
	fail "GET /api/v1/limits: $(cat "$dir/limits")"
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
echo "server-limits: ok"
rm -rf "$dir"
