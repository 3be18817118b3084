/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/elf.c on this test's own executable (a host ELF with DWARF, a build-id and .eh_frame; linked as a
 * fixed-address executable, as firmware is: libdwfl places a position-independent one at a base of its own): the
 * inline chain at an address, whatever room earlier calls on the same handle asked for; on a corrupt copy of it,
 * lookups that keep no memory while the handle stays open. */
#define _GNU_SOURCE /* dl_iterate_phdr(), mallinfo2() */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fa/elf.h"

/* A chain of six functions inlined into each other (always, whatever the optimization level) inside inline_outer:
 * the call in inline_6 returns to an address whose inline chain is seven deep, deeper than find_recursion()'s
 * room of 4 in report.c and within fa_report_build()'s 8. */
static volatile uintptr_t s_return_address;
static volatile int s_after_call;

__attribute__((noinline)) static void note_return_address(void)
{
	s_return_address = (uintptr_t)__builtin_return_address(0);
}

/* One link of the chain: calls the next one inward; the increment after the call keeps it from being a tail call,
 * so the return address stays inside inline_6. */
#define INLINE_LINK(name, inner)                                                                                   \
	static inline __attribute__((always_inline)) void name(void)                                               \
	{                                                                                                          \
		inner();                                                                                           \
		s_after_call++;                                                                                    \
	}

INLINE_LINK(inline_6, note_return_address)
INLINE_LINK(inline_5, inline_6)
INLINE_LINK(inline_4, inline_5)
INLINE_LINK(inline_3, inline_4)
INLINE_LINK(inline_2, inline_3)
INLINE_LINK(inline_1, inline_2)

__attribute__((noinline)) static void inline_outer(void)
{
	inline_1();
	s_after_call++;
}

static const char *const k_chain[] = {"inline_6", "inline_5", "inline_4", "inline_3",
				      "inline_2", "inline_1", "inline_outer"};
#define CHAIN_LEN (sizeof(k_chain) / sizeof(k_chain[0]))

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = (uintptr_t)info->dlpi_addr; /* the executable comes first: its load bias */
	return 1;
}

/* The ELF address of the call's return address minus 1: inside the call instruction, as an unwinder looks up a
 * caller's pc. (The load bias subtracted is 0 for the fixed-address executable this test is.) */
static uint64_t call_address(void)
{
	uintptr_t bias = 0;

	inline_outer();
	dl_iterate_phdr(first_object, &bias);
	return (uint64_t)(s_return_address - bias - 1);
}

static struct fa_elf *open_self(void)
{
	struct ff_error err = {0};
	struct fa_elf *e = NULL;

	if (fa_elf_open(&e, "/proc/self/exe", &err) != 0)
		fail_msg("fa_elf_open(this test): %s", err.msg);
	return e;
}

/* n entries of out are the first n functions of the chain, each inlined but the out-of-line one. */
static void assert_chain(const struct fa_sym *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(out[i].function, k_chain[i]);
		assert_int_equal(out[i].inlined, i + 1 < CHAIN_LEN);
	}
}

static void assert_same(const struct fa_sym *got, const struct fa_sym *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(got[i].function, want[i].function);
		assert_string_equal(got[i].file, want[i].file);
		assert_int_equal(got[i].line, want[i].line);
		assert_int_equal(got[i].inlined, want[i].inlined);
	}
}

static void whole_chain(void **state)
{
	struct fa_elf *e = open_self();
	uint64_t addr = call_address();
	struct fa_sym out[8];

	(void)state;
	assert_int_equal(fa_elf_symbolize(e, addr, out, 8), CHAIN_LEN);
	assert_chain(out, CHAIN_LEN);
	assert_non_null(strstr(out[0].file, "test_elf.c"));
	assert_true(out[0].line > 0 && out[1].line > 0);
	fa_elf_close(e);
}

