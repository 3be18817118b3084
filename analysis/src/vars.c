/* SPDX-License-Identifier: Apache-2.0 */
/* The variables of a report's frames (vars.h): scopes at each frame's pc, location expressions evaluated against
 * the frame's registers and the dump's memory, values printed as GDB 13 prints them (`info args`, `info locals`).
 * The ELF and the dump are untrusted: every walk, expression and printed value is bounded. */
#define _POSIX_C_SOURCE 200809L
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "dwtype.h"
#include "elf_private.h"
#include "ff/bytes.h"
#include "vars.h"

#define FUNCS_MAX 8u        /* functions of one physical frame report.c shows (its fa_elf_symbolize() room) */
#define SCOPE_SLOTS 256u    /* scopes cached, by lookup pc */
#define REFS_MAX 512u       /* variables in scope at one pc, every function of its chain together */
#define NEST_MAX 16u        /* blocks without a code range (or abstract ones) followed inside each other */
#define ORIGINS_MAX 512u    /* children of one block whose abstract origins are compared */
#define OPS_MAX 1024u       /* operations in one expression */
#define STEPS_MAX 4096u     /* operations executed for one (DW_OP_bra and DW_OP_skip can loop) */
#define STACK_MAX 64u
#define PIECES_MAX 32u
#define ENTRY_DEPTH_MAX 4   /* DW_OP_entry_value resolved through the callers of callers */
#define RO_MAX 16u          /* read-only PT_LOAD segments */
#define DEPTH_MAX 8         /* structs and arrays nested in a value; deeper ones print as {...} */
#define ELEMENTS_MAX 200u   /* GDB's `print elements`: array elements and characters of a string */
#define REPEATS 10u         /* GDB's `print repeats`: more equal elements than this print once, "<repeats N times>" */
#define WORK_MAX (256u << 10) /* bytes one variable's printing compares and reads, at most */
#define CHUNK 64u           /* bytes read at once */
#define STRING_READ 4096u   /* bytes of a char array read to print it (runs of one character past them are cut) */

/* What is known of a byte: enum fa_var_state's values, and one more. */
#define SYNTHETIC 16u /* a DW_OP_implicit_pointer: a pointer to a variable that has no address */
#define MIXED 17u     /* (of a range: bytes of different states) */

/* A value's text, built bounded: past FA_VAR_VALUE_MAX it is cut and ends in "...". */
struct text {
	char buf[FA_VAR_VALUE_MAX];
	size_t len;
	bool cut;
};

/* ---- the index kept in the ELF handle ---- */

struct var_ref {
	Dwarf_Die die;
	uint8_t func; /* the function of the chain it belongs to: 0 the innermost */
	bool arg;
	char *type;   /* its type's spelling, made the first time it is read (owned), or NULL */
};

/* The scopes at one lookup pc, and the variables they declare. */
struct scope_slot {
	uint64_t pc;
	bool used;
	bool has_fn;
	Dwarf_Die fn;         /* the out-of-line function containing pc: DW_AT_frame_base, entry values */
	Dwarf_Die *chain;     /* fa_elf_scopes() at pc, owned */
	int nchain;
	struct var_ref *refs; /* owned */
	size_t nrefs;
	int site;             /* the call site returning to pc + 1: 0 not looked for, 1 found, -1 none */
	Dwarf_Die site_die;
};

struct vars_index {
	struct scope_slot slots[SCOPE_SLOTS];
	struct scope_slot *pinned; /* the slot whose variables are being evaluated: never evicted meanwhile */
	struct {
		uint64_t lo, hi;
	} ro[RO_MAX]; /* the file bytes of non-writable PT_LOAD segments: flash */
	size_t nro;
	struct text text; /* the value being printed (the handle is not thread-safe: one at a time) */
};

static void slot_clear(struct scope_slot *s)
{
	for (size_t i = 0; i < s->nrefs; i++)
		free(s->refs[i].type);
	free(s->chain);
	free(s->refs);
	memset(s, 0, sizeof(*s));
}

static void index_destroy(void *p)
{
	struct vars_index *ix = p;

	for (size_t i = 0; i < SCOPE_SLOTS; i++)
		slot_clear(&ix->slots[i]);
	free(ix);
}

static struct vars_index *index_of(struct fa_elf *e)
{
	struct vars_index *ix = fa_elf_index(e, FA_ELF_INDEX_VARS);
	Elf *elf;
	size_t n = 0;

	if (ix != NULL || (ix = calloc(1, sizeof(*ix))) == NULL)
		return ix;
	elf = dwarf_getelf(fa_elf_dwarf(e));
	if (elf != NULL && elf_getphdrnum(elf, &n) != 0)
		n = 0;
	for (size_t i = 0; i < n && ix->nro < RO_MAX; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) == NULL || ph.p_type != PT_LOAD || (ph.p_flags & PF_W) ||
		    ph.p_filesz == 0 || ph.p_vaddr + ph.p_filesz < ph.p_vaddr)
			continue;
		ix->ro[ix->nro].lo = ph.p_vaddr;
		ix->ro[ix->nro].hi = ph.p_vaddr + ph.p_filesz;
		ix->nro++;
	}
	fa_elf_set_index(e, FA_ELF_INDEX_VARS, ix, index_destroy);
	return ix;
}

/* ---- scopes: the variables in scope at a pc, as GDB reads them ---- */

struct refs {
	struct var_ref *v;
	size_t n;
	uint8_t func;
};

static void add_ref(struct refs *l, Dwarf_Die *die, bool arg)
{
	Dwarf_Attribute attr;
	bool declaration = false;

	if (dwarf_diename(die) == NULL || l->n == REFS_MAX)
		return;
	/* an `extern` declaration inside a function declares no storage of its own */
	if (!arg && dwarf_attr_integrate(die, DW_AT_declaration, &attr) != NULL && dwarf_formflag(&attr, &declaration) == 0 &&
	    declaration && !dwarf_hasattr_integrate(die, DW_AT_location) && !dwarf_hasattr_integrate(die, DW_AT_const_value))
		return;
	l->v[l->n].die = *die;
	l->v[l->n].func = l->func;
	l->v[l->n].arg = arg;
	l->v[l->n].type = NULL;
	l->n++;
}

static bool has_range(Dwarf_Die *d)
{
	return dwarf_hasattr(d, DW_AT_low_pc) || dwarf_hasattr(d, DW_AT_ranges);
}

static void block_refs(struct refs *l, Dwarf_Die *block, bool is_fn, bool args, unsigned nest);

static void child_ref(struct refs *l, Dwarf_Die *child, bool is_fn, bool args, unsigned nest)
{
	int tag = dwarf_tag(child);

	if (tag == DW_TAG_formal_parameter && is_fn && args)
		add_ref(l, child, true);
	else if (tag == DW_TAG_variable && !args)
		add_ref(l, child, false);
	else if (tag == DW_TAG_lexical_block && !has_range(child)) /* GDB: as if it were not there */
		block_refs(l, child, false, args, nest + 1);
}

/*
 * The parameters (args) or the locals a block declares: its children, those of the blocks inside it without a
 * code range (GDB takes them as the block's), and the children of its abstract origin that no child stands for:
 * an inlined or out-of-line instance leaves out what it kept no location for, and GDB shows those too (optimized
 * out, or a static's value). GDB 13's dwarf2/read.c: read_lexical_block_scope, inherit_abstract_dies.
 */
