/* SPDX-License-Identifier: Apache-2.0 */
/* The DIE scan (dwarf_scan.h): .debug_abbrev and the unit headers of DWARF 2-5 parsed, every DIE's attributes
 * skipped by form, depth counted without recursion, variables at fixed addresses noted on the way; untrusted
 * bytes, every read bounds-checked. */
#define _POSIX_C_SOURCE 200809L
#include <dwarf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf_bytes.h"
#include "dwarf_scan.h"

/*
 * Walks of a DIE tree that recurse (libdw's dwarf_getscopes(), on through DW_TAG_imported_unit into the units a
 * unit imports; elf.c's search for call sites) take about 240 bytes of stack a level: 300,000 nested DIEs
 * overflow an 8 MiB stack. elf.c no longer calls dwarf_getscopes() (it leaks on broken DWARF); the bound keeps
 * whatever recurses there bounded. C and C++ code nests
 * 10 to 40 deep (libpython: 40): the unit, a namespace or two, a class, a function, its lexical blocks, then two
 * levels (inlined subroutine, lexical block) per call of an inline chain. 256 is several times that, and takes
 * libdw about 60 KiB of stack: small beside any thread's (tests/unit/analysis/test_elf.c measures it).
 */
#define DIE_DEPTH_MAX 256u

/* The sections libdw reads DIEs from, in pairs: units of a .debug_types refer (DW_FORM_ref_addr) into the
 * .debug_info before it, and both take their abbreviations from the pair's k_abbrev_sections[i / 2]. */
static const char *const k_die_sections[] = {".debug_info", ".debug_types", ".debug_info.dwo", ".debug_types.dwo"};
static const char *const k_abbrev_sections[] = {".debug_abbrev", ".debug_abbrev.dwo"};
#define NSECTIONS 4

/* An attribute of an abbreviation. Those that have a size of their own (form_size() in the units the table is
 * sized for) and need not be read are skipped in runs: the others (variable sizes, DW_AT_sibling, DW_AT_import, a
 * variable's DW_AT_location) form a chain, each with the bytes to skip before it. */
struct attr_spec {
	uint64_t name, form;
	uint64_t before; /* in the chain: the bytes of the attributes skipped before it */
	size_t next;     /* in the chain: the index of the next one; its abbreviation's nspecs at the end */
};

struct abbrev {
	uint64_t code, tag;
	bool children;
	size_t spec, nspecs; /* its attributes: specs[spec .. spec + nspecs) of its table */
	size_t location;     /* of a DW_TAG_variable, the index among them of a DW_AT_location held in a block (an
			      * expression, not a location list); SIZE_MAX else */
	size_t first;        /* the first attribute of the chain (attr_spec); nspecs when it is empty */
	uint64_t tail;       /* the bytes of the attributes after the chain's last, skipped at once */
};

/* The abbreviation table last read: units are scanned in the order of their tables, so each is read once. */
struct abbrev_table {
	int pair;            /* the k_abbrev_sections index of its section; -1 before the first */
	uint64_t off, end;   /* where it starts and ends in that section */
	struct abbrev *v;    /* sorted by code */
	size_t n, cap;
	struct attr_spec *specs;
	size_t nspecs, cap_specs;
	uint32_t sized_for;  /* the unit parameters (sizes_of()) its abbreviations' fixed sizes are for; 0 none */
};

struct unit {
	uint64_t off, end;   /* where its header starts and where it ends, in its section */
	uint64_t dies;       /* where its first DIE starts */
	uint64_t abbrev_off;
	uint64_t depth;      /* its deepest DIE's, its own DIE being 1; then with what the units it imports add */
	size_t imp, nimp;    /* its DW_TAG_imported_unit DIEs: imports[imp .. imp + nimp) */
	uint8_t section;     /* index in k_die_sections */
	uint8_t version, addr_size, offset_size;
	uint8_t state;       /* in the search for the longest chain of imports: 0 not seen, 1 on the path, 2 done */
};

struct import {
	uint64_t depth;      /* the DW_TAG_imported_unit DIE's */
	uint64_t target;     /* DW_AT_import: an offset in k_die_sections[section] */
	uint8_t section;
};

struct dwarf_scan {
	const char *path;
	struct ff_error *err;
	bool msb;
	const uint8_t *data[NSECTIONS], *abbrev[NSECTIONS / 2];
	size_t size[NSECTIONS], abbrev_size[NSECTIONS / 2];
	struct unit *units;  /* by section, then by offset */
	size_t nunits, cap_units;
	size_t first[NSECTIONS + 1]; /* each section's units: units[first[i] .. first[i + 1]) */
	struct import *imports;
	size_t nimports, cap_imports;
	struct abbrev_table table;
	uint64_t at;         /* the DIE being read, for messages */
	struct fa_dwarf_fixed *fixed; /* the variables at fixed addresses in .debug_info */
	size_t nfixed, cap_fixed;
};

