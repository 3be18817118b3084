#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-hostile.sh SERVER SERIAL2BATCH CLI MAKE_HOSTILE M3_ELF M3_LOG M4F_ELF M4F_LOG DEEP_ELF: hostile symbol
# files (made by tests/data/hostile/make-hostile-elf.sh: DEEP_ELF by the build, heavy.elf here) against a real server with one worker. Whatever they do to the
# analysis ends that attempt alone: the server answers throughout and processes the other build's crash. A file
# whose analysis blows its memory is refused at upload; when it is the build's file anyway (accepted by an older
# server, or under a higher limit), the crash is quarantined after three deaths, listed with the reason by the API
# and the CLI, and processed when the build's symbols are uploaded again. An analysis that hangs is ended at the
# deadline and the message processed by a new one. A file whose DWARF nests 300,000 deep is refused at upload
# and, as the build's file, fails its dump with the reason instead of crashing.
set -u
server=$1 batch=$2 cli=$3 hostile=$4 m3=$5 m3log=$6 m4f=$7 m4flog=$8 deep=$9
dir=$(mktemp -d)
fail() { echo "server-hostile: $*"; kill "$pid" 2>/dev/null; cat "$dir/out"; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
start --workers 1 --analysis-memory-mb 128 --analysis-seconds 3
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
export FAULTLINE_SERVER="http://127.0.0.1:$port" FAULTLINE_TOKEN="$admin"
alive() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ] || fail "$1"; }
analyst() { # the worker's analysis process: the server's child (from /proc: procps may not be installed)
	grep -l "^PPid:[[:space:]]*$pid\$" /proc/[0-9]*/status 2>/dev/null | head -1 | cut -d/ -f3
}
m3id=$(arm-none-eabi-readelf -n "$m3" | awk '/Build ID:/ { print $3 }')
"$hostile" heavy "$dir/heavy.elf" "$m3" || fail "cannot make heavy.elf"

# Memory: the upload's check goes past 128 MiB (the file inflates to 160 MiB, under the bomb limit of 64 times
# itself): refused, saying why.
upload "$dir/heavy.elf" 400
json .error.message "$dir/body" | grep -q "could not be checked: analysis used more than 128 MiB" ||
	fail "heavy.elf refused for another reason: $(cat "$dir/body")"
# As the build's file anyway: the crash dies three times, is quarantined, and blocks nobody.
upload "$m3" 201
cp "$dir/heavy.elf" "$dir/data/symbols/$m3id.elf"
send dev-heavy "$m3log"
upload "$m4f" 201
send dev-other "$m4flog"
until_is quarantine '.quarantine#' 1
alive "the server stopped answering after the analysis died"
[ "$(json '.quarantine[0].device' "$dir/body")" = dev-heavy ] && [ "$(json '.quarantine[0].failures' "$dir/body")" = 3 ] &&
	[ "$(json '.quarantine[0].build_id' "$dir/body")" = "$m3id" ] &&
	json '.quarantine[0].reason' "$dir/body" | grep -q "^quarantined: the analysis failed 3 times.*used more than 128 MiB" ||
	fail "the quarantined message: $(cat "$dir/body")"
until_is devices/dev-other '.traces#' 1
"$cli" quarantine > "$dir/cli.txt" || fail "faultline quarantine failed"
grep -q "dev-heavy" "$dir/cli.txt" && grep -q "analysis used more than 128 MiB" "$dir/cli.txt" ||
	fail "faultline quarantine: $(cat "$dir/cli.txt")"
# A new symbol file of the build: tried again, processed.
upload "$m3" 201
[ "$(json .requeued "$dir/body")" = 1 ] || fail "the upload did not requeue the quarantined message: $(cat "$dir/body")"
until_is devices/dev-heavy '.traces#' 1
until_is quarantine '.quarantine#' 0
[ "$("$cli" quarantine)" = "no message is quarantined" ] || fail "faultline quarantine after the upload"

# A hang: the analysis process stopped (SIGSTOP) is ended at the 3 s deadline; a new one processes the crash.
a=$(analyst)
[ -n "$a" ] || fail "no analysis process under the server"
kill -STOP "$a"
send dev-hang "$m3log"
until_is devices/dev-hang '.traces#' 1
grep -q "analysis took longer than 3 s" "$dir/out" || fail "the hang is not in the log"
[ "$(analyst)" != "$a" ] || fail "the hung analysis process was not replaced"

# DWARF nested 300,000 deep (libdw's dwarf_getscopes recursed off its stack on it): refused at upload; as the
# build's file anyway, the dump fails with the reason and the server goes on.
upload "$deep" 400
json .error.message "$dir/body" | grep -q "nests" || fail "deep.elf refused for another reason: $(cat "$dir/body")"
cp "$deep" "$dir/data/symbols/$m3id.elf"
send dev-deep "$m3log"
failed() { sqlite3 -readonly "$dir/data/faultline.db" "SELECT m.state FROM messages m JOIN devices d ON
	d.id = m.device_id WHERE d.serial = 'dev-deep' AND m.detail LIKE '%nests%'" 2>/dev/null; }
i=0
while [ "$(failed)" != 4 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
[ "$(failed)" = 4 ] || fail "dev-deep's coredump did not fail with the reason (state '$(failed)')"
alive "the server stopped answering after deep.elf"
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
echo "server-hostile: ok"
rm -rf "$dir"