static void block_refs(struct refs *l, Dwarf_Die *block, bool is_fn, bool args, unsigned nest)
{
	Dwarf_Off origins[ORIGINS_MAX];
	size_t norigins = 0;
	bool all = true;
	Dwarf_Attribute attr;
	Dwarf_Die child, origin, abstract;

	if (nest > NEST_MAX)
		return;
	if (dwarf_child(block, &child) == 0) {
		do {
			if (dwarf_attr(&child, DW_AT_abstract_origin, &attr) != NULL &&
			    dwarf_formref_die(&attr, &origin) != NULL) {
				if (norigins < ORIGINS_MAX)
					origins[norigins++] = dwarf_dieoffset(&origin);
				else
					all = false;
			}
			child_ref(l, &child, is_fn, args, nest);
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	if (!all || dwarf_attr(block, DW_AT_abstract_origin, &attr) == NULL ||
	    dwarf_formref_die(&attr, &abstract) == NULL || dwarf_child(&abstract, &child) != 0)
		return;
	do {
		Dwarf_Off off = dwarf_dieoffset(&child);
		size_t i = 0;

		while (i < norigins && origins[i] != off)
			i++;
		if (i == norigins)
			child_ref(l, &child, is_fn, args, nest + 1);
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* The chain at pc and, for each function of it (innermost first, at most FUNCS_MAX), its parameters, then its
 * locals: the innermost block's first, the function's own last. */
static int collect(struct scope_slot *s, struct fa_elf *e, uint64_t pc)
{
	struct refs l = {.v = malloc(REFS_MAX * sizeof(struct var_ref))};
	const char *name;
	int start = 0;

	if (l.v == NULL)
		return FF_ERR_NOMEM;
	/* only code the symbol table has, as fa_elf_symbolize(): DWARF of removed functions sits at address 0 */
	s->nchain = fa_elf_function_at(e, pc, &name) != 0 ? fa_elf_scopes(e, pc, &s->chain) : 0;
	for (int i = 0; i < s->nchain; i++) {
		int tag = dwarf_tag(&s->chain[i]);

		if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine)
			continue;
		if (l.func < FUNCS_MAX) {
			block_refs(&l, &s->chain[i], true, true, 0);
			for (int j = start; j <= i; j++)
				block_refs(&l, &s->chain[j], j == i, false, 0);
		}
		l.func++;
		start = i + 1;
		if (tag == DW_TAG_subprogram) {
			s->fn = s->chain[i];
			s->has_fn = true;
			break;
		}
	}
	s->refs = l.v;
	s->nrefs = l.n;
	return 0;
}

static size_t slot_of(uint64_t pc)
{
	return (size_t)((pc * 0x9e3779b97f4a7c15ull) >> 56) % SCOPE_SLOTS;
}

/* The scopes at pc, cached; in *spare when the slot pc maps to is pinned (release with slot_release()). NULL
 * when out of memory. */
static struct scope_slot *slot_get(struct vars_index *ix, struct fa_elf *e, uint64_t pc, struct scope_slot *spare)
{
	struct scope_slot *s = &ix->slots[slot_of(pc)];

	if (s->used && s->pc == pc)
		return s;
	if (s == ix->pinned) {
		memset(spare, 0, sizeof(*spare));
		s = spare;
	}
	slot_clear(s);
	if (collect(s, e, pc) != 0) {
		slot_clear(s);
		return NULL;
	}
	s->pc = pc;
	s->used = true;
	return s;
}

static void slot_release(struct scope_slot *s, struct scope_slot *spare)
{
	if (s == spare)
		slot_clear(spare);
}

/* ---- memory and registers ---- */

struct run {
	struct fa_elf *e;
	struct vars_index *ix;
	const struct ff_coredump *c;
	const struct fa_unwind *u;
	size_t work; /* bytes read for the variable being printed */
};

/* A physical frame, as its variables' expressions see it. */
struct frame {
	struct run *rn;
	size_t phys;
	const struct fa_frame *f;
	bool has_fn;
	Dwarf_Die fn;     /* the out-of-line function: DW_AT_frame_base, the callee of entry values */
	int depth;        /* DW_OP_entry_value nesting */
	uint64_t mask;    /* the generic type of its expressions: the unit's address size */
	bool base_done;   /* the frame base was evaluated: base_state (FA_VAR_VALUE: base_value is it) */
	unsigned base_state;
	uint64_t base_value;
	bool in_base;     /* evaluating the frame base itself (an expression using DW_OP_fbreg there is malformed) */
	bool across;      /* the variable being read keeps its location across the call this frame makes (below) */
	char base_note[48];
};

/* Bytes at addr: the dump's captured regions, or the ELF's read-only segments (flash). RAM the dump did not
 * capture is not captured, whatever the ELF's initial values say. */
static void mem_read(struct run *rn, uint64_t addr, size_t n, uint8_t *out, uint8_t *st)
{
	rn->work += n;
	memset(out, 0, n);
	memset(st, FA_VAR_NOT_CAPTURED, n);
	for (size_t i = 0; i < rn->c->nregions; i++) {
		const struct ff_region *r = &rn->c->regions[i];
		uint64_t lo = addr > r->addr ? addr : r->addr, hi = r->addr + r->len, end = addr + n;

		if (end < addr)
			end = UINT64_MAX;
		if (hi > end)
			hi = end;
		if (r->data == NULL || lo >= hi)
			continue;
		memcpy(out + (lo - addr), r->data + (lo - r->addr), hi - lo);
		memset(st + (lo - addr), FA_VAR_VALUE, hi - lo);
	}
	for (size_t i = 0; i < rn->ix->nro; i++) {
		uint64_t lo = addr > rn->ix->ro[i].lo ? addr : rn->ix->ro[i].lo, hi = rn->ix->ro[i].hi, end = addr + n;

		if (end < addr)
			end = UINT64_MAX;
		if (hi > end)
			hi = end;
		if (lo < hi && fa_elf_read(rn->e, lo, out + (lo - addr), hi - lo) == 0)
			memset(st + (lo - addr), FA_VAR_VALUE, hi - lo);
	}
}

/* What the memory [addr, addr + n) holds: FA_VAR_VALUE (all of it), FA_VAR_NOT_CAPTURED (none) or MIXED,
 * counted from the ranges (a large array is not read for that). */
static unsigned mem_state(const struct run *rn, uint64_t addr, uint64_t n)
{
	uint64_t end = addr + n < addr ? UINT64_MAX : addr + n, covered = 0;

	for (size_t i = 0; i < rn->c->nregions + rn->ix->nro; i++) {
		uint64_t lo, hi;

		if (i < rn->c->nregions) {
			lo = rn->c->regions[i].addr;
			hi = lo + rn->c->regions[i].len;
		} else {
			lo = rn->ix->ro[i - rn->c->nregions].lo;
			hi = rn->ix->ro[i - rn->c->nregions].hi;
		}
		lo = lo > addr ? lo : addr;
		hi = hi < end ? hi : end;
		if (lo < hi)
			covered += hi - lo; /* (regions do not overlap each other; flash and RAM do not either) */
	}
	return covered == 0 ? FA_VAR_NOT_CAPTURED : covered >= end - addr ? FA_VAR_VALUE : MIXED;
}

/*
 * A word of a register bank: r0-r15 (DWARF 0-15) where the unwinder knows them; s0-s31 (64-95) and d0-d15
 * (256-271, two s registers each) in frame 0 when the dump has the FPU registers. index: words past reg (a value
 * larger than its register continues in the next, as GDB reads it).
 * A caller-saved register (r0-r3, r12, s0-s15) the CFI does not restore in a caller's frame is known only for a
 * variable whose location is the same at the return address as at the call (fr->across): GCC then keeps it there
 * across the call because the whole call tree leaves that register alone (IPA-RA; a function that saves and
 * restores it says so in its CFI, and the unwinder restores it), so the value is the one the frames below it have,
 * down to one that knows it. Without that (a register the variable occupies only up to the call, as at the call
 * instruction itself), the callee may have changed it: not recovered, never a guess.
 */
static unsigned reg_word(const struct frame *fr, uint64_t reg, uint64_t index, uint32_t *out)
{
	const struct ff_coredump *c = fr->rn->c;
	const struct fa_unwind *u = fr->rn->u;
	uint64_t s, r = reg + index;

	if (reg <= 15) {
		if (r > 15)
			return FA_VAR_UNSUPPORTED;
		for (size_t j = fr->phys + 1; j-- > 0;) {
			if (u->frames[j].known >> r & 1) {
				*out = u->frames[j].regs[r];
				return FA_VAR_VALUE;
			}
			if (!fr->across || !(r <= 3 || r == 12))
				break;
		}
		return FA_VAR_NOT_RECOVERED;
	}
	if (reg >= 64 && reg <= 95)
		s = reg - 64 + index;
	else if (reg >= 256 && reg <= 271)
		s = 2 * (reg - 256) + index;
	else
		return FA_VAR_UNSUPPORTED;
	if (s > 31)
		return FA_VAR_UNSUPPORTED;
	if (!c->has_fpregs || (fr->phys != 0 && (!fr->across || s >= 16)))
		return FA_VAR_NOT_RECOVERED;
	for (size_t j = 1; j <= fr->phys; j++)
		if (u->frames[j].exception) /* (the unwinder does not step FPU registers through exception frames) */
			return FA_VAR_NOT_RECOVERED;
	*out = c->fpregs[s];
	return FA_VAR_VALUE;
}

static void reg_name(char *out, size_t cap, uint64_t reg)
{
	static const char *const k_core[16] = {"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10",
					       "r11", "r12", "sp", "lr", "pc"};

	if (reg <= 15)
		snprintf(out, cap, "%s", k_core[reg]);
	else if (reg >= 64 && reg <= 95)
		snprintf(out, cap, "s%u", (unsigned)(reg - 64));
	else if (reg >= 256 && reg <= 287)
		snprintf(out, cap, "d%u", (unsigned)(reg - 256));
	else
		snprintf(out, cap, "DWARF register %llu", (unsigned long long)reg);
}

static void reg_bytes(const struct frame *fr, uint64_t reg, uint64_t off, size_t n, uint8_t *out, uint8_t *st)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t w = 0;
		unsigned s = reg_word(fr, reg, (off + i) / 4, &w);

		out[i] = s == FA_VAR_VALUE ? (uint8_t)(w >> (8 * ((off + i) % 4))) : 0;
		st[i] = (uint8_t)s;
	}
}

/* ---- location expressions ---- */

enum loc_kind { LOC_EMPTY, LOC_MEMORY, LOC_REGISTER, LOC_VALUE, LOC_IMPLICIT, LOC_SYNTHETIC, LOC_UNKNOWN };

struct piece {
	uint8_t kind;         /* enum loc_kind */
	uint8_t why;          /* LOC_UNKNOWN: the state of its bytes */
	uint64_t v;           /* the address, register or value */
	const uint8_t *data;  /* LOC_IMPLICIT: len bytes (libdw's) */
	uint64_t len;
	uint64_t bits;        /* DW_OP_piece / DW_OP_bit_piece size; 0: the whole value (the only piece) */
	uint64_t bit_offset;  /* DW_OP_bit_piece's offset into its register or value */
};

struct loc {
	struct piece p[PIECES_MAX];
	size_t n;
	char note[48]; /* what the first unknown piece lacks: "r4", "the CFA", "DW_OP_xderef" */
};

struct machine {
	uint64_t st[STACK_MAX];
	uint8_t ty[STACK_MAX]; /* each entry's type (TY_* below) */
	size_t sp;
	uint64_t mask; /* the generic type: the unit's address size */
};

static void set_note(struct loc *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_note(struct loc *l, const char *fmt, ...)
{
	va_list ap;

	if (l->note[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(l->note, sizeof(l->note), fmt, ap);
	va_end(ap);
}

static const char *op_name(unsigned atom, char *buf, size_t cap)
{
	const char *name = NULL;

	switch (atom) {
	case DW_OP_xderef: name = "DW_OP_xderef"; break;
	case DW_OP_xderef_size: name = "DW_OP_xderef_size"; break;
	case DW_OP_push_object_address: name = "DW_OP_push_object_address"; break;
	case DW_OP_call2: name = "DW_OP_call2"; break;
	case DW_OP_call4: name = "DW_OP_call4"; break;
	case DW_OP_call_ref: name = "DW_OP_call_ref"; break;
	case DW_OP_form_tls_address: name = "DW_OP_form_tls_address"; break;
	case DW_OP_GNU_push_tls_address: name = "DW_OP_GNU_push_tls_address"; break;
	case DW_OP_GNU_variable_value: name = "DW_OP_GNU_variable_value"; break;
	default: break;
	}
	if (name == NULL) {
		snprintf(buf, cap, "DW_OP 0x%02x", atom);
		name = buf;
	}
	return name;
}

static int64_t sext(uint64_t v, uint64_t mask)
{
	uint64_t sign = (mask >> 1) + 1;

	return (int64_t)(((v & mask) ^ sign) - sign);
}

static void eval(struct frame *fr, Dwarf_Attribute *attr, const Dwarf_Op *ops, size_t nops, struct loc *out);
static unsigned entry_value(struct frame *fr, uint64_t reg, Dwarf_Die *param, uint64_t *out, struct loc *why);

/* The frame base (DW_AT_frame_base of the frame's function) at the frame's pc: cached in the frame. */
static unsigned frame_base(struct frame *fr, uint64_t *out, struct loc *why)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t n;
	struct loc l;
	uint32_t w;

	if (!fr->base_done && fr->in_base) { /* DW_OP_fbreg in the frame base itself */
		set_note(why, "a malformed DWARF expression");
		return FA_VAR_UNSUPPORTED;
	}
	if (!fr->base_done) {
		fr->base_done = true;
		fr->base_state = FA_VAR_UNSUPPORTED;
		snprintf(fr->base_note, sizeof(fr->base_note), "the frame base");
		if (!fr->has_fn || dwarf_attr(&fr->fn, DW_AT_frame_base, &attr) == NULL) {
			snprintf(fr->base_note, sizeof(fr->base_note), "no frame base");
		} else if (dwarf_getlocation_addr(&attr, fr->f->lookup, &ops, &n, 1) != 1 || n == 0) {
			fr->base_state = FA_VAR_OPTIMIZED_OUT;
		} else {
			bool across = fr->across;

			fr->in_base = true;
			fr->across = false;
			eval(fr, &attr, ops, n, &l);
			fr->in_base = false;
			fr->across = across;
			if (l.n == 1 && (l.p[0].kind == LOC_MEMORY || l.p[0].kind == LOC_VALUE)) {
				fr->base_state = FA_VAR_VALUE;
				fr->base_value = l.p[0].v;
			} else if (l.n == 1 && l.p[0].kind == LOC_REGISTER) {
				fr->base_state = reg_word(fr, l.p[0].v, 0, &w);
				fr->base_value = w;
				reg_name(fr->base_note, sizeof(fr->base_note), l.p[0].v);
			} else if (l.n == 1 && l.p[0].kind == LOC_UNKNOWN) {
				fr->base_state = l.p[0].why;
				snprintf(fr->base_note, sizeof(fr->base_note), "%s", l.note);
			}
		}
	}
	if (fr->base_state == FA_VAR_VALUE) {
		*out = fr->base_value;
		return FA_VAR_VALUE;
	}
	set_note(why, "%s", fr->base_note);
	return fr->base_state;
}

/* The types of stack entries: 0 the generic type (the unit's address size, signedness unspecified); else a base type
 * of DWARF 5's typed operations (DW_OP_regval_type, DW_OP_deref_type, DW_OP_const_type, DW_OP_convert: GCC writes
 * them for floating-point values), its class and size in bytes. */
#define TY_SIGNED 0x10u
#define TY_UNSIGNED 0x20u
#define TY_FLOAT 0x30u
#define TY_CLASS(t) ((t) & 0x30u)
#define TY_SIZE(t) ((t) & 0x0fu)

/* The base type a typed operation names (type_off: its operand, 0 for the generic type). False for what is not
 * a base type of 1, 2, 4 or 8 bytes (a float of 4 or 8). */
static bool base_type(Dwarf_Attribute *attr, const Dwarf_Op *op, uint64_t type_off, uint8_t *out)
{
	Dwarf_Die type;
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;
	int size;

	*out = 0;
	if (type_off == 0)
		return true;
	if (attr == NULL || dwarf_getlocation_die(attr, op, &type) != 0 || dwarf_tag(&type) != DW_TAG_base_type ||
	    (size = dwarf_bytesize(&type)) <= 0 || size > 8 || (size & (size - 1)) != 0 ||
	    dwarf_attr(&type, DW_AT_encoding, &a) == NULL || dwarf_formudata(&a, &enc) != 0)
		return false;
	if (enc == DW_ATE_float && (size == 4 || size == 8))
		*out = (uint8_t)(TY_FLOAT | (unsigned)size);
	else if (enc == DW_ATE_signed || enc == DW_ATE_signed_char)
		*out = (uint8_t)(TY_SIGNED | (unsigned)size);
	else if (enc == DW_ATE_unsigned || enc == DW_ATE_unsigned_char || enc == DW_ATE_boolean || enc == DW_ATE_UTF)
		*out = (uint8_t)(TY_UNSIGNED | (unsigned)size);
	else
		return false;
	return true;
}

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

static double as_double(uint64_t v, uint8_t ty)
{
	double d;
	float f;
	uint32_t w = (uint32_t)v;

	if (TY_SIZE(ty) == 4) {
		memcpy(&f, &w, 4);
		return f;
	}
	memcpy(&d, &v, 8);
	return d;
}

static uint64_t from_double(double d, uint8_t ty)
{
	uint64_t v = 0;
	float f = (float)d;
	uint32_t w;

	if (TY_SIZE(ty) == 4) {
		memcpy(&w, &f, 4);
		return w;
	}
	memcpy(&v, &d, 8);
	return v;
}

/* A value of type `from` converted to type `to` as C converts it (DW_OP_convert). False when it does not fit, or
 * for a floating-point value and the generic type (whose signedness DWARF leaves open). */
static bool convert_value(uint64_t *v, uint8_t from, uint8_t to, uint64_t mask)
{
	double d;

	if (TY_CLASS(from) == TY_FLOAT && TY_CLASS(to) == TY_FLOAT) {
		*v = from_double(as_double(*v, from), to);
		return true;
	}
	if (TY_CLASS(from) == TY_FLOAT) {
		if (to == 0)
			return false;
		d = as_double(*v, from); /* (C's conversion truncates toward zero) */
		if (TY_CLASS(to) == TY_SIGNED) {
			double lim = (double)(1ull << (8 * TY_SIZE(to) - 1));

			if (!(d > -lim - 1.0 && d < lim))
				return false;
			*v = (uint64_t)(int64_t)d & size_mask(TY_SIZE(to));
		} else {
			double lim = TY_SIZE(to) == 8 ? 18446744073709551616.0 : (double)(1ull << (8 * TY_SIZE(to)));

			if (!(d > -1.0 && d < lim))
				return false;
			*v = (uint64_t)d;
		}
		return true;
	}
	if (TY_CLASS(to) == TY_FLOAT) {
		if (from == 0)
			return false;
		*v = from_double(TY_CLASS(from) == TY_SIGNED ? (double)sext(*v, size_mask(TY_SIZE(from)))
							      : (double)(*v & size_mask(TY_SIZE(from))), to);
		return true;
	}
	if (TY_CLASS(from) == TY_SIGNED) /* widening a signed value keeps its sign */
		*v = (uint64_t)sext(*v, size_mask(TY_SIZE(from)));
	*v &= to == 0 ? mask : size_mask(TY_SIZE(to));
	return true;
}

/* The index of the operation at byte offset `to` of the expression; nops for its end; SIZE_MAX for none. */
static size_t op_at(const Dwarf_Op *ops, size_t nops, uint64_t to)
{
	size_t lo = 0, hi = nops;

	if (nops > 0 && to > ops[nops - 1].offset)
		return nops; /* past the last operation: the end (its size is not known here) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ops[mid].offset < to)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nops && ops[lo].offset == to ? lo : SIZE_MAX;
}

/* A binary operation on the top two entries (x below y), typed or not. False for what it cannot compute: typed
 * operands of different types, bit operations on floating-point values, division by zero. */
static bool binary(uint8_t a, uint64_t x, uint64_t y, uint8_t tx, uint8_t ty, uint64_t mask, uint64_t *v, uint8_t *t)
{
	uint64_t m = tx == 0 ? mask : size_mask(TY_SIZE(tx));
	bool cmp = a == DW_OP_eq || a == DW_OP_ne || a == DW_OP_lt || a == DW_OP_le || a == DW_OP_gt || a == DW_OP_ge;
	int64_t sx, sy;

	if (tx != ty && !(a == DW_OP_shl || a == DW_OP_shr || a == DW_OP_shra))
		return false;
	*t = cmp ? 0 : tx;
	if (TY_CLASS(tx) == TY_FLOAT) {
		double dx = as_double(x, tx), dy = as_double(y, ty), r;

		switch (a) {
		case DW_OP_plus: r = dx + dy; break;
		case DW_OP_minus: r = dx - dy; break;
		case DW_OP_mul: r = dx * dy; break;
		case DW_OP_div: r = dx / dy; break;
		case DW_OP_eq: *v = dx == dy; return true;
		case DW_OP_ne: *v = dx != dy; return true;
		case DW_OP_lt: *v = dx < dy; return true;
		case DW_OP_le: *v = dx <= dy; return true;
		case DW_OP_gt: *v = dx > dy; return true;
		case DW_OP_ge: *v = dx >= dy; return true;
		default: return false;
		}
		*v = from_double(r, tx);
		return true;
	}
	sx = sext(x, m);
	sy = sext(y, m);
	switch (a) {
	case DW_OP_and: *v = x & y; break;
	case DW_OP_or: *v = x | y; break;
	case DW_OP_xor: *v = x ^ y; break;
	case DW_OP_plus: *v = x + y; break;
	case DW_OP_minus: *v = x - y; break;
	case DW_OP_mul: *v = x * y; break;
	case DW_OP_div: /* signed, unless of an unsigned type */
		if ((y & m) == 0 || (TY_CLASS(tx) != TY_UNSIGNED && sy == -1 && sx == sext((m >> 1) + 1, m)))
			return false;
		*v = TY_CLASS(tx) == TY_UNSIGNED ? (x & m) / (y & m) : (uint64_t)(sx / sy);
		break;
	case DW_OP_mod:
		if ((y & m) == 0)
			return false;
		*v = (x & m) % (y & m);
		break;
	case DW_OP_shl: *v = y >= 64 ? 0 : x << y; break;
	case DW_OP_shr: *v = y >= 64 ? 0 : (x & m) >> y; break;
	case DW_OP_shra: *v = (uint64_t)(y >= 63 ? (sx < 0 ? -1 : 0) : sx >> y); break;
	case DW_OP_eq: *v = TY_CLASS(tx) == TY_UNSIGNED ? (x & m) == (y & m) : sx == sy; break;
	case DW_OP_ne: *v = TY_CLASS(tx) == TY_UNSIGNED ? (x & m) != (y & m) : sx != sy; break;
	case DW_OP_lt: *v = TY_CLASS(tx) == TY_UNSIGNED ? (x & m) < (y & m) : sx < sy; break;
	case DW_OP_le: *v = TY_CLASS(tx) == TY_UNSIGNED ? (x & m) <= (y & m) : sx <= sy; break;
	case DW_OP_gt: *v = TY_CLASS(tx) == TY_UNSIGNED ? (x & m) > (y & m) : sx > sy; break;
	default: *v = TY_CLASS(tx) == TY_UNSIGNED ? (x & m) >= (y & m) : sx >= sy; break;
	}
	*v &= cmp ? mask : m;
	return true;
}

/* One operation on the stack machine. Returns the index of the next one; cur set when it ends in a location (a
 * register, a value) or fails (LOC_UNKNOWN: *out's note says why). */
static size_t step(struct frame *fr, Dwarf_Attribute *attr, const Dwarf_Op *ops, size_t nops, size_t i,
		   struct machine *m, struct piece *cur, struct loc *out)
{
	const Dwarf_Op *op = &ops[i];
	uint8_t a = op->atom, t = 0, *ty = m->ty;
	uint64_t *st = m->st, v = 0;
	size_t sp = m->sp;
	unsigned why = FA_VAR_VALUE;
	char buf[24];

#define NEED(k) do { if (sp < (k)) goto malformed; } while (0)
/* push a value of type t_ (generic values are cut to the address size, typed integers to theirs) */
#define PUSHT(x, t_) do { uint64_t x_ = (x); uint8_t y_ = (t_); if (sp == STACK_MAX) goto malformed; \
	st[sp] = TY_CLASS(y_) == TY_FLOAT ? x_ : x_ & (y_ == 0 ? m->mask : size_mask(TY_SIZE(y_))); ty[sp++] = y_; \
	} while (0)
#define PUSH(x) PUSHT((x), 0)
	if ((a >= DW_OP_lit0 && a <= DW_OP_lit31)) {
		PUSH((uint64_t)(a - DW_OP_lit0));
	} else if (a >= DW_OP_reg0 && a <= DW_OP_reg31) {
		cur->kind = LOC_REGISTER;
		cur->v = a - DW_OP_reg0;
	} else if ((a >= DW_OP_breg0 && a <= DW_OP_breg31) || a == DW_OP_bregx || a == DW_OP_regval_type ||
		   a == DW_OP_GNU_regval_type) {
		bool typed = a == DW_OP_regval_type || a == DW_OP_GNU_regval_type;
		uint64_t reg = a == DW_OP_bregx || typed ? op->number : (uint64_t)(a - DW_OP_breg0);
		uint8_t bytes[8], bst[8];
		size_t size = 4;

		if (typed && !base_type(attr, op, op->number2, &t))
			goto unsupported;
		if (t != 0)
			size = TY_SIZE(t);
		reg_bytes(fr, reg, 0, size, bytes, bst);
		for (size_t k = 0; k < size; k++)
			if (bst[k] != FA_VAR_VALUE) {
				why = bst[k];
				reg_name(buf, sizeof(buf), reg);
				set_note(out, "%s", buf);
				goto unknown;
			}
		for (size_t k = size; k-- > 0;)
			v = v << 8 | bytes[k];
		if (!typed)
			v += a == DW_OP_bregx ? op->number2 : op->number;
		PUSHT(v, t);
	} else {
		switch (a) {
		case DW_OP_addr:
		case DW_OP_const1u:
		case DW_OP_const2u:
		case DW_OP_const4u:
		case DW_OP_const8u:
		case DW_OP_constu:
		case DW_OP_const1s: /* (libdw sign-extends the signed ones into number) */
		case DW_OP_const2s:
		case DW_OP_const4s:
		case DW_OP_const8s:
		case DW_OP_consts:
			PUSH(op->number);
			break;
		case DW_OP_addrx:
		case DW_OP_GNU_addr_index:
		case DW_OP_constx:
		case DW_OP_GNU_const_index: {
			Dwarf_Attribute r;
			Dwarf_Addr addr;
			Dwarf_Word w;
			bool is_addr = a == DW_OP_addrx || a == DW_OP_GNU_addr_index;

			if (attr == NULL || dwarf_getlocation_attr(attr, op, &r) != 0 ||
			    (is_addr ? dwarf_formaddr(&r, &addr) : dwarf_formudata(&r, &w)) != 0)
				goto unsupported;
			PUSH(is_addr ? addr : w);
			break;
		}
		case DW_OP_regx:
			cur->kind = LOC_REGISTER;
			cur->v = op->number;
			break;
		case DW_OP_dup:
			NEED(1);
			PUSHT(st[sp - 1], ty[sp - 1]);
			break;
		case DW_OP_drop:
			NEED(1);
			sp--;
			break;
		case DW_OP_over:
			NEED(2);
			PUSHT(st[sp - 2], ty[sp - 2]);
			break;
		case DW_OP_pick:
			if (op->number >= sp)
				goto malformed;
			PUSHT(st[sp - 1 - op->number], ty[sp - 1 - op->number]);
			break;
		case DW_OP_swap:
			NEED(2);
			v = st[sp - 1], st[sp - 1] = st[sp - 2], st[sp - 2] = v;
			t = ty[sp - 1], ty[sp - 1] = ty[sp - 2], ty[sp - 2] = t;
			break;
		case DW_OP_rot:
			NEED(3);
			v = st[sp - 1], st[sp - 1] = st[sp - 2], st[sp - 2] = st[sp - 3], st[sp - 3] = v;
			t = ty[sp - 1], ty[sp - 1] = ty[sp - 2], ty[sp - 2] = ty[sp - 3], ty[sp - 3] = t;
			break;
		case DW_OP_deref:
		case DW_OP_deref_size:
		case DW_OP_deref_type:
		case DW_OP_GNU_deref_type: {
			uint64_t size = a == DW_OP_deref ? (m->mask == UINT32_MAX ? 4 : 8) : op->number;
			uint8_t bytes[8], bst[8];

			NEED(1);
			if ((a == DW_OP_deref_type || a == DW_OP_GNU_deref_type) &&
			    (!base_type(attr, op, op->number2, &t) || (t != 0 && TY_SIZE(t) != size)))
				goto unsupported;
			if (size == 0 || size > 8)
				goto unsupported;
			mem_read(fr->rn, st[sp - 1], size, bytes, bst);
			for (size_t k = 0; k < size; k++)
				if (bst[k] != FA_VAR_VALUE) {
					why = FA_VAR_NOT_CAPTURED;
					set_note(out, "0x%08llx", (unsigned long long)st[sp - 1]);
					goto unknown;
				}
			for (size_t k = size; k-- > 0;)
				v = v << 8 | bytes[k];
			sp--;
			PUSHT(v, t);
			break;
		}
		case DW_OP_abs:
		case DW_OP_neg:
			NEED(1);
			t = ty[sp - 1];
			if (TY_CLASS(t) == TY_FLOAT) {
				double d = as_double(st[sp - 1], t);

				st[sp - 1] = from_double(a == DW_OP_neg || d < 0 ? -d : d, t);
			} else if (a == DW_OP_neg || sext(st[sp - 1], t == 0 ? m->mask : size_mask(TY_SIZE(t))) < 0) {
				st[sp - 1] = (0 - st[sp - 1]) & (t == 0 ? m->mask : size_mask(TY_SIZE(t)));
			}
			break;
		case DW_OP_not:
			NEED(1);
			if (TY_CLASS(ty[sp - 1]) == TY_FLOAT)
				goto unsupported;
			st[sp - 1] = ~st[sp - 1] & (ty[sp - 1] == 0 ? m->mask : size_mask(TY_SIZE(ty[sp - 1])));
			break;
		case DW_OP_plus_uconst:
			NEED(1);
			if (TY_CLASS(ty[sp - 1]) == TY_FLOAT)
				goto unsupported;
			st[sp - 1] = (st[sp - 1] + op->number) & (ty[sp - 1] == 0 ? m->mask : size_mask(TY_SIZE(ty[sp - 1])));
			break;
		case DW_OP_and:
		case DW_OP_or:
		case DW_OP_xor:
		case DW_OP_plus:
		case DW_OP_minus:
		case DW_OP_mul:
		case DW_OP_div:
		case DW_OP_mod:
		case DW_OP_shl:
		case DW_OP_shr:
		case DW_OP_shra:
		case DW_OP_eq:
		case DW_OP_ne:
		case DW_OP_lt:
		case DW_OP_le:
		case DW_OP_gt:
		case DW_OP_ge:
			NEED(2);
			if (!binary(a, st[sp - 2], st[sp - 1], ty[sp - 2], ty[sp - 1], m->mask, &v, &t))
				goto malformed;
			sp -= 2;
			PUSHT(v, t);
			break;
		case DW_OP_skip:
		case DW_OP_bra: {
			/* the target is relative to the end of this 3-byte operation */
			uint64_t to = op->offset + 3 + (uint64_t)(int64_t)(int16_t)op->number;
			size_t next;

			if (a == DW_OP_bra) {
				NEED(1);
				if (st[--sp] == 0)
					break;
			}
			if ((next = op_at(ops, nops, to)) == SIZE_MAX)
				goto malformed;
			m->sp = sp;
			return next;
		}
		case DW_OP_fbreg:
			why = frame_base(fr, &v, out);
			if (why != FA_VAR_VALUE)
				goto unknown;
			PUSH(v + op->number);
			break;
		case DW_OP_call_frame_cfa:
			if (!fr->f->cfa_known) {
				why = FA_VAR_NOT_RECOVERED;
				set_note(out, "the CFA");
				goto unknown;
			}
			PUSH(fr->f->cfa);
			break;
		case DW_OP_stack_value:
			NEED(1);
			cur->kind = LOC_VALUE;
			cur->v = st[--sp];
			break;
		case DW_OP_implicit_value: {
			Dwarf_Block b;

			if (attr == NULL || dwarf_getlocation_implicit_value(attr, op, &b) != 0)
				goto unsupported;
			cur->kind = LOC_IMPLICIT;
			cur->data = b.data;
			cur->len = b.length;
			break;
		}
		case DW_OP_implicit_pointer:
		case DW_OP_GNU_implicit_pointer:
			cur->kind = LOC_SYNTHETIC;
			break;
		case DW_OP_entry_value:
		case DW_OP_GNU_entry_value: {
			Dwarf_Attribute sub;
			Dwarf_Op *sops;
			size_t sn;
			uint8_t sa;

			if (attr == NULL || dwarf_getlocation_attr(attr, op, &sub) != 0 ||
			    dwarf_getlocation(&sub, &sops, &sn) != 0 || sn != 1)
				goto unsupported;
			/* the value a register had on entry (typed, for floating-point registers): what GCC writes */
			sa = sops[0].atom;
			if (sa == DW_OP_regval_type || sa == DW_OP_GNU_regval_type) {
				/* (its type is in the unit of attr: libdw gives sub a unit of its own) */
				if (!base_type(attr, &sops[0], sops[0].number2, &t))
					goto unsupported;
			} else if (!((sa >= DW_OP_reg0 && sa <= DW_OP_reg31) || sa == DW_OP_regx)) {
				goto unsupported;
			}
			why = entry_value(fr, sa >= DW_OP_reg0 && sa <= DW_OP_reg31 ? (uint64_t)(sa - DW_OP_reg0)
										     : sops[0].number, NULL, &v, out);
			if (why != FA_VAR_VALUE)
				goto unknown;
			PUSHT(v, t);
			break;
		}
		case DW_OP_GNU_parameter_ref: {
			Dwarf_Die param;

			if (attr == NULL || dwarf_getlocation_die(attr, op, &param) != 0)
				goto unsupported;
			why = entry_value(fr, UINT64_MAX, &param, &v, out);
			if (why != FA_VAR_VALUE)
				goto unknown;
			PUSH(v);
			break;
		}
		case DW_OP_convert:
		case DW_OP_GNU_convert:
		case DW_OP_reinterpret:
		case DW_OP_GNU_reinterpret:
			NEED(1);
			if (!base_type(attr, op, op->number, &t))
				goto unsupported;
			v = st[sp - 1];
			if (a == DW_OP_convert || a == DW_OP_GNU_convert) {
				if (!convert_value(&v, ty[sp - 1], t, m->mask))
					goto unsupported;
			} else if ((t == 0 ? (m->mask == UINT32_MAX ? 4u : 8u) : TY_SIZE(t)) !=
				   (ty[sp - 1] == 0 ? (m->mask == UINT32_MAX ? 4u : 8u) : TY_SIZE(ty[sp - 1]))) {
				goto unsupported; /* (a reinterpretation keeps the bits: of the same size) */
			}
			sp--;
			PUSHT(v, t);
			break;
		case DW_OP_const_type:
		case DW_OP_GNU_const_type: {
			Dwarf_Attribute r;
			Dwarf_Block b;

			if (attr == NULL || !base_type(attr, op, op->number, &t) || t == 0 ||
			    dwarf_getlocation_attr(attr, op, &r) != 0 || dwarf_formblock(&r, &b) != 0 ||
			    b.length != TY_SIZE(t))
				goto unsupported;
			for (size_t k = b.length; k-- > 0;)
				v = v << 8 | b.data[k];
			PUSHT(v, t);
			break;
		}
		case DW_OP_nop:
			break;
		default:
			goto unsupported;
		}
	}
	m->sp = sp;
	return i + 1;
#undef NEED
#undef PUSH
#undef PUSHT
malformed:
	why = FA_VAR_UNSUPPORTED;
	set_note(out, "a malformed DWARF expression");
	goto unknown;
unsupported:
	why = FA_VAR_UNSUPPORTED;
	set_note(out, "%s", op_name(a, buf, sizeof(buf)));
unknown:
	cur->kind = LOC_UNKNOWN;
	cur->why = (uint8_t)why;
	m->sp = sp;
	return i + 1;
}

/* Evaluate a location expression into its pieces (one, bits 0, without DW_OP_piece). An empty one is a
 * LOC_EMPTY piece: optimized out. */
static void eval(struct frame *fr, Dwarf_Attribute *attr, const Dwarf_Op *ops, size_t nops, struct loc *out)
{
	struct machine m = {.sp = 0, .mask = fr->mask != 0 ? fr->mask : UINT32_MAX};
	struct piece cur = {.kind = LOC_EMPTY};
	size_t steps = 0;

	out->n = 0;
	out->note[0] = '\0';
	if (nops > OPS_MAX) {
		cur.kind = LOC_UNKNOWN;
		cur.why = FA_VAR_UNSUPPORTED;
		set_note(out, "an expression of %zu operations", nops);
		nops = 0;
	}
	for (size_t i = 0; i < nops;) {
		uint8_t a = ops[i].atom;

		if (a == DW_OP_piece || a == DW_OP_bit_piece) {
			if (cur.kind == LOC_EMPTY && m.sp > 0) {
				cur.kind = LOC_MEMORY;
				cur.v = m.st[m.sp - 1];
			}
			cur.bits = a == DW_OP_piece ? ops[i].number * 8 : ops[i].number;
			cur.bit_offset = a == DW_OP_bit_piece ? ops[i].number2 : 0;
			if (out->n == PIECES_MAX || cur.bits == 0 || ops[i].number > (1u << 20)) {
				out->n = 0;
				cur = (struct piece){.kind = LOC_UNKNOWN, .why = FA_VAR_UNSUPPORTED};
				set_note(out, "pieces past what this version reads");
				break;
			}
			out->p[out->n++] = cur;
			memset(&cur, 0, sizeof(cur));
			m.sp = 0;
			i++;
			continue;
		}
		if (cur.kind == LOC_UNKNOWN) { /* skip to the next piece */
			i++;
			continue;
		}
		if (cur.kind != LOC_EMPTY || ++steps > STEPS_MAX) {
			cur.kind = LOC_UNKNOWN;
			cur.why = FA_VAR_UNSUPPORTED;
			set_note(out, "a malformed DWARF expression");
			continue;
		}
		i = step(fr, attr, ops, nops, i, &m, &cur, out);
	}
	if (out->n > 0)
		return; /* (what follows the last piece, if anything, is ignored) */
	if (cur.kind == LOC_EMPTY && m.sp > 0) {
		cur.kind = LOC_MEMORY;
		cur.v = m.st[m.sp - 1];
	}
	cur.bits = 0;
	out->p[0] = cur;
	out->n = 1;
}

/* ---- values: bytes through a location ---- */

struct value {
	struct frame *fr;
	struct loc loc;
	uint64_t size;
};

/* n bytes from byte off of what a piece holds. */
static void piece_bytes(struct frame *fr, const struct piece *p, uint64_t off, size_t n, uint8_t *out, uint8_t *st)
{
	switch (p->kind) {
	case LOC_MEMORY:
		mem_read(fr->rn, p->v + off, n, out, st);
		return;
	case LOC_REGISTER:
		reg_bytes(fr, p->v, off, n, out, st);
		return;
	case LOC_VALUE:
	case LOC_IMPLICIT:
		for (size_t i = 0; i < n; i++) {
			uint64_t k = off + i;
			bool in = p->kind == LOC_VALUE ? k < 8 : k < p->len;

			out[i] = !in ? 0 : p->kind == LOC_VALUE ? (uint8_t)(p->v >> (8 * k)) : p->data[k];
			st[i] = p->kind == LOC_VALUE || in ? FA_VAR_VALUE : FA_VAR_OPTIMIZED_OUT;
		}
		return;
	default:
		memset(out, 0, n);
		memset(st, p->kind == LOC_UNKNOWN ? p->why : p->kind == LOC_SYNTHETIC ? SYNTHETIC : FA_VAR_OPTIMIZED_OUT, n);
		return;
	}
}

/* Bytes [off, off + n) of a value (n at most CHUNK): out, and st (FA_VAR_VALUE where known). Of pieces not on
 * byte boundaries, a byte is known only when all its bits are. */
static void value_get(const struct value *v, uint64_t off, size_t n, uint8_t *out, uint8_t *st)
{
	const struct loc *l = &v->loc;
	uint64_t pos = 0;

	if (l->n == 1 && l->p[0].bits == 0) {
		piece_bytes(v->fr, &l->p[0], off, n, out, st);
		return;
	}
	uint8_t bits[CHUNK] = {0}, bad[CHUNK] = {0}; /* bytes of bit pieces: the bits known, why others are not */
	bool split = false;

	memset(out, 0, n);
	memset(st, FA_VAR_OPTIMIZED_OUT, n);
	for (size_t i = 0; i < l->n; pos += l->p[i].bits, i++) {
		const struct piece *p = &l->p[i];
		uint64_t lo = pos > off * 8 ? pos : off * 8, hi = pos + p->bits < (off + n) * 8 ? pos + p->bits : (off + n) * 8;
		uint8_t b[CHUNK], s[CHUNK];

		if (lo >= hi)
			continue;
		if (pos % 8 == 0 && p->bits % 8 == 0 && p->bit_offset % 8 == 0) {
			piece_bytes(v->fr, p, (lo - pos + p->bit_offset) / 8, (size_t)((hi - lo) / 8), b, s);
			memcpy(out + (lo / 8 - off), b, (size_t)((hi - lo) / 8));
			memcpy(st + (lo / 8 - off), s, (size_t)((hi - lo) / 8));
			continue;
		}
		/* bit by bit: a byte is known when all its 8 bits came known */
		split = true;
		for (uint64_t bit = lo; bit < hi; bit++) {
			uint64_t sbit = bit - pos + p->bit_offset;
			size_t d = (size_t)(bit / 8 - off);
			uint8_t sb, ss;

			piece_bytes(v->fr, p, sbit / 8, 1, &sb, &ss);
			if (ss != FA_VAR_VALUE) {
				bad[d] = ss;
				continue;
			}
			out[d] = (uint8_t)(out[d] | ((sb >> (sbit % 8) & 1) << (bit % 8)));
			bits[d] = (uint8_t)(bits[d] | 1u << (bit % 8));
		}
	}
	for (size_t d = 0; split && d < n; d++)
		if (bits[d] != 0 || bad[d] != 0)
			st[d] = bad[d] != 0 ? bad[d] : bits[d] == 0xff ? FA_VAR_VALUE : FA_VAR_OPTIMIZED_OUT;
}

/* The state of the value's bytes [off, off + n): FA_VAR_VALUE when all are known, the one state they all have,
 * or MIXED. */
static unsigned range_state(const struct value *v, uint64_t off, uint64_t n)
{
	unsigned state = FA_VAR_VALUE;
	uint8_t b[CHUNK], st[CHUNK];

	if (n == 0)
		return FA_VAR_VALUE;
	if (v->loc.n == 1 && v->loc.p[0].kind == LOC_MEMORY && v->loc.p[0].bits == 0) {
		unsigned s = mem_state(v->fr->rn, v->loc.p[0].v + off, n);

		if (s != MIXED)
			return s;
	}
	for (uint64_t at = 0; at < n; at += CHUNK) {
		size_t k = n - at < CHUNK ? (size_t)(n - at) : CHUNK;

		if (v->fr->rn->work >= WORK_MAX)
			return MIXED; /* (not all looked at: printed part by part) */
		value_get(v, off + at, k, b, st);
		for (size_t i = 0; i < k; i++) {
			if (at == 0 && i == 0)
				state = st[0];
			else if (st[i] != state)
				return MIXED;
		}
	}
	return state;
}

/* Whether [a, a + n) and [b, b + n) of a value hold the same bytes, known alike (GDB's value_contents_eq). */
static bool range_equal(const struct value *v, uint64_t a, uint64_t b, uint64_t n)
{
	uint8_t x[CHUNK], xs[CHUNK], y[CHUNK], ys[CHUNK];

	for (uint64_t at = 0; at < n; at += CHUNK) {
		size_t k = n - at < CHUNK ? (size_t)(n - at) : CHUNK;

		if (v->fr->rn->work >= WORK_MAX)
			return false;
		value_get(v, a + at, k, x, xs);
		value_get(v, b + at, k, y, ys);
		if (memcmp(xs, ys, k) != 0)
			return false;
		for (size_t i = 0; i < k; i++)
			if (xs[i] == FA_VAR_VALUE && x[i] != y[i])
				return false;
	}
	return true;
}

/* ---- text ---- */

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	size_t room = sizeof(t->buf) - 4; /* (room for "..." and the NUL when cut) */
	va_list ap;
	int n;

	if (t->cut)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, room - t->len + 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > room - t->len) {
		t->len = room;
		t->cut = true;
		memcpy(t->buf + t->len, "...", 4);
		return;
	}
	t->len += (size_t)n;
}

static void put_str(struct text *t, const char *s);

/* A number in decimal, without printf (numbers are most of what values print). */
static void put_u64(struct text *t, uint64_t v)
{
	char buf[24], *c = buf + sizeof(buf) - 1;

	*c = '\0';
	do
		*--c = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	put_str(t, c);
}

static void put_i64(struct text *t, int64_t v)
{
	if (v < 0)
		put_str(t, "-");
	put_u64(t, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
}

/* A string, as put(t, "%s", s) would add it, without the formatting. */
static void put_str(struct text *t, const char *s)
{
	size_t room = sizeof(t->buf) - 4, n = strlen(s);

	if (t->cut)
		return;
	if (n > room - t->len) {
		memcpy(t->buf + t->len, s, room - t->len);
		t->len = room;
		t->cut = true;
		memcpy(t->buf + t->len, "...", 4);
		return;
	}
	memcpy(t->buf + t->len, s, n + 1);
	t->len += n;
}

static const char *marker(unsigned state)
{
	switch (state) {
	case FA_VAR_NOT_CAPTURED: return "<not captured>";
	case FA_VAR_NOT_RECOVERED: return "<not recovered>";
	case FA_VAR_UNSUPPORTED: return "<unsupported>";
	case SYNTHETIC: return "<synthetic pointer>";
	default: return "<optimized out>";
	}
}

/* One character as GDB writes it inside quote (' or "): named escapes, octal for the unprintable. */
static void put_char(struct text *t, uint8_t c, char quote)
{
	static const char k_named[] = "\aa\bb\ff\nn\rr\tt\vv";
	const char *named = c != 0 ? memchr(k_named, c, sizeof(k_named) - 1) : NULL;

	char buf[5] = {'\\', 0, 0, 0, 0};

	if (named != NULL && (named - k_named) % 2 == 0) {
		buf[1] = named[1];
	} else if (c >= 0x20 && c < 0x7f) {
		buf[c == (uint8_t)quote || c == '\\' ? 1 : 0] = (char)c;
	} else {
		buf[1] = (char)('0' + (c >> 6));
		buf[2] = (char)('0' + (c >> 3 & 7));
		buf[3] = (char)('0' + (c & 7));
	}
	put_str(t, buf);
}

/* A string of n characters (more: and others after them) as GDB 13's generic_printstr writes it: runs of more than
 * REPEATS equal characters as 'c' <repeats N times>, the rest quoted; ELEMENTS_MAX characters at most (a run counts
 * whole), then "..." (also when ellipsis). */
static void put_string(struct text *t, const uint8_t *s, size_t n, bool more, bool ellipsis)
{
	enum { START, SINGLE, REPEAT } last = START;
	size_t i = 0, shown = 0;

	if (n == 0 && !more) {
		put(t, "\"\"%s", ellipsis ? "..." : "");
		return;
	}
	while (i < n && shown < ELEMENTS_MAX) {
		size_t run = 1;

		while (i + run < n && s[i + run] == s[i])
			run++;
		if (run > REPEATS) {
			put(t, "%s%s'", last == SINGLE ? "\"" : "", last != START ? ", " : "");
			put_char(t, s[i], '\'');
			put(t, "' <repeats %zu times>", run);
			last = REPEAT;
		} else {
			if (last != SINGLE)
				put(t, "%s\"", last != START ? ", " : "");
			for (size_t k = 0; k < run; k++)
				put_char(t, s[i], '"');
			last = SINGLE;
		}
		shown += run;
		i += run;
	}
	more = more || i < n;
	if (more && last != SINGLE) /* GDB's next character, not printed, opens a quote */
		put(t, "%s\"", last != START ? ", " : "");
	if (more || last == SINGLE)
		put(t, "\"");
	if (ellipsis || more)
		put_str(t, "...");
}

/* ---- printing values ---- */

struct printer {
	struct run *rn;
	const struct value *v;
	struct text *t;
};

static void print_value(struct printer *p, Dwarf_Die *type, uint64_t off, unsigned bit_offset, unsigned bit_size,
			int depth);
static void print_stripped(struct printer *p, Dwarf_Die *t, uint64_t size, uint64_t off, unsigned bit_offset,
			   unsigned bit_size, int depth);

/* A type stripped of typedefs and qualifiers, and its size: false (and why printed) when it has none. */
static bool sized(struct printer *p, Dwarf_Die *type, Dwarf_Die *t, uint64_t *size)
{
	int rc = fa_dwtype_strip(t, type);

	if (rc == 0)
		rc = fa_dwtype_size(size, t);
	if (rc != 0)
		put_str(p->t, rc == FA_DWTYPE_NO_SIZE && dwarf_hasattr(t, DW_AT_declaration) ? "<incomplete type>"
			: rc == FA_DWTYPE_NO_SIZE && dwarf_tag(t) == DW_TAG_array_type ? "<unknown length>" : "<unsupported>");
	return rc == 0;
}


static bool is_char(Dwarf_Die *type)
{
	Dwarf_Die t;
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;

	if (fa_dwtype_strip(&t, type) != 0 || dwarf_tag(&t) != DW_TAG_base_type || dwarf_bytesize(&t) != 1 ||
	    dwarf_attr(&t, DW_AT_encoding, &a) == NULL || dwarf_formudata(&a, &enc) != 0)
		return false;
	/* GDB: a one-byte integer is text (int8_t and uint8_t too) */
	return enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char || enc == DW_ATE_signed ||
	       enc == DW_ATE_unsigned || enc == DW_ATE_UTF;
}

/* A scalar of size bytes (at most 8) at off, or a bitfield: false (and the marker printed) when not all known. */
static bool scalar(struct printer *p, uint64_t off, uint64_t size, unsigned bit_offset, unsigned bit_size,
		   uint64_t *out)
{
	uint64_t nbytes = bit_size > 0 ? (bit_offset + bit_size + 7) / 8 : size;
	uint8_t b[CHUNK], st[CHUNK];
	uint64_t v = 0;

	if (nbytes == 0 || nbytes > 8 || (bit_size == 0 && size > 8)) {
		put_str(p->t, "<unsupported>");
		return false;
	}
	value_get(p->v, off, (size_t)nbytes, b, st);
	for (size_t i = 0; i < nbytes; i++)
		if (st[i] != FA_VAR_VALUE) {
			put_str(p->t, marker(st[i]));
			return false;
		}
	for (size_t i = (size_t)nbytes; i-- > 0;)
		v = v << 8 | b[i];
	if (bit_size > 0)
		v = (v >> bit_offset) & (bit_size >= 64 ? UINT64_MAX : (1ull << bit_size) - 1);
	*out = v;
	return true;
}

static void print_float(struct text *t, uint64_t v, uint64_t size)
{
	int mant_bits = size == 4 ? 23 : 52;
	uint64_t mant = v & ((1ull << mant_bits) - 1);
	bool neg = v >> (size * 8 - 1) & 1;
	double d;

	if (size == 4) {
		float f;
		uint32_t w = (uint32_t)v;

		memcpy(&f, &w, 4);
		d = f;
	} else {
		memcpy(&d, &v, 8);
	}
	if (isnan(d))
		put(t, "%snan(0x%llx)", neg ? "-" : "", (unsigned long long)mant);
	else if (isinf(d))
		put(t, "%sinf", neg ? "-" : "");
	else
		put(t, size == 4 ? "%.9g" : "%.17g", d);
}

static void print_base(struct printer *p, Dwarf_Die *t, uint64_t off, uint64_t size, unsigned bit_offset,
		       unsigned bit_size)
{
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;
	uint64_t v;
	unsigned bits = bit_size > 0 ? bit_size : (unsigned)(8 * size);

	if (dwarf_attr(t, DW_AT_encoding, &a) == NULL || dwarf_formudata(&a, &enc) != 0) {
		put_str(p->t, "<unsupported>");
		return;
	}
	if ((enc == DW_ATE_float && size != 4 && size != 8) || !scalar(p, off, size, bit_offset, bit_size, &v))
		return;
	switch (enc) {
	case DW_ATE_boolean:
		if (v <= 1)
			put_str(p->t, v ? "true" : "false");
		else
			put_u64(p->t, v);
		return;
	case DW_ATE_float:
		print_float(p->t, v, size);
		return;
	case DW_ATE_signed:
	case DW_ATE_signed_char:
		if (bits < 64)
			v = (uint64_t)sext(v, (1ull << bits) - 1);
		put_i64(p->t, (int64_t)v);
		break;
	case DW_ATE_unsigned:
	case DW_ATE_unsigned_char:
	case DW_ATE_UTF:
		put_u64(p->t, v);
		break;
	default:
		put_str(p->t, "<unsupported>");
		return;
	}
	if (size == 1 && bit_size == 0) { /* GDB: 97 'a' */
		put_str(p->t, " '");
		put_char(p->t, (uint8_t)v, '\'');
		put_str(p->t, "'");
	}
}

/* The value of an enumerator; false when it has none. */
static bool enumerator(Dwarf_Die *e, int64_t *out)
{
	Dwarf_Attribute a;
	Dwarf_Sword s;
	Dwarf_Word u;

	if (dwarf_tag(e) != DW_TAG_enumerator || dwarf_attr(e, DW_AT_const_value, &a) == NULL)
		return false;
	if (dwarf_whatform(&a) == DW_FORM_sdata || dwarf_whatform(&a) == DW_FORM_implicit_const) {
		if (dwarf_formsdata(&a, &s) != 0)
			return false;
		*out = s;
		return true;
	}
	if (dwarf_formudata(&a, &u) != 0)
		return false;
	*out = (int64_t)u;
	return true;
}

/* An enum by its enumerator's name; a "flag enum" (every enumerator 0 or a single bit) decomposed as
 * (A | B | unknown: 0x8); else the number: GDB 13's generic_val_print_enum_1. */
static void print_enum(struct printer *p, Dwarf_Die *t, uint64_t off, uint64_t size, unsigned bit_offset,
		       unsigned bit_size)
{
	Dwarf_Die child;
	bool is_unsigned = true, flags = true, any = false, first = true;
	unsigned bits = bit_size > 0 ? bit_size : (unsigned)(8 * size);
	uint64_t v, rest;
	int64_t sv, ev;
	size_t n = 0;

	if (!scalar(p, off, size, bit_offset, bit_size, &v))
		return;
	/* GDB: unsigned when no enumerator is negative; a flag enum when each is 0 or one bit */
	if (dwarf_child(t, &child) == 0) {
		do {
			if (!enumerator(&child, &ev))
				continue;
			any = true;
			if (ev < 0)
				is_unsigned = flags = false;
			else if (__builtin_popcountll((uint64_t)ev) > 1)
				flags = false;
		} while (++n < FA_DWTYPE_MAX_MEMBERS && dwarf_siblingof(&child, &child) == 0);
	}
	sv = is_unsigned || bits >= 64 ? (int64_t)v : sext(v, (1ull << bits) - 1);
	rest = (uint64_t)sv;
	for (int pass = 0; pass < 2 && any; pass++) {
		if (pass == 1 && !flags)
			break;
		if (dwarf_child(t, &child) != 0)
			break;
		n = 0;
		do {
			const char *name = dwarf_diename(&child);

			if (!enumerator(&child, &ev))
				continue;
			if (name == NULL)
				name = "<anonymous enumerator>";
			if (pass == 0 && ev == sv) {
				put_str(p->t, name);
				return;
			}
			if (pass == 1 && ev != 0 && (rest & (uint64_t)ev) != 0) {
				put(p->t, "%s%s", first ? "(" : " | ", name);
				first = false;
				rest &= ~(uint64_t)ev;
			}
		} while (++n < FA_DWTYPE_MAX_MEMBERS && dwarf_siblingof(&child, &child) == 0);
		if (pass == 1) {
			if (rest != 0)
				put(p->t, "%sunknown: 0x%llx)", first ? "(" : " | ", (unsigned long long)rest);
			else
				put_str(p->t, first ? "0" : ")");
			return;
		}
	}
	put_i64(p->t, sv);
}

/* The string a char pointer points at, from the dump's memory (or flash): up to its NUL, ELEMENTS_MAX at most. */
static void put_pointed_string(struct printer *p, uint64_t addr)
{
	uint8_t s[ELEMENTS_MAX + 1], st[ELEMENTS_MAX + 1];
	size_t n = 0;

	mem_read(p->rn, addr, sizeof(s), s, st);
	while (n < ELEMENTS_MAX && st[n] == FA_VAR_VALUE && s[n] != 0)
		n++;
	if (st[n] != FA_VAR_VALUE && n < ELEMENTS_MAX) { /* the string runs into memory the dump lacks */
		if (n > 0) {
			put_str(p->t, " ");
			put_string(p->t, s, n, false, true);
		}
		put_str(p->t, " <not captured>");
		return;
	}
	put_str(p->t, " ");
	put_string(p->t, s, n, false, n == ELEMENTS_MAX && (st[n] != FA_VAR_VALUE || s[n] != 0));
}

/* A pointer as the report spells one (data.h: `0x20001234 <g_ring.buf[52]>`, `0x000001a5 <handler>`), and the
 * string a char pointer points at, as GDB adds it. */
static void print_pointer(struct printer *p, Dwarf_Die *t, uint64_t off, uint64_t size)
{
	char text[FA_DATA_NAME_MAX + 32];
	Dwarf_Die target, tt;
	bool typed;
	uint64_t v;

	if (!scalar(p, off, size, 0, 0, &v))
		return;
	typed = fa_dwtype_of(&target, t) == 0 && fa_dwtype_strip(&tt, &target) == 0; /* (else void *) */
	fa_data_format_pointer(p->rn->e, v, typed ? &target : NULL, text, sizeof(text));
	put_str(p->t, text);
	if (typed && v != 0 && dwarf_tag(&tt) != DW_TAG_subroutine_type && is_char(&tt))
		put_pointed_string(p, v);
}

struct members {
	struct printer *p;
	uint64_t off;
	int depth;
	bool first;
};

static int print_member(const struct fa_dwtype_member *m, void *ctx)
{
	struct members *ms = ctx;
	Dwarf_Die type;

	if (fa_dwtype_of(&type, (Dwarf_Die *)&m->die) != 0)
		return 0;
	put_str(ms->p->t, ms->first ? "" : ", ");
	ms->first = false;
	if (m->name != NULL)
		put(ms->p->t, "%s = ", m->name);
	print_value(ms->p, &type, ms->off + m->offset, m->bit_offset, m->bit_size, ms->depth + 1);
	return ms->p->t->cut ? 1 : 0;
}

static void print_array(struct printer *p, const struct fa_dwtype_array *a, size_t dim, uint64_t off, int depth)
{
	uint64_t count = a->count[dim], stride = a->stride[dim], i, things = 0, element_size = 0;
	bool last = dim + 1 == a->ndims;
	Dwarf_Die element;

	if (depth >= DEPTH_MAX) {
		put_str(p->t, "{...}");
		return;
	}
	/* char arrays as strings, when all of it is known (GDB: c_value_print_array) */
	if (last && is_char((Dwarf_Die *)&a->element) && stride == 1 && count > 0 &&
	    range_state(p->v, off, count) == FA_VAR_VALUE) {
		uint8_t s[STRING_READ], st[CHUNK], lastc = 0;
		size_t n = count < sizeof(s) ? (size_t)count : sizeof(s), k = 0;
		uint64_t len = count;
		bool ellipsis = false;

		for (size_t at = 0; at < n; at += CHUNK)
			value_get(p->v, off + at, n - at < CHUNK ? n - at : CHUNK, s + at, st);
		while (k < n && k < ELEMENTS_MAX && s[k] != 0)
			k++;
		if (k == ELEMENTS_MAX && count > ELEMENTS_MAX) /* no NUL in the first 200, and more follow */
			ellipsis = s[ELEMENTS_MAX] != 0;
		value_get(p->v, off + count - 1, 1, &lastc, st);
		if (!ellipsis && lastc == 0) /* GDB leaves out the final NUL */
			len--;
		put_string(p->t, s, len < n ? (size_t)len : n, len > n, ellipsis);
		return;
	}
	if (last && !sized(p, (Dwarf_Die *)&a->element, &element, &element_size))
		return;
	put_str(p->t, "{");
	for (i = 0; i < count && things < ELEMENTS_MAX && !p->t->cut; i++) {
		uint64_t reps = 1;

		if (i > 0)
			put_str(p->t, ", ");
		while (i + reps < count && range_equal(p->v, off + i * stride, off + (i + reps) * stride, stride))
			reps++;
		if (last)
			print_stripped(p, &element, element_size, off + i * stride, 0, 0, depth + 1);
		else
			print_array(p, a, dim + 1, off + i * stride, depth + 1);
		if (reps > REPEATS) {
			put(p->t, " <repeats %llu times>", (unsigned long long)reps);
			i += reps - 1;
			things += REPEATS;
		} else {
			things++;
		}
	}
	put(p->t, i < count ? "...}" : "}");
}

static void print_value(struct printer *p, Dwarf_Die *type, uint64_t off, unsigned bit_offset, unsigned bit_size,
			int depth)
{
	Dwarf_Die t;
	uint64_t size = 0;

	if (sized(p, type, &t, &size))
		print_stripped(p, &t, size, off, bit_offset, bit_size, depth);
}

/* A value of a type already stripped (t) and sized. */
static void print_stripped(struct printer *p, Dwarf_Die *t, uint64_t size, uint64_t off, unsigned bit_offset,
			   unsigned bit_size, int depth)
{
	int tag = dwarf_tag(t);
	unsigned state;

	if (bit_size == 0 && (state = range_state(p->v, off, size)) != FA_VAR_VALUE && state != MIXED) {
		put_str(p->t, marker(state));
		return;
	}
	switch (tag) {
	case DW_TAG_base_type:
		print_base(p, t, off, size, bit_offset, bit_size);
		return;
	case DW_TAG_enumeration_type:
		print_enum(p, t, off, size, bit_offset, bit_size);
		return;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		print_pointer(p, t, off, size);
		return;
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type: {
		struct members ms = {p, off, depth, true};

		if (depth >= DEPTH_MAX) {
			put_str(p->t, "{...}");
			return;
		}
		put_str(p->t, "{");
		if (fa_dwtype_members(t, print_member, &ms) < 0)
			put(p->t, "%s<unsupported>", ms.first ? "" : ", ");
		put_str(p->t, "}");
		return;
	}
	case DW_TAG_array_type: {
		struct fa_dwtype_array a;

		if (fa_dwtype_array(&a, t) != 0) {
			put_str(p->t, "<unsupported>");
			return;
		}
		print_array(p, &a, 0, off, depth);
		return;
	}
	default:
		put_str(p->t, "<unsupported>");
		return;
	}
}

/* ---- entry values: the caller's call-site records ---- */

static bool is_call_site(Dwarf_Die *d)
{
	int tag = dwarf_tag(d);

	return tag == DW_TAG_call_site || tag == DW_TAG_GNU_call_site;
}

static bool site_return_pc(Dwarf_Die *site, Dwarf_Addr *pc)
{
	Dwarf_Attribute attr;

	return (dwarf_attr(site, DW_AT_call_return_pc, &attr) != NULL || dwarf_attr(site, DW_AT_low_pc, &attr) != NULL) &&
	       dwarf_formaddr(&attr, pc) == 0;
}

/* The call site returning to ra, a child of one of the scopes at ra - 1 (innermost first); cached in the slot. */
static bool find_site(struct scope_slot *s, uint64_t ra, Dwarf_Die *out)
{
	if (s->site == 0) {
		s->site = -1;
		for (int i = 0; i < s->nchain && s->site < 0; i++) {
			Dwarf_Die child;
			Dwarf_Addr pc;
			size_t n = 0;

			if (dwarf_child(&s->chain[i], &child) != 0)
				continue;
			do {
				if (is_call_site(&child) && site_return_pc(&child, &pc) && pc == ra) {
					s->site_die = child;
					s->site = 1;
				}
			} while (s->site < 0 && ++n < FA_DWTYPE_MAX_MEMBERS && dwarf_siblingof(&child, &child) == 0);
			if (dwarf_tag(&s->chain[i]) == DW_TAG_subprogram)
				break;
		}
	}
	if (s->site > 0)
		*out = s->site_die;
	return s->site > 0;
}

static const char *origin_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Die origin;
	const char *name = dwarf_diename(die);

	if (name == NULL && dwarf_attr_integrate(die, DW_AT_abstract_origin, &attr) != NULL &&
	    dwarf_formref_die(&attr, &origin) != NULL)
		name = dwarf_diename(&origin);
	return name;
}

/* Evaluate a DWARF expression attribute of a call site (DW_AT_call_value, DW_AT_call_target) in the caller's
 * frame, as a value. */
static unsigned site_value(struct frame *caller, Dwarf_Die *die, unsigned name, unsigned gnu_name, uint64_t *out,
			   struct loc *why)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t n;
	struct loc l;
	uint32_t w;
	unsigned s;

	if ((dwarf_attr(die, name, &attr) == NULL && dwarf_attr(die, gnu_name, &attr) == NULL) ||
	    dwarf_getlocation(&attr, &ops, &n) != 0 || n == 0)
		return FA_VAR_OPTIMIZED_OUT;
	eval(caller, &attr, ops, n, &l);
	if (l.n != 1)
		return FA_VAR_UNSUPPORTED;
	switch (l.p[0].kind) {
	case LOC_MEMORY: /* (a value expression: what it leaves on the stack is the value) */
	case LOC_VALUE:
		*out = l.p[0].v;
		return FA_VAR_VALUE;
	case LOC_REGISTER:
		s = reg_word(caller, l.p[0].v, 0, &w);
		*out = w;
		return s;
	case LOC_UNKNOWN:
		set_note(why, "%s", l.note);
		return l.p[0].why;
	default:
		return FA_VAR_OPTIMIZED_OUT;
	}
}

