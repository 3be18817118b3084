/* SPDX-License-Identifier: Apache-2.0 */
/* The firmware ELF through elfutils: libdwfl for the module (build-id, symbols, CU lookup), libdw for DWARF
 * scopes, line tables and CFI, libelf for code bytes; checked first as a whole (check_whole) and for the depth of
 * its DIE trees (dwarf_scan.h), before libdw walks them. */
#define _POSIX_C_SOURCE 200809L
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ff/bytes.h"
#include "aranges.h"
#include "dwarf_scan.h"
#include "elf_private.h"
#include "keyed.h"

/* A function symbol; the tables below index them once, so lookups are binary searches rather than libdwfl's
 * linear walks of the symbol table. */
struct func {
	uint64_t addr, size; /* addr first: the key (keyed.h) */
	const char *name;    /* in the ELF's string table */
};

/* Direct-mapped caches of lookups by address: the same crash sites come back trace after trace (a warm trace
 * then costs microseconds, not a walk of the compile unit's DIEs). A slot holds the answer as computed with room
 * for CACHE_SYMS frames, and whether it went on past them: both lookups fill out[] in order and stop when it is
 * full, so the answer for any room is the first `room` frames of that one, and a caller's room never decides what
 * a later caller gets. */
#define CACHE_SLOTS 512u
#define CACHE_SYMS 8u /* the most any caller in analysis/ asks for (report.c) */

struct cache_slot {
	uint64_t a, b; /* the key: (address, 0) or (callee pc, return address) */
	bool used;
	bool cut;      /* the answer has more than CACHE_SYMS frames: only the first CACHE_SYMS are here */
	size_t n;
	struct fa_sym syms[CACHE_SYMS];
};

struct fa_elf {
	struct cache_slot *sym_cache;
	struct cache_slot *tail_cache;
	struct {
		uint64_t func; /* a function's start; 0: empty */
		bool noreturn;
	} noreturn_cache[CACHE_SLOTS]; /* fa_elf_noreturn() by function: the unwinder asks it at every frame */
	struct func *by_addr; /* sorted by address */
	struct func *by_name; /* sorted by name, built on first use */
	size_t nfuncs;
	struct fa_dwarf_fixed *fixed; /* the variables at fixed addresses, as the DIE scan found them */
	size_t nfixed;
	struct fa_aranges *aranges;   /* our index of .debug_aranges; NULL: libdwfl's alone */
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Elf *elf;
	Dwarf *dwarf;
	Dwarf_Addr bias;
	Dwarf_CFI *cfi;    /* .debug_frame, else .eh_frame */
	Dwarf_CFI *eh_cfi; /* .eh_frame beside .debug_frame (hand-written assembly's CFI), else NULL */
	bool own_cfi; /* .eh_frame's CFI is the caller's to end; .debug_frame's belongs to the Dwarf */
	uint16_t machine;
	const unsigned char *build_id;
	size_t build_id_len;
	uint64_t file_size; /* bytes of the file, as fa_elf_open() found it */
	struct {
		void *index;
		void (*destroy)(void *);
	} indexes[FA_ELF_INDEX_COUNT]; /* elf_private.h */
};

/* Debug information is in the file itself, or nowhere: a path the file names (.gnu_debuglink) is untrusted, and
 * libdwfl's standard search would open it, relative to the file's folder (a FIFO there blocks the caller). */
static int no_debuginfo_search(Dwfl_Module *mod, void **userdata, const char *modname, GElf_Addr base,
			       const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			       char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name, (void)debuglink_file, (void)debuglink_crc;
	*debuginfo_file_name = NULL;
	return -1;
}

static const Dwfl_Callbacks k_offline = {
	.find_elf = NULL,
	.find_debuginfo = no_debuginfo_search,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = NULL,
};

static int cmp_addr(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The length of the clone suffix s starts with (".constprop.0", ".cold", ".cold.1"), 0 when it starts with none. */
static size_t clone_suffix(const char *s)
{
	static const struct {
		const char *name;
		bool numbered; /* always with ".N"; the others may have one */
	} k_suffixes[] = {{"constprop", true}, {"isra", true},  {"part", true},
			  {"lto_priv", true},  {"cold", false}, {"localalias", false}};

	for (size_t i = 0; s[0] == '.' && i < sizeof(k_suffixes) / sizeof(k_suffixes[0]); i++) {
		size_t n = 1 + strlen(k_suffixes[i].name), digits;

		if (strncmp(s + 1, k_suffixes[i].name, n - 1) != 0)
			continue;
		digits = s[n] == '.' ? strspn(s + n + 1, "0123456789") : 0;
		if (digits > 0)
			return n + 1 + digits;
		if (!k_suffixes[i].numbered)
			return n;
	}
	return 0;
}

size_t fa_elf_clone_base(const char *name)
{
	for (const char *dot = strchr(name, '.'); dot != NULL; dot = strchr(dot + 1, '.')) {
		const char *s = dot;

		for (size_t n; (n = clone_suffix(s)) > 0;)
			s += n;
		if (*s == '\0') /* all suffixes from this dot on */
			return (size_t)(dot - name);
	}
	return strlen(name);
}

/* By the name without clone suffixes (a DWARF name finds its clones), the function of exactly that name first,
 * then by address. */
static int cmp_name(const void *a, const void *b)
{
	const struct func *x = a, *y = b;
	size_t nx = fa_elf_clone_base(x->name), ny = fa_elf_clone_base(y->name);
	int c = strncmp(x->name, y->name, nx < ny ? nx : ny);
	bool xe = x->name[nx] == '\0', ye = y->name[ny] == '\0';

	if (c != 0 || nx != ny)
		return c != 0 ? c : nx < ny ? -1 : 1;
	if (xe != ye)
		return xe ? -1 : 1;
	return cmp_addr(a, b);
}

/* The ELF's symbol table: .symtab, else .dynsym (what libdwfl would read, without its per-symbol work). */
static Elf_Scn *symbol_table(Elf *elf, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL, *dyn = NULL;
	GElf_Shdr dsh;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (gelf_getshdr(scn, sh) == NULL || sh->sh_entsize == 0)
			continue;
		if (sh->sh_type == SHT_SYMTAB)
			return scn;
		if (sh->sh_type == SHT_DYNSYM && dyn == NULL)
			dyn = scn, dsh = *sh;
	}
	if (dyn != NULL)
		*sh = dsh;
	return dyn;
}

