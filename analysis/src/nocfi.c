/* SPDX-License-Identifier: Apache-2.0 */
/* Frames without CFI: ARM EHABI unwind instructions (ARM IHI 0038, section 10.3) and Thumb prologue analysis. */
#include <string.h>

#include "nocfi.h"

#define SP 13
#define LR 14
#define PC 15
#define PROLOGUE_MAX 64u /* instructions looked at from a function's start */

/* Pop the registers of mask (bit n: rn) from vsp upward, lowest first, into next; add them to *popped. */
static int pop(uint32_t mask, uint32_t *vsp, uint32_t *popped, struct fa_frame *next, fa_read32_fn *rd,
	       const void *ctx)
{
	*popped |= mask;
	for (int r = 0; r < 16; r++) {
		uint32_t w;

		if (!(mask >> r & 1))
			continue;
		if (!rd(ctx, *vsp, &w))
			return FA_NOCFI_MEMORY;
		next->regs[r] = w;
		next->known |= 1u << r;
		*vsp += 4;
	}
	return 1;
}

/* ThumbExpandImm for the constants of SUB.W sp, sp, #const: the forms a prologue uses. */
static uint32_t thumb_expand_imm(uint32_t imm12)
{
	uint32_t v = imm12 & 0xff;

	switch (imm12 >> 8) {
	case 0:
		return v;
	case 1:
		return v << 16 | v;
	case 2:
		return v << 24 | v << 8;
	case 3:
		return v << 24 | v << 16 | v << 8 | v;
	default: {
		uint32_t unrot = 0x80u | (imm12 & 0x7f), rot = imm12 >> 7;

		return unrot >> rot | unrot << (32 - rot);
	}
	}
}

/* Whether a 16-bit Thumb instruction may change the pc: B, B<c>, CBZ, CBNZ, BX, BLX, MOV / ADD pc, POP {pc}. */
static bool changes_pc16(uint16_t hw)
{
	return (hw & 0xf800) == 0xe000 || ((hw & 0xf000) == 0xd000 && (hw & 0x0e00) != 0x0e00) /* not UDF, SVC */ ||
	       (hw & 0xf500) == 0xb100 || (hw & 0xff07) == 0x4700 || (hw & 0xfd87) == 0x4487 || (hw & 0xff00) == 0xbd00;
}

/* Whether a 32-bit Thumb instruction may change the pc: B.W, B<c>.W, BL (the branch group but its hints, MSR, MRS
 * and other controls, whose condition field is 111x), LDM / LDMDB / POP.W with pc, LDR pc, TBB, TBH. */
static bool changes_pc32(uint16_t hw1, uint16_t hw2)
{
	if ((hw1 & 0xf800) == 0xf000 && (hw2 & 0x8000))
		return (hw2 & 0x5000) != 0 || (hw1 & 0x0380) != 0x0380;
	return ((hw1 & 0xfe50) == 0xe810 && (hw2 & 0x8000)) || ((hw1 & 0xff70) == 0xf850 && (hw2 >> 12) == PC) ||
	       ((hw1 & 0xfff0) == 0xe8d0 && (hw2 & 0xffe0) == 0xf000);
}

/* What the Thumb code of a function did to its frame from its start up to limit (exclusive), the first instruction
 * that can change the pc, the function's end or PROLOGUE_MAX instructions, whichever comes first. */
struct prologue {
	int32_t saved[16]; /* offset from the entry sp of each register pushed, when bit r of pushed */
	uint32_t pushed;
	uint32_t depth, fp_depth; /* bytes below the entry sp: now, and where r7 points (when fp) */
	bool fp;                  /* r7 was set from sp */
	uint64_t end;             /* the address after the last instruction that did any of that (start: none) */
};

/* A register pushed below the others. */
static void save(struct prologue *p, unsigned r)
{
	p->depth += 4;
	p->saved[r] = -(int32_t)p->depth;
	p->pushed |= 1u << r;
}

/* Account for a 16-bit instruction that pushes registers, lowers sp or sets r7 from sp; false for another. */
static bool frame16(uint16_t hw, struct prologue *p)
{
	if ((hw & 0xfe00) == 0xb400) { /* PUSH {r0-r7, lr}: the highest register highest */
		for (unsigned r = LR + 1; r-- > 0;)
			if (r == LR ? hw >> 8 & 1 : r < 8 && (hw >> r & 1))
				save(p, r);
	} else if ((hw & 0xff80) == 0xb080) { /* SUB sp, #imm7 * 4 */
		p->depth += 4u * (hw & 0x7f);
	} else if ((hw & 0xff00) == 0xaf00) { /* ADD r7, sp, #imm8 * 4 */
		p->fp = true;
		p->fp_depth = p->depth - 4u * (hw & 0xff);
	} else if (hw == 0x466f) { /* MOV r7, sp */
		p->fp = true;
		p->fp_depth = p->depth;
	} else {
		return false;
	}
	return true;
}