static bool same_die(Dwarf_Die *a, Dwarf_Die *b)
{
	Dwarf_Attribute attr;
	Dwarf_Die origin;

	if (dwarf_dieoffset(a) == dwarf_dieoffset(b))
		return true;
	return dwarf_attr(b, DW_AT_abstract_origin, &attr) != NULL && dwarf_formref_die(&attr, &origin) != NULL &&
	       dwarf_dieoffset(&origin) == dwarf_dieoffset(a);
}

/*
 * The value a register (reg), or a parameter (param: DW_OP_GNU_parameter_ref), had when the frame's function was
 * entered: the DW_AT_call_value that the caller's call site returning to this frame records for it, evaluated in
 * the caller's frame. Only when that call site called this frame's function (a tail call in between would have
 * entered another one); never a guess: optimized out otherwise, as GDB says.
 */
static unsigned entry_value(struct frame *fr, uint64_t reg, Dwarf_Die *param, uint64_t *out, struct loc *why)
{
	struct run *rn = fr->rn;
	const struct fa_frame *cf;
	struct scope_slot spare, *s;
	struct frame caller;
	Dwarf_Die site, child, origin;
	Dwarf_Attribute attr;
	const char *callee, *called;
	bool found = false;
	size_t n = 0;

	if (fr->depth >= ENTRY_DEPTH_MAX || fr->phys + 1 >= rn->u->n || !fr->has_fn)
		return FA_VAR_OPTIMIZED_OUT;
	cf = &rn->u->frames[fr->phys + 1];
	if (cf->exception || cf->lookup + 1 != cf->pc) /* this frame was entered by an exception, not a call */
		return FA_VAR_OPTIMIZED_OUT;
	memset(&caller, 0, sizeof(caller));
	caller.rn = rn;
	caller.phys = fr->phys + 1;
	caller.f = cf;
	caller.depth = fr->depth + 1;
	caller.mask = fr->mask;
	/* a call site's values are what GCC can compute after the call returns (var-tracking takes a register for them
	 * only when the callee leaves it alone): its registers hold across the call */
	caller.across = true;
	if ((s = slot_get(rn->ix, rn->e, cf->lookup, &spare)) == NULL)
		return FA_VAR_OPTIMIZED_OUT;
	found = find_site(s, cf->pc, &site);
	caller.has_fn = s->has_fn;
	caller.fn = s->fn;
	slot_release(s, &spare);
	if (!found)
		return FA_VAR_OPTIMIZED_OUT;
	/* the site must have called this frame's function */
	callee = origin_name(&fr->fn);
	if ((dwarf_attr(&site, DW_AT_call_origin, &attr) != NULL || dwarf_attr(&site, DW_AT_abstract_origin, &attr) != NULL) &&
	    dwarf_formref_die(&attr, &origin) != NULL) {
		called = origin_name(&origin);
		if (callee == NULL || called == NULL || strcmp(callee, called) != 0)
			return FA_VAR_OPTIMIZED_OUT;
	} else {
		uint64_t target;
		const char *fname;

		if (site_value(&caller, &site, DW_AT_call_target, DW_AT_GNU_call_site_target, &target, why) != FA_VAR_VALUE ||
		    (target & ~1ull) != fa_elf_function_at(rn->e, fr->f->lookup, &fname))
			return FA_VAR_OPTIMIZED_OUT;
	}
	if (dwarf_child(&site, &child) != 0)
		return FA_VAR_OPTIMIZED_OUT;
	do {
		int tag = dwarf_tag(&child);
		Dwarf_Op *ops;
		size_t nops;

		if (tag != DW_TAG_call_site_parameter && tag != DW_TAG_GNU_call_site_parameter)
			continue;
		if (param != NULL) {
			if ((dwarf_attr(&child, DW_AT_call_parameter, &attr) == NULL &&
			     dwarf_attr(&child, DW_AT_abstract_origin, &attr) == NULL) ||
			    dwarf_formref_die(&attr, &origin) == NULL || !same_die(&origin, param))
				continue;
		} else if (dwarf_attr(&child, DW_AT_location, &attr) == NULL || dwarf_getlocation(&attr, &ops, &nops) != 0 ||
			   nops != 1 ||
			   !(ops[0].atom == DW_OP_regx ? ops[0].number == reg
						       : ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31 &&
								 (uint64_t)(ops[0].atom - DW_OP_reg0) == reg)) {
			continue;
		}
		return site_value(&caller, &child, DW_AT_call_value, DW_AT_GNU_call_site_value, out, why);
	} while (++n < FA_DWTYPE_MAX_MEMBERS && dwarf_siblingof(&child, &child) == 0);
	return FA_VAR_OPTIMIZED_OUT;
}

