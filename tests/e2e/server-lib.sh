# SPDX-License-Identifier: Apache-2.0
# Sourced by the server tests, which set $server, $dir and fail(). start [ARGS...]: run the server on a free
# loopback port with its data in $dir/data (ARGS passed on), its output appended to $dir/out; sets pid and port.
start() {
	rm -f "$dir/data/port"
	"$server" --data "$dir/data" --listen 127.0.0.1:0 "$@" >> "$dir/out" 2>&1 &
	pid=$!
	i=0
	while [ ! -s "$dir/data/port" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$dir/data/port" ] || fail "no port file after 20 s"
	port=$(cat "$dir/data/port")
}

# json PATH [FILE]: the value at PATH of a JSON answer, parsed (tests/e2e/jsonq.c: ".a.b", "[0]", "[]", "#")
json() { "$JSONQ" "$@"; }

# traces SERIAL: the device's trace ids, newest first (after start; $admin is the admin token)
traces() {
	curl -s -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/devices/$1" | json '.traces[].id' 2>/dev/null
}
# wait_traces SERIAL N: until the device has N traces (20 s at most), or fail
wait_traces() {
	i=0
	while [ "$(traces "$1" | wc -l)" -lt "$2" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	[ "$(traces "$1" | wc -l)" -eq "$2" ] || fail "$1: $(traces "$1" | wc -l) trace(s) on the server, expected $2"
}
# same_as_decode TRACE ELF LOG: under its heading, `faultline trace TRACE` ($cli, with FAULTLINE_SERVER and
# FAULTLINE_TOKEN set) prints byte for byte the report `faultline decode --elf ELF LOG` prints (LOG holds one
# coredump), or fail. The trace's output stays in $dir/trace.txt.
same_as_decode() {
	"$cli" trace "$1" > "$dir/trace.txt" || fail "faultline trace $1"
	"$cli" decode --elf "$2" "$3" > "$dir/decode.txt" || fail "faultline decode --elf $2 $3"
	tail -n +3 "$dir/trace.txt" > "$dir/trace.report"
	awk '/^coredump: / { p = 1 } p { print } /^fingerprint: / { p = 0 }' "$dir/decode.txt" > "$dir/decode.report"
	[ -s "$dir/decode.report" ] && cmp -s "$dir/decode.report" "$dir/trace.report" ||
		fail "faultline trace $1 is not the report faultline decode prints from $3:
$(diff "$dir/decode.report" "$dir/trace.report")"
}

# With a started server ($admin, $key, $port) and $batch (tests/e2e/serial2batch):
# get PATH: GET /api/v1/PATH as the admin; prints the HTTP status, the body goes to $dir/body
get() { curl -s -o "$dir/body" -w '%{http_code}' -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/$1"; }
# send SERIAL LOG: the chunks of a crash log, as a gateway POSTs them for the device; fail unless 200
send() {
	"$batch" "$2" > "$dir/batch" || fail "cannot read $2"
	got=$(curl -s -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" \
		-H "Content-Type: application/vnd.faultline.chunk-batch" --data-binary "@$dir/batch" \
		"http://127.0.0.1:$port/api/v1/devices/$1/chunks")
	[ "$got" = 200 ] || fail "chunks of $2 for $1: HTTP $got $(cat "$dir/body")"
}
# upload FILE [STATUS]: POST it as symbols; fail unless the answer is STATUS (default 201); the body in $dir/body
upload() {
	got=$(curl -s -o "$dir/body" -w '%{http_code}' -H "Authorization: Bearer $admin" --data-binary "@$1" \
		"http://127.0.0.1:$port/api/v1/symbols")
	[ "$got" = "${2:-201}" ] || fail "upload $1: HTTP $got, expected ${2:-201}: $(cat "$dir/body")"
}
# until_is PATH JSONPATH VALUE: wait (20 s at most: a loaded machine) for the answer to PATH to hold VALUE there
until_is() {
	i=0
	while [ $i -lt 400 ]; do
		[ "$(get "$1")" = 200 ] && [ "$(json "$2" "$dir/body" 2>/dev/null)" = "$3" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	fail "GET $1 never held $3 at $2: $(cat "$dir/body")"
}
