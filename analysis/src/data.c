/* SPDX-License-Identifier: Apache-2.0 */
/* Addresses in words (data.h): an index of the ELF's fixed-address variables, built once per handle, and the walk
 * of one variable's type down to the member or element an address falls into. */
#include <assert.h>
#include <dwarf.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "dwtype.h"
#include "elf_private.h"
#include "keyed.h"

/* Objects sharing addresses (aliases, zero-size objects) looked at before an address is said to be in none. */
#define MAX_OVERLAP 16

/* Members and elements looked at while naming one address: unions are tried member by member, so nested unions
 * would multiply. */
#define MAX_NAME_STEPS 4096

/* A variable at a fixed address, or (from the symbol table) a data symbol. */
struct object {
	uint64_t addr, size;
	const char *name;  /* libdw's or libelf's: valid while the handle is open */
	const char *scope; /* the function of a function-scope static; NULL */
	Dwarf_Die type;    /* when typed */
	bool typed;
	uint64_t die, function; /* a variable's DIE and the function it is in, as the scan found them (fa_dwarf_fixed) */
};

/* The variables starting at one address. They are resolved (named, typed, checked against the symbol table) the
 * first time a lookup comes near them: a lookup resolves a few, not the thousands of a large firmware, each of
 * which would have libdw read its unit's abbreviations. */
struct group {
	uint64_t addr;
	size_t first, n; /* vars[first .. first + n): as the scan found them; once resolved, those kept, sorted */
	bool resolved;
};

struct data_index {
	Dwarf *dwarf;
	struct object *vars;  /* from DWARF, by address */
	struct group *groups; /* by address */
	size_t ngroups;
	struct object *syms;  /* STT_OBJECT symbols, sorted by address */
	size_t nsyms;
};

struct growing {
	struct object *v;
	size_t n, cap;
	bool nomem;
};

static void add(struct growing *g, const struct object *o)
{
	if (g->nomem)
		return;
	if (g->n == g->cap) {
		size_t cap = g->cap != 0 ? 2 * g->cap : 256;
		struct object *v = realloc(g->v, cap * sizeof(*v));

		if (v == NULL) {
			g->nomem = true;
			return;
		}
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n++] = *o;
}

/* The address of a variable whose location is one DW_OP_addr (or DW_OP_addrx: DWARF 5's index into .debug_addr). */
static bool fixed_address(Dwarf_Die *var, uint64_t *out)
{
	Dwarf_Attribute attr, result;
	Dwarf_Op *ops;
	Dwarf_Addr addr;
	size_t nops;

	if (dwarf_attr(var, DW_AT_location, &attr) == NULL || dwarf_getlocation(&attr, &ops, &nops) != 0 || nops != 1)
		return false;
	if (ops[0].atom == DW_OP_addr) {
		*out = ops[0].number;
		return true;
	}
	if ((ops[0].atom == DW_OP_addrx || ops[0].atom == DW_OP_GNU_addr_index) &&
	    dwarf_getlocation_attr(&attr, &ops[0], &result) == 0 && dwarf_formaddr(&result, &addr) == 0) {
		*out = addr;
		return true;
	}
	return false;
}

static int cmp_object(const void *a, const void *b)
{
	const struct object *x = a, *y = b;
	int c;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->size != y->size) /* the larger first: it is the one an address inside both is named by */
		return x->size > y->size ? -1 : 1;
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	if (x->scope == NULL || y->scope == NULL)
		return (x->scope != NULL) - (y->scope != NULL);
	return strcmp(x->scope, y->scope);
}

/* cmp_object(), then the DIEs' order: of one object found twice, the first DIE's is kept. */
static int cmp_object_die(const void *a, const void *b)
{
	const struct object *x = a, *y = b;
	int c = cmp_object(a, b);

	return c != 0 ? c : x->die < y->die ? -1 : x->die > y->die;
}

/* Sort v[0..n), and drop the same object found twice (an abstract and a concrete instance, one per LTO
 * partition). Returns how many are left. */
static size_t sort_unique(struct object *v, size_t n)
{
	size_t kept = 0;

	if (n == 0)
		return 0; /* v may be NULL: qsort() takes no NULL */
	qsort(v, n, sizeof(*v), cmp_object_die);
	for (size_t i = 0; i < n; i++)
		if (kept == 0 || cmp_object(&v[kept - 1], &v[i]) != 0)
			v[kept++] = v[i];
	return kept;
}

