#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# expect-exit.sh STATUS REGEX COMMAND [ARGS...]: run COMMAND; pass only when it exits with STATUS and its output
# (stdout and stderr together) matches the extended regular expression REGEX, which may span lines.
want=$1 regex=$2
shift 2
out=$("$@" 2>&1)
got=$?
printf '%s\n' "$out"
if [ "$got" -ne "$want" ]; then
	echo "expect-exit: '$*' exited with $got, expected $want" >&2
	exit 1
fi
if ! printf "%s" "$out" | grep -Ezq -- "$regex"; then
	echo "expect-exit: output of '$*' does not match /$regex/" >&2
	exit 1
fi
