#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check-state.sh SDK_ARCHIVE EXECUTABLE: every writable static of the simulator's SDK build (its objects' .data,
# .bss and .noinit, not .data.rel.ro) lies in the executable's swapped block, the section fleetsim_state
# (sim/state.ld): a static outside it would be shared by all simulated devices.
set -eu
archive=$1 exe=$2
statics=$(objdump -t "$archive" |
	awk '$3 == "O" && $4 ~ /^\.(data|bss|noinit)/ && $4 !~ /^\.data\.rel\.ro/ { print $NF }' | sort -u)
[ -n "$statics" ] || { echo "check-state: no writable statics found in $archive"; exit 1; }
bad=0
for s in $statics; do
	where=$(objdump -t "$exe" | awk -v s="$s" '$NF == s && $3 == "O" { print $4 }' | sort -u)
	if [ "$where" != fleetsim_state ]; then
		echo "check-state: $s is in '${where:-nowhere}', not in the swapped block fleetsim_state"
		bad=1
	fi
done
[ $bad -eq 0 ] || exit 1
echo "check-state: $(echo "$statics" | wc -l) statics of the SDK, all in fleetsim_state:" $statics
