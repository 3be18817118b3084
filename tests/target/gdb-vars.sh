#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# gdb-vars.sh MACHINE ELF SCENARIO FAULTLINE WORKDIR TABLE: the variables of one crash scenario's frames, as
# `faultline decode --json` reads them and as GDB shows them on the ELF core decode exported (`frame N`,
# `info args`, `info locals` for every frame, GDB opened as FA_CORE_GDB_COMMAND says: `set stack-cache off` before
# the core), compared frame by frame and name by name. Values are compared as printed, with GDB's and faultline's
# <symbol+offset> after an address left out (GDB names ELF symbols, faultline names the member) and addresses
# compared as numbers (faultline writes 8 digits at least). Where they differ
# TABLE must list the difference ("SCENARIO OPT FUNCTION VARIABLE CLASS reason", fnmatch patterns, OPT the ELF's
# -O level), its CLASS one of:
#   not_captured   faultline: <not captured> (RAM the dump lacks); GDB shows the ELF's initial value or an error.
#                  Compared: what faultline does know must match GDB's value around it.
#   partly_captured  as not_captured, where faultline prints the value element by element (as GDB prints a value
#                  not all of which it has) and GDB, which reads the rest from the ELF, as a whole.
#   not_recovered  faultline: <not recovered> (a register the unwinder has not); GDB assumes one or says why not.
#   value          the values differ otherwise.
#   missing        GDB shows a variable faultline does not; extra: the other way round.
#   tail_call      a frame rebuilt from call-site records: faultline shows no variables for it.
#   backtrace      the backtraces part (FUNCTION: faultline's frame there; tests/target/gdb-agree.sh compares
#                  backtraces): frames are compared up to there.
set -eu
machine=$1 elf=$2 scenario=$3 faultline=$4 work=$5 table=$6
here=$(cd "$(dirname "$0")" && pwd)
opt=$(basename "$elf" .elf | sed -n 's/.*-\(O[0-3s]\)$/\1/p')
case $(basename "$elf" .elf) in *-lto-O?) opt=lto-$opt ;; esac
opt=${opt:-Os}
mkdir -p "$work"
out="$work/$scenario-$(basename "$elf" .elf)"

"$here/run-qemu.sh" --machine "$machine" "$elf" "$scenario" > "$out.log" 2>&1
"$faultline" decode --elf "$elf" "$out.log" --json --core "$out.core" > "$out.json" 2> "$out.decode.err"

# GDB: every frame's arguments and locals (Python: a frame that cannot be selected ends the walk, not the run)
cat > "$out.gdb.py" <<'EOF'
import gdb
for setting in ("width 0", "height 0", "print pretty off"):
    gdb.execute("set " + setting)
frame, level = gdb.newest_frame(), 0
while frame is not None and level < 128:
    try:
        frame.select()
    except gdb.error:
        break
    print("==frame %d %d %s" % (level, frame.type(), frame.name() or "?"))
    for command in ("info args", "info locals"):
        try:
            text = gdb.execute(command, to_string=True)
        except gdb.error as e:
            text = "error: %s\n" % e
        print("==" + command)
        print(text, end="")
    try:
        frame = frame.older()
    except gdb.error:
        break
    level += 1
EOF
LC_ALL=C timeout 60 gdb-multiarch -q -nx -batch -ex 'set stack-cache off' "$elf" -ex "core-file $out.core" \
	-x "$out.gdb.py" > "$out.gdb" 2>&1 || true

exec /usr/bin/python3 - "$out.json" "$out.gdb" "$table" "$scenario" "$opt" <<'EOF'
import fnmatch, json, re, sys

json_path, gdb_path, table_path, scenario, opt = sys.argv[1:6]
SIGTRAMP, TAILCALL = 4, 3
# <what it points at> after an address (`<g_ring+4>`, `<fn::buf[0] + 1>`), not a state faultline or GDB writes there
annotation = re.compile(r"(0x[0-9a-f]+) <(?!not captured|not recovered|optimized out|synthetic pointer|unsupported|"
                        r"error|repeats )[^>]*>")
unknown = re.compile(r"<(not captured|not recovered)[^>]*>")

