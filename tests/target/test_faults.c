/* SPDX-License-Identifier: Apache-2.0 */
/* On-target crash scenarios for the SDK and the Cortex-M port. Command line: the scenario's name.
 * Boot 1 prints what the dump must show ("#T:expect" lines), then crashes. The port saves a coredump and resets.
 * Boot 2 prints its reboot info and sends every queued message as serial lines at MTU 20, then exits 0 (the
 * crash_loop scenario crashes once more in boot 2 and sends in boot 3).
 * tests/target/check_crash.c reads that output and checks each expectation against the decoded dump. */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "faultline/cortex_m.h"
#include "faultline/faultline.h"
#include "faultline/port.h"

#define FN_SPAN 0x100u /* a range of addresses that covers each small scenario function */

typedef void (*scenario_fn)(void);

static uint8_t s_events[256];
static volatile uint32_t s_sink;
static uint32_t s_app_state[4] = {0x11111111u, 0x22222222u, 0x33333333u, 0x44444444u}; /* a registered region */

static void expect_pc_in(const char *key, void (*fn)(void))
{
	uintptr_t a = (uintptr_t)fn & ~(uintptr_t)1;

	board_printf("#T:expect %s=%08lx-%08lx\n", key, (unsigned long)a, (unsigned long)(a + FN_SPAN));
}

__attribute__((noinline)) static void bus_fault_read(void)
{
	s_sink = *(volatile uint32_t *)0x60000000u;
}

__attribute__((noinline)) static void bus_fault_write(void)
{
	*(volatile uint32_t *)0xfffffff0u = 0xdeadbeefu;
}

__attribute__((noinline)) static void undefined_instruction(void)
{
	__asm__ volatile("udf #0");
}

static void (*volatile s_null_fn)(void);

__attribute__((noinline)) static void null_call(void)
{
	s_null_fn();
	s_sink++;
}

__attribute__((noinline)) static void divide(void)
{
	volatile uint32_t a = 10, b = 0;

	s_sink = a / b;
}

__attribute__((noinline)) static void unaligned(void)
{
	static uint32_t words[2];
	volatile uint32_t *p = (volatile uint32_t *)((uintptr_t)words + 1);

	s_sink = *p;
}

__attribute__((noinline)) static void assert_fails(void)
{
	FL_ASSERT(s_sink == 12345u);
}

__attribute__((noinline)) static void fatal_error(void)
{
	FL_FATAL_ERROR(0xbeefu);
}

static volatile uint32_t s_depth_limit; /* 0: unbounded (the compiler cannot know) */

__attribute__((noinline)) static uint32_t recurse(uint32_t n)
{
	volatile uint8_t pad[64];

	if (s_depth_limit != 0 && n >= s_depth_limit)
		return 0;
	pad[n % 64] = (uint8_t)n;
	return recurse(n + 1) + pad[(n + 1) % 64];
}

__attribute__((noinline)) static void stack_overflow(void)
{
	s_sink = recurse(0);
}

/* What the interrupt handlers do: set by the scenario. */
static void (*volatile s_irq0_action)(void);
static void (*volatile s_irq1_action)(void);

#define NVIC_ISER0 (*(volatile uint32_t *)0xe000e100u)
#define NVIC_ISPR0 (*(volatile uint32_t *)0xe000e200u)
#define NVIC_IPR0 (*(volatile uint32_t *)0xe000e400u)

static void pend_irq(unsigned irq)
{
	NVIC_ISER0 = 1u << irq;
	NVIC_ISPR0 = 1u << irq;
	__asm__ volatile("dsb\n isb" ::: "memory");
}

void Board_IRQ0_Handler(void);
void Board_IRQ0_Handler(void)
{
	s_irq0_action();
	s_sink++;
}

void Board_IRQ1_Handler(void);
void Board_IRQ1_Handler(void)
{
	s_irq1_action();
	s_sink++;
}

/* A chain of calls that each do work after the call, so none becomes a tail call. */
__attribute__((noinline)) static void chain_leaf(void)
{
	bus_fault_write();
	s_sink += 6;
}

