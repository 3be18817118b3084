/* SPDX-License-Identifier: Apache-2.0 */
/* DWARF type DIEs (dwtype.h): every walk counts its steps, so hostile DWARF ends in FF_ERR_MALFORMED. */
#include <assert.h>
#include <dwarf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dwtype.h"

/* The spelling of a type is built in buffers of this size, one per level of nesting. */
#define NAME_ROOM 256

/* Types spelled in one fa_dwtype_name() call, in total: parameters of parameters would otherwise multiply. */
#define MAX_SPELL_STEPS 512

static bool is_qualifier(int tag)
{
	return tag == DW_TAG_const_type || tag == DW_TAG_volatile_type || tag == DW_TAG_restrict_type ||
	       tag == DW_TAG_atomic_type;
}

int fa_dwtype_of(Dwarf_Die *out, Dwarf_Die *die)
{
	Dwarf_Attribute attr;

	if (dwarf_attr_integrate(die, DW_AT_type, &attr) == NULL)
		return FA_DWTYPE_VOID;
	return dwarf_formref_die(&attr, out) != NULL ? 0 : FF_ERR_MALFORMED;
}

/* Follow DW_AT_type from type while the DIE is a typedef (when typedefs is set) or a qualifier. */
static int skip(Dwarf_Die *out, Dwarf_Die *type, bool typedefs)
{
	Dwarf_Die d = *type;

	for (unsigned n = 0; n <= FA_DWTYPE_MAX_CHAIN; n++) {
		int tag = dwarf_tag(&d), rc;

		if (!is_qualifier(tag) && !(typedefs && tag == DW_TAG_typedef)) {
			*out = d;
			return 0;
		}
		rc = fa_dwtype_of(&d, &d);
		if (rc != 0)
			return rc;
	}
	return FF_ERR_MALFORMED;
}

int fa_dwtype_strip(Dwarf_Die *out, Dwarf_Die *type)
{
	return skip(out, type, true);
}

/* A constant attribute (DW_FORM_data*, udata: unsigned, as GCC writes bounds and offsets; sdata, implicit_const:
 * signed). */
static bool constant(Dwarf_Die *die, unsigned name, int64_t *out)
{
	Dwarf_Attribute attr;
	Dwarf_Sword s;
	Dwarf_Word u;

	if (dwarf_attr(die, name, &attr) == NULL)
		return false;
	switch (dwarf_whatform(&attr)) {
	case DW_FORM_sdata:
	case DW_FORM_implicit_const:
		if (dwarf_formsdata(&attr, &s) != 0)
			return false;
		*out = s;
		return true;
	case DW_FORM_data1:
	case DW_FORM_data2:
	case DW_FORM_data4:
	case DW_FORM_data8:
	case DW_FORM_udata:
		if (dwarf_formudata(&attr, &u) != 0)
			return false;
		*out = (int64_t)u;
		return true;
	default:
		return false; /* an expression or a reference: not known without running the program */
	}
}

/* Bytes per address in the DIE's unit: a pointer's size when DWARF gives none. */
static uint64_t address_size(Dwarf_Die *die)
{
	Dwarf_Die cu;
	uint8_t asize = 0;

	return dwarf_diecu(die, &cu, &asize, NULL) != NULL && asize != 0 ? asize : 4;
}

static int array_at(struct fa_dwtype_array *out, Dwarf_Die *type, unsigned depth);

static int size_at(uint64_t *out, Dwarf_Die *type, unsigned depth)
{
	Dwarf_Die t;
	Dwarf_Word size;
	int rc, tag;

	if (depth > FA_DWTYPE_MAX_DEPTH)
		return FF_ERR_MALFORMED;
	rc = fa_dwtype_strip(&t, type);
	if (rc != 0)
		return rc;
	tag = dwarf_tag(&t);
	if (tag == DW_TAG_array_type) {
		struct fa_dwtype_array a;

		rc = array_at(&a, &t, depth);
		if (rc != 0)
			return rc;
		if (a.count[0] == FA_DWTYPE_COUNT_UNKNOWN)
			return FA_DWTYPE_NO_SIZE;
		if (a.count[0] != 0 && a.stride[0] > UINT64_MAX / a.count[0])
			return FF_ERR_MALFORMED;
		*out = a.stride[0] * a.count[0];
		return 0;
	}
	if (tag == DW_TAG_subroutine_type || dwarf_hasattr(&t, DW_AT_declaration))
		return FA_DWTYPE_NO_SIZE;
	if (dwarf_hasattr(&t, DW_AT_byte_size)) {
		Dwarf_Attribute attr;

		if (dwarf_formudata(dwarf_attr(&t, DW_AT_byte_size, &attr), &size) != 0)
			return FA_DWTYPE_NO_SIZE; /* an expression: a variably sized type */
		*out = size;
		return 0;
	}
	if (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type || tag == DW_TAG_rvalue_reference_type) {
		*out = address_size(&t);
		return 0;
	}
	return FA_DWTYPE_NO_SIZE;
}

