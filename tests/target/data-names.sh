#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# data-names.sh ELF NAME_ADDRESS LIST: GDB as the oracle of addresses in words. For every line of LIST
# (tests/target/data-names.txt: a name, optionally " = " and a GDB expression of its address), GDB gives the
# address in ELF, and name_address (fa_data_name()) must name that address with that name. Prints each mismatch;
# exits 1 when there is one, or when GDB does not know an expression.
set -eu
elf=$1 tool=$2 list=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The entries: NAME<TAB>EXPRESSION, the expression derived from the name when the line has none.
grep -v '^#' "$list" | grep -v '^$' | awk '{
	name = $0; expr = ""
	i = index($0, " = ")
	if (i > 0) { name = substr($0, 1, i - 1); expr = substr($0, i + 3) }
	else if (match(name, / \+ [0-9]+( \(padding\))?$/)) {
		off = substr(name, RSTART + 3); sub(/ .*/, "", off)
		expr = "(char *)&(" substr(name, 1, RSTART - 1) ") + " off
	} else expr = "&(" name ")"
	printf "%s\t%s\n", name, expr
}' > "$tmp/entries"
n=$(wc -l < "$tmp/entries")
# One -ex per expression, each after a marker line: GDB goes on after one it does not know (a sourced file would
# stop there), and its error follows the marker.
awk -F '\t' '{ printf "echo #%d\\n\n", NR; printf "printf \"@%d %%#lx\\n\", (unsigned long)(%s)\n", NR, $2 }' \
	"$tmp/entries" > "$tmp/gdb"
set --
while IFS= read -r cmd; do
	set -- "$@" -ex "$cmd"
done < "$tmp/gdb"
gdb-multiarch -q -nx -batch "$elf" "$@" > "$tmp/gdb.out" 2>&1 || true
# Per entry: its address, or "?" and GDB's error. GDB 13 cannot take the address of a static whose location an
# LTO build keeps in another unit ("isn't an lvalue", "not located in memory"; faultline reads it through
# DW_AT_abstract_origin): such entries are skipped, and said.
awk '/^#[0-9]+$/ { i = substr($0, 2); next }
	/^@[0-9]+ / { addr[i] = $2; next }
	i != "" && !(i in addr) && !(i in err) { err[i] = $0 }
	END { for (k = 1; k <= n; k++) print (k in addr) ? addr[k] : "?\t" err[k] }' n="$n" "$tmp/gdb.out" > "$tmp/addrs"
lost="isn't an lvalue|not located in memory"
if grep -Ev "$lost" "$tmp/addrs" | grep -q '^?'; then
	paste "$tmp/entries" "$tmp/addrs" | grep "$(printf '\t?')" | grep -Ev "$lost" >&2
	echo "data-names: GDB does not locate these expressions in $elf" >&2
	exit 1
fi
paste "$tmp/entries" "$tmp/addrs" | awk -F '\t' '$3 == "?" { printf "data-names: skipped %s: GDB: %s\n", $1, $4 }'
paste "$tmp/entries" "$tmp/addrs" | awk -F '\t' '$3 != "?"' > "$tmp/located"
# shellcheck disable=SC2046 # one argument per address
"$tool" "$elf" $(cut -f 3 "$tmp/located") > "$tmp/names"
paste "$tmp/located" "$tmp/names" | awk -F '\t' '
	$1 != $4 { printf "data-names: %s (%s = %s): faultline says \"%s\"\n", $1, $2, $3, $4; bad++ }
	END { printf "data-names: %d of %d addresses named as GDB locates them\n", NR - bad, NR; exit bad > 0 }'
