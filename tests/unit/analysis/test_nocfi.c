/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/nocfi.c, with elf.c's lookup of .ARM.exidx entries (fa_elf_exidx()), on firmware ELFs written here
 * byte by byte: Thumb prologues of each form the analysis reads, ARM EHABI unwind entries inline and in
 * .ARM.extab (personality routines 0, 1 and 2), and hostile tables: each gives the caller's registers exactly, or
 * is refused. The stack is a fake memory whose every word says where it is. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "elfwriter.h"
#include "nocfi.h" /* analysis/src: private to the unwinder */

#define SP 13
#define LR 14
#define PC 15

#define TEXT 0x8000u       /* .text, where the functions are */
#define FN_SIZE 0x100u     /* room for each */
#define EXIDX 0xa000u      /* .ARM.exidx */
#define EXTAB 0xb000u      /* .ARM.extab */
#define NOWHERE 0x00f00000u /* in no section */
#define FUNCS_MAX 8u

#define SHT_ARM_EXIDX 0x70000001u
#define EXIDX_CANTUNWIND 1u

/* ---- the stack: words at MEM_LO..MEM_HI, each holding word_at(its address); one word may be missing ---- */

#define STACK 0x20001000u /* the entry sp (CFA) of every frame */
#define MEM_LO (STACK - 0xc00u)
#define MEM_HI (STACK + 0x400u)
#define LR_IN 0x00009001u /* lr in a frame */

static uint32_t s_hole; /* a word the dump did not capture (0: none) */
static unsigned s_reads;

static uint32_t word_at(uint32_t addr)
{
	return 0x60000001u | (addr - MEM_LO) << 4; /* odd, as a Thumb return address is */
}

static bool read_stack(const void *ctx, uint64_t addr, uint32_t *out)
{
	(void)ctx;
	s_reads++;
	if (addr < MEM_LO || addr >= MEM_HI || addr % 4 != 0 || (s_hole != 0 && addr == s_hole))
		return false;
	*out = word_at((uint32_t)addr);
	return true;
}

/* A frame at pc with this sp and every register known (rN: 0xf000000N), lr LR_IN. first: pc is exact (frame 0,
 * or interrupted by an exception), else a return address (looked up at pc - 1). */
static struct fa_frame frame_at(uint32_t pc, bool first, uint32_t sp)
{
	struct fa_frame f = {.pc = pc, .lookup = first ? pc : pc - 1, .known = 0xffff};

	for (unsigned r = 0; r < 16; r++)
		f.regs[r] = 0xf0000000u | r;
	f.regs[SP] = sp;
	f.regs[LR] = LR_IN;
	f.regs[PC] = pc;
	return f;
}

static void assert_reg(const struct fa_frame *f, unsigned r, uint32_t want)
{
	if (!(f->known >> r & 1))
		fail_msg("r%u is not known", r);
	if (f->regs[r] != want)
		fail_msg("r%u is 0x%08x, not 0x%08x", r, f->regs[r], want);
}

static void assert_unknown(const struct fa_frame *f, unsigned r)
{
	if (f->known >> r & 1)
		fail_msg("r%u is known (0x%08x)", r, f->regs[r]);
}

/* r4-r11 of next are f's but for the registers of mask, which are read from the stack (checked by the caller). */
static void assert_kept(const struct fa_frame *next, const struct fa_frame *f, uint32_t mask)
{
	for (unsigned r = 4; r <= 11; r++)
		if (!(mask >> r & 1))
			assert_reg(next, r, f->regs[r]);
}

/* ---- firmware images: functions of Thumb code, and their .ARM.exidx / .ARM.extab entries ---- */

struct image {
	struct fl_buf text, exidx, extab;
	struct fl_elf_func funcs[FUNCS_MAX];
	char names[FUNCS_MAX][8];
	size_t nfuncs;
	bool no_exidx; /* leave .ARM.exidx out */
};

/* The prel31 at address at that points to target. */
static uint32_t prel31(uint32_t target, uint32_t at)
{
	return (target - at) & 0x7fffffffu;
}

/* Add function fN (N: the count so far) of these halfwords of code, padded with NOPs to FN_SIZE. Returns its
 * address. */
static uint32_t add_function(struct image *im, const uint16_t *code, size_t n)
{
	uint32_t addr = TEXT + (uint32_t)im->text.n;

	assert_true(im->nfuncs < FUNCS_MAX && n * 2 <= FN_SIZE);
	for (size_t i = 0; i < FN_SIZE / 2; i++)
		fl_buf_le(&im->text, i < n ? code[i] : 0xbf00 /* nop */, 2);
	snprintf(im->names[im->nfuncs], sizeof(im->names[0]), "f%zu", im->nfuncs);
	im->funcs[im->nfuncs] = (struct fl_elf_func){im->names[im->nfuncs], addr | 1, FN_SIZE};
	im->nfuncs++;
	return addr;
}

/* A function of NOPs only. */
static uint32_t add_nops(struct image *im)
{
	return add_function(im, NULL, 0);
}

/* Add the .ARM.exidx entry of the function at fn (entries must come in address order) with this second word:
 * EXIDX_CANTUNWIND, an inline entry (bit 31), or a prel31 (entry_to()). */
static void add_entry(struct image *im, uint32_t fn, uint32_t second)
{
	uint32_t at = EXIDX + (uint32_t)im->exidx.n;

	fl_buf_le(&im->exidx, prel31(fn, at), 4);
	fl_buf_le(&im->exidx, second, 4);
}

/* The second word of the next entry add_entry() adds, pointing to target. */
static uint32_t entry_to(const struct image *im, uint32_t target)
{
	return prel31(target, EXIDX + (uint32_t)im->exidx.n + 4);
}