int fa_dwtype_size(uint64_t *out, Dwarf_Die *type)
{
	return size_at(out, type, 0);
}

/* One dimension from a DW_TAG_subrange_type. */
static void dimension(Dwarf_Die *sub, int64_t *lower, uint64_t *count)
{
	int64_t lo = 0, v;

	if (constant(sub, DW_AT_lower_bound, &v))
		lo = v;
	*lower = lo;
	if (constant(sub, DW_AT_count, &v))
		*count = v < 0 ? 0 : (uint64_t)v;
	else if (constant(sub, DW_AT_upper_bound, &v))
		*count = v < lo ? 0 : (uint64_t)v - (uint64_t)lo + 1;
	else
		*count = FA_DWTYPE_COUNT_UNKNOWN;
}

/* The dimensions of an array type DIE (not stripped: the caller did). */
static int dimensions(Dwarf_Die *array, struct fa_dwtype_array *out)
{
	Dwarf_Die child;
	int rc = dwarf_child(array, &child);

	out->ndims = 0;
	for (unsigned n = 0; rc == 0; n++, rc = dwarf_siblingof(&child, &child)) {
		if (n >= FA_DWTYPE_MAX_MEMBERS)
			return FF_ERR_MALFORMED;
		if (dwarf_tag(&child) != DW_TAG_subrange_type)
			continue;
		if (out->ndims == FA_DWTYPE_MAX_DIMS)
			return FF_ERR_MALFORMED;
		dimension(&child, &out->lower[out->ndims], &out->count[out->ndims]);
		if (out->ndims > 0 && out->count[out->ndims] == FA_DWTYPE_COUNT_UNKNOWN)
			return FF_ERR_MALFORMED;
		out->ndims++;
	}
	return rc < 0 || out->ndims == 0 ? FF_ERR_MALFORMED : 0;
}

static int array_at(struct fa_dwtype_array *out, Dwarf_Die *type, unsigned depth)
{
	Dwarf_Die t;
	int rc = fa_dwtype_strip(&t, type);

	if (rc != 0)
		return rc == FA_DWTYPE_VOID ? FF_ERR_UNSUPPORTED : rc;
	if (dwarf_tag(&t) != DW_TAG_array_type)
		return FF_ERR_UNSUPPORTED;
	rc = dimensions(&t, out);
	if (rc != 0)
		return rc;
	rc = fa_dwtype_of(&out->element, &t);
	if (rc != 0)
		return rc;
	rc = size_at(&out->element_size, &out->element, depth + 1);
	if (rc != 0)
		return rc;
	out->stride[out->ndims - 1] = out->element_size;
	for (size_t i = out->ndims - 1; i > 0; i--) {
		if (out->count[i] != 0 && out->stride[i] > UINT64_MAX / out->count[i])
			return FF_ERR_MALFORMED;
		out->stride[i - 1] = out->stride[i] * out->count[i];
	}
	return 0;
}

int fa_dwtype_array(struct fa_dwtype_array *out, Dwarf_Die *type)
{
	return array_at(out, type, 0);
}

/* A member's byte offset: a constant, or DWARF 2's expression DW_OP_plus_uconst N; none (a union's) is 0. */
static int member_location(Dwarf_Die *m, uint64_t *out)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t nops;
	Dwarf_Word u;

	*out = 0;
	if (dwarf_attr(m, DW_AT_data_member_location, &attr) == NULL)
		return 0;
	switch (dwarf_whatform(&attr)) {
	case DW_FORM_block:
	case DW_FORM_block1:
	case DW_FORM_block2:
	case DW_FORM_block4:
	case DW_FORM_exprloc:
		if (dwarf_getlocation(&attr, &ops, &nops) != 0 || nops != 1 || ops[0].atom != DW_OP_plus_uconst)
			return FF_ERR_MALFORMED;
		*out = ops[0].number;
		return 0;
	default:
		if (dwarf_formudata(&attr, &u) != 0)
			return FF_ERR_MALFORMED;
		*out = u;
		return 0;
	}
}

