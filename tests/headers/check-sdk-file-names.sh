#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check-sdk-file-names.sh SDK_DIR [FREERTOS_KERNEL_PATH]: no two of the SDK's C files share a base name, and none
# has the name of a FreeRTOS kernel source (port.c above all): a build that puts every object into one folder, as
# generated STM32CubeMX and Eclipse projects do, would link one over the other. The kernel's names come from the
# kernel when given, else from this list (FreeRTOS-Kernel V11: the kernel, its GCC ARM_CM* ports and heaps).
set -eu
sdk=$1 kernel=${2:-}
if [ -n "$kernel" ]; then
	rtos=$(find "$kernel" -name '*.c' -exec basename {} \; | sort -u)
else
	rtos="croutine.c event_groups.c list.c queue.c stream_buffer.c tasks.c timers.c port.c portasm.c mpu_wrappers.c
mpu_wrappers_v2.c mpu_wrappers_v2_asm.c heap_1.c heap_2.c heap_3.c heap_4.c heap_5.c"
fi
ours=$(find "$sdk" -name '*.c' -exec basename {} \; | sort)
status=0
for name in $(printf '%s\n' "$ours" | uniq -d); do
	echo "two SDK files are named $name:"; find "$sdk" -name "$name" | sed 's/^/  /'
	status=1
done
for name in $(printf '%s\n' "$ours" | sort -u); do
	if printf '%s\n' $rtos | grep -qx "$name"; then
		echo "$(find "$sdk" -name "$name" | head -n 1) has the name of a FreeRTOS source file"
		status=1
	fi
done
[ $status = 0 ] && echo "$(printf '%s\n' "$ours" | wc -l) SDK files, no name shared with each other or FreeRTOS"
exit $status