/* Room for element n of an array that grows by doubling. Returns the array (moved, maybe); NULL when memory is
 * short, v then unchanged. */
static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap != 0 ? 2 * *cap : 64;

	if (n < *cap)
		return v;
	if (want > SIZE_MAX / size || (v = realloc(v, want * size)) == NULL)
		return NULL;
	*cap = want;
	return v;
}

/* Refuse the file for something wrong in unit u: "the DWARF unit at 0x.. in .debug_info " + what. */
__attribute__((format(printf, 4, 5))) static int unit_error(const struct dwarf_scan *s, const struct unit *u,
							     int code, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ff_error_set(s->err, code, "elf: %s: the DWARF unit at 0x%llx in %s %s", s->path,
			    (unsigned long long)u->off, k_die_sections[u->section], what);
}

static int cut_short(const struct dwarf_scan *s, const struct unit *u)
{
	return unit_error(s, u, FF_ERR_MALFORMED, "is cut short: its DIE at 0x%llx runs past its end",
			  (unsigned long long)s->at);
}

static int nomem(const struct dwarf_scan *s)
{
	return ff_error_set(s->err, FF_ERR_NOMEM, "elf: %s: out of memory reading its DWARF", s->path);
}

static bool is_ref(uint64_t form) /* a reference within the unit */
{
	return form == DW_FORM_ref1 || form == DW_FORM_ref2 || form == DW_FORM_ref4 || form == DW_FORM_ref8 ||
	       form == DW_FORM_ref_udata;
}

/* The bytes a value of this form takes in unit u; -1 when that depends on the value (or the form is unknown). */
static int form_size(const struct unit *u, uint64_t form)
{
	switch (form) {
	case DW_FORM_flag_present:
	case DW_FORM_implicit_const: /* the value is in the abbreviation */
		return 0;
	case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag: case DW_FORM_strx1: case DW_FORM_addrx1:
		return 1;
	case DW_FORM_data2: case DW_FORM_ref2: case DW_FORM_strx2: case DW_FORM_addrx2:
		return 2;
	case DW_FORM_strx3: case DW_FORM_addrx3:
		return 3;
	case DW_FORM_data4: case DW_FORM_ref4: case DW_FORM_ref_sup4: case DW_FORM_strx4: case DW_FORM_addrx4:
		return 4;
	case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8: case DW_FORM_ref_sup8:
		return 8;
	case DW_FORM_data16:
		return 16;
	case DW_FORM_addr:
		return u->addr_size;
	case DW_FORM_ref_addr: /* DWARF 2 made it address-sized */
		return u->version == 2 ? u->addr_size : u->offset_size;
	case DW_FORM_strp: case DW_FORM_sec_offset: case DW_FORM_line_strp: case DW_FORM_strp_sup:
	case DW_FORM_GNU_ref_alt: case DW_FORM_GNU_strp_alt:
		return u->offset_size;
	default:
		return -1;
	}
}

static bool is_block(uint64_t form)
{
	return form == DW_FORM_block1 || form == DW_FORM_block2 || form == DW_FORM_block4 || form == DW_FORM_block ||
	       form == DW_FORM_exprloc;
}

/* The length of a block form's value, read from its start (r then at its bytes). */
static bool rd_block_len(struct rd *r, uint64_t form, uint64_t *len)
{
	if (form == DW_FORM_block || form == DW_FORM_exprloc)
		return rd_leb(r, len);
	return rd_uint(r, form == DW_FORM_block1 ? 1 : form == DW_FORM_block2 ? 2 : 4, len);
}

/*
 * Read (skip) one attribute value of the given form in unit u. value: (out) the value of constant and reference
 * forms, 0 for the others; form_out: (out) the form, DW_FORM_indirect resolved.
 */
