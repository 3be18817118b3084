# SPDX-License-Identifier: Apache-2.0
# A GDB script (gdb-multiarch's Python), the oracle of faultline's FreeRTOS threads that uses none of faultline's
# code: stopped in the fault handler of a live QEMU run, it walks the kernel's task lists with GDB's own symbols
# and types, reads each switched-out task's saved context as the kernel's port saved it (ARM_CM3: r4-r11, then the
# hardware frame; ARM_CM4F: r4-r11 and EXC_RETURN, s16-s31 when the task had an FPU context, then the hardware
# frame), sets the CPU's registers to it and runs `bt`, as RTOS-aware debuggers do; then puts every register back
# so the run goes on and saves its dump. Output: "==task NAME" before each task's backtrace.
import gdb


def value(expr):
    return gdb.parse_and_eval(expr)


def word(addr):
    return int(value("*(unsigned int *)%d" % addr)) & 0xffffffff


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


def main():
    try:
        value("vPortEnableVFP")
        cm4f = True
    except gdb.error:
        cm4f = False
    names = ["r%d" % i for i in range(13)] + ["sp", "lr", "pc", "xpsr"]
    saved = {r: int(value("$" + r)) & 0xffffffff for r in names}
    current = int(value("pxCurrentTCB"))
    for tcb in tasks():
        if tcb == current:
            continue
        task = value("(TCB_t *)%d" % tcb).dereference()
        top = int(task["pxTopOfStack"])
        name = task["pcTaskName"].string()
        regs = {"r%d" % (4 + i): word(top + 4 * i) for i in range(8)}
        frame, extended = top + 32, False
        if cm4f:
            exc = word(top + 32)
            extended = (exc & 0x10) == 0
            frame = top + 36 + (64 if extended else 0)
        for i, r in enumerate(("r0", "r1", "r2", "r3", "r12", "lr", "pc")):
            regs[r] = word(frame + 4 * i)
        xpsr = word(frame + 28)
        regs["sp"] = frame + 32 + (72 if extended else 0) + (4 if xpsr & 0x200 else 0)
        for r, v in regs.items():
            gdb.execute("set $%s = %d" % (r, v))
        print("==task %s" % name)
        gdb.execute("bt 32")
    for r in names:
        gdb.execute("set $%s = %d" % (r, saved[r]))
    print("==restored")


main()