/* Index the symbol table's functions (ARM mapping symbols $t, $a, $d name no function). */
static int index_functions(struct fa_elf *e)
{
	GElf_Shdr sh;
	Elf_Scn *scn = symbol_table(e->elf, &sh);
	Elf_Data *data = scn != NULL ? elf_getdata(scn, NULL) : NULL;
	size_t n = data != NULL ? data->d_size / sh.sh_entsize : 0;

	e->by_addr = calloc(n > 0 ? n : 1, sizeof(*e->by_addr));
	if (e->by_addr == NULL)
		return -1;
	for (size_t i = 0; i < n && i <= INT_MAX; i++) {
		GElf_Sym sym;
		const char *name;

		if (gelf_getsym(data, (int)i, &sym) == NULL || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || (name = elf_strptr(e->elf, sh.sh_link, sym.st_name)) == NULL ||
		    name[0] == '$' || name[0] == '\0')
			continue;
		e->by_addr[e->nfuncs].addr = (sym.st_value + e->bias) & ~(GElf_Addr)1;
		e->by_addr[e->nfuncs].size = sym.st_size;
		e->by_addr[e->nfuncs].name = name;
		e->nfuncs++;
	}
	/* stably: among functions at one address (aliases), the symbol table's first names them */
	return fa_keyed_sort(e->by_addr, e->nfuncs, sizeof(*e->by_addr)) == 0 ? 0 : -1;
}

static bool has_cu(Dwarf *dwarf)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	return dwarf_nextcu(dwarf, off, &next, &hsize, NULL, NULL, NULL) == 0;
}

#define INFLATE_RATIO 64u          /* compressed sections may inflate to this many times the file's size ... */
#define INFLATE_MAX (1024u << 20)  /* ... and this many bytes at most (DWARF compresses 3-10 times) */

/* What a section inflates to when libelf decompresses it (SHF_COMPRESSED, or GNU's ".zdebug" with its "ZLIB"
 * header); 0 for a section that is not compressed. */
static uint64_t inflated_size(Elf_Scn *scn, const GElf_Shdr *sh, const char *name)
{
	GElf_Chdr ch;
	Elf_Data *d;

	if (sh->sh_flags & SHF_COMPRESSED)
		return gelf_getchdr(scn, &ch) != NULL ? ch.ch_size : UINT64_MAX / 2;
	if (name == NULL || strncmp(name, ".zdebug", 7) != 0 || sh->sh_size < 12)
		return 0;
	d = elf_rawdata(scn, NULL);
	if (d == NULL || d->d_size < 12 || memcmp(d->d_buf, "ZLIB", 4) != 0)
		return 0;
	return (uint64_t)ff_be64((const uint8_t *)d->d_buf + 4);
}

/* Every section's bytes are in the file (a file cut short is told so, not taken for one without DWARF), the file
 * names no other file to read DWARF from, and its compressed sections do not inflate past reason. */
static int check_whole(Elf *elf, off_t size, const char *path, struct ff_error *err)
{
	size_t n, strndx;
	Elf_Scn *scn = NULL;
	GElf_Ehdr ehdr;
	uint64_t inflated = 0, add;

	/* (the header's own count: libelf counts no sections when their table lies past the end of the file) */
	if (gelf_getehdr(elf, &ehdr) == NULL ||
	    (uint64_t)ehdr.e_shoff + (uint64_t)ehdr.e_shnum * ehdr.e_shentsize > (uint64_t)size ||
	    elf_getshdrnum(elf, &n) != 0 || elf_getshdrstrndx(elf, &strndx) != 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "elf: %s is cut short: its section table is not all in its "
				    "%lld bytes (an upload or a copy that did not finish?)", path, (long long)size);
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (gelf_getshdr(scn, &sh) == NULL)
			return ff_error_set(err, FF_ERR_MALFORMED, "elf: %s: a section header cannot be read", path);
		name = elf_strptr(elf, strndx, sh.sh_name);
		/* libdw would open the supplementary file it names, lazily, at a path the file chooses */
		if (name != NULL && strcmp(name, ".gnu_debugaltlink") == 0)
			return ff_error_set(err, FF_ERR_UNSUPPORTED, "elf: %s takes part of its DWARF from a supplementary file "
					    "(.gnu_debugaltlink, dwz -m): upload an ELF that holds all of it", path);
		if (sh.sh_type == SHT_NOBITS)
			continue;
		if (sh.sh_offset > (uint64_t)size || sh.sh_size > (uint64_t)size - sh.sh_offset) /* (no wrap-around) */
			return ff_error_set(err, FF_ERR_MALFORMED, "elf: %s is cut short: section %s ends at byte %llu, the "
					    "file has %lld (an upload or a copy that did not finish?)", path,
					    name != NULL ? name : "?", (unsigned long long)(sh.sh_offset + sh.sh_size),
					    (long long)size);
		add = inflated_size(scn, &sh, name);
		inflated = add > UINT64_MAX - inflated ? UINT64_MAX : inflated + add;
	}
	/* libdw inflates compressed sections at every open: a file that would inflate far past itself is a bomb */
	if (inflated > INFLATE_MAX || inflated > INFLATE_RATIO * (uint64_t)size)
		return ff_error_set(err, FF_ERR_TOO_LARGE, "elf: %s would inflate to %llu MB of compressed sections, more "
				    "than %u times its %lld bytes or %u MB: refused (a compression bomb?)", path,
				    (unsigned long long)(inflated >> 20), INFLATE_RATIO, (long long)size, INFLATE_MAX >> 20);
	return 0;
}

