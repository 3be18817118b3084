#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check-header.sh c|cxx NAME WORKDIR [-IDIR...]: one public header, included by NAME ("fa/elf.h") from a
# translation unit that includes nothing else, must compile on its own (and twice: its include guard works).
#   c:   gcc and clang -std=c99 -pedantic, warnings as errors ("portable C99": both compilers). -Wstrict-prototypes because `f()` declares no prototype in
#        C but `f(void)` in C++; -Wundef because `#if FL_X` on an undefined macro is a silent 0.
#   cxx: g++ -std=c++11 -pedantic, warnings as errors, and every function the header declares with external linkage
#        has C linkage: gcc -aux-info lists those declarations, the C++ TU takes each one's address, and nm must
#        show each under its plain C name (C++ linkage would give a mangled _Z name, which no C library defines).
#        This proves the extern "C" block covers every function declaration, not just that one exists.
#        (Variables are not listed by -aux-info: a header declaring an extern variable needs another check.)
# FL_HEADER_CC / FL_HEADER_CLANG / FL_HEADER_CXX name the compilers (gcc, clang, g++).
set -eu
lang=$1 name=$2 work=$3
shift 3
cc=${FL_HEADER_CC:-gcc} clang=${FL_HEADER_CLANG:-clang} cxx=${FL_HEADER_CXX:-g++}
rm -rf "$work"
mkdir -p "$work"
# (the typedef: ISO C forbids an empty translation unit, which a header of macros alone would leave)
printf '#include "%s"\n#include "%s"\ntypedef int fl_header_not_empty;\n' "$name" "$name" > "$work/tu.c"

fail() {
	echo "header-test: $name: $*"
	exit 1
}

if [ "$lang" = c ]; then
	for c in "$cc" "$clang"; do
		"$c" -std=c99 -pedantic -Werror -Wall -Wextra -Wstrict-prototypes -Wundef "$@" -fsyntax-only "$work/tu.c" ||
			fail "does not compile on its own as C99 ($c -std=c99 -pedantic -Werror -Wall -Wextra; the TU: $work/tu.c)"
	done
	echo "header-test: $name compiles on its own as C99 with $cc and $clang"
	exit 0
fi
[ "$lang" = cxx ] || fail "language is c or cxx, not $lang"

# The header's own declarations of functions with external linkage (static inline ones have none).
"$cc" -std=c99 "$@" -fsyntax-only -aux-info "$work/aux" "$work/tu.c" || fail "does not compile as C"
# (aux-info names the file as the include path found it: ".../NAME")
awk -v h="/$name" '{ split($2, at, ":") } substr(at[1], length(at[1]) - length(h) + 1) == h && $4 != "static"' \
	"$work/aux" |
	sed 's/^\/\*[^*]*\*\/ //; s/ (.*//; s/.*[^A-Za-z0-9_]//' | sort -u > "$work/functions"
{
	cat "$work/tu.c"
	echo 'typedef void (*fl_header_fn)(void);'
	echo 'fl_header_fn fl_header_refs[] = {'
	sed 's/.*/\treinterpret_cast<fl_header_fn>(\&&),/' "$work/functions"
	echo '	0};'
} > "$work/tu.cc"
"$cxx" -std=c++11 -pedantic -Werror -Wall -Wextra "$@" -x c++ -c "$work/tu.cc" -o "$work/tu.o" ||
	fail "does not compile on its own as C++ ($cxx -std=c++11 -pedantic -Werror -Wall -Wextra; the TU: $work/tu.cc)"
nm -P "$work/tu.o" | awk '{ print $1 }' | sort -u > "$work/symbols"
status=0
while read -r fn; do
	if ! grep -qx "$fn" "$work/symbols"; then
		mangled=$(grep -e "[0-9]$fn" "$work/symbols" | head -1)
		echo "header-test: $name: $fn has C++ linkage ($mangled): declare it inside" \
			'#ifdef __cplusplus extern "C" { #endif ... }'
		status=1
	fi
done < "$work/functions"
[ $status -eq 0 ] || exit 1
echo "header-test: $name compiles on its own as C++11; functions it declares, all with C linkage: $(wc -l < "$work/functions")"