def norm(v): # (faultline writes addresses with 8 digits at least, GDB with as few as it can)
    return re.sub(r"0x([0-9a-f]+)", lambda m: hex(int(m.group(1), 16)), annotation.sub(r"\1", v.strip()))

rules = []
for line in open(table_path):
    f = line.split(None, 5)
    if line.startswith("#") or len(f) < 6:
        continue
    rules.append(f)

def allowed(function, name, cls):
    for r in rules:
        if all(fnmatch.fnmatchcase(v, p) for v, p in zip((scenario, opt, function, name, cls), r[:5])):
            return r[5].strip()
    return None

report = json.load(open(json_path))[0]
ours = [f for f in report["frames"]]

gdb = []
kind = None
for line in open(gdb_path):
    line = line.rstrip("\n")
    m = re.match(r"==frame (\d+) (\d+) (.*)$", line)
    if m:
        gdb.append({"type": int(m.group(2)), "function": m.group(3), "info args": [], "info locals": []})
        kind = None
    elif line in ("==info args", "==info locals"):
        kind = line[2:]
    elif kind and gdb and " = " in line and not line.startswith("error: "):
        name, value = line.split(" = ", 1)
        gdb[-1][kind].append((name, value))
gdb = [f for f in gdb if f["type"] != SIGTRAMP]
if not gdb:
    sys.exit("gdb-vars: GDB showed no frames on the core:\n" + open(gdb_path).read())

agree, allowed_n, failures, notes = 0, 0, [], []
def differ(function, name, cls, want, got):
    global allowed_n
    reason = allowed(function, name, cls)
    line = "%s %s: %s (%s): GDB %s, faultline %s" % (function, name, cls, "allowed" if reason else "NOT in the table",
                                                      want, got)
    if reason:
        allowed_n += 1
        notes.append("  " + line + "\n      " + reason)
    else:
        failures.append("  " + line)

compared = 0
if not ours:
    differ("(none)", "*", "backtrace", "%d frames" % len(gdb), "no frames")
for level, (g, f) in enumerate(zip(gdb, ours)):
    if g["function"] != f["function"]:
        differ(f["function"], "*", "backtrace", "frame %d in %s" % (level, g["function"]),
               "in %s (frames from there on are not compared)" % f["function"])
        break
    compared += 1
    vs = f.get("variables", [])
    if f["tail_call"] or g["type"] == TAILCALL:
        if g["info args"] or g["info locals"]:
            differ(f["function"], "*", "tail_call", "%d variables" % (len(g["info args"]) + len(g["info locals"])),
                   "none")
        continue
    for kind, arg in (("info args", True), ("info locals", False)):
        mine = [(v["name"], v["value"]) for v in vs if v["arg"] == arg]
        theirs = list(g[kind])
        for name, value in theirs:
            match = next((i for i, (n, _) in enumerate(mine) if n == name), None)
            if match is None:
                differ(f["function"], name, "missing", value, "(none)")
                continue
            got = mine.pop(match)[1]
            a, b = norm(value), norm(got)
            if a == b:
                agree += 1
                continue
            classes = [m.group(1).replace(" ", "_") for m in unknown.finditer(b)]
            if classes: # what faultline knows around what it does not must be GDB's
                pattern = ".*?".join(re.escape(p) for p in re.split(r"<(?:not captured|not recovered)[^>]*>", b))
                if re.fullmatch(pattern, a, re.S):
                    differ(f["function"], name, classes[0], value, got)
                    continue
                if "not_captured" in classes:
                    differ(f["function"], name, "partly_captured", value, got)
                    continue
            differ(f["function"], name, "value", value, got)
        for name, value in mine:
            differ(f["function"], name, "extra", "(none)", value)

print("%s %s: %d frames compared, %d variables agree with GDB, %d differ as the table allows, %d do not" %
      (scenario, opt, compared, agree, allowed_n, len(failures)))
for n in notes:
    print(n)
if failures:
    print("differences not in %s:" % table_path)
    print("\n".join(failures))
    sys.exit(1)
if compared == 0 and allowed_n == 0:
    sys.exit("gdb-vars: no frame compared")
EOF