int fa_elf_open(struct fa_elf **out, const char *path, struct ff_error *err)
{
	struct fa_elf *e = calloc(1, sizeof(*e));
	GElf_Addr vaddr;
	GElf_Ehdr ehdr;
	struct stat st;
	int fd, rc = 0;

	*out = NULL;
	if (e == NULL)
		return ff_error_set(err, FF_ERR_NOMEM, "elf: out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = ff_error_set(err, FF_ERR_IO, "elf: cannot open %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto done;
	}
	e->dwfl = dwfl_begin(&k_offline);
	e->mod = e->dwfl != NULL ? dwfl_report_offline(e->dwfl, "firmware", path, fd) : NULL;
	if (e->mod == NULL) {
		close(fd);
		rc = ff_error_set(err, FF_ERR_MALFORMED, "elf: %s is not an ELF file (%s)", path, dwfl_errmsg(-1));
		goto done;
	}
	dwfl_report_end(e->dwfl, NULL, NULL);
	e->elf = dwfl_module_getelf(e->mod, &e->bias);
	if (e->elf == NULL || gelf_getehdr(e->elf, &ehdr) == NULL) {
		rc = ff_error_set(err, FF_ERR_MALFORMED, "elf: %s: cannot read the ELF header", path);
		goto done;
	}
	if ((rc = check_whole(e->elf, st.st_size, path, err)) != 0)
		goto done;
	if (ehdr.e_type != ET_EXEC && ehdr.e_type != ET_DYN) { /* symbols and DWARF at the addresses the code runs at */
		rc = ff_error_set(err, FF_ERR_UNSUPPORTED, "elf: %s is %s, not a linked executable: give the firmware's "
				  "ELF as the linker wrote it", path, ehdr.e_type == ET_REL ? "an object file (ET_REL)"
				  : ehdr.e_type == ET_CORE ? "a core file (ET_CORE)" : "of an unknown ELF type");
		goto done;
	}
	e->file_size = (uint64_t)st.st_size;
	e->machine = ehdr.e_machine;
	e->build_id_len = 0;
	{
		int n = dwfl_module_build_id(e->mod, &e->build_id, &vaddr);

		if (n < 8 || n > 64) {
			rc = ff_error_set(err, FF_ERR_UNSUPPORTED,
					  "elf: %s has no GNU build-id: link the firmware with -Wl,--build-id", path);
			goto done;
		}
		e->build_id_len = (size_t)n;
	}
	e->dwarf = dwfl_module_getdwarf(e->mod, &e->bias);
	if (e->dwarf == NULL || !has_cu(e->dwarf)) {
		rc = ff_error_set(err, FF_ERR_UNSUPPORTED,
				  "elf: %s has no DWARF debug information: build the firmware with -g and give the "
				  "unstripped ELF",
				  path);
		goto done;
	}
	/* before anything walks the DIEs: bytes as libdw reads them, inflated and (ET_REL) relocated */
	if ((rc = fa_dwarf_scan(dwarf_getelf(e->dwarf), path, &e->fixed, &e->nfixed, err)) != 0)
		goto done;
	if (e->bias == 0) /* (a firmware's, always) */
		e->aranges = fa_aranges_read(dwarf_getelf(e->dwarf));
	e->sym_cache = calloc(CACHE_SLOTS, sizeof(*e->sym_cache));
	e->tail_cache = calloc(CACHE_SLOTS, sizeof(*e->tail_cache));
	if (e->sym_cache == NULL || e->tail_cache == NULL || index_functions(e) != 0) {
		rc = ff_error_set(err, FF_ERR_NOMEM, "elf: out of memory indexing the symbol table");
		goto done;
	}
	e->cfi = dwarf_getcfi(e->dwarf); /* .debug_frame: what arm-none-eabi-gcc -g emits */
	if (e->cfi == NULL) {
		e->cfi = dwarf_getcfi_elf(e->elf); /* .eh_frame: hosted programs (the POSIX port) */
		e->own_cfi = e->cfi != NULL;
	} else {
		e->eh_cfi = dwarf_getcfi_elf(e->elf); /* GNU as's default for .cfi_* directives in assembly */
	}
	if (e->cfi == NULL) {
		rc = ff_error_set(err, FF_ERR_UNSUPPORTED,
				  "elf: %s has no call frame information (.debug_frame): build with -g", path);
		goto done;
	}
done:
	if (rc != 0)
		fa_elf_close(e);
	else
		*out = e;
	return rc;
}

void fa_elf_close(struct fa_elf *e)
{
	if (e == NULL)
		return;
	for (int i = 0; i < FA_ELF_INDEX_COUNT; i++)
		fa_elf_set_index(e, (enum fa_elf_index)i, NULL, NULL);
	if (e->own_cfi)
		dwarf_cfi_end(e->cfi);
	if (e->eh_cfi != NULL)
		dwarf_cfi_end(e->eh_cfi);
	if (e->dwfl != NULL)
		dwfl_end(e->dwfl); /* closes the file and everything the module opened */
	free(e->by_addr);
	free(e->by_name);
	free(e->fixed);
	fa_aranges_free(e->aranges);
	free(e->sym_cache);
	free(e->tail_cache);
	free(e);
}

size_t fa_elf_build_id(const struct fa_elf *e, const uint8_t **out)
{
	*out = e->build_id;
	return e->build_id_len;
}

uint16_t fa_elf_machine(const struct fa_elf *e)
{
	return e->machine;
}

int fa_elf_check_build_id(const struct fa_elf *e, const uint8_t *id, size_t len, struct ff_error *err)
{
	char want[130], got[130];

	if (len == e->build_id_len && memcmp(id, e->build_id, len) == 0)
		return 0;
	ff_hex(want, sizeof(want), id, len);
	ff_hex(got, sizeof(got), e->build_id, e->build_id_len);
	return ff_error_set(err, FF_ERR_UNSUPPORTED,
			    "elf: the dump is from build-id %s but this ELF is %s: it is not the firmware that crashed",
			    want, got);
}

int fa_elf_section(const struct fa_elf *e, const char *name, uint8_t *out, size_t cap, size_t *out_len,
		   struct ff_error *err)
{
	Elf_Scn *scn = NULL, *found = NULL;
	GElf_Shdr sh, fsh = {0};
	size_t strndx;
	Elf_Data *d;