/* ---- variables into the report ---- */

/* Add a variable to the report's pool; false when it is full (vars_cut set). */
static bool pool_add(struct fa_report *r, size_t frame, bool arg, unsigned state, const char *name, const char *type,
		     const char *value)
{
	const char *s[3] = {name, type, value};
	size_t cap[3] = {FA_VAR_NAME_MAX, FA_VAR_TYPE_MAX, FA_VAR_VALUE_MAX}, len[3], need = 0;
	uint32_t at[3];
	struct fa_report_var *v;

	for (int i = 0; i < 3; i++) {
		len[i] = strlen(s[i]);
		if (len[i] >= cap[i])
			len[i] = cap[i] - 1;
		need += len[i] + 1;
	}
	if (r->nvars == FA_REPORT_VARS || need > FA_REPORT_VAR_TEXT - r->var_text_len) {
		r->vars_cut = true;
		return false;
	}
	for (int i = 0; i < 3; i++) {
		at[i] = (uint32_t)r->var_text_len;
		memcpy(r->var_text + r->var_text_len, s[i], len[i]);
		r->var_text[r->var_text_len + len[i]] = '\0';
		ff_text_printable(r->var_text + r->var_text_len);
		r->var_text_len += len[i] + 1;
	}
	v = &r->vars[r->nvars++];
	v->frame = (uint16_t)frame;
	v->state = (uint8_t)state;
	v->arg = arg;
	v->name = at[0];
	v->type = at[1];
	v->value = at[2];
	return true;
}