/* The symbol table's data objects (ARM mapping symbols $d... name none). */
static void add_symbols(struct growing *g, Elf *elf)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)) != NULL && !g->nomem) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0 ||
		    (data = elf_getdata(scn, NULL)) == NULL)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize && !g->nomem; i++) {
			GElf_Sym sym;
			const char *name;
			struct object o = {0};

			if (gelf_getsym(data, (int)i, &sym) == NULL ||
			    (GELF_ST_TYPE(sym.st_info) != STT_OBJECT && GELF_ST_TYPE(sym.st_info) != STT_COMMON) ||
			    sym.st_shndx == SHN_UNDEF || (name = elf_strptr(elf, sh.sh_link, sym.st_name)) == NULL ||
			    name[0] == '\0' || name[0] == '$')
				continue;
			o.addr = sym.st_value;
			o.size = sym.st_size;
			o.name = name;
			add(g, &o);
		}
	}
}

/* Whether object o, at or before addr, holds it; *empty becomes o when it is the first of size 0 starting there. */
static bool holds(const struct object *o, uint64_t addr, const struct object **empty)
{
	if (o->size == 0 && o->addr == addr && *empty == NULL)
		*empty = o;
	return addr - o->addr < o->size;
}

/* The object holding addr: the nearest start at or before it whose bytes include it, else an object of size 0
 * starting at it; the MAX_OVERLAP nearest starts are looked at. NULL when none. */
static const struct object *find(const struct object *v, size_t n, uint64_t addr)
{
	const struct object *empty = NULL;

	for (size_t i = fa_keyed_upper(v, n, sizeof(*v), addr), k = 0; i > 0 && k < MAX_OVERLAP; i--, k++)
		if (holds(&v[i - 1], addr, &empty))
			return &v[i - 1];
	return empty;
}

/* A symbol of the variable: its name, or GCC's renaming of a static (`counter.0`, `s_rx.lto_priv.0`). */
static bool names_variable(const char *sym, const char *var)
{
	size_t n = strlen(var);

	return strncmp(sym, var, n) == 0 && (sym[n] == '\0' || sym[n] == '.');
}

/*
 * Name and type variable o from its DIE. Returns false when it is none to name an address by: no name, or not in
 * the symbol table at its address (--gc-sections leaves the DWARF of the variables it removes, at address 0,
 * where the vector table is; without data symbols, a stripped symbol table, every variable not at 0 is kept). An
 * untyped variable takes its size from the symbol table's object at its address, when it has one.
 */
static bool resolve_variable(const struct data_index *x, struct object *o)
{
	Dwarf_Die var, fn;
	bool linked = x->nsyms == 0 && o->addr != 0;
	size_t at = fa_keyed_upper(x->syms, x->nsyms, sizeof(*x->syms), o->addr), k; /* syms[at - 1]: nearest */

	if (dwarf_offdie(x->dwarf, o->die, &var) == NULL)
		return false;
	o->name = dwarf_diename(&var); /* through DW_AT_specification and DW_AT_abstract_origin */
	if (o->name == NULL || o->name[0] == '\0')
		return false;
	for (k = at; !linked && k > 0 && x->syms[k - 1].addr == o->addr; k--)
		linked = names_variable(x->syms[k - 1].name, o->name);
	if (!linked)
		return false;
	if (o->function != 0 && dwarf_offdie(x->dwarf, o->function, &fn) != NULL)
		o->scope = dwarf_diename(&fn);
	o->typed = fa_dwtype_of(&o->type, &var) == 0 && fa_dwtype_size(&o->size, &o->type) == 0;
	if (!o->typed)
		o->size = 0;
	for (k = at; !o->typed && k > 0 && x->syms[k - 1].addr == o->addr; k--)
		if (x->syms[k - 1].size > o->size)
			o->size = x->syms[k - 1].size;
	return true;
}

static void resolve_group(struct data_index *x, struct group *g)
{
	size_t kept = 0;

	for (size_t i = 0; i < g->n; i++) {
		struct object o = x->vars[g->first + i];

		if (resolve_variable(x, &o))
			x->vars[g->first + kept++] = o;
	}
	g->n = sort_unique(&x->vars[g->first], kept);
	g->resolved = true;
}

/* The variable holding addr, as find() would find it among the variables resolved (resolving the groups it
 * looks at). NULL when none. */