	if (elf_getshdrstrndx(e->elf, &strndx) != 0) /* (fa_elf_open() read it: not expected) */
		return ff_error_set(err, FF_ERR_MALFORMED, "elf: the section names cannot be read (%s)", elf_errmsg(-1));
	while ((scn = elf_nextscn(e->elf, scn)) != NULL) {
		const char *n;

		if (gelf_getshdr(scn, &sh) == NULL)
			continue;
		n = elf_strptr(e->elf, strndx, sh.sh_name);
		if (n == NULL || strcmp(n, name) != 0)
			continue;
		if (found != NULL)
			return ff_error_set(err, FF_ERR_MALFORMED, "elf: two sections are named %s", name);
		found = scn;
		fsh = sh;
	}
	if (found == NULL)
		return FA_ELF_NO_SECTION;
	if (fsh.sh_type == SHT_NOBITS)
		return ff_error_set(err, FF_ERR_MALFORMED, "elf: section %s is SHT_NOBITS: it has no bytes in the file",
				    name);
	if (fsh.sh_flags & SHF_COMPRESSED)
		return ff_error_set(err, FF_ERR_UNSUPPORTED, "elf: section %s is compressed (SHF_COMPRESSED)", name);
	if (fsh.sh_offset > e->file_size || fsh.sh_size > e->file_size - fsh.sh_offset)
		return ff_error_set(err, FF_ERR_MALFORMED, "elf: section %s (%llu bytes at byte %llu) runs past the "
				    "file's %llu bytes", name, (unsigned long long)fsh.sh_size,
				    (unsigned long long)fsh.sh_offset, (unsigned long long)e->file_size);
	if (fsh.sh_size > cap)
		return ff_error_set(err, FF_ERR_TOO_LARGE, "elf: section %s is %llu bytes (at most %zu)", name,
				    (unsigned long long)fsh.sh_size, cap);
	if (fsh.sh_size > 0) {
		d = elf_rawdata(found, NULL);
		if (d == NULL || d->d_buf == NULL || d->d_size != fsh.sh_size)
			return ff_error_set(err, FF_ERR_MALFORMED, "elf: section %s cannot be read (%s)", name,
					    elf_errmsg(-1));
		memcpy(out, d->d_buf, d->d_size);
	}
	*out_len = (size_t)fsh.sh_size;
	return 0;
}

static bool subprogram_at(struct fa_elf *e, uint64_t addr, Dwarf_Die *out);
static size_t slot_of(uint64_t a, uint64_t b);

const char *fa_elf_cfi_frame(struct fa_elf *e, uint64_t addr, struct Dwarf_Frame_s **out)
{
	if (dwarf_cfi_addrframe(e->cfi, addr, out) == 0)
		return e->own_cfi ? ".eh_frame" : ".debug_frame";
	if (e->eh_cfi != NULL && dwarf_cfi_addrframe(e->eh_cfi, addr, out) == 0)
		return ".eh_frame";
	return NULL;
}

/* Read a 32-bit word of a section's bytes in the file. */
static bool section_word(Elf_Scn *scn, const GElf_Shdr *sh, uint64_t off, uint32_t *out)
{
	Elf_Data *d = elf_rawdata(scn, NULL);

	if (d == NULL || sh->sh_type == SHT_NOBITS || off > d->d_size || d->d_size - off < 4)
		return false;
	*out = ff_le32((const uint8_t *)d->d_buf + off);
	return true;
}

/* prel31: a 31-bit signed offset from the word's own address. */
static uint64_t prel31(uint64_t at, uint32_t w)
{
	return (uint32_t)(at + (uint64_t)(int64_t)((int32_t)(w << 1) >> 1));
}

