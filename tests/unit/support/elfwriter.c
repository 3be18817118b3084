/* SPDX-License-Identifier: Apache-2.0 */
/* The analysis tests' ELF writer. */
#define _POSIX_C_SOURCE 200809L /* mkstemp(), strdup() */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "elfwriter.h"

#define EHDR_SIZE 52u
#define PHDR_SIZE 32u
#define SHDR_SIZE 40u
#define SYM_SIZE 16u
#define SECTIONS_MAX 32u

static void align4(struct fl_buf *b)
{
	fl_buf_fill(b, 0, (4 - b->n % 4) % 4);
}

char *fl_elf_write(const struct fl_elf_section *secs, size_t nsecs, const struct fl_elf_func *funcs, size_t nfuncs)
{
	struct fl_buf symtab = {0}, strtab = {0}, shstrtab = {0}, out = {0}, h = {0};
	struct fl_elf_section all[SECTIONS_MAX];
	size_t offs[SECTIONS_MAX], names[SECTIONS_MAX], n = nsecs + 3, nload = 0, shoff;
	char *path = strdup("/tmp/test_analysis_elf-XXXXXX");
	int fd;

	assert_non_null(path);
	assert_true(n <= SECTIONS_MAX);
	fl_buf_fill(&symtab, 0, SYM_SIZE);
	fl_buf_fill(&strtab, 0, 1);
	for (size_t i = 0; i < nfuncs; i++) {
		fl_buf_le(&symtab, strtab.n, 4), fl_buf_le(&symtab, funcs[i].value, 4), fl_buf_le(&symtab, funcs[i].size, 4);
		fl_buf_le(&symtab, 0x12 /* GLOBAL FUNC */, 1), fl_buf_le(&symtab, 0, 1), fl_buf_le(&symtab, 1, 2);
		fl_buf_put(&strtab, funcs[i].name, strlen(funcs[i].name) + 1);
	}
	if (nsecs > 0)
		memcpy(all, secs, nsecs * sizeof(*secs));
	all[nsecs] = (struct fl_elf_section){.name = ".symtab", .type = 2 /* SYMTAB */, .link = (uint32_t)nsecs + 2,
					     .info = 1, .entsize = SYM_SIZE, .data = &symtab};
	all[nsecs + 1] = (struct fl_elf_section){.name = ".strtab", .type = 3 /* STRTAB */, .data = &strtab};
	all[nsecs + 2] = (struct fl_elf_section){.name = ".shstrtab", .type = 3, .data = &shstrtab};
	fl_buf_fill(&shstrtab, 0, 1);
	for (size_t i = 0; i < n; i++) {
		names[i] = shstrtab.n;
		fl_buf_put(&shstrtab, all[i].name, strlen(all[i].name) + 1);
		nload += all[i].load;
	}
	/* the header, the program headers, the sections' bytes, the section table */
	fl_buf_fill(&out, 0, EHDR_SIZE + PHDR_SIZE * nload);
	for (size_t i = 0; i < n; i++) {
		align4(&out);
		offs[i] = out.n;
		if (all[i].data != NULL)
			fl_buf_put(&out, all[i].data->p, all[i].data->n);
	}
	align4(&out);
	shoff = out.n;
	fl_buf_fill(&out, 0, SHDR_SIZE);
	for (size_t i = 0; i < n; i++) {
		fl_buf_le(&out, names[i], 4), fl_buf_le(&out, all[i].type, 4), fl_buf_le(&out, all[i].flags, 4);
		fl_buf_le(&out, all[i].addr, 4), fl_buf_le(&out, offs[i], 4);
		fl_buf_le(&out, all[i].data != NULL ? all[i].data->n : 0, 4);
		fl_buf_le(&out, all[i].link, 4), fl_buf_le(&out, all[i].info, 4), fl_buf_le(&out, 1, 4);
		fl_buf_le(&out, all[i].entsize, 4);
	}
	fl_buf_put(&h, "\x7f" "ELF\x01\x01\x01", 7), fl_buf_fill(&h, 0, 9);
	fl_buf_le(&h, 2 /* EXEC */, 2), fl_buf_le(&h, 40 /* ARM */, 2), fl_buf_le(&h, 1, 4), fl_buf_le(&h, 0, 4);
	fl_buf_le(&h, EHDR_SIZE, 4), fl_buf_le(&h, shoff, 4), fl_buf_le(&h, 0x05000000, 4), fl_buf_le(&h, EHDR_SIZE, 2);
	fl_buf_le(&h, PHDR_SIZE, 2), fl_buf_le(&h, nload, 2), fl_buf_le(&h, SHDR_SIZE, 2), fl_buf_le(&h, n + 1, 2);
	fl_buf_le(&h, n /* .shstrtab */, 2);
	for (size_t i = 0; i < n; i++) {
		size_t len = all[i].data != NULL ? all[i].data->n : 0;

		if (!all[i].load)
			continue;
		fl_buf_le(&h, 1 /* LOAD */, 4), fl_buf_le(&h, offs[i], 4), fl_buf_le(&h, all[i].addr, 4);
		fl_buf_le(&h, all[i].addr, 4), fl_buf_le(&h, len, 4), fl_buf_le(&h, len, 4);
		fl_buf_le(&h, 5 /* R X */, 4), fl_buf_le(&h, 4, 4);
	}
	memcpy(out.p, h.p, h.n);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, out.p, out.n), (ssize_t)out.n);
	close(fd);
	free(symtab.p), free(strtab.p), free(shstrtab.p), free(out.p), free(h.p);
	return path;
}