static const struct object *find_variable(struct data_index *x, uint64_t addr)
{
	const struct object *empty = NULL;
	size_t i = fa_keyed_upper(x->groups, x->ngroups, sizeof(*x->groups), addr), k = 0;

	for (; i > 0 && k < MAX_OVERLAP; i--) {
		struct group *g = &x->groups[i - 1];

		if (!g->resolved)
			resolve_group(x, g);
		for (size_t j = g->n; j > 0 && k < MAX_OVERLAP; j--, k++)
			if (holds(&x->vars[g->first + j - 1], addr, &empty))
				return &x->vars[g->first + j - 1];
	}
	return empty;
}

static void destroy_index(void *p)
{
	struct data_index *x = p;

	if (x != NULL) {
		free(x->vars);
		free(x->groups);
		free(x->syms);
		free(x);
	}
}

/* The index, kept in the handle: the data symbols, and the variables the DIE scan at open found at fixed
 * addresses (globals, file and function statics), grouped by address, each resolved when first looked at. */
static int build_index(struct fa_elf *e, struct data_index **out)
{
	struct growing vars = {0}, syms = {0};
	struct data_index *x = calloc(1, sizeof(*x));
	size_t n;
	const struct fa_dwarf_fixed *fixed = fa_elf_fixed_variables(e, &n);
	int rc = FF_ERR_NOMEM;

	if (x == NULL)
		goto done;
	x->dwarf = fa_elf_dwarf(e);
	for (size_t i = 0; i < n && !vars.nomem; i++) {
		struct object o = {.addr = fixed[i].addr, .die = fixed[i].die, .function = fixed[i].function};
		Dwarf_Die var;

		if (fixed[i].has_addr ||
		    (dwarf_offdie(x->dwarf, o.die, &var) != NULL && fixed_address(&var, &o.addr))) /* DW_OP_addrx */
			add(&vars, &o);
	}
	add_symbols(&syms, dwarf_getelf(x->dwarf));
	if (vars.nomem || syms.nomem || fa_keyed_sort(vars.v, vars.n, sizeof(*vars.v)) != 0)
		goto done;
	for (size_t i = 0; i < vars.n; i++) {
		if (i == 0 || vars.v[i].addr != vars.v[i - 1].addr) {
			struct group *g = x->ngroups % 256 != 0 ? x->groups
				: realloc(x->groups, (x->ngroups + 256) * sizeof(*x->groups));

			if (g == NULL)
				goto done;
			x->groups = g;
			x->groups[x->ngroups++] = (struct group){vars.v[i].addr, i, 0, false};
		}
		x->groups[x->ngroups - 1].n++;
	}
	x->vars = vars.v;
	x->syms = syms.v, x->nsyms = sort_unique(syms.v, syms.n);
	vars.v = syms.v = NULL;
	fa_elf_set_index(e, FA_ELF_INDEX_DATA, x, destroy_index);
	*out = x;
	x = NULL;
	rc = 0;
done:
	free(vars.v);
	free(syms.v);
	destroy_index(x);
	return rc;
}

/* Naming one address inside one object: the name grows as the walk goes down its type. */
struct namer {
	char buf[FA_DATA_NAME_MAX];
	bool over;         /* the name did not fit */
	unsigned steps;    /* members and elements looked at, for MAX_NAME_STEPS */
	Dwarf_Die *want;   /* stop at a subobject of this type (stripped); NULL: go down to the innermost */
	char want_name[FA_DATA_NAME_MAX];
	uint64_t want_size;
};

static void put(struct namer *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct namer *n, const char *fmt, ...)
{
	size_t len = strlen(n->buf);
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(n->buf + len, sizeof(n->buf) - len, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof(n->buf) - len)
		n->over = true;
}

/* The byte offset still to name, after the name says as much as it can. */
static void rest(struct namer *n, uint64_t off, bool padding)
{
	if (off > 0 || padding)
		put(n, " + %llu%s", (unsigned long long)off, padding ? " (padding)" : "");
}

/* The type the caller asked to stop at: same spelling and size (a type is repeated in every unit using it). */
static bool wanted(struct namer *n, Dwarf_Die *t)
{
	char name[FA_DATA_NAME_MAX];
	uint64_t size;

	return n->want != NULL && fa_dwtype_size(&size, t) == 0 && size == n->want_size &&
	       fa_dwtype_name(name, sizeof(name), t) == 0 && strcmp(name, n->want_name) == 0;
}

