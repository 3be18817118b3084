#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# rtos-threads.sh MACHINE ELF FAULTLINE WORKDIR LAYOUT: the task_fault scenario of tests/target/rtos/test_freertos.c
# decoded (decode-expect.sh): every task named, in its state, with its priority, and each switched-out task's
# backtrace from its saved context (read in LAYOUT, ARM_CM3 or ARM_CM4F) ending in its own function at the line
# the source marks "waits here: NAME" (the producer waits in two places: at its delay or its send); the crashing
# task is the running one. A tick that lands inside the kernel's critical section on the way to the wait switches
# the task out at that section's exit instead (vPortExitCritical under vTaskSuspend or xTaskResumeAll): QEMU's
# timer runs on the host clock, so the waiting function's frame number is 1 to 3.
set -eu
machine=$1 elf=$2 faultline=$3 work=$4 layout=$5
here=$(cd "$(dirname "$0")" && pwd)
src=$here/rtos/test_freertos.c
line() { grep -n "waits here: $1 \*/" "$src" | cut -d: -f1; }
exec "$here/decode-expect.sh" "$machine" "$elf" task_fault "$faultline" "$work" \
	"^threads \\(FreeRTOS, 7 found; saved contexts read as $layout " \
	'thread 1 "consumer" running, priority 3, stack 0x[0-9a-f]+-0x[0-9a-f]+ \(1020 bytes, [0-9]+ used, [0-9]+ never used\), TCB 0x[0-9a-f]+  <- the crashing thread' \
	'thread [2-7] "sleeper" blocked, priority 1, ' "#[1-3] .* in sleeper_task \\(\\) at .*test_freertos.c:$(line sleeper)\$" \
	'thread [2-7] "parked" suspended, priority 1, ' "#[1-3] .* in parked_task \\(\\) at .*test_freertos.c:$(line parked)\$" \
	'thread [2-7] "fpu" (blocked|ready), priority 1, ' "#[0-9] .* in fpu_task \\(\\) at .*test_freertos.c:[0-9]+\$" \
	'thread [2-7] "producer" (ready|blocked), priority 2, ' "#[0-9] .* in producer_task \\(\\) at .*test_freertos.c:[0-9]+\$" \
	'thread [2-7] "IDLE" ready, priority 0, ' '#[0-9] .* in prvIdleTask \(\) at .*tasks.c' \
	'thread [2-7] "Tmr Svc" blocked, priority 3, ' '#[0-9] .* in prvTimerTask \(\) at .*timers.c' \
	"!unwinding stopped: [^r]" "!not a task's control block"
