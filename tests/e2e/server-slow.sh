#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-slow.sh SERVER SLOWLORIS DATA: clients that hold connections cannot starve the others. 2,000 connections
# from 40 other loopback addresses send their headers a byte a second (a slowloris, with no credential); a device
# and a person on 127.0.0.1 are still answered at once; the slow ones are cut at the header deadline; one address
# holds no more than its limit.
set -u
server=$1 slowloris=$2 data=$3
dir=$(mktemp -d)
pid= attack=
fail() { echo "server-slow: $*"; kill -9 $pid $attack 2>/dev/null; tail -5 "$dir/out"; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
start --header-seconds 4 --per-address 60
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
tail -c +6 "$data/format-v1/chunks-mtu20.flc" > "$dir/batch"

"$slowloris" "$port" 2000 40 8 > "$dir/attack" &
attack=$!
sleep 2 # the connections are open and trickling
got=$(curl -s --max-time 5 -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" \
	-H "Content-Type: application/vnd.faultline.chunk-batch" --data-binary "@$dir/batch" \
	"http://127.0.0.1:$port/api/v1/devices/dev-under-attack/chunks")
[ "$got" = 200 ] || fail "a device was not served during the attack: HTTP $got"
got=$(curl -s --max-time 5 -o "$dir/body" -w '%{http_code}' -H "Authorization: Bearer $admin" \
	"http://127.0.0.1:$port/api/v1/devices/dev-under-attack")
[ "$got" = 200 ] || fail "a person was not served during the attack: HTTP $got"
wait "$attack"
attack=
read -r _ opened _ refused _ cut _ open < "$dir/attack"
[ "$opened" = 2000 ] && [ "$open" = 0 ] && [ "$cut" -ge 1900 ] ||
	fail "the slow connections were not cut at the header deadline: $(cat "$dir/attack")"
# one address: 60 connections at most, the others refused at once
"$slowloris" "$port" 100 1 1 > "$dir/one"
read -r _ opened _ refused _ cut _ open < "$dir/one"
[ "$refused" = 40 ] || fail "100 connections from one address with --per-address 60: $(cat "$dir/one")"
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
echo "server-slow: ok: attack $(cat "$dir/attack"); one address $(cat "$dir/one")"
rm -rf "$dir"
