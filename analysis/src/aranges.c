/* SPDX-License-Identifier: Apache-2.0 */
/* The index of .debug_aranges (aranges.h): each unit's header and tuples read with every read bounds-checked,
 * the ranges then sorted by start once. */
#include <stdlib.h>
#include <string.h>

#include "aranges.h"
#include "dwarf_bytes.h"
#include "dwarf_scan.h"
#include "keyed.h"

struct range {
	uint64_t start; /* first: the key (keyed.h) */
	uint64_t len;
	uint64_t cu;    /* the offset of its unit's header in .debug_info */
};

struct fa_aranges {
	struct range *v; /* by start; of equal starts, in the section's order */
	size_t n;
};

/* The section's bytes, as libdw left them; NULL when it has none or they are still compressed. */
static const uint8_t *section(Elf *elf, size_t *size)
{
	Elf_Scn *scn = NULL;
	size_t strndx;

	if (elf_getshdrstrndx(elf, &strndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (gelf_getshdr(scn, &sh) == NULL || (name = elf_strptr(elf, strndx, sh.sh_name)) == NULL ||
		    !fa_dwarf_name_is(name, ".debug_aranges"))
			continue;
		if (sh.sh_type == SHT_NOBITS || (sh.sh_flags & SHF_COMPRESSED) || (d = elf_getdata(scn, NULL)) == NULL ||
		    d->d_buf == NULL || (strncmp(name, ".zdebug", 7) == 0 && d->d_size >= 4 && memcmp(d->d_buf, "ZLIB", 4) == 0))
			return NULL;
		*size = d->d_size;
		return d->d_buf;
	}
	return NULL;
}

/* Add a range to a. Returns false when memory is short. */
static bool add(struct fa_aranges *a, size_t *cap, const struct range *range)
{
	if (a->n == *cap) {
		size_t want = *cap != 0 ? 2 * *cap : 1024;
		struct range *v = want <= SIZE_MAX / sizeof(*v) ? realloc(a->v, want * sizeof(*v)) : NULL;

		if (v == NULL)
			return false;
		a->v = v;
		*cap = want;
	}
	a->v[a->n++] = *range;
	return true;
}

/* Read the unit at r->p (r then past it) into a's ranges. Returns false when it is malformed or memory short. */
static bool read_unit(struct fa_aranges *a, size_t *cap, struct rd *r)
{
	const uint8_t *start = r->p;
	struct rd u = *r;
	uint64_t len, version, addr_size, seg_size;
	unsigned offset_size = 4;
	struct range range;
	size_t pad;

	if (!rd_uint(&u, 4, &len))
		return false;
	if (len == 0xffffffffu) { /* 64-bit DWARF */
		offset_size = 8;
		if (!rd_uint(&u, 8, &len))
			return false;
	} else if (len >= 0xfffffff0u) {
		return false;
	}
	if (len > (uint64_t)(u.end - u.p))
		return false;
	u.end = u.p + len;
	r->p = u.end;
	if (!rd_uint(&u, 2, &version) || version != 2 || !rd_uint(&u, offset_size, &range.cu) ||
	    !rd_uint(&u, 1, &addr_size) || !rd_uint(&u, 1, &seg_size) || (addr_size != 4 && addr_size != 8) ||
	    seg_size != 0)
		return false;
	/* the tuples start at a multiple of their size from the unit's start */
	pad = (size_t)(2 * addr_size - (size_t)(u.p - start) % (2 * addr_size)) % (2 * addr_size);
	if (pad > (size_t)(u.end - u.p))
		return false;
	u.p += pad;
	for (;;) {
		if (!rd_uint(&u, (unsigned)addr_size, &range.start) || !rd_uint(&u, (unsigned)addr_size, &range.len))
			return false; /* no (0, 0) tuple before the unit's end */
		if (range.start == 0 && range.len == 0)
			return true;
		if (!add(a, cap, &range))
			return false;
	}
}

struct fa_aranges *fa_aranges_read(Elf *elf)
{
	struct fa_aranges *a = calloc(1, sizeof(*a));
	GElf_Ehdr ehdr = {0};
	size_t size = 0, cap = 0;
	const uint8_t *sec = gelf_getehdr(elf, &ehdr) != NULL ? section(elf, &size) : NULL;
	struct rd r;

	if (a == NULL || sec == NULL)
		goto fail;
	r = (struct rd){sec, sec + size, ehdr.e_ident[EI_DATA] == ELFDATA2MSB};
	while (r.p < r.end)
		if (!read_unit(a, &cap, &r))
			goto fail;
	if (a->n == 0 || fa_keyed_sort(a->v, a->n, sizeof(*a->v)) != 0)
		goto fail;
	return a;
fail:
	fa_aranges_free(a);
	return NULL;
}

bool fa_aranges_find(const struct fa_aranges *a, uint64_t addr, uint64_t *cu)
{
	size_t lo = a != NULL ? fa_keyed_upper(a->v, a->n, sizeof(*a->v), addr) : 0; /* past the nearest start */
	bool holds = false;

	if (lo == 0)
		return false;
	for (size_t i = lo; i > 0 && a->v[i - 1].start == a->v[lo - 1].start; i--) {
		if (a->v[i - 1].cu != a->v[lo - 1].cu)
			return false; /* two units start there: libdwfl's choice */
		holds = holds || addr - a->v[i - 1].start < a->v[i - 1].len;
	}
	*cu = a->v[lo - 1].cu;
	return holds;
}

void fa_aranges_free(struct fa_aranges *a)
{
	if (a != NULL) {
		free(a->v);
		free(a);
	}
}