/* The same for a 32-bit instruction (hw1, hw2). */
static bool frame32(uint16_t hw1, uint16_t hw2, struct prologue *p)
{
	uint32_t imm12 = (uint32_t)(hw1 >> 10 & 1) << 11 | (uint32_t)(hw2 >> 12 & 7) << 8 | (hw2 & 0xff);

	if (hw1 == 0xe92d && !(hw2 & 0xa000)) { /* PUSH.W {reglist}: no sp, no pc */
		for (unsigned r = 16; r-- > 0;)
			if (hw2 >> r & 1)
				save(p, r);
	} else if (hw1 == 0xf84d && (hw2 & 0x0fff) == 0x0d04) { /* STR.W Rt, [sp, #-4]! */
		save(p, hw2 >> 12);
	} else if ((hw1 & 0xfbff) == 0xf1ad && (hw2 & 0x8f00) == 0x0d00) { /* SUB.W sp, sp, #const */
		p->depth += thumb_expand_imm(imm12);
	} else if ((hw1 & 0xfbff) == 0xf2ad && (hw2 & 0x8f00) == 0x0d00) { /* SUBW sp, sp, #imm12 */
		p->depth += imm12;
	} else if ((hw1 & 0xffbf) == 0xed2d && (hw2 & 0x0e00) == 0x0a00) { /* VPUSH {d...}, {s...}: skipped */
		p->depth += 4u * (hw2 & 0xff);
	} else {
		return false;
	}
	return true;
}

static void scan(struct fa_elf *e, uint64_t start, uint64_t limit, struct prologue *p)
{
	const char *name;
	unsigned count = 0;

	memset(p, 0, sizeof(*p));
	p->end = start;
	for (uint64_t at = start; at < limit && count < PROLOGUE_MAX && fa_elf_function_at(e, at, &name) == start;
	     count++) {
		uint32_t depth = p->depth, fp_depth = p->fp_depth;
		bool fp = p->fp, wide;
		uint8_t b[4] = {0};
		uint16_t hw1, hw2;

		if (fa_elf_read(e, at, b, 2) != 0)
			break;
		hw1 = (uint16_t)(b[0] | b[1] << 8);
		wide = (hw1 >> 11) >= 0x1d;
		if (wide && fa_elf_read(e, at + 2, b + 2, 2) != 0)
			break;
		hw2 = (uint16_t)(b[2] | b[3] << 8);
		at += wide ? 4 : 2;
		/* a call or a branch: the prologue is over (instructions it does not know are skipped) */
		if (wide ? !frame32(hw1, hw2, p) && changes_pc32(hw1, hw2) : !frame16(hw1, p) && changes_pc16(hw1))
			break;
		if (p->depth != depth || p->fp != fp || p->fp_depth != fp_depth)
			p->end = at;
	}
}

int fa_exidx_step(struct fa_elf *e, const struct fa_frame *f, bool first, fa_read32_fn *rd, const void *ctx,
		  struct fa_frame *next)
{
	uint8_t ins[FA_EXIDX_MAX];
	size_t n, i = 0;
	uint32_t vsp, popped = 0;
	int rc;

