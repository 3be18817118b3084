#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check-headers.sh SDK_DIR: every public SDK header (and each port's) compiles on its own as strict C99 with GCC
# and with Clang (-std=c99 -pedantic -Werror), as C++ with g++ too, and the macros users call expand to valid
# C99: the SDK's "portable C99" holds for what an application includes.
set -eu
sdk=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for h in "$sdk"/include/faultline/*.h "$sdk"/ports/*/include/faultline/*.h; do
	name=faultline/$(basename "$h")
	inc=-I$sdk/include
	case $h in "$sdk"/ports/*) inc="$inc -I$(dirname "$(dirname "$h")")" ;; esac
	# A declaration after the include: a header of macros alone would leave an empty translation unit.
	printf '#include "%s"\ntypedef int fl_check_nonempty;\n' "$name" > "$tmp/one.c"
	for cc in "gcc -std=c99" "clang -std=c99" "g++ -std=c++11 -x c++"; do
		# shellcheck disable=SC2086
		if ! $cc -pedantic -Wall -Wextra -Werror -fsyntax-only $inc "$tmp/one.c" 2> "$tmp/err"; then
			echo "$name with $cc:" >&2
			cat "$tmp/err" >&2
			status=1
		fi
	done
done
# The macros an application uses, expanded.
cat > "$tmp/use.c" <<'C'
#include "faultline/faultline.h"
void fl_check_use(int x);
void fl_check_use(int x)
{
	FL_ASSERT(x != 0);
	if (x == 2)
		FL_FATAL_ERROR(7);
}
C
for cc in "gcc -std=c99" "clang -std=c99"; do
	# shellcheck disable=SC2086
	if ! $cc -pedantic -Wall -Wextra -Werror -fsyntax-only -I"$sdk/include" "$tmp/use.c" 2> "$tmp/err"; then
		echo "FL_ASSERT / FL_FATAL_ERROR with $cc:" >&2
		cat "$tmp/err" >&2
		status=1
	fi
done
[ $status = 0 ] && echo "public SDK headers: strict C99 with gcc and clang"
exit $status