/* The same address asked with room for 4, then 8, then 1, then 8 again: each answer is what a fresh handle gives
 * with that room (the chain cut to the room), so a report never depends on the order traces came in. */
static void room_does_not_stick(void **state)
{
	struct fa_elf *fresh = open_self(), *e = open_self();
	uint64_t addr = call_address();
	struct fa_sym want[8], out[8];
	size_t n = fa_elf_symbolize(fresh, addr, want, 8);

	(void)state;
	assert_int_equal(fa_elf_symbolize(e, addr, out, 4), 4);
	assert_chain(out, 4);
	assert_int_equal(fa_elf_symbolize(e, addr, out, 8), n);
	assert_same(out, want, n);
	assert_int_equal(fa_elf_symbolize(e, addr, out, 1), 1);
	assert_same(out, want, 1);
	assert_int_equal(fa_elf_symbolize(e, addr, out, 8), n);
	assert_same(out, want, n);
	fa_elf_close(e);
	fa_elf_close(fresh);
}

/* ---- a corrupt ELF held open, as a worker holds one: failed lookups must not cost memory each ---- */

#if defined(__SANITIZE_ADDRESS__)
size_t __sanitizer_get_current_allocated_bytes(void); /* the ASan runtime's (sanitizer/allocator_interface.h) */

static size_t heap_in_use(void)
{
	return __sanitizer_get_current_allocated_bytes();
}
#else
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}
#endif

#define INLINED_MAX 512u

/* This executable's inlined subroutines: their code ranges, and the file offsets of their DW_AT_abstract_origin. */
struct inlined {
	uint64_t lo[INLINED_MAX], hi[INLINED_MAX];
	size_t nranges;
	off_t origin[INLINED_MAX];
	size_t norigins;
};

static void find_inlined(Dwarf_Die *die, const Elf_Data *info, off_t info_offset, struct inlined *in)
{
	Dwarf_Die child;

	if (dwarf_child(die, &child) != 0)
		return;
	do {
		Dwarf_Attribute attr;
		Dwarf_Addr base, lo, hi;
		ptrdiff_t next = 0;

		if (dwarf_tag(&child) == DW_TAG_inlined_subroutine &&
		    dwarf_attr(&child, DW_AT_abstract_origin, &attr) != NULL && attr.form == DW_FORM_ref4) {
			assert_true(attr.valp >= (unsigned char *)info->d_buf &&
				    attr.valp + 4 <= (unsigned char *)info->d_buf + info->d_size);
			assert_true(in->norigins < INLINED_MAX);
			in->origin[in->norigins++] = info_offset + (attr.valp - (unsigned char *)info->d_buf);
			while ((next = dwarf_ranges(&child, next, &base, &lo, &hi)) > 0 && in->nranges < INLINED_MAX) {
				in->lo[in->nranges] = lo;
				in->hi[in->nranges++] = hi;
			}
		}
		find_inlined(&child, info, info_offset, in);
	} while (dwarf_siblingof(&child, &child) == 0);
}

static void scan_self(struct inlined *in)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	Dwarf *dw = fd >= 0 ? dwarf_begin(fd, DWARF_C_READ) : NULL;
	Elf *elf = dw != NULL ? dwarf_getelf(dw) : NULL;
	Elf_Scn *scn = NULL;
	const Elf_Data *info = NULL;
	off_t info_offset = 0;
	size_t strndx;
	Dwarf_Off off = 0, next;
	size_t hsize;

	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &strndx), 0);
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (gelf_getshdr(scn, &sh) != NULL && (name = elf_strptr(elf, strndx, sh.sh_name)) != NULL &&
		    strcmp(name, ".debug_info") == 0) {
			assert_false(sh.sh_flags & SHF_COMPRESSED); /* its file bytes are libdw's */
			info = elf_getdata(scn, NULL);
			info_offset = (off_t)sh.sh_offset;
		}
	}
	assert_non_null(info);
	memset(in, 0, sizeof(*in));
	for (; dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0; off = next) {
		Dwarf_Die cu;

		if (dwarf_offdie(dw, off + hsize, &cu) != NULL)
			find_inlined(&cu, info, info_offset, in);
	}
	dwarf_end(dw);
	close(fd);
}

