# SPDX-License-Identifier: Apache-2.0
# Sourced by the server-*.sh tests, which set $server, $dir and fail(). start [ARGS...]: run the server on a free
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
