# SPDX-License-Identifier: Apache-2.0
# A GDB script (gdb-multiarch's Python), the oracle of faultline's FreeRTOS threads that uses none of faultline's
# code. Stopped in a live QEMU run where the crash is caught (the fault handler's first instruction, or the SDK's
# stack-overflow entry: MODE "overflow"), it
# - unwinds the crash: GDB's own frames while the chain stays on the main stack, and from the process stack on
#   once an exception frame's EXC_RETURN (bit 2) says the code it interrupted ran there. QEMU 7.2 gives GDB no PSP
#   (docs: shared notes), so GDB would read that frame from MSP; the script steps the handler past its `mrs r1,
#   psp`, takes the CPU's value, pops the hardware frame there (r0-r3, r12, lr, pc, xPSR; +18 words of FPU state
#   when EXC_RETURN bit 4 is 0, +4 with the aligner of xPSR bit 9) and goes on with GDB's unwinder;
# - walks the kernel's task lists with GDB's own symbols and types, reads each switched-out task's saved context as
#   the kernel's port saved it (ARM_CM3: r4-r11, then the hardware frame; ARM_CM4F: r4-r11 and EXC_RETURN, s16-s31
#   when the task had an FPU context, then the hardware frame), sets the CPU's registers to it and unwinds, as
#   RTOS-aware debuggers do. In MODE "overflow" the running task is one of them: its switch just saved it (the
#   kernel's hook runs in PendSV, after the save), and there is no crash of its own to unwind;
# then puts every register back so the run goes on and saves its dump. Output: "==crash", "==task NAME" before each
# backtrace, one "#N 0xPC in FUNCTION" line per frame (GDB's frame pc: a return address past frame 0).
import gdb

NAMES = ["r%d" % i for i in range(13)] + ["sp", "lr", "pc", "xpsr"]


def value(expr):
    return gdb.parse_and_eval(expr)


def word(addr):
    return int(value("*(unsigned int *)%d" % addr)) & 0xffffffff


def reg(name, frame=None):
    v = frame.read_register(name) if frame is not None else value("$" + name)
    return int(v) & 0xffffffff


def set_regs(regs):
    for r, v in regs.items():
        gdb.execute("set $%s = %d" % (r, v))


def frames(stop_at_psp=False):
    """GDB's frames from the CPU's registers, as (pc, function); with stop_at_psp, up to the first exception frame whose code ran on
    the process stack: returns (lines, that frame) and skips the frames before the first exception frame (the
    fault handler's own)."""
    out, f, n = [], gdb.newest_frame(), 0
    if stop_at_psp:
        while f is not None and f.type() != gdb.SIGTRAMP_FRAME:
            f = f.older()
    while f is not None and n < 32:
        if f.type() == gdb.SIGTRAMP_FRAME:
            if stop_at_psp and f.pc() & 4:
                return out, f
        elif f.pc() != 0:
            out.append((f.pc(), f.name() or "??"))
            n += 1
        f = f.older()
    return out, None


def psp():
    """The CPU's PSP: run the fault handler's entry up to past its `mrs r1, psp`, then back."""
    saved = {r: reg(r) for r in NAMES}
    lines = gdb.execute("disassemble", to_string=True).splitlines()
    for i, line in enumerate(lines):
        if "mrs" in line and "psp" in line.lower():
            gdb.execute("tbreak *%s" % lines[i + 1].split()[0], to_string=True)
            gdb.execute("continue", to_string=True)
            sp = reg("r1")
            set_regs(saved)
            return sp
    raise gdb.GdbError("no `mrs r1, psp` in the fault handler's entry")


def hw_frame(regs, frame, exc):
    """Pops the hardware's exception frame at frame into regs."""
    for i, r in enumerate(("r0", "r1", "r2", "r3", "r12", "lr", "pc")):
        regs[r] = word(frame + 4 * i)
    regs["xpsr"] = word(frame + 28)
    regs["sp"] = frame + 32 + (72 if (exc & 0x10) == 0 else 0) + (4 if regs["xpsr"] & 0x200 else 0)


def crash():
    lines, f = frames(stop_at_psp=True)
    if f is not None:
        top = psp()
        # r4-r11 as GDB unwound them to that exception frame: the hardware frame does not hold them
        regs = {r: reg(r, f) for r in ("r%d" % i for i in range(4, 12))}
        hw_frame(regs, top, f.pc())
        set_regs(regs)
        lines += frames()[0]
    return lines


def tasks():
    lists = ["&pxReadyTasksLists[%d]" % i
             for i in range(int(value("sizeof(pxReadyTasksLists) / sizeof(pxReadyTasksLists[0])")))]
    for name in ("xDelayedTaskList1", "xDelayedTaskList2", "xPendingReadyList", "xTasksWaitingTermination",
                 "xSuspendedTaskList"):
        try:
            value("&" + name)
            lists.append("&" + name)
        except gdb.error:
            pass
    found = []
    for expr in lists:
        lst = value(expr).dereference()
        end = int(lst["xListEnd"].address)
        item = lst["xListEnd"]["pxNext"]
        for _ in range(min(int(lst["uxNumberOfItems"]), 256)):
            if int(item) == end:
                break
            tcb = int(item.dereference()["pvOwner"])
            if tcb not in found:
                found.append(tcb)
            item = item.dereference()["pxNext"]
    return found


def saved_context(tcb, cm4f):
    task = value("(TCB_t *)%d" % tcb).dereference()
    top = int(task["pxTopOfStack"])
    regs = {"r%d" % (4 + i): word(top + 4 * i) for i in range(8)}
    frame, exc = top + 32, 0xfffffffd
    if cm4f:
        exc = word(top + 32)
        frame = top + 36 + (64 if (exc & 0x10) == 0 else 0)
    hw_frame(regs, frame, exc)
    return task["pcTaskName"].string(), regs


def main():
    overflow = globals().get("MODE") == "overflow"
    saved = {r: reg(r) for r in NAMES}
    out = []
    if not overflow:  # first: GDB 13 finds a tail call frame only before anything reads a variable
        out.append(("==crash", crash()))
        set_regs(saved)
    try:
        value("vPortEnableVFP")
        cm4f = True
    except gdb.error:
        cm4f = False
    current = int(value("pxCurrentTCB"))
    for tcb in tasks():
        if tcb == current and not overflow:
            continue
        name, regs = saved_context(tcb, cm4f)
        set_regs(regs)
        out.append(("==task " + name, frames()[0]))
    set_regs(saved)
    for head, lines in out:
        print(head)
        for n, (pc, name) in enumerate(lines):
            print("#%d 0x%08x in %s" % (n, pc, name))
    print("==restored")


main()