__attribute__((noinline)) static void chain_5(void)
{
	chain_leaf();
	s_sink += 5;
}

__attribute__((noinline)) static void chain_4(void)
{
	chain_5();
	s_sink += 4;
}

__attribute__((noinline)) static void chain_3(void)
{
	chain_4();
	s_sink += 3;
}

__attribute__((noinline)) static void chain_2(void)
{
	chain_3();
	s_sink += 2;
}

__attribute__((noinline)) static void deep_chain(void)
{
	chain_2();
	s_sink += 1;
}

/* A sibling call: at -O2 tail_caller ends in a plain branch to tail_callee and leaves no frame. */
__attribute__((noinline)) static void tail_callee(uint32_t v)
{
	*(volatile uint32_t *)(0xfffffff0u - (v & 0)) = v;
}

__attribute__((noinline)) static void tail_caller(uint32_t v)
{
	s_sink = v;
	tail_callee(v + 1);
}

__attribute__((noinline)) static void tail_call(void)
{
	tail_caller(s_sink);
	s_sink++;
}

/* Static functions inlined into each other (always, even at -O0). */
static inline __attribute__((always_inline)) void inlined_inner(uint32_t v)
{
	*(volatile uint32_t *)0xfffffff0u = v;
}

static inline __attribute__((always_inline)) void inlined_middle(uint32_t v)
{
	inlined_inner(v * 3);
	s_sink += v;
}

__attribute__((noinline)) static void inlined(void)
{
	inlined_middle(s_sink + 1);
	s_sink++;
}

/* An interrupt over a chain of thread calls: the handler faults. */
__attribute__((noinline)) static void wait_for_irq(void)
{
	pend_irq(0);
	for (;;)
		;
}

__attribute__((noinline)) static void thread_2(void)
{
	wait_for_irq();
	s_sink += 2;
}

__attribute__((noinline)) static void isr_chain(void)
{
	s_irq0_action = chain_leaf;
	thread_2();
	s_sink++;
}

/* Nested exceptions: IRQ 0 (low priority) pends IRQ 1 (higher), whose handler faults. */
__attribute__((noinline)) static void raise_irq1(void)
{
	pend_irq(1);
	for (;;)
		;
}

__attribute__((noinline)) static void nested(void)
{
	NVIC_IPR0 = 0x80u | 0x40u << 8; /* IRQ 0 priority 0x80, IRQ 1 0x40; BusFault stays at 0, above both */
	s_irq0_action = raise_irq1;
	s_irq1_action = chain_leaf;
	thread_2();
	s_sink++;
}

/* An RTOS-style task on the process stack, started by an exception return, as schedulers do. */
static uint32_t s_task_stack_2[256] __attribute__((aligned(8)));

__attribute__((noinline)) static void task_work(void)
{
	chain_leaf();
	s_sink += 7;
}

void task_entry(void);
void task_entry(void)
{
	task_work();
	for (;;)
		;
}

void SVC_Handler(void) __attribute__((naked));
void SVC_Handler(void)
{
	__asm__ volatile("ldr r0, =s_task_sp\n"
			 "ldr r0, [r0]\n"
			 "msr psp, r0\n"
			 "ldr lr, =0xfffffffd\n" /* return to thread mode, on PSP */
			 "bx  lr\n"
			 ".ltorg\n");
}

__attribute__((used)) uintptr_t s_task_sp; /* used: only assembly reads it, which -flto does not see */

__attribute__((noinline)) static void psp_task(void)
{
	uint32_t *frame = s_task_stack_2 + 256 - 8; /* a basic exception frame at the top of the task's stack */

	board_set_task_stack((uintptr_t)s_task_stack_2, (uintptr_t)(s_task_stack_2 + 256));
	memset(frame, 0, 8 * sizeof(*frame));
	frame[5] = 0;                                /* lr: a task never returns */
	frame[6] = (uint32_t)(uintptr_t)task_entry;   /* pc */
	frame[7] = 1u << 24;                          /* xPSR: Thumb */
	s_task_sp = (uintptr_t)frame;
	__asm__ volatile("svc #0" ::: "memory");
	for (;;)
		;
}