/* A value's state as a whole: FA_VAR_VALUE when any of it is known; else its bytes' one state (SYNTHETIC counts
 * as optimized out), or the first byte's when they differ. */
static unsigned whole_state(const struct value *v, unsigned *first)
{
	uint8_t b[CHUNK], st[CHUNK];
	unsigned s = range_state(v, 0, v->size);

	*first = s;
	if (s != MIXED)
		return s;
	value_get(v, 0, v->size < CHUNK ? (size_t)v->size : CHUNK, b, st);
	*first = st[0];
	for (uint64_t at = 0; at < v->size && v->fr->rn->work < WORK_MAX; at += CHUNK) {
		size_t k = v->size - at < CHUNK ? (size_t)(v->size - at) : CHUNK;

		value_get(v, at, k, b, st);
		for (size_t i = 0; i < k; i++)
			if (st[i] == FA_VAR_VALUE)
				return FA_VAR_VALUE;
	}
	return *first;
}

/* Whether a location expression at the frame's lookup pc (inside the call it makes) is also the one at its return
 * address: the variable keeps that location across the call (reg_word()). */
static bool same_after_call(const struct frame *fr, Dwarf_Attribute *attr, const Dwarf_Op *ops, size_t n)
{
	Dwarf_Op *after;
	size_t na;
	const char *a, *b;

	if (fr->phys == 0 || fr->f->exception || fr->f->lookup + 1 != fr->f->pc ||
	    fa_elf_function_at(fr->rn->e, fr->f->pc, &a) != fa_elf_function_at(fr->rn->e, fr->f->lookup, &b) ||
	    dwarf_getlocation_addr(attr, fr->f->pc, &after, &na, 1) != 1 || na != n)
		return false; /* (a call to a noreturn function can end its caller: the return address is not in it) */
	for (size_t i = 0; i < n; i++)
		if (after[i].atom != ops[i].atom || after[i].number != ops[i].number || after[i].number2 != ops[i].number2)
			return false;
	return true;
}