static int read_form(const struct dwarf_scan *s, const struct unit *u, struct rd *r, uint64_t form, uint64_t *value,
		     uint64_t *form_out)
{
	int n = form_size(u, form);
	const uint8_t *nul;
	uint64_t len = 0;

	*value = 0;
	*form_out = form;
	if (n >= 0)
		return (n > 8 ? rd_skip(r, (unsigned)n) : rd_uint(r, (unsigned)n, value)) ? 0 : cut_short(s, u);
	switch (form) {
	case DW_FORM_sdata: case DW_FORM_udata: case DW_FORM_ref_udata: case DW_FORM_strx: case DW_FORM_addrx:
	case DW_FORM_loclistx: case DW_FORM_rnglistx: case DW_FORM_GNU_addr_index: case DW_FORM_GNU_str_index:
		return rd_leb(r, value) ? 0 : cut_short(s, u);
	case DW_FORM_string:
		nul = memchr(r->p, 0, (size_t)(r->end - r->p));
		return nul != NULL && rd_skip(r, (uint64_t)(nul - r->p) + 1) ? 0 : cut_short(s, u);
	case DW_FORM_block1: case DW_FORM_block2: case DW_FORM_block4: case DW_FORM_block: case DW_FORM_exprloc:
		return rd_block_len(r, form, &len) && rd_skip(r, len) ? 0 : cut_short(s, u);
	case DW_FORM_indirect: /* the form is in the DIE; indirect again, or a form without bytes, is nonsense */
		if (!rd_leb(r, &form))
			return cut_short(s, u);
		if (form == DW_FORM_indirect || form == DW_FORM_implicit_const || form > UINT32_MAX)
			return unit_error(s, u, FF_ERR_MALFORMED, "has a DIE (at 0x%llx) whose indirect form is 0x%llx",
					  (unsigned long long)s->at, (unsigned long long)form);
		return read_form(s, u, r, form, value, form_out);
	default:
		return unit_error(s, u, FF_ERR_MALFORMED, "has a DIE (at 0x%llx) with attribute form 0x%llx, which "
				  "faultline does not know", (unsigned long long)s->at, (unsigned long long)form);
	}
}

static int cmp_code(const void *a, const void *b)
{
	const struct abbrev *x = a, *y = b;

	return x->code < y->code ? -1 : x->code > y->code;
}

static int table_cut(const struct dwarf_scan *s, const struct unit *u)
{
	return unit_error(s, u, FF_ERR_MALFORMED, "has its abbreviation table (at 0x%llx) cut short",
			  (unsigned long long)u->abbrev_off);
}

/* A value libdw keeps in 32 bits (abbreviation codes, tags, attribute names and forms: __libdw_getabbrev(),
 * __libdw_findabbrev()) that does not fit: libdw would read it cut to its low 32 bits, this scan whole. */
static int past_32_bits(const struct dwarf_scan *s, const struct unit *u, const char *what, uint64_t v)
{
	return unit_error(s, u, FF_ERR_MALFORMED, "has %s of 0x%llx, past 32 bits", what, (unsigned long long)v);
}

/* Read the abbreviation table unit u names: codes, tags, children flags, attributes and their forms. */
static int read_table(struct dwarf_scan *s, const struct unit *u)
{
	struct abbrev_table *t = &s->table;
	int pair = u->section / 2;
	struct rd r = {s->abbrev[pair], s->abbrev[pair] + s->abbrev_size[pair], s->msb};
	uint64_t children, name, form, value;
	void *p;

	/* A table that starts inside another (no producer writes that) would make tables be read again and again:
	 * time growing with the square of the section's size. */
	if (u->abbrev_off >= s->abbrev_size[pair] || (t->pair == pair && u->abbrev_off < t->end))
		return unit_error(s, u, FF_ERR_MALFORMED, "has its abbreviations at 0x%llx, %s",
				  (unsigned long long)u->abbrev_off, u->abbrev_off >= s->abbrev_size[pair] ?
				  "past the end of its .debug_abbrev" : "inside another unit's table");
	r.p += u->abbrev_off;
	t->pair = pair;
	t->off = u->abbrev_off;
	t->n = t->nspecs = 0;
	t->sized_for = 0;
	for (;;) {
		struct abbrev a = {0, 0, false, t->nspecs, 0, SIZE_MAX, 0, 0};

		if (!rd_leb(&r, &a.code))
			return table_cut(s, u);
		if (a.code == 0)
			break;
		if (!rd_leb(&r, &a.tag) || !rd_uint(&r, 1, &children))
			return table_cut(s, u);
		if (a.code > UINT32_MAX || a.tag > UINT32_MAX)
			return past_32_bits(s, u, "an abbreviation code or tag", a.code > UINT32_MAX ? a.code : a.tag);
		if (children > DW_CHILDREN_yes) /* libdw would read it as "no" */
			return unit_error(s, u, FF_ERR_MALFORMED, "has abbreviation %llu with the children flag %llu",
					  (unsigned long long)a.code, (unsigned long long)children);
		a.children = children == DW_CHILDREN_yes;
		for (bool sibling = false;;) {
			if (!rd_leb(&r, &name) || !rd_leb(&r, &form) ||
			    (form == DW_FORM_implicit_const && !rd_leb(&r, &value)))
				return table_cut(s, u);
			if (name == 0 && form == 0)
				break;
			if (name > UINT32_MAX || form > UINT32_MAX)
				return past_32_bits(s, u, "an attribute name or form", name > UINT32_MAX ? name : form);
			/* libdw follows the first, this scan would check the last */
			if (name == DW_AT_sibling && sibling)
				return unit_error(s, u, FF_ERR_MALFORMED, "has abbreviation %llu with two DW_AT_sibling",
						  (unsigned long long)a.code);
			sibling = sibling || name == DW_AT_sibling;
			if (a.tag == DW_TAG_variable && name == DW_AT_location && is_block(form) && a.location == SIZE_MAX)
				a.location = a.nspecs;
			if ((p = grow(t->specs, &t->cap_specs, t->nspecs, sizeof(*t->specs))) == NULL)
				return nomem(s);
			t->specs = p;
			t->specs[t->nspecs++] = (struct attr_spec){name, form, 0, 0};
			a.nspecs++;
		}
		if ((p = grow(t->v, &t->cap, t->n, sizeof(*t->v))) == NULL)
			return nomem(s);
		t->v = p;
		t->v[t->n++] = a;
	}
	t->end = (uint64_t)(r.p - s->abbrev[pair]);
	for (size_t i = 1; i < t->n; i++) {
		if (t->v[i].code < t->v[i - 1].code) { /* producers number them 1, 2, 3...: then in order already */
			qsort(t->v, t->n, sizeof(*t->v), cmp_code);
			break;
		}
	}
	for (size_t i = 1; i < t->n; i++) /* libdw would take one of the two, this scan maybe the other */
		if (t->v[i].code == t->v[i - 1].code)
			return unit_error(s, u, FF_ERR_MALFORMED, "has abbreviation %llu defined twice",
					  (unsigned long long)t->v[i].code);
	return 0;
}