__attribute__((noinline)) static void isr_fault(void)
{
	s_irq0_action = bus_fault_write;
	pend_irq(0);
	for (;;)
		;
}

static uint64_t s_task_stack[256];

/* Uses its stack, so the task's stack holds a frame when the fault hits. */
__attribute__((noinline)) static void task_body(void)
{
	volatile uint32_t local[4] = {1, 2, 3, 4};

	bus_fault_write();
	s_sink = local[0] + local[3];
}

/* Run task_body on the process stack, as an RTOS task would. */
__attribute__((noinline)) static void psp_fault(void)
{
	uintptr_t top = (uintptr_t)(s_task_stack + 256);

	board_set_task_stack((uintptr_t)s_task_stack, top);
	__asm__ volatile("msr psp, %0\n"
			 "mrs r0, control\n"
			 "orr r0, r0, #2\n"
			 "msr control, r0\n"
			 "isb\n"
			 "bl  task_body_trampoline\n"
			 :
			 : "r"(top)
			 : "r0", "r1", "r2", "r3", "r12", "lr", "memory", "cc");
}

void task_body_trampoline(void);
__attribute__((used)) void task_body_trampoline(void)
{
	task_body();
}

/* Fault with a known stack pointer: switch to the task stack at `top` and store to a bad address at once, so the
 * interrupted sp is exactly top. With top 4 bytes off 8-byte alignment, exception entry inserts the alignment pad
 * (stacked xPSR bit 9) and the capture must take it out again. */
__attribute__((noinline)) static void psp_exact(uintptr_t top)
{
	board_set_task_stack((uintptr_t)s_task_stack, (uintptr_t)(s_task_stack + 256));
	__asm__ volatile("msr psp, %0\n"
			 "mrs r0, control\n"
			 "orr r0, r0, #2\n"
			 "msr control, r0\n"
			 "isb\n"
			 "str %1, [%2]\n"
			 :
			 : "r"(top), "r"(1u), "r"(0xfffffff0u)
			 : "r0", "memory", "cc");
}

#if defined(__ARM_FP)
/* With an active FP context: s0, s16 and FPSCR (rounding mode towards +infinity) hold known values when the
 * fault hits. */
__attribute__((noinline)) static void fpu_fault(void)
{
	__asm__ volatile("vmov s0, %0\n"
			 "vmov s16, %1\n"
			 "vmsr fpscr, %2\n"
			 "str  %3, [%4]\n"
			 :
			 : "r"(0x3fc00000u), "r"(0x40490fdbu), "r"(0x00400000u), "r"(1u), "r"(0xfffffff0u)
			 : "s0", "s16", "memory");
}
#endif

#if defined(__ARM_FP)
/* An interrupt over thread code with a live FP context: the IRQ's exception frame is the FPU-extended one, and
 * the unwinder must step over its 0x68 bytes to find the thread's frames. */
__attribute__((noinline)) static void fpu_thread(void)
{
	__asm__ volatile("vmov s0, %0" : : "r"(0x3fc00000u) : "s0");
	s_irq0_action = chain_leaf;
	wait_for_irq();
	s_sink++;
}
#endif

/* test_unwind.c's scenarios, in the images that link it: true when name is one of them (it then crashes). */
bool unwind_scenario_run(const char *name);

/* Each scenario: its name, the fl_cm_configure() flags it needs, its function, and what to expect. */
static void expect_common(uint16_t reason)
{
	board_printf("#T:expect reason=%04x reboot_coredump=1\n", reason);
}

/* A no-access MPU region at the bottom of the main stack, larger than any frame of recurse(), so the overflowing
 * push lands in it: the capture must start just above it. */
#define GUARD_SIZE 256u