/* A copy of this executable whose inlined subroutines all name an abstract origin past the end of their CU. */
static void write_broken_origins(char *path, const struct inlined *in)
{
	static const uint8_t past_the_end[4] = {0xf0, 0xff, 0xff, 0xff}; /* a DW_FORM_ref4, little-endian */
	FILE *f = fopen("/proc/self/exe", "rb");
	uint8_t *bytes = malloc(16u << 20);
	size_t len;
	int fd;

	assert_non_null(f);
	assert_non_null(bytes);
	len = fread(bytes, 1, 16u << 20, f);
	fclose(f);
	assert_true(len > 0 && len < 16u << 20);
	for (size_t i = 0; i < in->norigins; i++)
		memcpy(bytes + in->origin[i], past_the_end, sizeof(past_the_end));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	free(bytes);
}

static bool is_inlined(const struct inlined *in, uint64_t addr)
{
	for (size_t i = 0; i < in->nranges; i++)
		if (addr >= in->lo[i] && addr < in->hi[i])
			return true;
	return false;
}

/* Every address inside inlined code, each asked once (so never from the cache), for its inline chain and for tail
 * calls: the heap grows by less than 4 bytes an address. libdw's dwarf_getscopes() lost 32 bytes a scope at each
 * (the array it allocates, when the inlined subroutine's abstract origin cannot be found). Odd addresses first, to
 * let libdw build what it builds once per CU; then the even ones are measured. */
static void corrupt_elf_lookups_keep_no_memory(void **state)
{
	static struct inlined in;
	char path[] = "/tmp/test_elf-XXXXXX";
	struct ff_error err = {0};
	struct fa_elf *e = NULL;
	struct fa_sym out[8];
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t asked = 0, before = 0;

	(void)state;
	scan_self(&in);
	assert_true(in.norigins >= CHAIN_LEN - 1 && in.nranges > 0);
	write_broken_origins(path, &in);
	if (fa_elf_open(&e, path, &err) != 0)
		fail_msg("fa_elf_open(%s): %s", path, err.msg);
	unlink(path);
	/* the corruption took */
	assert_true(fa_elf_symbolize(e, call_address(), out, 8) >= 1);
	assert_string_not_equal(out[0].function, k_chain[0]);
	for (size_t i = 0; i < in.nranges; i++) {
		lo = in.lo[i] < lo ? in.lo[i] : lo;
		hi = in.hi[i] > hi ? in.hi[i] : hi;
	}
	for (int odd = 1; odd >= 0; odd--) {
		if (!odd)
			before = heap_in_use();
		for (uint64_t a = (lo & ~(uint64_t)1) + (uint64_t)odd; a < hi; a += 2) {
			if (!is_inlined(&in, a))
				continue;
			fa_elf_symbolize(e, a, out, 8);
			fa_elf_tail_calls(e, a, a, out, 8);
			asked += !odd;
		}
	}
	assert_true(asked >= 256);
	if (heap_in_use() > before + 4 * asked)
		fail_msg("%zu bytes kept over %zu lookups", heap_in_use() - before, asked);
	/* the chain is still there: the functions inlined at the call are unknown, the one they are in is not */
	assert_int_equal(fa_elf_symbolize(e, call_address(), out, 8), CHAIN_LEN);
	assert_string_equal(out[0].function, "?");
	assert_true(out[0].inlined);
	assert_true(out[1].line > 0); /* its call site */
	assert_string_equal(out[CHAIN_LEN - 1].function, "inline_outer");
	fa_elf_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_chain),
		cmocka_unit_test(room_does_not_stick),
		cmocka_unit_test(corrupt_elf_lookups_keep_no_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