/* Add words to .ARM.extab and fn's entry pointing to them. */
static void add_extab(struct image *im, uint32_t fn, const uint32_t *words, size_t n)
{
	uint32_t at = EXTAB + (uint32_t)im->extab.n;

	for (size_t i = 0; i < n; i++)
		fl_buf_le(&im->extab, words[i], 4);
	add_entry(im, fn, entry_to(im, at));
}

static struct fa_elf *open_image(struct image *im)
{
	const struct fl_elf_section extra[] = {
		{.name = ".ARM.exidx", .type = SHT_ARM_EXIDX, .flags = 0x82 /* A, LINK_ORDER */, .addr = EXIDX,
		 .link = 1, .data = &im->exidx},
		{.name = ".ARM.extab", .type = 1 /* PROGBITS */, .flags = 2 /* A */, .addr = EXTAB, .data = &im->extab},
	};
	const struct fl_firmware fw = {
		.text_addr = TEXT, .text = &im->text, .funcs = im->funcs, .nfuncs = im->nfuncs,
		.code_lo = 0x100, .code_len = 4, /* CFI for none of the functions */
		.extra = im->no_exidx ? extra + 1 : extra, .nextra = im->no_exidx ? 1 : 2,
	};
	struct ff_error err = {0};
	struct fa_elf *e = NULL;
	char *path = fl_elf_firmware(&fw);

	if (fa_elf_open(&e, path, &err) != 0)
		fail_msg("fa_elf_open: %s", err.msg);
	unlink(path);
	free(path);
	free(im->text.p), free(im->exidx.p), free(im->extab.p);
	memset(im, 0, sizeof(*im));
	return e;
}

/* ---- .ARM.exidx ---- */

/* An inline entry (personality 0, three instruction bytes) of a function that pushed {r4, lr} and lowered sp by 8:
 * "vsp += 8; pop {r4, lr}; finish". Its caller's sp, r4, lr and pc; r5-r11 unchanged; r0-r3, r12 unknown. */