/* A member's place, bitfields included, into m. */
static int member_place(Dwarf_Die *die, struct fa_dwtype_member *m)
{
	int64_t bit_size = 0, bits, storage;
	uint64_t loc, first;
	int rc = member_location(die, &loc);

	m->bit_offset = 0;
	m->bit_size = 0;
	m->offset = loc;
	if (rc != 0 || !constant(die, DW_AT_bit_size, &bit_size))
		return rc;
	if (bit_size <= 0 || bit_size > 64 * 8)
		return FF_ERR_MALFORMED;
	m->bit_size = (unsigned)bit_size;
	if (constant(die, DW_AT_data_bit_offset, &bits)) { /* DWARF 4 and 5: from the struct's start */
		if (bits < 0)
			return FF_ERR_MALFORMED;
		first = (uint64_t)bits;
	} else if (constant(die, DW_AT_bit_offset, &bits)) {
		/* DWARF 2 and 3: from the most significant bit of a storage unit of DW_AT_byte_size bytes at the
		 * member's location (or its type's size); converted for a little-endian target. */
		Dwarf_Die type;
		uint64_t tsize;

		if (!constant(die, DW_AT_byte_size, &storage)) {
			if (fa_dwtype_of(&type, die) != 0 || fa_dwtype_size(&tsize, &type) != 0 || tsize > 64)
				return FF_ERR_MALFORMED;
			storage = (int64_t)tsize;
		}
		if (storage <= 0 || storage > 64 || bits < 0 || bits + bit_size > storage * 8 ||
		    loc > UINT64_MAX / 8 - 64)
			return FF_ERR_MALFORMED;
		first = loc * 8 + (uint64_t)(storage * 8 - bits - bit_size);
	} else {
		return 0;
	}
	m->offset = first / 8;
	m->bit_offset = (unsigned)(first % 8);
	return 0;
}

int fa_dwtype_members(Dwarf_Die *type, fa_dwtype_member_fn *fn, void *ctx)
{
	Dwarf_Die t, child;
	int rc = fa_dwtype_strip(&t, type), tag;

	if (rc != 0)
		return rc == FA_DWTYPE_VOID ? FF_ERR_UNSUPPORTED : rc;
	tag = dwarf_tag(&t);
	if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type && tag != DW_TAG_class_type)
		return FF_ERR_UNSUPPORTED;
	rc = dwarf_child(&t, &child);
	for (unsigned n = 0; rc == 0; n++, rc = dwarf_siblingof(&child, &child)) {
		struct fa_dwtype_member m;

		if (n >= FA_DWTYPE_MAX_MEMBERS)
			return FF_ERR_TOO_LARGE;
		/* C++'s static data members are DW_TAG_member declarations (DWARF 4) or variables: not in the object */
		if (dwarf_tag(&child) != DW_TAG_member || dwarf_hasattr(&child, DW_AT_declaration))
			continue;
		m.die = child;
		m.name = dwarf_diename(&child);
		if (m.name != NULL && m.name[0] == '\0')
			m.name = NULL;
		rc = member_place(&child, &m);
		if (rc == 0)
			rc = fn(&m, ctx);
		if (rc != 0)
			return rc;
	}
	return rc < 0 ? FF_ERR_MALFORMED : 0;
}

/* Spelling. A type reads inside out in C: the declarator (`*`, `[4]`, `(int)`) grows around the name, and the
 * base (`int`, `struct ring`, a typedef's name) ends it. Each level writes its declarator into a buffer of its
 * own and hands it inward. */
struct spelling {
	unsigned steps;
	bool pending[4]; /* the qualifiers of an array type (spell_qualified()'s order), for its elements */
};

