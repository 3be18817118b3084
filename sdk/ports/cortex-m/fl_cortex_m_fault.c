/* SPDX-License-Identifier: Apache-2.0 */
/* Cortex-M fault capture: the entry stub (no stack use until it has switched to the fault stack), then the
 * interrupted context read from the exception frame, the fault status registers, and fl_coredump_save(). */
#include <stddef.h>
#include <stdint.h>

#include "faultline/capture.h"
#include "faultline/compiler.h"
#include "faultline/cortex_m.h"
#include "faultline/port.h"
#include "faultline/reboot.h"

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SCB_CCR REG32(0xe000ed14u)
#define SCB_SHCSR REG32(0xe000ed24u)
#define SCB_CFSR REG32(0xe000ed28u)
#define SCB_HFSR REG32(0xe000ed2cu)
#define SCB_MMFAR REG32(0xe000ed34u)
#define SCB_BFAR REG32(0xe000ed38u)

#define CCR_TRAPS (3u << 3)     /* UNALIGN_TRP | DIV_0_TRP */
#define CFSR_MSTKERR (1u << 4)  /* MemManage fault while stacking for an exception */
#define CFSR_MLSPERR (1u << 5)  /* ... during lazy FP state preservation */
#define CFSR_STKERR (1u << 12)  /* bus fault while stacking */
#define CFSR_LSPERR (1u << 13)  /* ... during lazy FP state preservation */
#define EXC_RETURN_PSP (1u << 2)
#define EXC_RETURN_BASIC_FRAME (1u << 4) /* 0: the frame has FP state */
#define XPSR_ALIGN_PAD (1u << 9)
#define FRAME_BASIC 0x20u
#define FRAME_EXTENDED 0x68u

#define STR_(x) #x
#define STR(x) STR_(x)

/* What the entry stub saved: r0-r11 as they were, the stack pointers and EXC_RETURN. Read by the C handler. */
struct entry {
	uint32_t r[12];
	uint32_t msp, psp, exc_return;
};

struct entry fl_cm_entry;
uint64_t fl_cm_fault_stack[FL_CM_FAULT_STACK_SIZE / 8];

void fl_cm_fault_entry(void);
FL_NORETURN FL_USED void fl_cm_fault_handler(const struct entry *e);

FL_ALIAS("fl_cm_fault_entry") void HardFault_Handler(void);
FL_ALIAS("fl_cm_fault_entry") void NMI_Handler(void);
#if !defined(__ARM_ARCH_6M__)
FL_ALIAS("fl_cm_fault_entry") void MemManage_Handler(void);
FL_ALIAS("fl_cm_fault_entry") void BusFault_Handler(void);
FL_ALIAS("fl_cm_fault_entry") void UsageFault_Handler(void);
#endif

/* r12 is the one register given up to address the save area: it is lost only when stacking failed. */
FL_NAKED void fl_cm_fault_entry(void)
{
#if defined(__ARM_ARCH_6M__)
	__asm__ volatile("mov   r12, r0\n"
			 "ldr   r0, =fl_cm_entry\n"
			 "str   r1, [r0, #4]\n"
			 "str   r2, [r0, #8]\n"
			 "str   r3, [r0, #12]\n"
			 "str   r4, [r0, #16]\n"
			 "str   r5, [r0, #20]\n"
			 "str   r6, [r0, #24]\n"
			 "str   r7, [r0, #28]\n"
			 "mov   r1, r8\n"
			 "str   r1, [r0, #32]\n"
			 "mov   r1, r9\n"
			 "str   r1, [r0, #36]\n"
			 "mov   r1, r10\n"
			 "str   r1, [r0, #40]\n"
			 "mov   r1, r11\n"
			 "str   r1, [r0, #44]\n"
			 "mov   r1, r12\n"
			 "str   r1, [r0, #0]\n"
			 "mrs   r1, msp\n"
			 "str   r1, [r0, #48]\n"
			 "mrs   r1, psp\n"
			 "str   r1, [r0, #52]\n"
			 "mov   r1, lr\n"
			 "str   r1, [r0, #56]\n"
			 "ldr   r1, =fl_cm_fault_stack + " STR(FL_CM_FAULT_STACK_SIZE) "\n"
			 "msr   msp, r1\n"
			 "ldr   r1, =fl_cm_fault_handler\n"
			 "bx    r1\n"
			 ".ltorg\n");
#else
	__asm__ volatile("ldr   r12, =fl_cm_entry\n"
			 "stmia r12!, {r0-r11}\n"
			 "mrs   r0, msp\n"
			 "mrs   r1, psp\n"
			 "mov   r2, lr\n"
			 "stmia r12!, {r0-r2}\n"
			 "ldr   r0, =fl_cm_fault_stack + " STR(FL_CM_FAULT_STACK_SIZE) "\n"
			 "msr   msp, r0\n"
			 "ldr   r0, =fl_cm_entry\n"
			 "b     fl_cm_fault_handler\n"
			 ".ltorg\n");
#endif
}