int fa_elf_exidx(struct fa_elf *e, uint64_t addr, uint8_t *out, size_t *out_len)
{
	Elf_Scn *scn = NULL, *ex = NULL, *tab = NULL;
	GElf_Shdr sh, exsh, tabsh;
	size_t n, lo = 0, hi;
	uint32_t w0, w1, word;
	uint64_t entry;
	const char *name;
	uint64_t fn = fa_elf_function_at(e, addr, &name);

	if (fn == 0) /* in no function (an entry for address 0 is no function's either) */
		return -1;
	while ((scn = elf_nextscn(e->elf, scn)) != NULL)
		if (gelf_getshdr(scn, &sh) != NULL && sh.sh_type == SHT_ARM_EXIDX && ex == NULL) {
			ex = scn;
			exsh = sh;
		}
	if (ex == NULL || exsh.sh_size < 8)
		return -1;
	n = exsh.sh_size / 8;
	for (hi = n; lo < hi;) { /* the last entry whose function starts at or before addr (the table is sorted) */
		size_t mid = lo + (hi - lo) / 2;

		if (!section_word(ex, &exsh, 8 * mid, &w0))
			return -1;
		if (prel31(exsh.sh_addr + 8 * mid, w0) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || !section_word(ex, &exsh, 8 * (lo - 1) + 4, &w1))
		return -1;
	entry = exsh.sh_addr + 8 * (lo - 1);
	/* an entry of the function before (this one has none), or EXIDX_CANTUNWIND */
	if (!section_word(ex, &exsh, 8 * (lo - 1), &w0) || prel31(entry, w0) != fn || w1 == 1)
		return -1;
	if (w1 & 0x80000000u) { /* inline: personality routine 0, three instruction bytes */
		word = w1;
	} else { /* in .ARM.extab: find the section holding it */
		uint64_t at = prel31(entry + 4, w1);

		for (scn = NULL; tab == NULL && (scn = elf_nextscn(e->elf, scn)) != NULL;)
			if (gelf_getshdr(scn, &tabsh) != NULL && (tabsh.sh_flags & SHF_ALLOC) && at >= tabsh.sh_addr &&
			    at - tabsh.sh_addr < tabsh.sh_size)
				tab = scn;
		if (tab == NULL || !section_word(tab, &tabsh, at - tabsh.sh_addr, &word) || !(word & 0x80000000u))
			return -1; /* a generic personality routine's data: not unwind instructions */
		if ((word >> 24 & 0x7f) > 2) /* bits 28-30 are reserved, and so are personality routines 3-15 */
			return -1;
		if ((word >> 24 & 0xf) != 0) { /* personality 1 or 2: bits 16-23 count the words that follow */
			size_t more = word >> 16 & 0xff, len = 0;

			if (more > 7)
				return -1;
			out[len++] = (uint8_t)(word >> 8);
			out[len++] = (uint8_t)word;
			for (size_t i = 0; i < more; i++) {
				if (!section_word(tab, &tabsh, at - tabsh.sh_addr + 4 * (i + 1), &word))
					return -1;
				for (int b = 24; b >= 0; b -= 8)
					out[len++] = (uint8_t)(word >> b);
			}
			*out_len = len;
			return 0;
		}
	}
	if ((word >> 24 & 0x7f) != 0) /* an inline entry is personality 0 (bits 28-30 reserved) */
		return -1;
	out[0] = (uint8_t)(word >> 16);
	out[1] = (uint8_t)(word >> 8);
	out[2] = (uint8_t)word;
	*out_len = 3;
	return 0;
}

bool fa_elf_follows_call(const struct fa_elf *e, uint64_t ra)
{
	uint8_t b[4];
	uint64_t at = ra & ~1ull;

	if (at >= 4 && fa_elf_read(e, at - 4, b, 4) == 0 && (b[1] & 0xf8) == 0xf0 && (b[3] & 0xd0) == 0xd0)
		return true; /* BL: 11110... 11x1... */
	return at >= 2 && fa_elf_read(e, at - 2, b, 2) == 0 && (b[0] & 0x87) == 0x80 && b[1] == 0x47; /* BLX Rm */
}

bool fa_elf_noreturn(struct fa_elf *e, uint64_t addr)
{
	Dwarf_Attribute attr;
	Dwarf_Die sub;
	const char *name;
	bool flag = false;
	uint64_t func = fa_elf_function_at(e, addr, &name);
	size_t slot = slot_of(func, 0);

	if (func == 0)
		return false;
	if (e->noreturn_cache[slot].func == func)
		return e->noreturn_cache[slot].noreturn;
	flag = subprogram_at(e, addr, &sub) && dwarf_attr_integrate(&sub, DW_AT_noreturn, &attr) != NULL &&
	       dwarf_formflag(&attr, &flag) == 0 && flag;
	e->noreturn_cache[slot].func = func;
	e->noreturn_cache[slot].noreturn = flag;
	return flag;
}

Dwarf *fa_elf_dwarf(struct fa_elf *e)
{
	return e->dwarf;
}

/* The CU of a code address: our index's answer when it has one, else libdwfl's (which also gives an address in a
 * gap between units to the unit before it). bias: (out) what to take from addr for the CU's addresses. */
static bool cu_at(struct fa_elf *e, uint64_t addr, Dwarf_Die *out, Dwarf_Addr *bias)
{
	Dwarf_Off next;
	uint64_t off;
	size_t hsize;
	Dwarf_Die *cu;

	*bias = 0;
	if (fa_aranges_find(e->aranges, addr, &off) &&
	    dwarf_nextcu(e->dwarf, off, &next, &hsize, NULL, NULL, NULL) == 0 &&
	    dwarf_offdie(e->dwarf, off + hsize, out) != NULL)
		return true;
	if ((cu = dwfl_module_addrdie(e->mod, addr, bias)) == NULL)
		return false;
	*out = *cu;
	return true;
}

bool fa_elf_cu_at(struct fa_elf *e, uint64_t addr, Dwarf_Die *out)
{
	Dwarf_Addr bias;

	return cu_at(e, addr, out, &bias);
}

const struct fa_dwarf_fixed *fa_elf_fixed_variables(const struct fa_elf *e, size_t *n)
{
	*n = e->nfixed;
	return e->fixed;
}

void *fa_elf_index(struct fa_elf *e, enum fa_elf_index which)
{
	return e->indexes[which].index;
}

void fa_elf_set_index(struct fa_elf *e, enum fa_elf_index which, void *index, void (*destroy)(void *))
{
	if (e->indexes[which].destroy != NULL && e->indexes[which].index != NULL)
		e->indexes[which].destroy(e->indexes[which].index);
	e->indexes[which].index = index;
	e->indexes[which].destroy = destroy;
}

int fa_elf_read(const struct fa_elf *e, uint64_t addr, void *buf, size_t len)
{
	size_t n;

	if (elf_getphdrnum(e->elf, &n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		Elf_Data *d;

		if (gelf_getphdr(e->elf, (int)i, &ph) == NULL || ph.p_type != PT_LOAD)
			continue;
		if (addr < ph.p_vaddr || addr - ph.p_vaddr > ph.p_filesz || len > ph.p_filesz - (addr - ph.p_vaddr))
			continue;
		d = elf_getdata_rawchunk(e->elf, (int64_t)(ph.p_offset + (addr - ph.p_vaddr)), len, ELF_T_BYTE);
		if (d == NULL || d->d_size != len)
			return -1;
		memcpy(buf, d->d_buf, len);
		return 0;
	}
	return -1;
}

bool fa_elf_has_function(const struct fa_elf *e, const char *name)
{
	for (size_t i = 0; i < e->nfuncs; i++)
		if (strcmp(e->by_addr[i].name, name) == 0)
			return true;
	return false;
}

uint64_t fa_elf_function_at(struct fa_elf *e, uint64_t addr, const char **name)
{
	size_t lo = fa_keyed_upper(e->by_addr, e->nfuncs, sizeof(*e->by_addr), addr); /* past the nearest start */

	if (lo == 0)
		return 0;
	{
		const struct func *f = &e->by_addr[lo - 1];

		if (addr - f->addr >= (f->size > 0 ? f->size : 1))
			return 0;
		*name = f->name;
		return f->addr;
	}
}

/* A DIE's name, or its abstract origin's; NULL when neither has one ("" is none: a report names no function "") */
static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Die origin;
	const char *name = dwarf_diename(die);

	if ((name == NULL || name[0] == '\0') && dwarf_attr_integrate(die, DW_AT_abstract_origin, &attr) != NULL &&
	    dwarf_formref_die(&attr, &origin) != NULL)
		name = dwarf_diename(&origin);
	return name != NULL && name[0] != '\0' ? name : NULL;
}

static void copy(char *out, size_t cap, const char *s)
{
	snprintf(out, cap, "%s", s != NULL ? s : "");
}

/* DW_AT_call_file / DW_AT_call_line of an inlined subroutine: where it was called from. */
static void call_site(Dwarf_Die *cudie, Dwarf_Die *inl, struct fa_sym *out)
{
	Dwarf_Attribute attr;
	Dwarf_Word file = 0, line = 0;
	Dwarf_Files *files;
	size_t nfiles;

	if (dwarf_attr(inl, DW_AT_call_line, &attr) != NULL && dwarf_formudata(&attr, &line) == 0 && line <= INT_MAX)
		out->line = (int)line;
	if (dwarf_attr(inl, DW_AT_call_file, &attr) != NULL && dwarf_formudata(&attr, &file) == 0 &&
	    dwarf_getsrcfiles(cudie, &files, &nfiles) == 0 && file < nfiles)
		copy(out->file, sizeof(out->file), dwarf_filesrc(files, file, NULL, NULL));
}

static size_t slot_of(uint64_t a, uint64_t b)
{
	return (size_t)(((a >> 1) ^ (b * 0x9e3779b97f4a7c15ull)) * 0x9e3779b97f4a7c15ull >> 55) % CACHE_SLOTS;
}

typedef size_t lookup_fn(struct fa_elf *e, uint64_t a, uint64_t b, struct fa_sym *out, size_t max);

/* lookup(e, a, b, out, max) through the cache: the slot's answer cut to max, or (rare: an answer longer than the
 * slot holds, asked with more room than that) the lookup itself. */
static size_t cached(struct fa_elf *e, struct cache_slot *cache, lookup_fn *lookup, uint64_t a, uint64_t b,
		     struct fa_sym *out, size_t max)
{
	struct cache_slot *slot = &cache[slot_of(a, b)];
	size_t n;

	if (!slot->used || slot->a != a || slot->b != b) {
		struct fa_sym all[CACHE_SYMS + 1]; /* one more than the slot holds tells whether the answer goes on */

		n = lookup(e, a, b, all, CACHE_SYMS + 1);
		slot->a = a;
		slot->b = b;
		slot->used = true;
		slot->cut = n > CACHE_SYMS;
		slot->n = slot->cut ? CACHE_SYMS : n;
		memcpy(slot->syms, all, slot->n * sizeof(all[0]));
	}
	if (slot->cut && max > CACHE_SYMS)
		return lookup(e, a, b, out, max);
	n = slot->n < max ? slot->n : max;
	memcpy(out, slot->syms, n * sizeof(*out));
	return n;
}

static size_t symbolize(struct fa_elf *e, uint64_t addr, uint64_t unused, struct fa_sym *out, size_t max);

size_t fa_elf_symbolize(struct fa_elf *e, uint64_t addr, struct fa_sym *out, size_t max)
{
	return cached(e, e->sym_cache, symbolize, addr, 0, out, max);
}

/*
 * The line-table row for addr as GDB reports it. Several rows can share an address (GCC's location views: a
 * folded computation starts lines 37 and 38 at once, and 39's non-statement row follows); libdw answers the last
 * one, GDB the last that begins a statement. A row that is no statement is kept only when no row at that address
 * is one.
 */
static Dwarf_Line *line_at(Dwarf_Die *cudie, Dwarf_Addr addr)
{
	Dwarf_Line *line = dwarf_getsrc_die(cudie, addr), *row, *best = NULL;
	Dwarf_Lines *lines;
	Dwarf_Addr at, a;
	size_t n, lo = 0, hi;
	bool stmt, end;

	if (line == NULL || dwarf_linebeginstatement(line, &stmt) != 0 || stmt || dwarf_lineaddr(line, &at) != 0 ||
	    dwarf_getsrclines(cudie, &lines, &n) != 0)
		return line;
	for (hi = n; lo < hi;) { /* libdw keeps the rows sorted by address: find the first at `at` */
		size_t mid = lo + (hi - lo) / 2;

		if ((row = dwarf_onesrcline(lines, mid)) == NULL || dwarf_lineaddr(row, &a) != 0)
			return line;
		if (a < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && (row = dwarf_onesrcline(lines, lo)) != NULL && dwarf_lineaddr(row, &a) == 0 && a == at; lo++)
		if (dwarf_linebeginstatement(row, &stmt) == 0 && stmt && dwarf_lineendsequence(row, &end) == 0 && !end)
			best = row;
	return best != NULL ? best : line;
}

/* DIEs that hold functions without a code range of their own: a C++ method's definition is inside its namespace
 * (and, for one defined in its class, the class) */
static bool is_container(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);

	return tag == DW_TAG_namespace || tag == DW_TAG_class_type || tag == DW_TAG_structure_type ||
	       tag == DW_TAG_union_type;
}

#define CONTAINERS_MAX 256 /* containers nested in each other, searched at once (dwarf_scan.c's depth bound) */

/*
 * The DIEs whose code contains pc, innermost first, up to (not including) the CU: the chain dwarf_getscopes_die()
 * gives for the innermost one. Not dwarf_getscopes(): past an inlined subroutine it goes on with the scopes of the
 * abstract definition (this file wants the concrete callers), and when that definition cannot be found (a broken
 * DW_AT_abstract_origin) it loses the array it made: 32 bytes a scope, every lookup, while the ELF stays open.
 * Like dwarf_getscopes(), it looks for them inside namespaces, classes, structures and unions too (which are not
 * in the chain).
 * out: (out) the chain, malloc'd (free() it), NULL when empty. Returns its length.
 */
static int scopes_at(Dwarf_Die *cudie, Dwarf_Addr pc, Dwarf_Die **out)
{
	Dwarf_Die child, next, *chain = NULL, *grown;
	Dwarf_Die *open = NULL; /* the containers being searched, outermost first: where to go on when one is done */
	size_t n = 0, cap = 0, nopen = 0;

	/* (no recursion: nesting is the file's choice) */
	if (dwarf_child(cudie, &child) != 0)
		goto done;
	for (;;) {
		if (dwarf_haspc(&child, pc) > 0) { /* one level down, into it */
			if (n == cap) {
				cap = cap > 0 ? 2 * cap : 8;
				if ((grown = realloc(chain, cap * sizeof(*chain))) == NULL)
					goto done; /* out of memory: the outer scopes found so far */
				chain = grown;
			}
			chain[n++] = child;
			nopen = 0; /* pc is in there: the containers around it are not searched further */
			if (n >= INT_MAX || dwarf_child(&chain[n - 1], &child) != 0)
				goto done;
			continue;
		}
		if (is_container(&child) && dwarf_child(&child, &next) == 0) { /* into it, not in the chain */
			if (open == NULL && (open = malloc(CONTAINERS_MAX * sizeof(*open))) == NULL)
				goto done;
			if (nopen < CONTAINERS_MAX) {
				open[nopen++] = child;
				child = next;
				continue;
			}
		}
		while (dwarf_siblingof(&child, &child) != 0) { /* the last child: on after the container it is in */
			if (nopen == 0)
				goto done;
			child = open[--nopen];
		}
	}
done:
	free(open);
	for (size_t i = 0; i < n / 2; i++) {
		Dwarf_Die t = chain[i];

		chain[i] = chain[n - 1 - i];
		chain[n - 1 - i] = t;
	}
	*out = chain;
	return (int)n;
}

int fa_elf_scopes(struct fa_elf *e, uint64_t addr, Dwarf_Die **out)
{
	Dwarf_Addr bias;
	Dwarf_Die cudie;

	*out = NULL;
	return cu_at(e, addr, &cudie, &bias) ? scopes_at(&cudie, addr - bias, out) : 0;
}

static size_t symbolize(struct fa_elf *e, uint64_t addr, uint64_t unused, struct fa_sym *out, size_t max)
{
	Dwarf_Addr bias;
	Dwarf_Die cu, *cudie = cu_at(e, addr, &cu, &bias) ? &cu : NULL, *scopes = NULL;
	Dwarf_Line *line;
	const char *name = NULL;
	size_t n = 0;
	int nscopes, lineno;

	(void)unused;
	memset(&out[0], 0, sizeof(out[0]));
	copy(out[0].function, sizeof(out[0].function), "?");
	/* Only code the symbol table knows: DWARF of functions --gc-sections removed stays behind at address 0. */
	if (fa_elf_function_at(e, addr, &name) == 0)
		return 1;
	if (cudie != NULL && (line = line_at(cudie, addr - bias)) != NULL) {
		copy(out[0].file, sizeof(out[0].file), dwarf_linesrc(line, NULL, NULL));
		if (dwarf_lineno(line, &lineno) == 0 && lineno > 0) /* a corrupt table's negative line is unknown */
			out[0].line = lineno;
	}
	/* Each function inlined at pc, innermost first, then the one it is inlined into (as eu-addr2line -i gives
	 * them): the concrete DIEs containing pc, with the call site of each inlined one as its caller's position. */
	nscopes = cudie != NULL ? scopes_at(cudie, addr - bias, &scopes) : 0;
	for (int i = 0; i < nscopes && n < max; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine)
			continue;
		copy(out[n].function, sizeof(out[n].function), die_name(&scopes[i]) ? die_name(&scopes[i]) : "?");
		out[n].inlined = tag == DW_TAG_inlined_subroutine;
		n++;
		if (tag == DW_TAG_subprogram || n == max)
			break;
		memset(&out[n], 0, sizeof(out[n]));
		call_site(cudie, &scopes[i], &out[n]);
	}
	free(scopes);
	if (n == 0) { /* no DWARF scope: the symbol's name (e.g. libc without debug information) */
		copy(out[0].function, sizeof(out[0].function), name);
		n = 1;
	}
	return n;
}