/* Make [guard, guard + GUARD_SIZE) (GUARD_SIZE-aligned) a no-access MPU region, not readable for the port either. */
static void mpu_guard(uintptr_t guard)
{
	board_set_stack_guard(guard, guard + GUARD_SIZE);
	*(volatile uint32_t *)0xe000ed98u = 0;     /* MPU_RNR: region 0 */
	*(volatile uint32_t *)0xe000ed9cu = guard; /* MPU_RBAR */
	/* MPU_RASR: XN, AP = no access, SIZE = log2(256) - 1, ENABLE */
	*(volatile uint32_t *)0xe000eda0u = 1u << 28 | 7u << 1 | 1u;
	*(volatile uint32_t *)0xe000ed94u = 1u << 2 | 1u; /* MPU_CTRL: PRIVDEFENA | ENABLE */
	__asm__ volatile("dsb\n isb" ::: "memory");
}

static void setup_mpu_guard(void)
{
	extern uint8_t __stack_bottom[], __stack_top[];
	uintptr_t guard = (uintptr_t)__stack_bottom; /* 16 KiB aligned by the linker script */

	board_printf("#T:expect region=%08lx stack=%08lx-%08lx\n", (unsigned long)(guard + GUARD_SIZE),
		     (unsigned long)(guard + GUARD_SIZE), (unsigned long)(uintptr_t)__stack_top);
	mpu_guard(guard);
}

/* An overflow the MPU guard catches while exception stacking still works: big_frame's frame is larger than its
 * stack and the guard together, so its sub sp moves sp past both into RAM that is no stack, and its first store
 * lands in the guard (DACCVIOL, MMFAR in the guard). Exception entry stacks the frame below the guard, where it
 * can. The stack is a small one the main stack pointer is moved to, so the dump holds all of it (the SDK captures
 * from the stack's low limit when sp is below it) and the backtrace goes up to guard_task. */
#define GUARDED_STACK 1024u
#define BIG_FRAME 1792u

static struct {
	uint8_t below[1024]; /* where sp ends up */
	uint8_t guard[GUARD_SIZE];
	uint64_t stack[GUARDED_STACK / 8];
} s_guarded __attribute__((aligned(GUARD_SIZE)));
_Static_assert(BIG_FRAME > GUARDED_STACK + GUARD_SIZE && BIG_FRAME + 256 < sizeof(s_guarded),
	       "big_frame's sp must pass the guard and stay in s_guarded.below, with room for the exception frame");

__attribute__((noinline)) static void big_frame(uintptr_t target)
{
	volatile uint8_t frame[BIG_FRAME];

	frame[target - (uintptr_t)frame] = 1; /* the guard lies inside the frame: the compiler cannot see where */
}

void guard_task(void);
__attribute__((used)) void guard_task(void)
{
	big_frame((uintptr_t)s_guarded.guard + 8);
	s_sink++;
}

__attribute__((noinline)) static void guard_hit(void)
{
	uintptr_t lo = (uintptr_t)s_guarded.stack, hi = lo + GUARDED_STACK, at = (uintptr_t)s_guarded.guard + 8;

	board_printf("#T:expect stack=%08lx-%08lx region=%08lx sp=%08lx-%08lx mmfar=%08lx\n", (unsigned long)lo,
		     (unsigned long)hi, (unsigned long)lo, (unsigned long)(uintptr_t)s_guarded.below,
		     (unsigned long)(uintptr_t)s_guarded.guard, (unsigned long)at);
	/* check_crash explains the dump without the ELF, which would tell "a write" */
	board_printf("#T:expect-line kind=stack_overflow\n#T:expect-line text=stack overflow: an access at 0x%08lx, "
		     "%lu bytes below the stack's limit (stack 0x%08lx-0x%08lx), hit the MPU stack guard\n",
		     (unsigned long)at, (unsigned long)(lo - at), (unsigned long)lo, (unsigned long)hi);
	board_set_main_stack(lo, hi);
	mpu_guard((uintptr_t)s_guarded.guard);
	/* Never returns: big_frame faults. */
	__asm__ volatile("mov sp, %0\n"
			 "bl  guard_task\n"
			 :
			 : "r"(hi)
			 : "r0", "r1", "r2", "r3", "r12", "lr", "memory", "cc");
}