static bool name_in(struct namer *n, Dwarf_Die *type, uint64_t off, unsigned depth);

/* The bytes a member covers. */
static bool member_holds(const struct fa_dwtype_member *m, uint64_t off)
{
	Dwarf_Die d = m->die, t;
	uint64_t size;

	if (off < m->offset)
		return false;
	if (m->bit_size > 0)
		size = (m->bit_offset + m->bit_size + 7) / 8;
	else if (fa_dwtype_of(&t, &d) != 0 || fa_dwtype_size(&size, &t) != 0)
		return false;
	return off - m->offset < size;
}

/* Struct members: the one holding the offset. Unions: the first holding it whose naming is exact, else the
 * first holding it. */
struct member_search {
	struct namer *n;
	uint64_t off;
	unsigned depth;
	bool is_union;
	bool found, exact;
	struct namer first; /* a union's first inexact naming, kept while looking for an exact one */
	bool have_first;
};

static int try_member(const struct fa_dwtype_member *m, void *ctx)
{
	struct member_search *s = ctx;
	struct namer trial;
	Dwarf_Die d = m->die, t;
	bool exact;

	if (++s->n->steps > MAX_NAME_STEPS)
		return 1;
	if (!member_holds(m, s->off))
		return 0;
	trial = *s->n;
	if (m->name != NULL)
		put(&trial, ".%s", m->name);
	if (m->bit_size > 0) { /* no address is inside a bitfield: the byte is the first bitfield's */
		exact = s->off == m->offset;
		rest(&trial, s->off - m->offset, false);
	} else if (fa_dwtype_of(&t, &d) == 0) {
		exact = name_in(&trial, &t, s->off - m->offset, s->depth + 1);
	} else {
		return 0;
	}
	s->n->steps = trial.steps;
	if (!s->is_union || exact) {
		*s->n = trial;
		s->found = true;
		s->exact = exact;
		return 1;
	}
	if (!s->have_first) {
		s->first = trial;
		s->have_first = true;
	}
	return 0;
}

static bool name_members(struct namer *n, Dwarf_Die *t, uint64_t off, unsigned depth)
{
	struct member_search *s = malloc(sizeof(*s)); /* two names: too much for every level of the stack */
	bool exact = false;

	if (s == NULL) {
		rest(n, off, false);
		return false;
	}
	*s = (struct member_search){.n = n, .off = off, .depth = depth, .is_union = dwarf_tag(t) == DW_TAG_union_type};
	fa_dwtype_members(t, try_member, s);
	if (!s->found && s->have_first) {
		s->first.steps = n->steps;
		*n = s->first;
		s->found = true;
	}
	if (s->found)
		exact = s->exact;
	else /* in no member: padding (unless the walk ran out of steps before it found one) */
		rest(n, off, off > 0 && n->steps <= MAX_NAME_STEPS);
	if (!s->found && off == 0)
		exact = true; /* a struct without members */
	free(s);
	return exact;
}

static bool name_element(struct namer *n, Dwarf_Die *t, uint64_t off, unsigned depth)
{
	struct fa_dwtype_array a;
	uint64_t rem = off;

	if (fa_dwtype_array(&a, t) != 0 || a.element_size == 0) {
		rest(n, off, false);
		return false;
	}
	for (size_t i = 0; i < a.ndims; i++) {
		uint64_t index = rem / a.stride[i];

		if (a.count[i] != FA_DWTYPE_COUNT_UNKNOWN && index >= a.count[i]) {
			rest(n, rem, false);
			return false;
		}
		put(n, "[%lld]", (long long)(a.lower[i] + (int64_t)index));
		rem -= index * a.stride[i];
	}
	if (++n->steps > MAX_NAME_STEPS) {
		rest(n, rem, false);
		return false;
	}
	return name_in(n, &a.element, rem, depth + 1);
}

/* Append the name of the byte off into an object of type; true when the name is exact: the start of a scalar
 * (or of an object of the wanted type). */
