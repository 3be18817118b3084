#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-auth.sh SERVER: faultline-server on a free loopback port in a new data directory: credentials made once
# and kept, /healthz open, every other endpoint closed without the right credential, rotate-keys taking effect
# in a running server, a clean stop on SIGTERM.
set -u
server=$1
dir=$(mktemp -d)
fail() { echo "server-auth: $*"; cat "$dir/out" 2>/dev/null; kill "$pid" 2>/dev/null; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
# status METHOD PATH [curl args...]: print the HTTP status; the body goes to $dir/body
status() {
	m=$1 p=$2
	shift 2
	curl -s -o "$dir/body" -w '%{http_code}' -X "$m" "$@" "http://127.0.0.1:$port$p"
}
expect() { # WANT GOT WHAT
	[ "$1" = "$2" ] || fail "$3: HTTP $2, expected $1 ($(cat "$dir/body"))"
}

start
project=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
[ -n "$project" ] && [ -n "$admin" ] || fail "the first start did not show the credentials"
expect 200 "$(status GET /healthz)" "healthz without credentials"
expect 401 "$(status GET /api/v1/issues)" "no credentials"
[ "$(json .error.code "$dir/body")" = unauthorized ] || fail "401 without a JSON error body: $(cat "$dir/body")"
expect 401 "$(status GET /api/v1/issues -H 'Authorization: Bearer fla_wrong')" "a wrong admin token"
expect 401 "$(status GET /api/v1/issues -H "X-Faultline-Key: $project")" "the project key on a people endpoint"
json .error.message "$dir/body" | grep -q 'may only send chunks' || fail "the project key's 401 does not say why"
expect 401 "$(status POST /api/v1/devices/dev-1/chunks -H 'X-Faultline-Key: flp_wrong' --data-binary x)" \
	"a wrong project key"
expect 401 "$(status GET /api/v1/issues -H "Authorization: Bearer $admin$admin")" "a token with a valid prefix"
[ "$(status GET /api/v1/issues -H "Authorization: Bearer $admin")" != 401 ] || fail "the admin token is refused"
# people's clients keep their connection: three GETs, one connection, none told to close it
curl -sv -o /dev/null -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/issues" \
	"http://127.0.0.1:$port/api/v1/devices" "http://127.0.0.1:$port/healthz" 2> "$dir/keepalive"
[ "$(grep -c 'Re-using existing connection' "$dir/keepalive")" = 2 ] && ! grep -qi '^< connection: close' "$dir/keepalive" ||
	fail "GET answers close the connection: $(grep -i 'connection' "$dir/keepalive")"
[ "$(status POST /api/v1/devices/dev-1/chunks -H "X-Faultline-Key: $project" --data-binary x)" != 401 ] ||
	fail "the project key is refused on the chunk endpoint"

# rotate-keys while the server runs: the old token stops working within a second or two
"$server" --data "$dir/data" rotate-keys > "$dir/rotated" 2>&1 || fail "rotate-keys failed: $(cat "$dir/rotated")"
new=$(sed -n 's/^admin token.*: *//p' "$dir/rotated")
[ -n "$new" ] && [ "$new" != "$admin" ] || fail "rotate-keys did not show a new admin token"
sleep 2
expect 401 "$(status GET /api/v1/issues -H "Authorization: Bearer $admin")" "the old admin token after rotation"
[ "$(status GET /api/v1/issues -H "Authorization: Bearer $new")" != 401 ] || fail "the new admin token is refused"

# a clean stop, and a restart that keeps the credentials and shows none
kill -TERM "$pid"
wait "$pid" || fail "the server did not exit 0 on SIGTERM"
grep -q stopping "$dir/out" || fail "no stop message"
: > "$dir/out"
start
grep -q 'admin token' "$dir/out" && fail "a restart showed credentials again"
[ "$(status GET /api/v1/issues -H "Authorization: Bearer $new")" != 401 ] || fail "the token did not survive a restart"
kill -TERM "$pid"
wait "$pid"

# bad arguments: clear messages, non-zero status
"$server" --data /proc/no-such/dir > "$dir/bad" 2>&1 && fail "an impossible data directory was accepted"
grep -q "cannot create" "$dir/bad" || fail "no message for the data directory: $(cat "$dir/bad")"
echo "server-auth: ok"
rm -rf "$dir"