/* The location of a variable at the frame's pc: DW_AT_location, or its DW_AT_const_value. */
static void locate(struct frame *fr, Dwarf_Die *die, struct loc *l)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	Dwarf_Block b;
	Dwarf_Sword s;
	Dwarf_Word u;
	const char *str;
	size_t n;
	int k;

	memset(l, 0, sizeof(*l));
	l->n = 1;
	l->p[0].kind = LOC_EMPTY;
	fr->across = false;
	if (dwarf_attr_integrate(die, DW_AT_location, &attr) != NULL) {
		k = dwarf_getlocation_addr(&attr, fr->f->lookup, &ops, &n, 1);
		if (k == 1 && n > 0)
			fr->across = same_after_call(fr, &attr, ops, n);
		if (k < 0) {
			l->p[0].kind = LOC_UNKNOWN;
			l->p[0].why = FA_VAR_UNSUPPORTED;
			set_note(l, "a location libdw cannot read");
		} else if (k == 1 && n > 0) {
			eval(fr, &attr, ops, n, l);
		}
		return;
	}
	if (dwarf_attr_integrate(die, DW_AT_const_value, &attr) == NULL)
		return;
	switch (dwarf_whatform(&attr)) {
	case DW_FORM_block:
	case DW_FORM_block1:
	case DW_FORM_block2:
	case DW_FORM_block4:
		if (dwarf_formblock(&attr, &b) == 0) {
			l->p[0].kind = LOC_IMPLICIT;
			l->p[0].data = b.data;
			l->p[0].len = b.length;
		}
		return;
	case DW_FORM_string:
	case DW_FORM_strp:
	case DW_FORM_line_strp:
	case DW_FORM_strx:
	case DW_FORM_strx1:
	case DW_FORM_strx2:
	case DW_FORM_strx3:
	case DW_FORM_strx4:
		if ((str = dwarf_formstring(&attr)) != NULL) {
			l->p[0].kind = LOC_IMPLICIT;
			l->p[0].data = (const uint8_t *)str;
			l->p[0].len = strlen(str) + 1;
		}
		return;
	case DW_FORM_sdata:
	case DW_FORM_implicit_const:
		if (dwarf_formsdata(&attr, &s) == 0) {
			l->p[0].kind = LOC_VALUE;
			l->p[0].v = (uint64_t)s;
		}
		return;
	default:
		if (dwarf_formudata(&attr, &u) == 0) {
			l->p[0].kind = LOC_VALUE;
			l->p[0].v = u;
		}
		return;
	}
}