/* Append to a NAME_ROOM buffer; false when it does not fit. */
static bool put(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool put(char *buf, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + len, NAME_ROOM - len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < NAME_ROOM - len;
}

static int spell(struct spelling *s, char *out, Dwarf_Die *type, const char *decl, unsigned depth);

/* The type behind a DW_AT_type of die spelled around decl; void when there is none. */
static int spell_type_of(struct spelling *s, char *out, Dwarf_Die *die, const char *decl, unsigned depth)
{
	Dwarf_Die t;
	int rc = fa_dwtype_of(&t, die);

	if (rc < 0)
		return rc;
	return spell(s, out, rc == FA_DWTYPE_VOID ? NULL : &t, decl, depth + 1);
}

/* A name ends the spelling: `int`, `struct ring`, `struct {...}`, then the declarator after a space. */
static int spell_base(char *out, Dwarf_Die *type, const char *decl)
{
	static const struct {
		int tag;
		const char *keyword;
	} k_keywords[] = {
		{DW_TAG_structure_type, "struct "}, {DW_TAG_union_type, "union "},
		{DW_TAG_enumeration_type, "enum "}, {DW_TAG_class_type, "class "},
	};
	const char *name = type != NULL ? dwarf_diename(type) : "void", *keyword = "";
	int tag = type != NULL ? dwarf_tag(type) : 0;

	for (size_t i = 0; i < sizeof(k_keywords) / sizeof(k_keywords[0]); i++)
		if (k_keywords[i].tag == tag)
			keyword = k_keywords[i].keyword;
	if (name == NULL || name[0] == '\0')
		name = keyword[0] != '\0' ? "{...}" : "?";
	return put(out, "%s%s%s%s", keyword, name, decl[0] != '\0' ? " " : "", decl) ? 0 : FF_ERR_TOO_LARGE;
}

/* A pointer or reference, with the qualifiers that apply to it (`* const`), around decl. */
static int spell_pointer(struct spelling *s, char *out, Dwarf_Die *ptr, const char *quals, const char *decl,
			 unsigned depth)
{
	char inner[NAME_ROOM] = "";
	const char *sigil = dwarf_tag(ptr) == DW_TAG_reference_type	    ? "&"
			    : dwarf_tag(ptr) == DW_TAG_rvalue_reference_type ? "&&"
									      : "*";
	Dwarf_Die target, bare;
	int rc = fa_dwtype_of(&target, ptr);
	bool paren = false;

	if (rc < 0)
		return rc;
	if (rc == 0) { /* a pointer to an array or a function needs parentheses: `int (*)[4]`, `void (*)(int)` */
		int brc = skip(&bare, &target, false);

		if (brc < 0)
			return brc;
		paren = brc == 0 && (dwarf_tag(&bare) == DW_TAG_array_type || dwarf_tag(&bare) == DW_TAG_subroutine_type);
	}
	/* GDB's spacing: `char * const *`, but `char * volatile[2]` */
	if (!put(inner, "%s%s%s%s%s%s", paren ? "(" : "", sigil, quals[0] != '\0' ? " " : "", quals,
		 quals[0] != '\0' && decl[0] != '\0' && decl[0] != '[' ? " " : "", decl) ||
	    !put(inner, "%s", paren ? ")" : ""))
		return FF_ERR_TOO_LARGE;
	return spell(s, out, rc == 0 ? &target : NULL, inner, depth + 1);
}

/* Qualifiers go before a base (`const char`) and after the star of a pointer (`char * const`), in GDB's order
 * whatever DWARF's: const, volatile, restrict, _Atomic. */
static int spell_qualified(struct spelling *s, char *out, Dwarf_Die *type, const char *decl, unsigned depth)
{
	static const struct {
		int tag;
		const char *name;
	} k_quals[] = {
		{DW_TAG_const_type, "const"},
		{DW_TAG_volatile_type, "volatile"},
		{DW_TAG_restrict_type, "restrict"},
		{DW_TAG_atomic_type, "_Atomic"},
	};
	char quals[NAME_ROOM] = "";
	bool has[4];
	Dwarf_Die d = *type;
	int rc = 0;

	memcpy(has, s->pending, sizeof(has)); /* an array's, when type is its element */
	memset(s->pending, 0, sizeof(s->pending));

	for (unsigned n = 0; rc == 0 && is_qualifier(dwarf_tag(&d)); n++) {
		if (n >= FA_DWTYPE_MAX_CHAIN)
			return FF_ERR_MALFORMED;
		for (size_t i = 0; i < 4; i++)
			has[i] = has[i] || k_quals[i].tag == dwarf_tag(&d);
		rc = fa_dwtype_of(&d, &d);
	}
	if (rc < 0)
		return rc;
	if (rc == 0 && dwarf_tag(&d) == DW_TAG_array_type) { /* C qualifies the elements: `volatile int [3]` */
		memcpy(s->pending, has, sizeof(has));
		return spell(s, out, &d, decl, depth + 1);
	}
	for (size_t i = 0; i < 4; i++)
		if (has[i])
			put(quals, "%s%s", quals[0] != '\0' ? " " : "", k_quals[i].name); /* fits: 33 bytes at most */
	if (rc == FA_DWTYPE_VOID)
		return put(out, "%s void%s%s", quals, decl[0] != '\0' ? " " : "", decl) ? 0 : FF_ERR_TOO_LARGE;
	if (dwarf_tag(&d) == DW_TAG_pointer_type || dwarf_tag(&d) == DW_TAG_reference_type ||
	    dwarf_tag(&d) == DW_TAG_rvalue_reference_type)
		return spell_pointer(s, out, &d, quals, decl, depth);
	if (!put(out, "%s ", quals))
		return FF_ERR_TOO_LARGE;
	return spell(s, out, &d, decl, depth + 1);
}

static int spell_array(struct spelling *s, char *out, Dwarf_Die *array, const char *decl, unsigned depth)
{
	char inner[NAME_ROOM] = "";
	struct fa_dwtype_array a;
	int rc = dimensions(array, &a);

	if (rc != 0)
		return rc;
	if (!put(inner, "%s", decl))
		return FF_ERR_TOO_LARGE;
	for (size_t i = 0; i < a.ndims; i++) {
		bool ok = a.count[i] == FA_DWTYPE_COUNT_UNKNOWN ? put(inner, "[]")
								  : put(inner, "[%llu]", (unsigned long long)a.count[i]);

		if (!ok)
			return FF_ERR_TOO_LARGE;
	}
	return spell_type_of(s, out, array, inner, depth);
}

/* A function type: `int (const char *, ...)`, `void (void)` when prototyped without parameters. */
static int spell_function(struct spelling *s, char *out, Dwarf_Die *fn, const char *decl, unsigned depth)
{
	char inner[NAME_ROOM] = "";
	Dwarf_Die child;
	bool prototyped = false, any = false;
	Dwarf_Attribute attr;
	int rc;

	if (dwarf_attr(fn, DW_AT_prototyped, &attr) != NULL)
		dwarf_formflag(&attr, &prototyped);
	if (!put(inner, "%s(", decl))
		return FF_ERR_TOO_LARGE;
	rc = dwarf_child(fn, &child);
	for (unsigned n = 0; rc == 0; n++, rc = dwarf_siblingof(&child, &child)) {
		char param[NAME_ROOM] = "";
		int tag = dwarf_tag(&child), prc;

		if (n >= FA_DWTYPE_MAX_PARAMS)
			return FF_ERR_MALFORMED;
		if (tag == DW_TAG_unspecified_parameters) {
			snprintf(param, sizeof(param), "...");
		} else if (tag == DW_TAG_formal_parameter) {
			prc = spell_type_of(s, param, &child, "", depth);
			if (prc != 0)
				return prc;
		} else {
			continue;
		}
		if (!put(inner, "%s%s", any ? ", " : "", param))
			return FF_ERR_TOO_LARGE;
		any = true;
	}
	if (rc < 0)
		return FF_ERR_MALFORMED;
	if (!put(inner, "%s)", !any && prototyped ? "void" : ""))
		return FF_ERR_TOO_LARGE;
	return spell_type_of(s, out, fn, inner, depth);
}

/* type spelled around decl, appended to out (a NAME_ROOM buffer); type NULL is void. */
static int spell(struct spelling *s, char *out, Dwarf_Die *type, const char *decl, unsigned depth)
{
	int tag;

	if (depth > FA_DWTYPE_MAX_DEPTH || ++s->steps > MAX_SPELL_STEPS)
		return FF_ERR_MALFORMED;
	tag = type != NULL ? dwarf_tag(type) : 0;
	if (is_qualifier(tag) ||
	    (type != NULL && tag != DW_TAG_array_type && memchr(s->pending, true, sizeof(s->pending)) != NULL))
		return spell_qualified(s, out, type, decl, depth);
	switch (tag) {
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		return spell_pointer(s, out, type, "", decl, depth);
	case DW_TAG_array_type:
		return spell_array(s, out, type, decl, depth);
	case DW_TAG_subroutine_type:
		return spell_function(s, out, type, decl, depth);
	default:
		return spell_base(out, type, decl);
	}
}

int fa_dwtype_name(char *out, size_t cap, Dwarf_Die *type)
{
	char buf[NAME_ROOM] = "";
	struct spelling s = {0};
	int rc;

	assert(cap >= 1);
	rc = spell(&s, buf, type, "", 0);
	if (rc == 0 && strlen(buf) >= cap)
		rc = FF_ERR_TOO_LARGE;
	snprintf(out, cap, "%s", rc == 0 ? buf : "?");
	return rc;
}