static const struct abbrev *find_abbrev(const struct abbrev_table *t, uint64_t code)
{
	struct abbrev key = {.code = code};

	if (t->n == 0)
		return NULL;
	if (code - 1 < t->n && t->v[code - 1].code == code) /* producers number them 1, 2, 3... */
		return &t->v[code - 1];
	return bsearch(&key, t->v, t->n, sizeof(*t->v), cmp_code);
}

static int header_cut(const struct dwarf_scan *s, const struct unit *u)
{
	return unit_error(s, u, FF_ERR_MALFORMED, "is cut short: its header or its length runs past the section's end");
}

/* Read the header of the unit at off in section sec into u. */
static int read_header(struct dwarf_scan *s, int sec, uint64_t off, struct unit *u)
{
	struct rd r = {s->data[sec] + off, s->data[sec] + s->size[sec], s->msb};
	uint64_t len, version, type = DW_UT_compile, size = 0;
	bool types = sec % 2 == 1;

	memset(u, 0, sizeof(*u));
	u->off = off;
	u->section = (uint8_t)sec;
	u->offset_size = 4;
	if (!rd_uint(&r, 4, &len))
		return header_cut(s, u);
	if (len == 0xffffffffu) { /* 64-bit DWARF */
		u->offset_size = 8;
		if (!rd_uint(&r, 8, &len))
			return header_cut(s, u);
	} else if (len >= 0xfffffff0u) {
		return unit_error(s, u, FF_ERR_MALFORMED, "has the reserved length 0x%llx", (unsigned long long)len);
	}
	if (len > (uint64_t)(r.end - r.p))
		return header_cut(s, u);
	r.end = r.p + len;
	u->end = (uint64_t)(r.end - s->data[sec]);
	if (!rd_uint(&r, 2, &version))
		return header_cut(s, u);
	if (version < 2 || version > (types ? 4u : 5u))
		return unit_error(s, u, FF_ERR_UNSUPPORTED, "is DWARF version %llu: faultline reads 2 to 5",
				  (unsigned long long)version);
	u->version = (uint8_t)version;
	if (version == 5 && (!rd_uint(&r, 1, &type) || !rd_uint(&r, 1, &size))) /* DWARF 5 moved the address size */
		return header_cut(s, u);
	if (!rd_uint(&r, u->offset_size, &u->abbrev_off) || (version < 5 && !rd_uint(&r, 1, &size)))
		return header_cut(s, u);
	/* libdw takes any other size for 8 (__libdw_intern_next_unit): DW_FORM_addr would be 8 bytes to it */
	if (size != 4 && size != 8)
		return unit_error(s, u, FF_ERR_UNSUPPORTED, "has addresses of %llu bytes: faultline reads 4 or 8",
				  (unsigned long long)size);
	u->addr_size = (uint8_t)size;
	if (types || type == DW_UT_type || type == DW_UT_split_type) {
		if (!rd_skip(&r, 8 + (uint64_t)u->offset_size)) /* type signature, type offset */
			return header_cut(s, u);
	} else if (type == DW_UT_skeleton || type == DW_UT_split_compile) {
		if (!rd_skip(&r, 8)) /* dwo_id */
			return header_cut(s, u);
	} else if (type != DW_UT_compile && type != DW_UT_partial) {
		return unit_error(s, u, FF_ERR_UNSUPPORTED, "is of unit type 0x%llx, which faultline does not know",
				  (unsigned long long)type);
	}
	u->dies = (uint64_t)(r.p - s->data[sec]);
	return 0;
}