static void variable(struct fa_report *r, size_t frame, struct frame *fr, struct var_ref *ref)
{
	struct text *t = &fr->rn->ix->text;
	char spelled[FA_VAR_TYPE_MAX] = "?";
	const char *tname = ref->type != NULL ? ref->type : spelled;
	const char *name = dwarf_diename((Dwarf_Die *)&ref->die);
	struct value v = {.fr = fr};
	struct printer p = {fr->rn, &v, t};
	Dwarf_Die type;
	unsigned state, first;
	int rc;

	t->len = 0;
	t->cut = false;
	t->buf[0] = '\0';
	fr->rn->work = 0;
	rc = fa_dwtype_of(&type, &ref->die);
	if (rc == 0 && ref->type == NULL) { /* spelled once, kept with the scope (NULL out of memory: spelled again) */
		fa_dwtype_name(spelled, sizeof(spelled), &type);
		ref->type = strdup(spelled);
	}
	if (rc != 0 || fa_dwtype_size(&v.size, &type) != 0) {
		put(t, rc == 0 ? "<unsupported: a type without a size>" : "<unsupported: no type>");
		pool_add(r, frame, ref->arg, FA_VAR_UNSUPPORTED, name, tname, t->buf);
		return;
	}
	locate(fr, (Dwarf_Die *)&ref->die, &v.loc);
	state = whole_state(&v, &first);
	if (state == FA_VAR_VALUE || state == MIXED) {
		print_value(&p, &type, 0, 0, 0, 0);
		state = FA_VAR_VALUE;
	} else if (state == FA_VAR_NOT_CAPTURED && v.loc.n == 1 && v.loc.p[0].kind == LOC_MEMORY) {
		put(t, "<not captured: %llu bytes at 0x%08llx>", (unsigned long long)v.size,
		    (unsigned long long)v.loc.p[0].v);
	} else if ((state == FA_VAR_NOT_RECOVERED || state == FA_VAR_UNSUPPORTED || state == FA_VAR_NOT_CAPTURED) &&
		   v.loc.note[0] != '\0') {
		put(t, "<%s: %s>", state == FA_VAR_NOT_RECOVERED ? "not recovered" : state == FA_VAR_UNSUPPORTED
			? "unsupported" : "not captured", v.loc.note);
	} else if (state == FA_VAR_NOT_RECOVERED && v.loc.n == 1 && v.loc.p[0].kind == LOC_REGISTER) {
		char reg[24];

		reg_name(reg, sizeof(reg), v.loc.p[0].v);
		put(t, "<not recovered: %s>", reg);
	} else {
		put_str(t, marker(state));
	}
	if (state == SYNTHETIC)
		state = FA_VAR_OPTIMIZED_OUT;
	pool_add(r, frame, ref->arg, state, name, tname, t->buf);
}

