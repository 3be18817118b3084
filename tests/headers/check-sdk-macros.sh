#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check-sdk-macros.sh SDK_INCLUDE: the macros an application uses (FL_ASSERT, FL_FATAL_ERROR), expanded in a
# function, compile as strict C99 with gcc and clang: the SDK's "portable C99" holds for what a user writes, not
# only for the headers alone (check-header.sh). FL_HEADER_CC / FL_HEADER_CLANG name the compilers.
set -eu
inc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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
for cc in "${FL_HEADER_CC:-gcc}" "${FL_HEADER_CLANG:-clang}"; do
	if ! "$cc" -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only -I"$inc" "$tmp/use.c"; then
		echo "check-sdk-macros: FL_ASSERT / FL_FATAL_ERROR do not compile as C99 with $cc" >&2
		exit 1
	fi
done
echo "check-sdk-macros: FL_ASSERT and FL_FATAL_ERROR expand to strict C99 with gcc and clang"