size_t fl_dwarf_unit_begin(struct fl_buf *b)
{
	size_t at = b->n;

	fl_buf_le(b, 0, 4), fl_buf_le(b, 4, 2), fl_buf_le(b, 0, 4), fl_buf_le(b, 4, 1);
	return at;
}

void fl_dwarf_unit_end(struct fl_buf *b, size_t at)
{
	size_t len = b->n - at - 4;

	for (unsigned i = 0; i < 4; i++)
		b->p[at + i] = (uint8_t)(len >> (8 * i));
}

char *fl_elf_firmware(const struct fl_firmware *fw)
{
	struct fl_buf note = {0}, aranges = {0}, frame = {0}, abbrev = {0}, info = {0};
	struct fl_elf_section secs[SECTIONS_MAX];
	size_t n = 0;
	char *path;

	fl_buf_le(&note, 4, 4), fl_buf_le(&note, 20, 4), fl_buf_le(&note, 3 /* NT_GNU_BUILD_ID */, 4);
	fl_buf_put(&note, "GNU", 4), fl_buf_fill(&note, 0xa5, 20);
	fl_buf_le(&aranges, 28, 4), fl_buf_le(&aranges, 2, 2), fl_buf_le(&aranges, 0, 4), fl_buf_le(&aranges, 4, 1);
	fl_buf_le(&aranges, 0, 1), fl_buf_le(&aranges, 0, 4);
	fl_buf_le(&aranges, fw->code_lo, 4), fl_buf_le(&aranges, fw->code_len, 4), fl_buf_le(&aranges, 0, 8);
	/* CIE: version 1, no augmentation, code align 2, data align -4, return address lr, CFA = sp; one FDE */
	fl_buf_le(&frame, 12, 4), fl_buf_le(&frame, 0xffffffff, 4);
	fl_buf_put(&frame, "\x01\x00\x02\x7c\x0e\x0c\x0d\x00", 8);
	fl_buf_le(&frame, 12, 4), fl_buf_le(&frame, 0, 4), fl_buf_le(&frame, fw->code_lo, 4);
	fl_buf_le(&frame, fw->code_len, 4);
	if (fw->info == NULL) { /* a compile unit DIE without attributes or children */
		size_t at = fl_dwarf_unit_begin(&info);

		fl_buf_put(&abbrev, "\x01\x11\x00\x00\x00\x00", 6);
		fl_buf_uleb(&info, 1);
		fl_dwarf_unit_end(&info, at);
	}
	secs[n++] = (struct fl_elf_section){.name = ".text", .type = 1 /* PROGBITS */, .flags = 6 /* AX */,
					    .addr = fw->text_addr, .data = fw->text, .load = true};
	secs[n++] = (struct fl_elf_section){.name = ".note.gnu.build-id", .type = 7 /* NOTE */, .flags = 2 /* A */,
					    .addr = 0x100, .data = &note};
	secs[n++] = (struct fl_elf_section){.name = ".debug_abbrev", .type = 1,
					    .data = fw->abbrev != NULL ? fw->abbrev : &abbrev};
	secs[n++] = (struct fl_elf_section){.name = ".debug_info", .type = 1, .data = fw->info != NULL ? fw->info : &info};
	if (fw->line != NULL)
		secs[n++] = (struct fl_elf_section){.name = ".debug_line", .type = 1, .data = fw->line};
	secs[n++] = (struct fl_elf_section){.name = ".debug_aranges", .type = 1, .data = &aranges};
	secs[n++] = (struct fl_elf_section){.name = ".debug_frame", .type = 1, .data = &frame};
	assert_true(n + fw->nextra + 3 <= SECTIONS_MAX);
	if (fw->nextra > 0)
		memcpy(secs + n, fw->extra, fw->nextra * sizeof(*fw->extra));
	path = fl_elf_write(secs, n + fw->nextra, fw->funcs, fw->nfuncs);
	free(note.p), free(aranges.p), free(frame.p), free(abbrev.p), free(info.p);
	return path;
}