static uint16_t reason_of(uint32_t exception)
{
	switch (exception) {
	case 2:
		return fl_capture_pending_reason() != 0 ? fl_capture_pending_reason() : FL_REASON_NMI;
	case 4:
		return FL_REASON_MEMMANAGE_FAULT;
	case 5:
		return FL_REASON_BUS_FAULT;
	case 6:
		return FL_REASON_USAGE_FAULT;
	default:
		return FL_REASON_HARD_FAULT;
	}
}

#if defined(__ARM_FP)
/* s0-s15 and FPSCR from the extended frame, s16-s31 from the registers (exception entry leaves them). */
static void capture_fp(uint32_t *fp, const uint32_t *frame)
{
	uint32_t fpscr;

	/* An FP instruction makes a pending lazy state preservation (FPCCR.LSPACT) fill the frame first. */
	__asm__ volatile("vmrs %0, fpscr" : "=r"(fpscr));
	(void)fpscr;
	for (int i = 0; i < 16; i++)
		fp[i] = frame[8 + i];
	__asm__ volatile("vstmia %0, {s16-s31}" : : "r"(fp + 16) : "memory");
	fp[32] = frame[24];
}
#endif

void fl_cm_fault_handler(const struct entry *e)
{
	static uintptr_t regs[20];
#if !defined(__ARM_ARCH_6M__)
	static uint32_t fault[5];
#endif
#if defined(__ARM_FP)
	static uint32_t fp[33];
#endif
	struct fl_capture c = {0};
	uint32_t ipsr, er = e->exc_return, cfsr = 0;
	bool psp = (er & EXC_RETURN_PSP) != 0, extended = (er & EXC_RETURN_BASIC_FRAME) == 0;
	uint32_t frame_addr = psp ? e->psp : e->msp, frame_size = extended ? FRAME_EXTENDED : FRAME_BASIC;
	const uint32_t *frame = (const uint32_t *)(uintptr_t)frame_addr;
	uintptr_t lo = 0, hi = 0;

	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
#if !defined(__ARM_ARCH_6M__)
	/* The capture code and libc may access memory unaligned: a trap here would lock the core up. */
	SCB_CCR &= ~CCR_TRAPS;
	__asm__ volatile("dsb\n isb" ::: "memory");
	cfsr = SCB_CFSR;
	fault[0] = cfsr;
	fault[1] = SCB_HFSR;
	fault[2] = SCB_MMFAR;
	fault[3] = SCB_BFAR;
	fault[4] = SCB_SHCSR;
	c.fault = fault;
	c.nfault = 5;
#endif
	for (int i = 4; i < 12; i++)
		regs[i] = e->r[i];
	if ((cfsr & (CFSR_MSTKERR | CFSR_STKERR)) == 0 && fl_port_memory_readable(frame_addr, frame_size) == frame_size) {
		for (int i = 0; i < 4; i++)
			regs[i] = frame[i];
		regs[12] = frame[4];
		regs[14] = frame[5];
		regs[15] = frame[6];
		regs[16] = frame[7];
		regs[13] = frame_addr + frame_size + ((frame[7] & XPSR_ALIGN_PAD) ? 4u : 0u);
#if defined(__ARM_FP)
		if (extended && (cfsr & (CFSR_MLSPERR | CFSR_LSPERR)) == 0) {
			capture_fp(fp, frame);
			c.fpregs = fp;
			c.nfpregs = 33;
			c.flags |= FL_CAPTURE_FP_CONTEXT;
		}
#endif
	} else {
		/* The frame was never written (or is out of reach): keep what exception entry does not change. */
		for (int i = 0; i < 4; i++)
			regs[i] = e->r[i];
		regs[12] = regs[14] = regs[15] = regs[16] = 0;
		regs[13] = frame_addr + FRAME_BASIC;
		c.flags |= FL_CAPTURE_FRAME_UNRELIABLE;
	}
	regs[17] = e->msp;
	regs[18] = e->psp;
	regs[19] = er;

	c.reason = reason_of(ipsr & 0x1ffu);
	c.regs = regs;
	c.nregs = 20;
	c.sp = regs[13];
	if (fl_cm_stack_bounds(psp, regs[13], &lo, &hi)) {
		c.stack_lo = lo;
		c.stack_hi = hi;
	}
	fl_coredump_save(&c);
	fl_port_reboot();
}