int fa_vars_build(struct fa_report *r, struct fa_elf *e, const struct ff_coredump *c)
{
	struct run rn = {.e = e, .c = c, .u = &r->unwind};
	size_t func = 0;

	r->nvars = 0;
	r->var_text_len = 0;
	r->vars_cut = false;
	if (r->unwind.n == 0) /* nothing unwound (not a Cortex-M dump, a stack overflow): no frames, no variables */
		return 0;
	if ((rn.ix = index_of(e)) == NULL)
		return FF_ERR_NOMEM;
	for (size_t i = 0; i < r->n && !r->vars_cut; i++) {
		const struct fa_report_frame *rf = &r->frames[i];
		struct scope_slot spare, *s;
		struct frame fr;

		if (i > 0 && rf->phys != r->frames[i - 1].phys)
			func = 0;
		if (rf->tail_call || rf->phys < 0 || (size_t)rf->phys >= r->unwind.n)
			continue;
		memset(&fr, 0, sizeof(fr));
		fr.rn = &rn;
		fr.phys = (size_t)rf->phys;
		fr.f = &r->unwind.frames[fr.phys];
		fr.mask = UINT32_MAX; /* (a Cortex-M unwind: 32-bit) */
		if ((s = slot_get(rn.ix, e, fr.f->lookup, &spare)) == NULL)
			return FF_ERR_NOMEM;
		fr.has_fn = s->has_fn;
		fr.fn = s->fn;
		rn.ix->pinned = s;
		for (size_t k = 0; k < s->nrefs && !r->vars_cut; k++)
			if (s->refs[k].func == func)
				variable(r, i, &fr, &s->refs[k]);
		rn.ix->pinned = NULL;
		slot_release(s, &spare);
		func++;
	}
	return 0;
}

int fa_vars_eval(uint8_t *out, uint8_t *state, struct fa_elf *e, const struct ff_coredump *c,
		 const struct fa_unwind *u, size_t phys, const Dwarf_Op *ops, size_t nops, size_t size)
{
	struct run rn = {.e = e, .ix = index_of(e), .c = c, .u = u};
	struct frame fr = {.rn = &rn, .phys = phys, .f = &u->frames[phys], .mask = UINT32_MAX};
	struct value v = {.fr = &fr, .size = size};

	if (rn.ix == NULL)
		return FF_ERR_NOMEM;
	eval(&fr, NULL, ops, nops, &v.loc);
	value_get(&v, 0, size, out, state);
	for (size_t i = 0; i < size; i++)
		if (state[i] == SYNTHETIC)
			state[i] = FA_VAR_OPTIMIZED_OUT;
	return 0;
}
