/* SPDX-License-Identifier: Apache-2.0 */
/* Hand-written assembly of test_unwind.c's scenarios, as start-up code and RTOS ports have it.
 * run_on_psp carries CFI that GNU as puts in .eh_frame (no .cfi_sections directive), and keeps the CFA in r4 while
 * the task runs on the process stack: only that rule leads from the task back to the main stack.
 * asm_no_cfi has no CFI at all: an unwinder needs prologue analysis to get past it. */
	.syntax unified
	.thumb
	.text

/* void run_on_psp(void (*fn)(void), uintptr_t psp_top): call fn on the process stack, return on the main one. */
	.global run_on_psp
	.type run_on_psp, %function
	.thumb_func
run_on_psp:
	.cfi_startproc
	push	{r4, lr}
	.cfi_def_cfa_offset 8
	.cfi_offset r4, -8
	.cfi_offset lr, -4
	mov	r4, sp
	.cfi_def_cfa_register r4
	msr	psp, r1
	mrs	r2, control
	orr	r2, r2, #2
	msr	control, r2
	isb
	blx	r0
	mrs	r2, control
	bic	r2, r2, #2
	msr	control, r2
	isb
	mov	sp, r4
	.cfi_def_cfa_register sp
	pop	{r4, pc}
	.cfi_endproc
	.size run_on_psp, . - run_on_psp

/* void asm_no_cfi(void (*fn)(uint32_t), uint32_t v): call fn(v) from a frame no CFI describes. */
	.global asm_no_cfi
	.type asm_no_cfi, %function
	.thumb_func
asm_no_cfi:
	push	{r4, r5, r7, lr}
	sub	sp, #16
	add	r7, sp, #0
	mov	r4, r0
	str	r1, [r7, #4]
	mov	r0, r1
	blx	r4
	ldr	r0, [r7, #4]
	add	sp, #16
	pop	{r4, r5, r7, pc}
	.size asm_no_cfi, . - asm_no_cfi

/* An RTOS's task-exit trap: what a task returns into if its entry function ever returns. It starts right after
 * a function that ends in a call (asm_no_cfi's neighbour is not enough: it ends in a pop), so a return address
 * equal to its first instruction, looked up at address - 1, lands in the function before it. */
	.global task_exit_trap
	.type task_exit_trap, %function
	.thumb_func
task_exit_trap:
	b	task_exit_trap
	.size task_exit_trap, . - task_exit_trap