static void exidx_inline_entry(void **state)
{
	struct image im = {0};
	uint32_t fn = add_nops(&im);
	struct fa_frame f, next;
	struct fa_elf *e;
	uint8_t ins[FA_EXIDX_MAX];
	size_t n = 0;

	(void)state;
	add_entry(&im, fn, 0x8001a8b0u);
	e = open_image(&im);
	assert_int_equal(fa_elf_exidx(e, fn + 0x20, ins, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(ins, "\x01\xa8\xb0", 3);
	f = frame_at(fn + 0x20, false, STACK - 16);
	assert_int_equal(fa_exidx_step(e, &f, false, read_stack, NULL, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, 4, word_at(STACK - 8));
	assert_reg(&next, LR, word_at(STACK - 4));
	assert_reg(&next, PC, word_at(STACK - 4));
	assert_kept(&next, &f, 1u << 4);
	for (unsigned r = 0; r < 4; r++)
		assert_unknown(&next, r);
	assert_unknown(&next, 12);
	/* a return address at the function's end (looked up at its last byte); its first byte */
	f = frame_at(fn + FN_SIZE, false, STACK - 16);
	assert_int_equal(fa_exidx_step(e, &f, false, read_stack, NULL, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_int_equal(fa_elf_exidx(e, fn, ins, &n), 0);
	/* without a known sp */
	f.known &= ~(1u << SP);
	assert_int_equal(fa_exidx_step(e, &f, false, read_stack, NULL, &next), FA_NOCFI_NONE);
	fa_elf_close(e);
}

/* The unwind instructions hold after the prologue: frame 0 or an interrupted frame whose pc is inside it (before
 * the PUSH, between the PUSH and the SUB) is not unwound with them (prologue analysis is), one past it is. A caller
 * frame is at a call, past its prologue. */
static void exidx_not_inside_the_prologue(void **state)
{
	static const uint16_t k_code[] = {0xb510, 0xb082, 0xbf00, 0xf7ff, 0xfffe}; /* push {r4, lr}; sub sp, #8 */
	struct image im = {0};
	uint32_t fn = add_function(&im, k_code, 5);
	struct fa_frame f, next;
	struct fa_elf *e;

	(void)state;
	add_entry(&im, fn, 0x8001a8b0u); /* vsp += 8; pop {r4, lr} */
	e = open_image(&im);
	f = frame_at(fn, true, STACK);
	assert_int_equal(fa_exidx_step(e, &f, true, read_stack, NULL, &next), FA_NOCFI_NONE);
	f = frame_at(fn + 2, true, STACK - 8);
	assert_int_equal(fa_exidx_step(e, &f, true, read_stack, NULL, &next), FA_NOCFI_NONE);
	assert_int_equal(fa_prologue_step(e, &f, true, read_stack, NULL, &next), 1);
	assert_reg(&next, SP, STACK);
	f = frame_at(fn + 4, true, STACK - 16);
	assert_int_equal(fa_exidx_step(e, &f, true, read_stack, NULL, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, PC, word_at(STACK - 4));
	f = frame_at(fn + 10, false, STACK - 16);
	assert_int_equal(fa_exidx_step(e, &f, false, read_stack, NULL, &next), 1);
	assert_reg(&next, SP, STACK);
	fa_elf_close(e);
}

/* Personality 0, 1 and 2 entries in .ARM.extab; 1 and 2 with the words that follow (bits 16-23 count them). */
static void exidx_extab_entries(void **state)
{
	static const uint32_t k_pers0[] = {0x8001a8b0u};
	/* vsp += 12; pop {r0-r3}; pop {r4, r5, lr}; finish, finish */
	static const uint32_t k_pers1[] = {0x810102b1u, 0x0fa9b0b0u};
	/* vsp -= 4, += 4; vsp += 0x204 + (128 << 2) (uleb128 of 2 bytes); FSTMFDX D0-D1; FSTMFDX D8-D9; VPUSH
	 * D16-D17; VPUSH D0-D2; VPUSH D8-D9; pop {r4, pc}; finish; then spare bytes that must not run */
	static const uint32_t k_pers2[] = {0x82074000u, 0xb28001b3u, 0x01b9c801u, 0xc902d188u, 0x01b0ffffu,
					   0xffffffffu, 0xffffffffu, 0xffffffffu};
	const uint32_t pers2_adjust = 1028 + 20 + 20 + 16 + 24 + 16;
	struct image im = {0};
	uint32_t f0 = add_nops(&im), f1 = add_nops(&im), f2 = add_nops(&im);
	struct fa_frame f, next;
	struct fa_elf *e;
	uint8_t ins[FA_EXIDX_MAX];
	size_t n = 0;

	(void)state;
	add_extab(&im, f0, k_pers0, 1);
	add_extab(&im, f1, k_pers1, 2);
	add_extab(&im, f2, k_pers2, 8);
	e = open_image(&im);
	/* personality 0 */
	f = frame_at(f0 + 0x10, false, STACK - 16);
	assert_int_equal(fa_exidx_step(e, &f, false, read_stack, NULL, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, 4, word_at(STACK - 8));
	assert_reg(&next, PC, word_at(STACK - 4));
	/* personality 1 */
	assert_int_equal(fa_elf_exidx(e, f1 + 0x10, ins, &n), 0);
	assert_int_equal(n, 6);
	assert_memory_equal(ins, "\x02\xb1\x0f\xa9\xb0\xb0", 6);
	f = frame_at(f1 + 0x10, false, STACK - 40);
	assert_int_equal(fa_exidx_step(e, &f, false, read_stack, NULL, &next), 1);
	assert_reg(&next, SP, STACK);
	for (unsigned r = 0; r < 4; r++)
		assert_reg(&next, r, word_at(STACK - 28 + 4 * r));
	assert_reg(&next, 4, word_at(STACK - 12));
	assert_reg(&next, 5, word_at(STACK - 8));
	assert_reg(&next, LR, word_at(STACK - 4));
	assert_reg(&next, PC, word_at(STACK - 4));
	assert_kept(&next, &f, 3u << 4);
	/* personality 2, as long as it can be: all 30 bytes; the popped pc, lr as it was */
	assert_int_equal(fa_elf_exidx(e, f2 + 0x10, ins, &n), 0);
	assert_int_equal(n, FA_EXIDX_MAX);
	f = frame_at(f2 + 0x10, true, STACK - 8 - pers2_adjust);
	assert_int_equal(fa_exidx_step(e, &f, true, read_stack, NULL, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, 4, word_at(STACK - 8));
	assert_reg(&next, PC, word_at(STACK - 4));
	assert_reg(&next, LR, LR_IN);
	fa_elf_close(e);
}

/* A function before the table's first entry but one for address 0; one without an entry of its own after one with
 * (the entry before is not its); EXIDX_CANTUNWIND; an address in no function (the entry for 0 is not its either);
 * no table at all. */
static void exidx_entries_that_do_not_apply(void **state)
{
	struct image im = {0};
	uint32_t f0 = add_nops(&im), f1 = add_nops(&im), f3;
	struct fa_frame f, next;
	struct fa_elf *e;
	uint8_t ins[FA_EXIDX_MAX];
	size_t n = 99;

	(void)state;
	add_nops(&im); /* f2: no entry of its own */
	f3 = add_nops(&im);
	add_entry(&im, 0, 0x8001a8b0u); /* no function is at 0: fa_elf_function_at()'s "none" */
	add_entry(&im, f1, 0x8001a8b0u);
	add_entry(&im, f3, EXIDX_CANTUNWIND);
	add_entry(&im, add_nops(&im), 0x8001a8b0u); /* (CANTUNWIND's is not the table's last word) */
	e = open_image(&im);
	f = frame_at(f1 + 0x10, false, STACK - 16); /* the one that has one */
	assert_int_equal(fa_exidx_step(e, &f, false, read_stack, NULL, &next), 1);
	for (uint32_t fn = f0; fn <= f3; fn += FN_SIZE) {
		if (fn == f1)
			continue;
		f = frame_at(fn + 0x10, true, STACK - 16);
		s_reads = 0;
		if (fa_exidx_step(e, &f, true, read_stack, NULL, &next) != FA_NOCFI_NONE)
			fail_msg("f%u unwound", (fn - TEXT) / FN_SIZE);
		assert_int_equal(fa_elf_exidx(e, fn + 0x10, ins, &n), -1);
		assert_int_equal(s_reads, 0);
	}
	assert_int_equal(fa_elf_exidx(e, 0x7000, ins, &n), -1);
	assert_int_equal(n, 99);
	fa_elf_close(e);
	/* no .ARM.exidx */
	im.no_exidx = true;
	f0 = add_nops(&im);
	e = open_image(&im);
	f = frame_at(f0 + 0x10, false, STACK - 16);
	assert_int_equal(fa_exidx_step(e, &f, false, read_stack, NULL, &next), FA_NOCFI_NONE);
	fa_elf_close(e);
}

/* Entries no table should have: a prel31 into no section, extab words past the section's end, more than 7 words
 * to follow, a generic personality routine's entry (bit 31 clear), an inline entry that is not personality 0, a
 * personality routine index past 2 or a reserved bit (28-30) set: ARM IHI 0038 reserves them. */
static void exidx_hostile_entries(void **state)
{
	static const uint32_t k_generic[] = {0x00000100u, 0x8001a8b0u};
	static const uint32_t k_more8[] = {0x810802b1u, 0xb0b0b0b0u, 0xb0b0b0b0u, 0xb0b0b0b0u, 0xb0b0b0b0u,
					   0xb0b0b0b0u, 0xb0b0b0b0u, 0xb0b0b0b0u, 0xb0b0b0b0u};
	static const uint32_t k_cut[] = {0x820201a8u, 0xb0b0b0b0u}; /* says 2 words follow: 1 does */
	static const uint32_t k_pers3[] = {0x8300a8b0u};
	struct image im = {0};
	uint32_t fn[7];
	struct fa_frame f, next;
	struct fa_elf *e;
	uint8_t ins[FA_EXIDX_MAX];
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < 7; i++)
		fn[i] = add_nops(&im);
	add_entry(&im, fn[0], entry_to(&im, NOWHERE));
	add_extab(&im, fn[1], k_generic, 2);
	add_extab(&im, fn[2], k_more8, 9);
	add_entry(&im, fn[3], 0x8101a8b0u);
	add_extab(&im, fn[4], k_pers3, 1);
	add_entry(&im, fn[5], 0x9001a8b0u);
	add_extab(&im, fn[6], k_cut, 2); /* the last words of .ARM.extab */
	e = open_image(&im);
	for (size_t i = 0; i < 7; i++) {
		f = frame_at(fn[i] + 0x10, false, STACK - 16);
		s_reads = 0;
		if (fa_exidx_step(e, &f, false, read_stack, NULL, &next) != FA_NOCFI_NONE)
			fail_msg("function %zu: unwound", i);
		assert_int_equal(fa_elf_exidx(e, fn[i] + 0x10, ins, &n), -1);
		assert_int_equal(s_reads, 0);
	}
	fa_elf_close(e);
}

/* Run these instruction bytes (an extab entry of personality 1, padded with "finish") for a function whose frame
 * is f (sp, pc, first as frame_at()). Returns fa_exidx_step()'s result; next filled. */
static int run_exidx(const uint8_t *ins, size_t n, uint32_t sp, bool first, uint32_t r7, struct fa_frame *next)
{
	uint8_t bytes[FA_EXIDX_MAX];
	uint32_t words[8];
	struct image im = {0};
	uint32_t fn = add_nops(&im);
	struct fa_frame f;
	struct fa_elf *e;
	size_t nwords = n <= 2 ? 1 : 1 + (n - 2 + 3) / 4;
	int rc;

	assert_true(n <= FA_EXIDX_MAX);
	memset(bytes, 0xb0, sizeof(bytes));
	memcpy(bytes, ins, n);
	words[0] = 0x81000000u | (uint32_t)(nwords - 1) << 16 | (uint32_t)bytes[0] << 8 | bytes[1];
	for (size_t i = 1; i < nwords; i++)
		words[i] = (uint32_t)bytes[4 * i - 2] << 24 | (uint32_t)bytes[4 * i - 1] << 16 |
			   (uint32_t)bytes[4 * i] << 8 | bytes[4 * i + 1];
	add_extab(&im, fn, words, nwords);
	e = open_image(&im);
	f = frame_at(fn + 0x10, first, sp);
	f.regs[7] = r7;
	rc = fa_exidx_step(e, &f, first, read_stack, NULL, next);
	fa_elf_close(e);
	return rc;
}

/* Instructions that adjust vsp from a register, pop sp, pop by each kind of mask. */
static void exidx_instructions(void **state)
{
	struct fa_frame next;

	(void)state;
	/* vsp = r7; pop {r4, lr} */
	assert_int_equal(run_exidx((const uint8_t *)"\x97\xa8", 2, 0x20000010, false, STACK - 8, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, 4, word_at(STACK - 8));
	assert_reg(&next, PC, word_at(STACK - 4));
	/* vsp = a register popped before: its popped value (r0 by 0xb1, r12 by mask, lr by range), not the frame's */
	assert_int_equal(run_exidx((const uint8_t *)"\xb1\x01\x90", 3, STACK - 4, true, 0, &next), 1);
	assert_reg(&next, 0, word_at(STACK - 4));
	assert_reg(&next, SP, word_at(STACK - 4));
	assert_int_equal(run_exidx((const uint8_t *)"\x81\x00\x9c", 3, STACK - 4, true, 0, &next), 1);
	assert_reg(&next, SP, word_at(STACK - 4));
	assert_int_equal(run_exidx((const uint8_t *)"\xa8\x9e", 2, STACK - 8, false, 0, &next), 1);
	assert_reg(&next, SP, word_at(STACK - 4));
	assert_reg(&next, PC, word_at(STACK - 4));
	/* pop {r4, sp}: sp is the popped value (written back after the whole pop); pop {sp} alone */
	assert_int_equal(run_exidx((const uint8_t *)"\x82\x01", 2, STACK - 8, true, 0, &next), 1);
	assert_reg(&next, 4, word_at(STACK - 8));
	assert_reg(&next, SP, word_at(STACK - 4));
	assert_reg(&next, PC, LR_IN);
	assert_int_equal(run_exidx((const uint8_t *)"\x82\x00", 2, STACK - 4, true, 0, &next), 1);
	assert_reg(&next, SP, word_at(STACK - 4));
	/* pop {r4-r11, lr} by mask (0x84ff), then by range (0xaf); {r4, pc} by mask (0x8801) */
	assert_int_equal(run_exidx((const uint8_t *)"\x84\xff", 2, STACK - 36, false, 0, &next), 1);
	for (unsigned r = 4; r <= 11; r++)
		assert_reg(&next, r, word_at(STACK - 36 + 4 * (r - 4)));
	assert_reg(&next, LR, word_at(STACK - 4));
	assert_reg(&next, SP, STACK);
	assert_int_equal(run_exidx((const uint8_t *)"\xaf", 1, STACK - 36, false, 0, &next), 1);
	assert_reg(&next, 11, word_at(STACK - 8));
	assert_reg(&next, PC, word_at(STACK - 4));
	assert_int_equal(run_exidx((const uint8_t *)"\x88\x01", 2, STACK - 8, false, 0, &next), 1);
	assert_reg(&next, 4, word_at(STACK - 8));
	assert_reg(&next, PC, word_at(STACK - 4));
	assert_unknown(&next, LR);
	/* pop {r4-r7} (0xa3) without lr: frame 0 returns to its lr; a caller frame cannot be unwound */
	assert_int_equal(run_exidx((const uint8_t *)"\xa3", 1, STACK - 16, true, 0, &next), 1);
	assert_reg(&next, 7, word_at(STACK - 4));
	assert_reg(&next, SP, STACK);
	assert_reg(&next, PC, LR_IN);
	assert_int_equal(run_exidx((const uint8_t *)"\xa3", 1, STACK - 16, false, 0, &next), FA_NOCFI_NONE);
	/* vsp += 256 (0x3f), -= 256 (0x7f), finish: frame 0 of a leaf */
	assert_int_equal(run_exidx((const uint8_t *)"\x3f\x7f", 2, STACK, true, 0, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, PC, LR_IN);
	/* a popped register's slot not captured */
	s_hole = STACK - 4;
	assert_int_equal(run_exidx((const uint8_t *)"\xa8", 1, STACK - 8, false, 0, &next), FA_NOCFI_MEMORY);
	s_hole = 0;
}

/* Instructions that are refused: "refuse to unwind", vsp = sp or pc (reserved), spare and iWMMX opcodes, a
 * uleb128 that never ends, an instruction cut short by the end of the bytes. */
static void exidx_refused_instructions(void **state)
{
	static const struct {
		const char *ins;
		size_t n;
	} k_refused[] = {
		{"\x80\x00", 2}, {"\x9d", 1}, {"\x9f", 1}, {"\xb1\x00", 2}, {"\xb1\x10", 2}, {"\xb4", 1}, {"\xb7", 1},
		{"\xc0", 1}, {"\xc6\x00", 2}, {"\xc7\x01", 2}, {"\xca", 1}, {"\xcf", 1}, {"\xd8", 1}, {"\xff", 1},
		{"\xb2\x80\x80\x80\x80\x01", 6}, /* past 28 bits */
		{"\xb2\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80"
		 "\x80\x80\x80\x80\x80",
		 FA_EXIDX_MAX},
		{"\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0"
		 "\xb0\xb0\xb0\xb0\xb1",
		 FA_EXIDX_MAX}, /* finish first: the cut 0xb1 never runs */
	};
	static const char *const k_cut[] = {"\x80", "\xb1", "\xb2", "\xb3", "\xc8", "\xc9", "\xb2\x80", "\xb2\xff"};
	struct fa_frame next;

	(void)state;
	for (size_t i = 0; i + 1 < sizeof(k_refused) / sizeof(k_refused[0]); i++)
		if (run_exidx((const uint8_t *)k_refused[i].ins, k_refused[i].n, STACK, true, 0, &next) !=
		    FA_NOCFI_NONE)
			fail_msg("instruction 0x%02x (case %zu) was not refused", (uint8_t)k_refused[i].ins[0], i);
	assert_int_equal(run_exidx((const uint8_t *)k_refused[16].ins, k_refused[16].n, STACK, true, 0, &next), 1);
	for (size_t i = 0; i < sizeof(k_cut) / sizeof(k_cut[0]); i++) {
		uint8_t ins[FA_EXIDX_MAX];

		size_t len = strlen(k_cut[i]);

		memset(ins, 0x00, sizeof(ins)); /* vsp += 4, then the instruction cut short by the end of the bytes */
		memcpy(ins + FA_EXIDX_MAX - len, k_cut[i], len);
		if (run_exidx(ins, sizeof(ins), STACK - 116, true, 0, &next) != FA_NOCFI_NONE)
			fail_msg("0x%02x without its operand was not refused", (uint8_t)k_cut[i][0]);
	}
}

/* ---- prologue analysis ---- */

/* The prologue analysis for a frame at pc (a return address unless first) with this sp: f (out) the frame. */
static int prologue(struct fa_elf *e, uint32_t pc, bool first, uint32_t sp, struct fa_frame *f, struct fa_frame *next)
{
	*f = frame_at(pc, first, sp);
	return fa_prologue_step(e, f, first, read_stack, NULL, next);
}

/* PUSH {r4-r7, lr}; ADD r7, sp, #12; SUB sp, #8; BL: at the return address, r7-based (sp moved since), then
 * sp-based when r7 is unknown; inside the prologue; before it. */
static void prologue_push_and_frame_pointer(void **state)
{
	static const uint16_t k_code[] = {0xb5f0, 0xaf03, 0xb082, 0xf7ff, 0xfffe, 0x2001};
	struct image im = {0};
	uint32_t fn = add_function(&im, k_code, 6);
	struct fa_elf *e = open_image(&im);
	struct fa_frame f, next;

	(void)state;
	f = frame_at(fn + 10, false, STACK - 28 - 0x40); /* an alloca moved sp: r7 still says where the frame is */
	f.regs[7] = STACK - 8;
	assert_int_equal(fa_prologue_step(e, &f, false, read_stack, NULL, &next), 1);
	assert_reg(&next, SP, STACK);
	for (unsigned r = 4; r <= 7; r++)
		assert_reg(&next, r, word_at(STACK - 20 + 4 * (r - 4)));
	assert_reg(&next, LR, word_at(STACK - 4));
	assert_reg(&next, PC, word_at(STACK - 4));
	assert_kept(&next, &f, 0xf0);
	assert_unknown(&next, 0);
	assert_unknown(&next, 12);
	f.known &= ~(1u << 7); /* r7 unknown: from sp */
	f.regs[SP] = STACK - 28;
	assert_int_equal(fa_prologue_step(e, &f, false, read_stack, NULL, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, PC, word_at(STACK - 4));
	/* frame 0 after the PUSH, before ADD r7: r7 is not the frame pointer yet */
	assert_int_equal(prologue(e, fn + 2, true, STACK - 20, &f, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, 7, word_at(STACK - 8));
	assert_reg(&next, PC, word_at(STACK - 4));
	/* frame 0 at the first instruction: nothing pushed, it returns to lr */
	assert_int_equal(prologue(e, fn, true, STACK, &f, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, PC, LR_IN);
	assert_kept(&next, &f, 0);
	/* the saved lr not captured */
	s_hole = STACK - 4;
	assert_int_equal(prologue(e, fn + 10, false, STACK - 28, &f, &next), FA_NOCFI_MEMORY);
	s_hole = 0;
	fa_elf_close(e);
}

/* PUSH.W {r4-r11, lr} and SUB.W sp, sp, #const of each ThumbExpandImm form; STR.W lr, [sp, #-4]! and SUBW; PUSH
 * {r7, lr} and MOV r7, sp; PUSH {r4, lr} and VPUSH {d8-d9}; VPUSH of single-precision registers, {s16-s19} and
 * {s17} (its D bit set). */
static void prologue_wide_forms(void **state)
{
	static const uint16_t k_pushw[] = {
		0xe92d, 0x4ff0,                 /* push.w {r4-r11, lr} */
		0xf1ad, 0x0dab, 0xf1ad, 0x1dab, /* sub.w sp, sp, #0xab; #0x00ab00ab */
		0xf1ad, 0x2dab, 0xf1ad, 0x3dab, /* #0xab00ab00; #0xabababab */
		0xf1ad, 0x4daa, 0xf5ad, 0x7d7f, /* #0x55000000; #0x3fc */
		0xf7ff, 0xfffe,                 /* bl */
	};
	static const uint16_t k_strw[] = {0xf84d, 0xed04, 0xf2ad, 0x2d04, 0xf7ff, 0xfffe}; /* str.w lr; subw #0x204 */
	static const uint16_t k_movr7[] = {0xb580, 0x466f, 0xb082, 0xf7ff, 0xfffe};         /* push; mov r7, sp */
	static const uint16_t k_vpush[] = {0xb510, 0xed2d, 0x8b04, 0xb084, 0xf7ff, 0xfffe}; /* vpush {d8-d9} */
	static const uint16_t k_vpushs[] = {0xb510, 0xed2d, 0x8a04, 0xed6d, 0x8a01, 0xb084, 0xf7ff, 0xfffe};
	const uint32_t pushw_depth = 36 + 0xab + 0x00ab00ab + 0xab00ab00 + 0xabababab + 0x55000000 + 0x3fc;
	struct image im = {0};
	uint32_t pushw = add_function(&im, k_pushw, 16), strw = add_function(&im, k_strw, 6);
	uint32_t movr7 = add_function(&im, k_movr7, 5), vpush = add_function(&im, k_vpush, 6);
	uint32_t vpushs = add_function(&im, k_vpushs, 8);
	struct fa_elf *e = open_image(&im);
	struct fa_frame f, next;

	(void)state;
	assert_int_equal(prologue(e, pushw + 32, false, STACK - pushw_depth, &f, &next), 1);
	assert_reg(&next, SP, STACK);
	for (unsigned r = 4; r <= 11; r++)
		assert_reg(&next, r, word_at(STACK - 36 + 4 * (r - 4)));
	assert_reg(&next, PC, word_at(STACK - 4));
	assert_int_equal(prologue(e, strw + 12, false, STACK - 4 - 0x204, &f, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, PC, word_at(STACK - 4));
	assert_kept(&next, &f, 0);
	f = frame_at(movr7 + 10, false, STACK - 16);
	f.regs[7] = STACK - 8;
	assert_int_equal(fa_prologue_step(e, &f, false, read_stack, NULL, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, 7, word_at(STACK - 8));
	assert_reg(&next, PC, word_at(STACK - 4));
	assert_int_equal(prologue(e, vpush + 12, false, STACK - 8 - 16 - 16, &f, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, 4, word_at(STACK - 8));
	assert_reg(&next, PC, word_at(STACK - 4));
	assert_int_equal(prologue(e, vpushs + 16, false, STACK - 8 - 16 - 4 - 16, &f, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, 4, word_at(STACK - 8));
	assert_reg(&next, PC, word_at(STACK - 4));
	fa_elf_close(e);
}

/* A leaf function that pushes nothing: frame 0 returns to lr with its sp; a caller frame cannot be unwound (its lr
 * is not where it returns). No function at the pc; sp unknown. */
static void prologue_leaf_and_refusals(void **state)
{
	static const uint16_t k_leaf[] = {0x2001, 0x3001, 0x4770}; /* movs r0, #1; adds r0, #1; bx lr */
	struct image im = {0};
	uint32_t leaf = add_function(&im, k_leaf, 3);
	struct fa_elf *e = open_image(&im);
	struct fa_frame f, next;

	(void)state;
	assert_int_equal(prologue(e, leaf + 4, true, STACK - 0x20, &f, &next), 1);
	assert_reg(&next, SP, STACK - 0x20);
	assert_reg(&next, PC, LR_IN);
	assert_kept(&next, &f, 0);
	assert_int_equal(prologue(e, leaf + 4, false, STACK - 0x20, &f, &next), FA_NOCFI_NONE);
	assert_int_equal(prologue(e, 0x7000, true, STACK, &f, &next), FA_NOCFI_NONE);
	f = frame_at(leaf + 4, true, STACK);
	f.known &= ~(1u << SP);
	assert_int_equal(fa_prologue_step(e, &f, true, read_stack, NULL, &next), FA_NOCFI_NONE);
	fa_elf_close(e);
}

/* The analysis ends at the first branch (B) or POP {pc}: what follows is not the prologue of the path that got to
 * pc. */
static void prologue_ends_at_a_branch(void **state)
{
	static const uint16_t k_b[] = {0xb500, 0xe000, 0xb082, 0xf7ff, 0xfffe};   /* push {lr}; b.n; sub sp, #8 */
	static const uint16_t k_pop[] = {0xb500, 0xbd00, 0xb082, 0xf7ff, 0xfffe}; /* push {lr}; pop {pc}; sub sp */
	struct image im = {0};
	uint32_t b = add_function(&im, k_b, 5), pop = add_function(&im, k_pop, 5);
	struct fa_elf *e = open_image(&im);
	struct fa_frame f, next;

	(void)state;
	assert_int_equal(prologue(e, b + 10, false, STACK - 4, &f, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, PC, word_at(STACK - 4));
	assert_int_equal(prologue(e, pop + 10, false, STACK - 4, &f, &next), 1);
	assert_reg(&next, SP, STACK);
	fa_elf_close(e);
}

/* Every instruction that changes the pc ends the analysis too (as GDB's does): conditional branches, CBZ, CBNZ,
 * B.W, BLX Rm, MOV/ADD pc, POP.W / LDM / LDR of pc, TBB; instructions of the branch group that do not branch (NOP.W,
 * MRS, MSR) and SVC do not. */
static void prologue_ends_at_any_change_of_pc(void **state)
{
	static const struct {
		uint16_t hw[2];
		size_t n;
		const char *what;
	} k_branches[] = {
		{{0xb100}, 1, "cbz r0"},       {{0xb9f8}, 1, "cbnz r0"},     {{0xd000}, 1, "beq.n"},
		{{0xdcff}, 1, "bgt.n"},        {{0x4798}, 1, "blx r3"},      {{0x469f}, 1, "mov pc, r3"},
		{{0x449f}, 1, "add pc, r3"},   {{0x46f7}, 1, "mov pc, lr"},  {{0xf000, 0x8000}, 2, "beq.w"},
		{{0xf000, 0xb800}, 2, "b.w"},  {{0xe8bd, 0x8010}, 2, "pop.w {r4, pc}"},
		{{0xf85d, 0xfb04}, 2, "ldr.w pc, [sp], #4"},  {{0xf8d0, 0xf004}, 2, "ldr.w pc, [r0, #4]"},
		{{0xf8df, 0xf000}, 2, "ldr.w pc, [pc]"},      {{0xe8df, 0xf000}, 2, "tbb [pc, r0]"},
		{{0xe8df, 0xf010}, 2, "tbh [pc, r0, lsl #1]"}, {{0xe890, 0x8010}, 2, "ldmia r0, {r4, pc}"},
		{{0xe910, 0x8010}, 2, "ldmdb r0, {r4, pc}"},
	};
	/* push {lr}; nop.w; mrs r0, msp; msr apsr_nzcvq, r0; svc 0; sub sp, #8; bl */
	static const uint16_t k_no_branch[] = {0xb500, 0xf3af, 0x8000, 0xf3ef, 0x8008, 0xf380, 0x8800, 0xdf00, 0xb082,
					       0xf7ff, 0xfffe};
	struct fa_frame f, next;
	struct image im = {0};
	struct fa_elf *e;
	uint32_t fn;

	(void)state;
	for (size_t i = 0; i < sizeof(k_branches) / sizeof(k_branches[0]); i++) {
		uint16_t code[8] = {0xb500}; /* push {lr}; the branch; sub sp, #8; bl */
		size_t n = 1;

		for (size_t k = 0; k < k_branches[i].n; k++)
			code[n++] = k_branches[i].hw[k];
		code[n++] = 0xb082, code[n++] = 0xf7ff, code[n++] = 0xfffe;
		fn = add_function(&im, code, n);
		e = open_image(&im);
		f = frame_at(fn + 2 * (uint32_t)n, false, STACK - 4);
		assert_int_equal(fa_prologue_step(e, &f, false, read_stack, NULL, &next), 1);
		if (next.regs[SP] != STACK)
			fail_msg("the analysis went on past %s: sp 0x%08x", k_branches[i].what, next.regs[SP]);
		fa_elf_close(e);
	}
	fn = add_function(&im, k_no_branch, 11);
	e = open_image(&im);
	assert_int_equal(prologue(e, fn + 22, false, STACK - 12, &f, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, PC, word_at(STACK - 4));
	fa_elf_close(e);
}

/* The analysis looks at 64 instructions from the function's start, whatever their size: a PUSH after 40 NOP.W is
 * seen; after 64 NOPs, not (a caller frame without a saved lr cannot be unwound). */
static void prologue_looks_at_64_instructions(void **state)
{
	uint16_t code[FN_SIZE / 2];
	struct fa_frame f, next;
	struct image im = {0};
	struct fa_elf *e;
	uint32_t wide, narrow;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < 40; i++)
		code[n++] = 0xf3af, code[n++] = 0x8000; /* nop.w */
	code[n++] = 0xb500, code[n++] = 0xb082, code[n++] = 0xf7ff, code[n++] = 0xfffe; /* push {lr}; sub sp; bl */
	wide = add_function(&im, code, n);
	for (n = 0; n < 64; n++)
		code[n] = 0xbf00; /* nop */
	code[n++] = 0xb500, code[n++] = 0xf7ff, code[n++] = 0xfffe;
	narrow = add_function(&im, code, n);
	e = open_image(&im);
	assert_int_equal(prologue(e, wide + 170, false, STACK - 12, &f, &next), 1);
	assert_reg(&next, SP, STACK);
	assert_reg(&next, PC, word_at(STACK - 4));
	assert_int_equal(prologue(e, narrow + 134, false, STACK - 4, &f, &next), FA_NOCFI_NONE);
	fa_elf_close(e);
}

/* ---- through the unwinder: a dump whose frames no CFI covers ---- */

/* Unwind a dump of inner() <- middle() <- outer(): outer pushed {r4, lr} (lr 0xffffffff) and called middle, which
 * pushed {r4-r7, lr}, set r7 = sp + 12 and called inner, which pushed {r4, lr}, lowered sp by 8 and faulted at
 * inner_pc with this sp. The stack is captured up to hi; each word as word_at() says, but the return addresses. */
static uint8_t s_stack[64];

static void unwind_dump(uint32_t inner_pc, uint32_t sp, uint32_t middle_ra, uint32_t outer_ra, uint32_t hi,
			struct fa_unwind *out, struct fa_elf *e)
{
	static struct ff_message m;
	static struct ff_region region;
	const uint32_t lo = STACK - sizeof(s_stack);

	for (uint32_t a = lo; a < STACK; a += 4) {
		uint32_t w = a == STACK - 32 ? middle_ra : a == STACK - 12 ? outer_ra : word_at(a);

		if (a == STACK - 4)
			w = 0xffffffffu;
		for (unsigned i = 0; i < 4; i++)
			s_stack[a - lo + i] = (uint8_t)(w >> (8 * i));
	}
	region = (struct ff_region){.addr = lo, .data = s_stack, .len = hi - lo};
	memset(&m, 0, sizeof(m));
	m.type = FF_MSG_COREDUMP;
	m.arch = 40;
	m.core.nregs = ff_layout_regs(40, 0, &m.core.word);
	m.core.regions = &region;
	m.core.nregions = 1;
	for (unsigned r = 0; r < 13; r++)
		m.core.regs[r] = 0xf0000000u | r;
	m.core.regs[7] = STACK - 16;
	m.core.regs[SP] = sp;
	m.core.regs[LR] = middle_ra;
	m.core.regs[PC] = inner_pc;
	assert_int_equal(fa_unwind_cortex_m(e, &m, out), 0);
}

/* fa_unwind_cortex_m() takes .ARM.exidx where a function has an entry, prologue analysis where it has none (the
 * entry before it is another function's), and marks each frame so; frame 0 inside its prologue is found by
 * prologue analysis; a saved register not captured stops the unwind with the function named. */
static void unwinder_without_cfi(void **state)
{
	static const uint16_t k_outer[] = {0xb510, 0xf7ff, 0xfffe};         /* push {r4, lr}; bl middle */
	static const uint16_t k_middle[] = {0xb5f0, 0xaf03, 0xf7ff, 0xfffe}; /* push {r4-r7, lr}; add r7, sp; bl */
	static const uint16_t k_inner[] = {0xb510, 0xb082, 0x6800};         /* push {r4, lr}; sub sp, #8; ldr */
	static struct fa_unwind out;
	struct image im = {0};
	uint32_t outer = add_function(&im, k_outer, 3), middle = add_function(&im, k_middle, 4);
	uint32_t inner = add_function(&im, k_inner, 3);
	struct fa_elf *e;

	(void)state;
	add_entry(&im, outer, 0x80a8b0b0u); /* pop {r4, lr} */
	add_entry(&im, inner, 0x8001a8b0u); /* vsp += 8; pop {r4, lr} */
	e = open_image(&im);
	unwind_dump(inner + 4, STACK - 44, (middle + 8) | 1, (outer + 6) | 1, STACK, &out, e);
	assert_int_equal(out.n, 3);
	assert_int_equal(out.stop, FA_STOP_OUTERMOST);
	assert_int_equal(out.frames[0].found, FA_FOUND_CFI);
	assert_int_equal(out.frames[1].pc, middle + 8);
	assert_int_equal(out.frames[1].found, FA_FOUND_EXIDX);
	assert_reg(&out.frames[1], SP, STACK - 28);
	assert_reg(&out.frames[1], 4, word_at(STACK - 36));
	assert_int_equal(out.frames[2].pc, outer + 6);
	assert_int_equal(out.frames[2].found, FA_FOUND_PROLOGUE);
	assert_reg(&out.frames[2], SP, STACK - 8);
	assert_reg(&out.frames[2], 7, word_at(STACK - 16));
	/* frame 0 between the PUSH and the SUB */
	unwind_dump(inner + 2, STACK - 36, (middle + 8) | 1, (outer + 6) | 1, STACK, &out, e);
	assert_int_equal(out.n, 3);
	assert_int_equal(out.frames[1].found, FA_FOUND_PROLOGUE);
	assert_reg(&out.frames[1], SP, STACK - 28);
	assert_int_equal(out.frames[2].pc, outer + 6);
	/* middle's saved lr not captured */
	unwind_dump(inner + 4, STACK - 44, (middle + 8) | 1, (outer + 6) | 1, STACK - 12, &out, e);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.stop, FA_STOP_MEMORY);
	assert_non_null(strstr(out.why, "the registers f1() saved"));
	fa_elf_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exidx_inline_entry),
		cmocka_unit_test(exidx_not_inside_the_prologue),
		cmocka_unit_test(exidx_extab_entries),
		cmocka_unit_test(exidx_entries_that_do_not_apply),
		cmocka_unit_test(exidx_hostile_entries),
		cmocka_unit_test(exidx_instructions),
		cmocka_unit_test(exidx_refused_instructions),
		cmocka_unit_test(prologue_push_and_frame_pointer),
		cmocka_unit_test(prologue_wide_forms),
		cmocka_unit_test(prologue_leaf_and_refusals),
		cmocka_unit_test(prologue_ends_at_a_branch),
		cmocka_unit_test(prologue_ends_at_any_change_of_pc),
		cmocka_unit_test(prologue_looks_at_64_instructions),
		cmocka_unit_test(unwinder_without_cfi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