static void run(const char *name)
{
	if (strcmp(name, "bus_read") == 0) {
		expect_common(FL_REASON_HARD_FAULT);
		board_puts("#T:expect cfsr=00008200/0000ff00 hfsr=40000000/ffffffff bfar=60000000\n");
		expect_pc_in("pc", bus_fault_read);
		bus_fault_read();
	} else if (strcmp(name, "bus_write") == 0) {
		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		expect_common(FL_REASON_BUS_FAULT);
		board_puts("#T:expect cfsr=00008200/0000ff00 hfsr=00000000/40000000 bfar=fffffff0 flags=0/7\n");
		expect_pc_in("pc", bus_fault_write);
		board_puts("#T:expect excret=fffffff9/ffffffff\n");
		bus_fault_write();
	} else if (strcmp(name, "undef") == 0) {
		expect_common(FL_REASON_HARD_FAULT);
		board_puts("#T:expect cfsr=00010000/ffffffff\n");
		expect_pc_in("pc", undefined_instruction);
		undefined_instruction();
	} else if (strcmp(name, "null_call") == 0) {
		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		expect_common(FL_REASON_USAGE_FAULT);
		board_puts("#T:expect cfsr=00020000/ffffffff pc=00000000-00000002\n");
		expect_pc_in("lr", null_call);
		null_call();
	} else if (strcmp(name, "div0") == 0) {
		fl_cm_configure(FL_CM_FAULT_HANDLERS | FL_CM_TRAP_DIV0);
		expect_common(FL_REASON_USAGE_FAULT);
		board_puts("#T:expect cfsr=02000000/ffffffff\n");
		expect_pc_in("pc", divide);
		divide();
	} else if (strcmp(name, "unaligned") == 0) {
		expect_common(FL_REASON_HARD_FAULT);
		board_puts("#T:expect cfsr=01000000/ffffffff\n");
		expect_pc_in("pc", unaligned);
		fl_cm_configure(FL_CM_TRAP_UNALIGNED); /* after printing: newlib's printf is not alignment-clean */
		unaligned();
	} else if (strcmp(name, "assert") == 0) {
		expect_common(FL_REASON_ASSERT);
		expect_pc_in("site", assert_fails);
		assert_fails();
	} else if (strcmp(name, "fatal_error") == 0) {
		expect_common(FL_REASON_FATAL_ERROR);
		expect_pc_in("site", fatal_error);
		board_puts("#T:expect code=beef\n");
		fatal_error();
	} else if (strcmp(name, "stack_overflow") == 0) {
		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		setup_mpu_guard();
		expect_common(FL_REASON_MEMMANAGE_FAULT);
		board_puts("#T:expect cfsr=00000010/00000010 flags=2/2\n"); /* MSTKERR; frame unreliable */
		stack_overflow();
	} else if (strcmp(name, "guard_hit") == 0) {
		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		expect_common(FL_REASON_MEMMANAGE_FAULT);
		board_puts("#T:expect cfsr=00000082/000000ff flags=0/2\n"); /* DACCVIOL, MMARVALID; frame stacked */
		expect_pc_in("pc", (void (*)(void))(uintptr_t)big_frame);
		guard_hit();
	} else if (strcmp(name, "isr_fault") == 0) {
		/* BusFault has the IRQ's priority, so it cannot preempt it: it escalates to HardFault. */
		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		expect_common(FL_REASON_HARD_FAULT);
		board_puts("#T:expect bfar=fffffff0 hfsr=40000000/40000000 excret=fffffff1/ffffffff\n");
		expect_pc_in("pc", bus_fault_write);
		isr_fault();
	} else if (strcmp(name, "psp_fault") == 0) {
		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		expect_common(FL_REASON_BUS_FAULT);
		board_puts("#T:expect bfar=fffffff0 excret=fffffffd/ffffffff\n");
		board_printf("#T:expect stack=%08lx-%08lx\n", (unsigned long)(uintptr_t)s_task_stack,
			     (unsigned long)(uintptr_t)(s_task_stack + 256));
		expect_pc_in("pc", bus_fault_write);
		psp_fault();
	} else if (strcmp(name, "deep_chain") == 0 || strcmp(name, "tail_call") == 0 ||
		   strcmp(name, "inlined") == 0 || strcmp(name, "isr_chain") == 0 || strcmp(name, "nested") == 0 ||
		   strcmp(name, "psp_task") == 0) {
		static const struct {
			const char *name;
			void (*fn)(void);
		} k_chains[] = {{"deep_chain", deep_chain}, {"tail_call", tail_call}, {"inlined", inlined},
				{"isr_chain", isr_chain},   {"nested", nested},       {"psp_task", psp_task}};

		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		board_puts("#T:expect bfar=fffffff0\n");
		for (size_t i = 0; i < sizeof(k_chains) / sizeof(k_chains[0]); i++)
			if (strcmp(name, k_chains[i].name) == 0)
				k_chains[i].fn();
	} else if (strcmp(name, "psp_sp") == 0 || strcmp(name, "psp_align_pad") == 0) {
		uintptr_t top = (uintptr_t)(s_task_stack + 200) - (name[4] == 'a' ? 4u : 0u);

		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		expect_common(FL_REASON_BUS_FAULT);
		board_printf("#T:expect sp=%08lx-%08lx xpsr=%08x/00000200\n", (unsigned long)top,
			     (unsigned long)top + 1, name[4] == 'a' ? 0x200u : 0u);
		psp_exact(top);
	} else if (strcmp(name, "crash_loop") == 0) {
		/* Boot 1 crashes with a bus fault, boot 2 with an undefined instruction before sending anything:
		 * the dump kept is the first crash's; the reboot event (boot 2's end) names the second. */
		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		board_printf("#T:expect dump_reason=%04x reboot_reason=%04x reboot_coredump=0 bfar=fffffff0\n",
			     FL_REASON_BUS_FAULT, FL_REASON_USAGE_FAULT);
		bus_fault_write();
#if defined(__ARM_FP)
	} else if (strcmp(name, "fpu_isr") == 0) {
		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		board_puts("#T:expect bfar=fffffff0\n");
		fpu_thread();
	} else if (strcmp(name, "fpu") == 0) {
		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		expect_common(FL_REASON_BUS_FAULT);
		board_puts("#T:expect flags=4/4 s0=3fc00000 s16=40490fdb fpscr=00400000 excret=ffffffe9/ffffffff\n");
		expect_pc_in("pc", fpu_fault);
		fpu_fault();
#endif
	} else if (!unwind_scenario_run(name)) {
		board_printf("unknown scenario '%s'\n", name);
		board_exit(2);
	}
	board_puts("the scenario did not crash\n");
	board_exit(4);
}