/* ---- tail calls (DWARF call-site records) ---- */

#define TAIL_DEPTH 8
/* Call sites one search looks at, at most: functions that tail-call each other make the paths up to TAIL_DEPTH
 * exponential in number (30 of them, 29^7), and a search that runs out gives up as if ambiguous. */
#define TAIL_VISITS_MAX 4096u

/* The out-of-line function (DW_TAG_subprogram) containing addr. */
static bool subprogram_at(struct fa_elf *e, uint64_t addr, Dwarf_Die *out)
{
	Dwarf_Addr bias;
	Dwarf_Die cu, *cudie = cu_at(e, addr, &cu, &bias) ? &cu : NULL, *scopes = NULL;
	int n = cudie != NULL ? scopes_at(cudie, addr - bias, &scopes) : 0;
	bool found = false;

	for (int i = 0; i < n && !found; i++) {
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram) {
			*out = scopes[i];
			found = true;
		}
	}
	free(scopes);
	return found;
}

/* The concrete subprogram of function `name` (a DWARF name), found through the symbol table: the symbol of that
 * name or, for an IPA clone (name.constprop.0, name.isra.0...), the clone at the lowest address. */
static bool subprogram_named(struct fa_elf *e, const char *name, Dwarf_Die *out)
{
	size_t lo = 0, hi, len = strlen(name);

	if (e->by_name == NULL) { /* built the first time a tail-call search needs it */
		e->by_name = malloc((e->nfuncs > 0 ? e->nfuncs : 1) * sizeof(*e->by_name));
		if (e->by_name == NULL)
			return false;
		memcpy(e->by_name, e->by_addr, e->nfuncs * sizeof(*e->by_addr));
		qsort(e->by_name, e->nfuncs, sizeof(*e->by_name), cmp_name);
	}
	for (hi = e->nfuncs; lo < hi;) { /* the first entry whose base name is not below name */
		size_t mid = lo + (hi - lo) / 2, n = fa_elf_clone_base(e->by_name[mid].name);
		int c = strncmp(e->by_name[mid].name, name, n < len ? n : len);

		if (c < 0 || (c == 0 && n < len))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->nfuncs && fa_elf_clone_base(e->by_name[lo].name) == len &&
	       strncmp(e->by_name[lo].name, name, len) == 0 && subprogram_at(e, e->by_name[lo].addr, out);
}

/* The name of the function a call site calls (DW_AT_call_origin), NULL for indirect calls. */
static const char *call_target(Dwarf_Die *site)
{
	Dwarf_Attribute attr;
	Dwarf_Die origin;

	if ((dwarf_attr(site, DW_AT_call_origin, &attr) == NULL &&
	     dwarf_attr(site, DW_AT_abstract_origin, &attr) == NULL) ||
	    dwarf_formref_die(&attr, &origin) == NULL)
		return NULL;
	return die_name(&origin);
}

static bool is_call_site(Dwarf_Die *d)
{
	int tag = dwarf_tag(d);

	return tag == DW_TAG_call_site || tag == DW_TAG_GNU_call_site;
}

static bool call_site_return_pc(Dwarf_Die *site, Dwarf_Addr *pc)
{
	Dwarf_Attribute attr;

	return (dwarf_attr(site, DW_AT_call_return_pc, &attr) != NULL ||
		dwarf_attr(site, DW_AT_low_pc, &attr) != NULL) &&
	       dwarf_formaddr(&attr, pc) == 0;
}

static bool is_tail_call(Dwarf_Die *site)
{
	Dwarf_Attribute attr;
	bool flag = false;

	return (dwarf_attr(site, DW_AT_call_tail_call, &attr) != NULL ||
		dwarf_attr(site, DW_AT_GNU_tail_call, &attr) != NULL) &&
	       dwarf_formflag(&attr, &flag) == 0 && flag;
}

/* Visit the call sites in die's subtree (not into nested subprograms). */
static int each_call_site(Dwarf_Die *die, int (*fn)(Dwarf_Die *site, void *ctx), void *ctx)
{
	Dwarf_Die child;
	int rc;

	if (dwarf_child(die, &child) != 0)
		return 0;
	do {
		if (is_call_site(&child)) {
			if ((rc = fn(&child, ctx)) != 0)
				return rc;
		} else if (dwarf_tag(&child) != DW_TAG_subprogram && (rc = each_call_site(&child, fn, ctx)) != 0) {
			return rc;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

struct find_return {
	Dwarf_Addr ra;
	const char *target;
};

static int match_return(Dwarf_Die *site, void *ctx)
{
	struct find_return *f = ctx;
	Dwarf_Addr pc;

	if (call_site_return_pc(site, &pc) && pc == f->ra) {
		f->target = call_target(site);
		return 1;
	}
	return 0;
}

struct tail_search {
	struct fa_elf *e;
	const char *goal;
	const char *path[TAIL_DEPTH];
	Dwarf_Addr path_pc[TAIL_DEPTH];
	size_t depth;
	size_t chains;       /* complete chains found: more than one is ambiguous, and ends the search */
	size_t visits;       /* call sites looked at */
	bool gave_up;        /* past TAIL_VISITS_MAX of them */
	const char *found[TAIL_DEPTH];
	Dwarf_Addr found_pc[TAIL_DEPTH];
	size_t found_len;
};

static void search(struct tail_search *t, const char *fn);

static int follow_tail(Dwarf_Die *site, void *ctx)
{
	struct tail_search *t = ctx;
	const char *next;
	Dwarf_Addr pc = 0;

	if (++t->visits > TAIL_VISITS_MAX) {
		t->gave_up = true;
		return 1;
	}
	if (!is_tail_call(site) || (next = call_target(site)) == NULL || t->depth >= TAIL_DEPTH)
		return 0;
	call_site_return_pc(site, &pc);
	t->path_pc[t->depth - 1] = pc; /* 0 when the site has none: a frame without a line */
	if (strcmp(next, t->goal) == 0) {
		bool same = t->chains > 0 && t->found_len == t->depth;

		for (size_t i = 0; same && i < t->depth; i++)
			same = strcmp(t->found[i], t->path[i]) == 0;
		if (same) { /* the same functions through other call sites: which one ran is unknown */
			for (size_t i = 0; i < t->depth; i++)
				if (t->found_pc[i] != t->path_pc[i])
					t->found_pc[i] = 0;
			return 0;
		}
		if (t->chains++ == 0) {
			memcpy(t->found, t->path, t->depth * sizeof(t->path[0]));
			memcpy(t->found_pc, t->path_pc, t->depth * sizeof(t->path_pc[0]));
			t->found_len = t->depth;
		}
		return t->chains > 1; /* ambiguous: no need to look further */
	}
	search(t, next);
	return t->gave_up || t->chains > 1;
}

/* Depth-first over tail calls from fn, recording the first complete chain to the goal and counting them; it stops
 * at a second one, or past TAIL_VISITS_MAX call sites (gave_up). */
static void search(struct tail_search *t, const char *fn)
{
	Dwarf_Die sub;

	for (size_t i = 0; i < t->depth; i++)
		if (strcmp(t->path[i], fn) == 0)
			return; /* a cycle */
	if (t->depth >= TAIL_DEPTH || !subprogram_named(t->e, fn, &sub))
		return;
	t->path[t->depth++] = fn;
	each_call_site(&sub, follow_tail, t);
	t->depth--;
}

static size_t tail_calls(struct fa_elf *e, uint64_t callee_pc, uint64_t ra, struct fa_sym *out, size_t max);

size_t fa_elf_tail_calls(struct fa_elf *e, uint64_t callee_pc, uint64_t ra, struct fa_sym *out, size_t max)
{
	return cached(e, e->tail_cache, tail_calls, callee_pc, ra, out, max);
}

static size_t tail_calls(struct fa_elf *e, uint64_t callee_pc, uint64_t ra, struct fa_sym *out, size_t max)
{
	struct find_return f = {ra, NULL};
	struct tail_search t;
	Dwarf_Die caller, callee;
	const char *goal;
	size_t n = 0;

	if (!subprogram_at(e, ra - 1, &caller) || !subprogram_at(e, callee_pc, &callee) ||
	    (goal = die_name(&callee)) == NULL)
		return 0;
	each_call_site(&caller, match_return, &f);
	if (f.target == NULL || strcmp(f.target, goal) == 0)
		return 0;
	memset(&t, 0, sizeof(t));
	t.e = e;
	t.goal = goal;
	search(&t, f.target);
	if (t.gave_up || t.chains != 1)
		return 0; /* none, ambiguous, or too many paths to tell: show nothing rather than guess */
	/* innermost first: the function that made the last tail call comes first, each with the functions inlined at
	 * its tail call (GDB names the frame after the innermost of them only) */
	for (size_t i = t.found_len; i-- > 0 && n < max;) {
		struct fa_sym s[CACHE_SYMS];
		size_t k = 0;

		if (t.found_pc[i] != 0) /* else several call sites in it make the same chain: no line, no inlining */
			k = fa_elf_symbolize(e, t.found_pc[i] - 1, s, CACHE_SYMS);
		if (k == 0 || strcmp(s[k - 1].function, t.found[i]) != 0) {
			memset(&s[0], 0, sizeof(s[0]));
			k = 1;
		}
		snprintf(s[k - 1].function, sizeof(s[k - 1].function), "%s", t.found[i]);
		for (size_t j = 0; j < k && n < max; j++) {
			out[n] = s[j];
			out[n].pc = t.found_pc[i];
			n++;
		}
	}
	return n;
}