/* What decides the sizes of forms in unit u. */
static uint32_t sizes_of(const struct unit *u)
{
	return (uint32_t)u->version | (uint32_t)u->addr_size << 8 | (uint32_t)u->offset_size << 16;
}

/* Size the abbreviations of the table for unit u, chaining the attributes that are read (attr_spec): most DIEs
 * are then skipped in one step, the others in a few. */
static void size_table(struct abbrev_table *t, const struct unit *u)
{
	for (size_t i = 0; i < t->n; i++) {
		struct abbrev *a = &t->v[i];
		size_t *link = &a->first;
		uint64_t run = 0;

		for (size_t k = 0; k < a->nspecs; k++) {
			struct attr_spec *spec = &t->specs[a->spec + k];
			int n = form_size(u, spec->form);
			bool read = spec->name == DW_AT_sibling || k == a->location ||
				    (spec->name == DW_AT_import && a->tag == DW_TAG_imported_unit);

			if (n >= 0 && !read) {
				run += (unsigned)n;
				continue;
			}
			spec->before = run;
			run = 0;
			*link = k;
			link = &spec->next;
		}
		*link = a->nspecs;
		a->tail = run;
	}
	t->sized_for = sizes_of(u);
}

/* Where the DW_AT_sibling of the last DIE at a depth said the next one is. */
struct sibling {
	uint64_t at;
	bool set;
};

static int bad_sibling(const struct dwarf_scan *s, const struct unit *u, uint64_t to)
{
	return unit_error(s, u, FF_ERR_MALFORMED, "has a DW_AT_sibling pointing to 0x%llx, which is not the next "
			  "sibling (at 0x%llx)", (unsigned long long)to, (unsigned long long)s->at);
}

/* Note the variable of unit u whose location (an expression of len bytes at p) is a fixed address, when it is
 * one: the expression is one DW_OP_addr (its address read here) or starts with DW_OP_addrx (resolved by libdw). */
static int note_fixed(struct dwarf_scan *s, const struct unit *u, const uint8_t *p, uint64_t len,
		      uint64_t function)
{
	struct fa_dwarf_fixed f = {s->at, function, 0, false};
	struct rd r;
	void *v;

	if (len == 0)
		return 0;
	r = (struct rd){p + 1, p + len, s->msb};
	if (p[0] == DW_OP_addr) {
		if (len != 1u + u->addr_size || !rd_uint(&r, u->addr_size, &f.addr))
			return 0; /* more than the one operation: no fixed address; fewer bytes: none libdw reads */
		f.has_addr = true;
	} else if (p[0] != DW_OP_addrx && p[0] != DW_OP_GNU_addr_index) {
		return 0;
	}
	if ((v = grow(s->fixed, &s->cap_fixed, s->nfixed, sizeof(*s->fixed))) == NULL)
		return nomem(s);
	s->fixed = v;
	s->fixed[s->nfixed++] = f;
	return 0;
}

/*
 * Scan the DIEs of unit u, its abbreviation table read: its depth, its imports and (in .debug_info) its variables
 * at fixed addresses. Every DW_AT_sibling must point where the next sibling is: libdw follows it, and one pointing
 * elsewhere would give libdw another tree than the one measured here (loops included).
 */
