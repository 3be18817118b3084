#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-deployments.sh SERVER CLI ELF: cohorts, deployments and a device's update on a real server (docs/OTA.md,
# Deployments). A device of a deployment's cohort that checks in is offered the release (never one outside it, one
# whose slot is too small, or below its security counter); it downloads the image with the project key in ranges
# that resume where they stopped and make the same bytes; its steps are stored and shown; a device not offered the
# release cannot download it; the project key reads nothing else; a downgrade is refused; a percentage picks the
# same devices as it grows.
set -u
server=$1 cli=$2 elf=$3
dir=$(mktemp -d)
fail() { echo "server-deployments: $*"; kill "$pid" 2>/dev/null; cat "$dir/out"; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
start --new-devices-per-hour 50
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
export FAULTLINE_SERVER="http://127.0.0.1:$port" FAULTLINE_TOKEN="$admin"
api="http://127.0.0.1:$port/api/v1"
# checkin SERIAL VERSION [COUNTER [SLOT]]: the device's check-in; the answer in $dir/body
checkin() {
	got=$(curl -s -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" -d "{\"sw_version\": \"$2\",
		\"build_id\": \"aa\", \"hw_version\": \"mps2\", \"version\": \"$2\", \"security_counter\": ${3:-0},
		\"slot_size\": ${4:-262144}}" "$api/devices/$1/update")
	[ "$got" = 200 ] || fail "check-in of $1: HTTP $got $(cat "$dir/body")"
}
offer() { checkin "$@"; json .offer.release "$dir/body" 2> /dev/null || echo none; }
report() { # SERIAL JSON: the HTTP status
	curl -s -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" -d "$2" "$api/devices/$1/update/report"
}
fetch() { # SERIAL RANGE OUT: the HTTP status of a download (RANGE "": all of it)
	curl -s -o "$3" -w '%{http_code}' -H "X-Faultline-Key: $key" ${2:+-r "$2"} "$api/devices/$1/releases/1/image"
}

arm-none-eabi-objcopy -O binary "$elf" "$dir/fw.bin"
"$cli" keys generate -o "$dir/k.pem" > /dev/null && "$cli" keys add "$dir/k.pub.pem" > /dev/null || fail "keys"
"$cli" release sign --key "$dir/k.pem" --version 1.0.1 -H 0x200 --pad-header -S 0x40000 --security-counter 1 \
	"$dir/fw.bin" -o "$dir/fw.signed.bin" > /dev/null || fail "release sign"
"$cli" release upload "$dir/fw.signed.bin" --elf "$elf" > /dev/null || fail "release upload"
size=$(wc -c < "$dir/fw.signed.bin")

"$cli" cohort create canary --serial dev-a --serial dev-b > /dev/null || fail "cohort create"
"$cli" cohort create fleet --sw 1.0.0 > /dev/null || fail "cohort create fleet"
"$cli" cohort create canary 2> "$dir/err" && fail "a cohort's name twice"
grep -q "a cohort of that name exists" "$dir/err" || fail "the same name: $(cat "$dir/err")"
"$cli" cohort create bad --serial 'no spaces' 2> "$dir/err" && fail "a serial with a space"
grep -q "a device serial is" "$dir/err" || fail "a bad serial: $(cat "$dir/err")"
"$cli" cohorts | grep -q "^1 *canary *any *any *2 listed" || fail "cohorts: $("$cli" cohorts)"
[ "$(offer dev-a 1.0.0)" = none ] || fail "an offer before any deployment"
"$cli" deploy 9 --cohort canary 2> "$dir/err" && fail "a deployment of no release"
grep -q "no such release" "$dir/err" || fail "release 9: $(cat "$dir/err")"
"$cli" deploy 1 --cohort nobody 2> "$dir/err" && fail "a deployment to no cohort"
grep -q "no such cohort" "$dir/err" || fail "cohort nobody: $(cat "$dir/err")"
"$cli" deploy 1 --cohort canary | grep -q "deployment 1: release 1 offered to 100% of cohort canary (1 of" ||
	fail "deploy: $("$cli" deployments)"

# the offer: to the cohort's devices only, that can take it
[ "$(offer dev-a 1.0.0)" = 1 ] || fail "dev-a was not offered release 1: $(cat "$dir/body")"
[ "$(json .offer.url "$dir/body")" = /api/v1/devices/dev-a/releases/1/image ] || fail "offer: $(cat "$dir/body")"
[ "$(json .offer.size "$dir/body")" = "$size" ] || fail "the offer's size: $(cat "$dir/body")"
[ "$(offer dev-c 1.0.0)" = none ] || fail "dev-c, not in the cohort, was offered it"
[ "$(offer dev-b 1.0.0 0 1000)" = none ] || fail "dev-b, with a 1000-byte slot, was offered it"
[ "$(offer dev-b 1.0.0 2)" = none ] || fail "dev-b, at security counter 2, was offered it"
[ "$(offer dev-b 1.0.1)" = none ] || fail "dev-b, running 1.0.1, was offered it"

# the download, resumed by ranges
[ "$(fetch dev-a 0-999 "$dir/p1")" = 206 ] || fail "range 0-999"
[ "$(fetch dev-a 1000- "$dir/p2")" = 206 ] || fail "range 1000-"
cat "$dir/p1" "$dir/p2" | cmp -s - "$dir/fw.signed.bin" || fail "the ranges do not make the image"
[ "$(fetch dev-a "" "$dir/all")" = 200 ] && cmp -s "$dir/all" "$dir/fw.signed.bin" || fail "the whole image"
[ "$(fetch dev-a "$size-" "$dir/x")" = 416 ] || fail "a range past the end"
got=$(curl -s -o "$dir/x" -w '%{http_code}' -H "X-Faultline-Key: $key" -H "Range: items=0-5" \
	"$api/devices/dev-a/releases/1/image")
[ "$got" = 200 ] && cmp -s "$dir/x" "$dir/fw.signed.bin" || fail "a Range of another unit: HTTP $got, not the image"
[ "$(fetch dev-c "" "$dir/x")" = 404 ] || fail "dev-c downloaded a release it was not offered"
got=$(curl -s -o /dev/null -w '%{http_code}' "$api/devices/dev-a/releases/1/image")
[ "$got" = 401 ] || fail "a download without a key: HTTP $got"
got=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Faultline-Key: $key" "$api/releases")
[ "$got" = 401 ] || fail "the project key listed the releases: HTTP $got"
got=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Faultline-Key: $key" "$api/deployments/1")
[ "$got" = 401 ] || fail "the project key read a deployment: HTTP $got"

# the device's steps
for s in '"downloading", "offset": 1000' '"downloaded"' '"verified"' '"installed"' '"confirmed"'; do
	[ "$(report dev-a "{\"deployment\": 1, \"step\": $s}")" = 200 ] || fail "step $s: $(cat "$dir/body")"
done
[ "$(report dev-a '{"deployment": 1, "step": "exploded"}')" = 400 ] || fail "an unknown step was taken"
[ "$(report dev-c '{"deployment": 1, "step": "confirmed"}')" = 404 ] || fail "dev-c reported on an offer it had not"
[ "$(report dev-a 'not json')" = 400 ] || fail "a report that is not JSON"
long=$(printf '%0100d' 0)
[ "$(report dev-a "{\"deployment\": 1, \"step\": \"confirmed\", \"why\": \"$long\"}")" = 200 ] ||
	fail "a why of 100 bytes: $(cat "$dir/body")"
"$cli" deployment 1 > "$dir/d1" || fail "faultline deployment 1"
grep -q "devices: offered 0 downloading 0 downloaded 0 verified 0 installed 0 confirmed 1" "$dir/d1" ||
	fail "deployment 1: $(cat "$dir/d1")"
grep -q "^dev-a  *confirmed" "$dir/d1" && grep -q "dev-a *downloading *1000" "$dir/d1" ||
	fail "deployment 1's device and steps: $(cat "$dir/d1")"

# a device that reverted is not offered the same deployment again; one without a hardware version checks in
[ "$(offer dev-b 1.0.0)" = 1 ] || fail "dev-b was not offered release 1"
[ "$(report dev-b '{"deployment": 1, "step": "reverted", "why": "unexpected reboot x3"}')" = 200 ] || fail "revert"
[ "$(offer dev-b 1.0.0)" = none ] || fail "dev-b was offered again the release it reverted"
got=$(curl -s -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" -d '{"sw_version": "1.0.0",
	"build_id": "aa", "hw_version": "", "version": "1.0.0", "slot_size": 262144}' "$api/devices/dev-nohw/update")
[ "$got" = 200 ] || fail "a check-in without a hardware version: HTTP $got $(cat "$dir/body")"

# a downgrade refused: dev-b now runs 1.0.2
checkin dev-b 1.0.2
"$cli" deploy 1 --cohort canary 2> "$dir/err" && fail "a downgrade was deployed"
grep -q "devices of cohort canary run 1.0.2, later than release 1's 1.0.1: a downgrade" "$dir/err" ||
	fail "the downgrade: $(cat "$dir/err")"

# a percentage: the devices in at 30% stay in at 60%
# offered_to FILE: which of 40 devices on 1.0.0 that check in are offered release 1, sorted, into FILE
offered_to() {
	i=0
	: > "$1"
	while [ $i -lt 40 ]; do
		[ "$(offer "p-$i" 1.0.0)" = 1 ] && echo "p-$i" >> "$1"
		i=$((i + 1))
	done
	sort -o "$1" "$1"
}
"$cli" deploy 1 --cohort fleet --percent 30 > /dev/null || fail "deploy 30% of the devices on 1.0.0"
offered_to "$dir/at30"
n30=$(wc -l < "$dir/at30")
[ "$n30" -gt 2 ] && [ "$n30" -lt 25 ] || fail "30% of 40 devices offered: $n30"
"$cli" deployment 2 --percent 60 > /dev/null || fail "deployment 2 --percent 60"
offered_to "$dir/at60"
[ "$(wc -l < "$dir/at60")" -gt "$n30" ] || fail "60% offered no more devices than 30%"
[ -z "$(comm -23 "$dir/at30" "$dir/at60")" ] || fail "devices in at 30% left at 60%: $(comm -23 "$dir/at30" "$dir/at60")"
# check-ins make devices as chunks do, under the same limit (50 an hour here; some are made already)
i=0
while [ $i -lt 60 ] && [ "$(curl -s -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" -d '{"sw_version":
	"1.0.0", "build_id": "aa", "version": "1.0.0", "slot_size": 4096}' "$api/devices/new-$i/update")" = 200 ]; do
	i=$((i + 1))
done
[ $i -lt 60 ] && json .error.message "$dir/body" | grep -q "new devices this hour" ||
	fail "60 new devices checked in under a limit of 50 an hour: $(cat "$dir/body")"
kill "$pid"
wait "$pid" 2> /dev/null
rm -rf "$dir"
echo "server-deployments: all good ($n30 of 40 devices at 30%)"
