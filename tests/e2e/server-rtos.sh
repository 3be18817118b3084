#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-rtos.sh SERVER SERIAL2BATCH ELF MACHINE CLI: FreeRTOS crashes through a real server. The real kernel's
# image (tests/target/rtos) runs two scenarios in QEMU: a task faults; a task overflows its stack and the kernel's
# hook reports it. Their chunks go to the server with the ELF: two issues, each saying the task it happened in
# (`faultline issue`), the overflow's titled and fingerprinted by the task that overflowed, and `faultline trace`
# prints every task of the dump, read back from the server's JSON.
set -u
server=$1 batch=$2 elf=$3 machine=$4 cli=$5
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
fail() { echo "server-rtos: $*"; kill "$pid" 2>/dev/null; cat "$dir/out"; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
for s in task_fault overflow_hook; do
	"$here/target/run-qemu.sh" --machine "$machine" "$elf" "$s" > "$dir/$s.log" 2>&1 || fail "QEMU run of $s"
done
start
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
upload "$elf"
send dev-a "$dir/task_fault.log"
send dev-b "$dir/overflow_hook.log"
until_is issues '.issues#' 2
export FAULTLINE_SERVER="http://127.0.0.1:$port" FAULTLINE_TOKEN="$admin"
"$cli" issues > "$dir/cli" || fail "faultline issues: $(cat "$dir/cli")"
grep -q "bus_fault in bus_fault_write$" "$dir/cli" || fail "no task fault issue: $(cat "$dir/cli")"
grep -q "stack_overflow in " "$dir/cli" || fail "no stack overflow issue: $(cat "$dir/cli")"
fault=$(awk '/bus_fault in bus_fault_write$/ { print $1 }' "$dir/cli")
overflow=$(awk '/stack_overflow in / { print $1 }' "$dir/cli")
"$cli" issue "$fault" > "$dir/issue" || fail "faultline issue $fault"
grep -q '^task: *"consumer" (FreeRTOS)$' "$dir/issue" || fail "the task fault's issue names no task: $(cat "$dir/issue")"
grep -q '^  thread 1 "consumer" running, priority 3, .*<- the crashing thread$' "$dir/issue" ||
	fail "the latest trace lists no threads: $(cat "$dir/issue")"
grep -q '^  thread [0-9] "sleeper" blocked, priority 1, ' "$dir/issue" || fail "no sleeper: $(cat "$dir/issue")"
"$cli" issue "$overflow" > "$dir/issue" || fail "faultline issue $overflow"
grep -q '^task: *"hog" (FreeRTOS)$' "$dir/issue" || fail "the overflow's issue names no task: $(cat "$dir/issue")"
grep -q '^fault: *stack overflow of task "hog", found by FreeRTOS.s check at a task switch$' "$dir/issue" ||
	fail "the overflow's fault: $(cat "$dir/issue")"
grep -q '^fingerprint: fl2:[0-9a-f]*  (stack_overflow|.*recurse@test_freertos.c' "$dir/issue" ||
	fail "the overflow's fingerprint is not the task's frames: $(cat "$dir/issue")"
kill "$pid"
wait "$pid" 2>/dev/null
rm -rf "$dir"
echo "server-rtos: two FreeRTOS issues, each naming its task, every task in the trace"