static int scan_dies(struct dwarf_scan *s, struct unit *u)
{
	const uint8_t *sec = s->data[u->section];
	struct rd r = {sec + u->dies, sec + u->end, s->msb};
	struct sibling sibling[DIE_DEPTH_MAX + 2]; /* by depth; deeper DIEs are refused anyway */
	uint64_t function[DIE_DEPTH_MAX + 2];      /* by level: the DW_TAG_subprogram its DIEs are in; 0 none */
	uint64_t level = 0, code, depth;            /* level: DIEs whose children are being read */
	uint64_t cleared = 0;                       /* sibling[0 .. cleared) are set: most units use a few */
	void *p;
	int rc;

	if (s->table.sized_for != sizes_of(u))
		size_table(&s->table, u);
	while (r.p < r.end) {
		const struct abbrev *a;
		const struct attr_spec *spec;

		depth = level + 1; /* of the entry: a DIE, or the 0 that ends its parent's children */
		s->at = (uint64_t)(r.p - sec);
		if (depth < DIE_DEPTH_MAX + 2) {
			while (cleared <= depth) /* (depth grows by one at a time) */
				sibling[cleared++].set = false;
			if (sibling[depth].set && sibling[depth].at != s->at)
				return bad_sibling(s, u, sibling[depth].at);
			sibling[depth].set = false;
		}
		if (!rd_leb(&r, &code))
			return cut_short(s, u);
		if (code > UINT32_MAX)
			return past_32_bits(s, u, "a DIE abbreviation code", code);
		if (code == 0) {
			level -= level > 0; /* (a 0 at the top: padding) */
			continue;
		}
		if ((a = find_abbrev(&s->table, code)) == NULL)
			return unit_error(s, u, FF_ERR_MALFORMED, "has a DIE (at 0x%llx) of abbreviation code %llu, "
					  "which its table at 0x%llx does not define", (unsigned long long)s->at,
					  (unsigned long long)code, (unsigned long long)u->abbrev_off);
		if (depth > u->depth)
			u->depth = depth;
		if (a->children && depth < DIE_DEPTH_MAX + 2)
			function[depth] = a->tag == DW_TAG_subprogram ? s->at : level == 0 ? 0 : function[level];
		for (size_t i = a->first; i < a->nspecs; i = spec->next) {
			uint64_t value, form, len;

			spec = &s->table.specs[a->spec + i];
			if (!rd_skip(&r, spec->before))
				return cut_short(s, u);
			if (i == a->location && u->section == 0 && depth < DIE_DEPTH_MAX + 2) {
				if (!rd_block_len(&r, spec->form, &len) || len > (uint64_t)(r.end - r.p))
					return cut_short(s, u);
				if ((rc = note_fixed(s, u, r.p, len, level == 0 ? 0 : function[level])) != 0)
					return rc;
				r.p += len;
				continue;
			}
			if ((rc = read_form(s, u, &r, spec->form, &value, &form)) != 0)
				return rc;
			if (spec->name == DW_AT_sibling && depth < DIE_DEPTH_MAX + 2) {
				if (!is_ref(form))
					return unit_error(s, u, FF_ERR_MALFORMED, "has a DW_AT_sibling (at 0x%llx) of "
							  "form 0x%llx", (unsigned long long)s->at,
							  (unsigned long long)form);
				sibling[depth] = (struct sibling){u->off + value, true};
			}
			if (spec->name != DW_AT_import || a->tag != DW_TAG_imported_unit)
				continue;
			if (form == DW_FORM_ref_sig8)
				return unit_error(s, u, FF_ERR_MALFORMED, "imports a type unit (at 0x%llx)",
						  (unsigned long long)s->at);
			/* (libdw follows no other form: into a supplementary file, which faultline never reads, or a
			 * value that is no reference) */
			if (form != DW_FORM_ref_addr && !is_ref(form))
				continue;
			if ((p = grow(s->imports, &s->cap_imports, s->nimports, sizeof(*s->imports))) == NULL)
				return nomem(s);
			s->imports = p;
			s->imports[s->nimports++] = form == DW_FORM_ref_addr
				? (struct import){depth, value, (uint8_t)(u->section & ~1)}
				: (struct import){depth, u->off + value, u->section};
			u->nimp++;
		}
		if (!rd_skip(&r, a->tail))
			return cut_short(s, u);
		level += a->children;
	}
	s->at = u->end; /* the siblings still expected are at the end, or nowhere */
	for (depth = 1; depth <= level + 1 && depth < cleared; depth++)
		if (sibling[depth].set && sibling[depth].at != s->at)
			return bad_sibling(s, u, sibling[depth].at);
	return 0;
}

/* The unit of section sec that holds offset off; NULL when none does. */
static struct unit *unit_at(struct dwarf_scan *s, int sec, uint64_t off)
{
	size_t lo = s->first[sec], hi = s->first[sec + 1];