	if (fa_elf_exidx(e, f->lookup, ins, &n) != 0 || !(f->known >> SP & 1))
		return FA_NOCFI_NONE;
	if (first) { /* the instructions hold after the prologue (at calls): a pc inside it is prologue analysis's */
		const char *name;
		struct prologue p;

		scan(e, fa_elf_function_at(e, f->lookup, &name), UINT64_MAX, &p);
		if (p.end > f->pc)
			return FA_NOCFI_NONE;
	}
	/* next is the virtual register set the instructions work on: f's registers, as they pop them */
	memset(next, 0, sizeof(*next));
	memcpy(next->regs, f->regs, sizeof(next->regs));
	next->known = f->known;
	vsp = f->regs[SP];
	while (i < n) {
		uint8_t b = ins[i++];

		if ((b & 0xc0) == 0x00) {
			vsp += ((uint32_t)(b & 0x3f) << 2) + 4;
		} else if ((b & 0xc0) == 0x40) {
			vsp -= ((uint32_t)(b & 0x3f) << 2) + 4;
		} else if ((b & 0xf0) == 0x80) {
			uint32_t mask;

			if (i >= n || (mask = (uint32_t)(b & 0x0f) << 8 | ins[i++]) == 0)
				return FA_NOCFI_NONE; /* "refuse to unwind" */
			if ((rc = pop(mask << 4, &vsp, &popped, next, rd, ctx)) != 1)
				return rc;
			if ((mask << 4) >> SP & 1)
				vsp = next->regs[SP];
		} else if ((b & 0xf0) == 0x90) {
			unsigned r = b & 0x0f;

			if (r == SP || r == PC || !(next->known >> r & 1))
				return FA_NOCFI_NONE;
			vsp = next->regs[r];
		} else if ((b & 0xf0) == 0xa0) {
			uint32_t mask = ((1u << ((b & 7) + 1)) - 1) << 4 | ((b & 8) ? 1u << LR : 0);

			if ((rc = pop(mask, &vsp, &popped, next, rd, ctx)) != 1)
				return rc;
		} else if (b == 0xb0) {
			break;
		} else if (b == 0xb1) {
			if (i >= n || ins[i] == 0 || (ins[i] & 0xf0) != 0)
				return FA_NOCFI_NONE;
			if ((rc = pop(ins[i++], &vsp, &popped, next, rd, ctx)) != 1)
				return rc;
		} else if (b == 0xb2) {
			uint32_t v = 0;
			unsigned shift = 0;

			do {
				if (i >= n || shift > 21)
					return FA_NOCFI_NONE;
				v |= (uint32_t)(ins[i] & 0x7f) << shift;
				shift += 7;
			} while (ins[i++] & 0x80);
			vsp += 0x204u + (v << 2);
		} else if (b == 0xb3 || b == 0xc8 || b == 0xc9) { /* D registers: FSTMFDX (+4) or VPUSH */
			if (i >= n)
				return FA_NOCFI_NONE;
			vsp += 8u * ((ins[i++] & 0x0fu) + 1u) + (b == 0xb3 ? 4u : 0u);
		} else if ((b & 0xf8) == 0xb8 || (b & 0xf8) == 0xd0) { /* D8-D(8+nnn): FSTMFDX or VPUSH */
			vsp += 8u * ((b & 7u) + 1u) + ((b & 0xf8) == 0xb8 ? 4u : 0u);
		} else {
			return FA_NOCFI_NONE; /* spare, or iWMMX: not on Cortex-M */
		}
	}
	/* the caller's: what was popped, callee-saved registers, and lr when it is the frame's own (a caller frame's lr
	 * is its own return address back into it, not where it returns) */
	next->known &= popped | 0x0ff0u | (first ? 1u << LR : 0u);
	for (int r = 0; r < 16; r++)
		if (!(next->known >> r & 1))
			next->regs[r] = 0;
	next->regs[SP] = vsp;
	next->known |= 1u << SP;
	if (!(popped >> PC & 1)) {
		if (!(next->known >> LR & 1))
			return FA_NOCFI_NONE;
		next->regs[PC] = next->regs[LR];
	}
	next->known |= 1u << PC;
	return 1;
}

int fa_prologue_step(struct fa_elf *e, const struct fa_frame *f, bool first, fa_read32_fn *rd, const void *ctx,
		     struct fa_frame *next)
{
	const char *name;
	uint64_t start = fa_elf_function_at(e, f->lookup, &name);
	struct prologue p;
	uint32_t cfa;

	if (start == 0 || !(f->known >> SP & 1))
		return FA_NOCFI_NONE;
	scan(e, start, f->pc, &p);
	if (!(p.pushed >> LR & 1) && !first) /* only frame 0's lr is where a function that saved none returns */
		return FA_NOCFI_NONE;
	if (p.fp && (f->known >> 7 & 1) && !(p.pushed >> 7 & 1 && p.fp_depth > p.depth))
		cfa = f->regs[7] + p.fp_depth;
	else
		cfa = f->regs[SP] + p.depth;
	memset(next, 0, sizeof(*next));
	for (int r = 4; r <= 11; r++) {
		next->regs[r] = f->regs[r];
		next->known |= f->known & (1u << r);
	}
	next->regs[LR] = f->regs[LR];
	next->known |= f->known & (1u << LR);
	for (int r = 0; r < 15; r++) {
		uint32_t w;

		if (!(p.pushed >> r & 1))
			continue;
		if (!rd(ctx, (uint32_t)(cfa + (uint32_t)p.saved[r]), &w))
			return FA_NOCFI_MEMORY;
		next->regs[r] = w;
		next->known |= 1u << r;
	}
	next->regs[SP] = cfa;
	next->known |= 1u << SP;
	if (!(next->known >> LR & 1))
		return FA_NOCFI_NONE;
	next->regs[PC] = next->regs[LR];
	next->known |= 1u << PC;
	return 1;
}