int main(void)
{
	struct fl_init_params params = {s_events, sizeof(s_events)};
	struct fl_boot_info info;
	int rc = fl_init(&params, &info);

	board_printf("#T:boot count=%u init=%d reason=%04x storage=%d\n", board_boot_count(), rc, info.reason,
		     info.storage);
	BOARD_CHECK(rc == 0);
	BOARD_CHECK(fl_coredump_add_region(s_app_state, sizeof(s_app_state)) == 0);
	if (board_boot_count() == 1) {
		BOARD_CHECK(info.storage == FL_STORAGE_EMPTY);
		board_printf("#T:expect has_region=%08lx\n", (unsigned long)(uintptr_t)s_app_state);
		run(board_cmdline());
	}
	if (board_boot_count() == 2 && strcmp(board_cmdline(), "crash_loop") == 0) {
		BOARD_CHECK(info.storage == FL_STORAGE_UNREAD);
		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		undefined_instruction(); /* the second crash: not saved over the first */
	}
	BOARD_CHECK(board_boot_count() == (strcmp(board_cmdline(), "crash_loop") == 0 ? 3u : 2u));
	if (info.storage != FL_STORAGE_UNREAD) {
		uint8_t head[48];

		fl_port_storage_read(0, head, sizeof(head));
		board_puts("storage starts:");
		for (size_t i = 0; i < sizeof(head); i++)
			board_printf(" %02x", head[i]);
		board_puts("\n");
		board_exit(1);
	}
	board_send_all();
	BOARD_CHECK(!fl_coredump_pending());
	BOARD_CHECK(board_storage_violations() == 0);
	return 0;
}