	while (lo < hi) { /* the first unit ending past off */
		size_t mid = lo + (hi - lo) / 2;

		if (s->units[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->first[sec + 1] && s->units[lo].off <= off ? &s->units[lo] : NULL;
}

/*
 * Add to each unit's depth what its imports add: libdw walks an imported unit's DIEs as if they were under the
 * DW_TAG_imported_unit DIE, and on through the units that one imports. A unit's depth becomes the most, over its
 * imports, of the import's depth plus the imported unit's (a DIE inside a unit imports at most as deep as the
 * unit: counted as the whole unit). Depth-first without recursion, each unit once; a cycle is refused (libdw
 * would recurse along it forever).
 */
static int add_imports(struct dwarf_scan *s)
{
	struct step {
		struct unit *u;
		size_t next; /* its next import to follow */
	} *path = malloc(s->nunits * sizeof(*path));
	size_t n = 0;
	int rc = 0;

	if (path == NULL)
		return nomem(s);
	for (size_t i = 0; i < s->nunits; i++) {
		if (s->units[i].state != 0)
			continue;
		s->units[i].state = 1;
		path[n++] = (struct step){&s->units[i], s->units[i].imp};
		while (n > 0) {
			struct step *top = &path[n - 1];
			const struct import *im;
			struct unit *v;

			if (top->next == top->u->imp + top->u->nimp) { /* done: its depth is what its parent adds */
				top->u->state = 2;
				if (--n > 0) {
					im = &s->imports[path[n - 1].next - 1];
					if (im->depth + top->u->depth > path[n - 1].u->depth)
						path[n - 1].u->depth = im->depth + top->u->depth;
				}
				continue;
			}
			im = &s->imports[top->next++];
			if ((v = unit_at(s, im->section, im->target)) == NULL)
				continue; /* at no unit: libdw finds no DIE to walk */
			if (v->state == 1) {
				rc = unit_error(s, top->u, FF_ERR_MALFORMED, "imports units in a cycle (DW_TAG_imported_unit), "
						"back to the unit at 0x%llx", (unsigned long long)v->off);
				goto done;
			}
			if (v->state == 2) {
				if (im->depth + v->depth > top->u->depth)
					top->u->depth = im->depth + v->depth;
				continue;
			}
			v->state = 1;
			path[n++] = (struct step){v, v->imp};
		}
	}
done:
	free(path);
	return rc;
}

static int too_deep(const struct dwarf_scan *s, const struct unit *u, const char *how)
{
	return ff_error_set(s->err, FF_ERR_TOO_LARGE, "elf: %s: its DWARF nests DIEs %llu deep (unit at 0x%llx in "
			    "%s%s), more than the %u faultline reads: refused", s->path, (unsigned long long)u->depth,
			    (unsigned long long)u->off, k_die_sections[u->section], how, DIE_DEPTH_MAX);
}

bool fa_dwarf_name_is(const char *name, const char *want)
{
	if (strncmp(name, ".gnu.debuglto_", 14) == 0)
		name += 14;
	if (strncmp(name, ".zdebug", 7) == 0)
		return strcmp(name + 7, want + 6) == 0;
	return strcmp(name, want) == 0;
}

/* Find the sections of k_die_sections and k_abbrev_sections, as libdw left them (inflated, relocated). */
static int find_sections(Elf *elf, struct dwarf_scan *s)
{
	const char *const *names[2] = {k_die_sections, k_abbrev_sections};
	Elf_Scn *scn = NULL;
	size_t strndx;

	if (elf_getshdrstrndx(elf, &strndx) != 0)
		return ff_error_set(s->err, FF_ERR_MALFORMED, "elf: %s: its section names cannot be read", s->path);
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (gelf_getshdr(scn, &sh) == NULL || (name = elf_strptr(elf, strndx, sh.sh_name)) == NULL)
			continue;
		/* a package file's units take their abbreviations at offsets its index adds (newer libdw): the scan
		 * would read other tables than libdw does */
		if (fa_dwarf_name_is(name, ".debug_cu_index") || fa_dwarf_name_is(name, ".debug_tu_index"))
			return ff_error_set(s->err, FF_ERR_UNSUPPORTED, "elf: %s is a DWARF package file (%s): "
					    "upload the executable's ELF, with its DWARF in it", s->path, name);
		for (int kind = 0; kind < 2; kind++) {
			for (int i = 0; i < (kind == 0 ? NSECTIONS : NSECTIONS / 2); i++) {
				const uint8_t **data = kind == 0 ? &s->data[i] : &s->abbrev[i];
				size_t *size = kind == 0 ? &s->size[i] : &s->abbrev_size[i];

				if (!fa_dwarf_name_is(name, names[kind][i]))
					continue;
				/* libdw would read one of the two, this scan maybe the other */
				if (*data != NULL)
					return ff_error_set(s->err, FF_ERR_MALFORMED, "elf: %s has two %s sections",
							    s->path, names[kind][i]);
				d = sh.sh_type != SHT_NOBITS ? elf_getdata(scn, NULL) : NULL;
				if (d == NULL || d->d_buf == NULL || d->d_size == 0)
					continue;
				/* libdw inflates them when it opens the file: one still compressed is broken */
				if ((sh.sh_flags & SHF_COMPRESSED) ||
				    (strncmp(name, ".zdebug", 7) == 0 && d->d_size >= 4 && memcmp(d->d_buf, "ZLIB", 4) == 0))
					return ff_error_set(s->err, FF_ERR_MALFORMED, "elf: %s: section %s cannot be "
							    "inflated", s->path, name);
				*data = d->d_buf;
				*size = d->d_size;
			}
		}
	}
	return 0;
}

struct scan_order {
	uint64_t abbrev_off;
	uint32_t sizes; /* sizes_of() the unit */
	size_t pair, unit;
};

static int cmp_order(const void *a, const void *b)
{
	const struct scan_order *x = a, *y = b;

	if (x->pair != y->pair)
		return x->pair < y->pair ? -1 : 1;
	if (x->abbrev_off != y->abbrev_off)
		return x->abbrev_off < y->abbrev_off ? -1 : 1;
	if (x->sizes != y->sizes) /* each table sized once for each kind of unit that reads it */
		return x->sizes < y->sizes ? -1 : 1;
	return x->unit < y->unit ? -1 : x->unit > y->unit;
}

/*
 * The DIE trees of every unit nest at most DIE_DEPTH_MAX deep, imported units included: checked by a linear scan
 * of the bytes (libdw's walks recurse, and dwarf_siblingof() skips a subtree again at each level), which parses
 * the abbreviations and skips every attribute by its form. Anything the scan cannot read as libdw would is
 * refused as malformed, naming the unit.
 */
int fa_dwarf_scan(Elf *elf, const char *path, struct fa_dwarf_fixed **fixed, size_t *nfixed, struct ff_error *err)
{
	struct dwarf_scan s = {.path = path, .err = err, .table.pair = -1};
	struct scan_order *order = NULL;
	GElf_Ehdr ehdr;
	void *p;
	int rc;

	if (gelf_getehdr(elf, &ehdr) == NULL)
		return ff_error_set(err, FF_ERR_MALFORMED, "elf: %s: cannot read the ELF header", path);
	s.msb = ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
	if ((rc = find_sections(elf, &s)) != 0)
		goto done;
	for (int sec = 0; sec < NSECTIONS; sec++) {
		s.first[sec] = s.nunits;
		for (uint64_t off = 0; off < s.size[sec]; off = s.units[s.nunits++].end) {
			if ((p = grow(s.units, &s.cap_units, s.nunits, sizeof(*s.units))) == NULL) {
				rc = nomem(&s);
				goto done;
			}
			s.units = p;
			if ((rc = read_header(&s, sec, off, &s.units[s.nunits])) != 0)
				goto done;
			if (s.abbrev[sec / 2] == NULL) {
				rc = unit_error(&s, &s.units[s.nunits], FF_ERR_MALFORMED, "has no %s to read it with",
						k_abbrev_sections[sec / 2]);
				goto done;
			}
		}
	}
	s.first[NSECTIONS] = s.nunits;
	if (s.nunits > 0 && (order = malloc(s.nunits * sizeof(*order))) == NULL) {
		rc = nomem(&s);
		goto done;
	}
	for (size_t i = 0; i < s.nunits; i++)
		order[i] = (struct scan_order){s.units[i].abbrev_off, sizes_of(&s.units[i]), s.units[i].section / 2u, i};
	if (s.nunits > 1) /* each table read once, however units share them, and sized once per sizes_of() */
		qsort(order, s.nunits, sizeof(*order), cmp_order);
	for (size_t i = 0; i < s.nunits; i++) {
		struct unit *u = &s.units[order[i].unit];

		if ((s.table.pair != u->section / 2 || s.table.off != u->abbrev_off) && (rc = read_table(&s, u)) != 0)
			goto done;
		u->imp = s.nimports;
		if ((rc = scan_dies(&s, u)) != 0)
			goto done;
		if (u->depth > DIE_DEPTH_MAX) {
			rc = too_deep(&s, u, "");
			goto done;
		}
	}
	if (s.nimports > 0 && (rc = add_imports(&s)) != 0)
		goto done;
	for (size_t i = 0; i < s.nunits; i++) {
		if (s.units[i].depth > DIE_DEPTH_MAX) {
			rc = too_deep(&s, &s.units[i], ", through the units it imports");
			goto done;
		}
	}
	if (rc == 0) {
		*fixed = s.fixed;
		*nfixed = s.nfixed;
		s.fixed = NULL;
	}
done:
	free(s.fixed);
	free(order);
	free(s.units);
	free(s.imports);
	free(s.table.v);
	free(s.table.specs);
	return rc;
}