static bool name_in(struct namer *n, Dwarf_Die *type, uint64_t off, unsigned depth)
{
	Dwarf_Die t;
	int tag;

	if (depth > FA_DWTYPE_MAX_DEPTH || n->steps > MAX_NAME_STEPS || fa_dwtype_strip(&t, type) != 0) {
		rest(n, off, false);
		return off == 0;
	}
	if (off == 0 && wanted(n, &t))
		return true;
	tag = dwarf_tag(&t);
	if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_class_type)
		return name_members(n, &t, off, depth);
	if (tag == DW_TAG_array_type)
		return name_element(n, &t, off, depth);
	rest(n, off, false);
	return off == 0;
}

/* The handle's index, built on first use. */
static int index_of(struct fa_elf *e, struct data_index **out)
{
	*out = fa_elf_index(e, FA_ELF_INDEX_DATA);
	return *out != NULL ? 0 : build_index(e, out);
}

int fa_data_name(struct fa_elf *e, uint64_t addr, Dwarf_Die *type, char *out, size_t cap)
{
	struct namer *n = NULL;
	struct data_index *x;
	const struct object *o;
	Dwarf_Die want;
	int rc;

	assert(cap >= 1);
	out[0] = '\0';
	rc = index_of(e, &x);
	if (rc != 0)
		return rc;
	o = find_variable(x, addr);
	if (o == NULL && (o = find(x->syms, x->nsyms, addr)) == NULL)
		return FA_DATA_NO_OBJECT;
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return FF_ERR_NOMEM;
	if (type != NULL && fa_dwtype_strip(&want, type) == 0 && fa_dwtype_size(&n->want_size, &want) == 0 &&
	    fa_dwtype_name(n->want_name, sizeof(n->want_name), &want) == 0)
		n->want = &want;
	if (o->scope != NULL)
		put(n, "%s::", o->scope);
	put(n, "%s", o->name);
	if (o->typed) {
		Dwarf_Die t = o->type; /* libdw takes DIEs as mutable */

		name_in(n, &t, addr - o->addr, 0);
	} else {
		rest(n, addr - o->addr, false);
	}
	rc = n->over || strlen(n->buf) >= cap ? FF_ERR_TOO_LARGE : 0;
	if (rc == 0)
		memcpy(out, n->buf, strlen(n->buf) + 1);
	free(n);
	return rc;
}

int fa_data_variable(struct fa_elf *e, const char *name, uint64_t *addr, Dwarf_Die *type)
{
	struct data_index *x;
	int rc = index_of(e, &x);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < x->nsyms; i++) { /* the symbol (GCC may have renamed a static), then its DWARF */
		const struct object *o;

		if (!names_variable(x->syms[i].name, name) ||
		    (o = find_variable(x, x->syms[i].addr)) == NULL || o->addr != x->syms[i].addr ||
		    strcmp(o->name, name) != 0 || !o->typed)
			continue;
		*addr = o->addr;
		*type = o->type;
		return 0;
	}
	return FA_DATA_NO_OBJECT;
}

int fa_data_code_name(struct fa_elf *e, uint64_t value, char *out, size_t cap)
{
	uint64_t code = fa_elf_machine(e) == EM_ARM ? value & ~1ull : value; /* the Thumb bit */
	const char *fn = NULL;
	uint64_t start = fa_elf_function_at(e, code, &fn);
	int k;

	assert(cap >= 1);
	out[0] = '\0';
	if (fn == NULL)
		return FA_DATA_NO_OBJECT;
	k = code == start ? snprintf(out, cap, "%s", fn)
			  : snprintf(out, cap, "%s+%llu", fn, (unsigned long long)(code - start));
	if (k < 0 || (size_t)k >= cap) {
		out[0] = '\0';
		return FF_ERR_TOO_LARGE;
	}
	return 0;
}

int fa_data_format_pointer(struct fa_elf *e, uint64_t value, Dwarf_Die *pointee, char *out, size_t cap)
{
	char name[FA_DATA_NAME_MAX];
	int rc, k;

	assert(cap >= 1);
	rc = fa_data_name(e, value, pointee, name, sizeof(name));
	if (rc < 0 && rc != FF_ERR_TOO_LARGE)
		return rc;
	if (rc == FA_DATA_NO_OBJECT)
		rc = fa_data_code_name(e, value, name, sizeof(name));
	k = rc == 0 ? snprintf(out, cap, "0x%08llx <%s>", (unsigned long long)value, name)
		    : snprintf(out, cap, "0x%08llx", (unsigned long long)value);
	return k < 0 || (size_t)k >= cap ? FF_ERR_TOO_LARGE : 0;
}
