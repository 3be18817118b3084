/* SPDX-License-Identifier: Apache-2.0 */
/* ELF core writer: the layout GDB 13 reads for ARM (ELF32, ET_CORE, NT_PRSTATUS of 148 bytes), written byte by
 * byte, little-endian. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fa/core.h"

#define EHDR 52u
#define PHDR 32u
#define PRSTATUS 148u
#define NT_GDB_TDESC 0xff000000u

/* GDB's target description for M-profile ARM: without it GDB reads a core as an A-profile CPU (CPSR instead of
 * xPSR) and loses frames. GDB takes it from an NT_GDB_TDESC note ("GDB"), as its own gcore writes. */
static const char k_tdesc[] =
	"<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target>\n"
	"<architecture>arm</architecture>\n<feature name=\"org.gnu.gdb.arm.m-profile\">\n"
	"<reg name=\"r0\" bitsize=\"32\"/><reg name=\"r1\" bitsize=\"32\"/><reg name=\"r2\" bitsize=\"32\"/>\n"
	"<reg name=\"r3\" bitsize=\"32\"/><reg name=\"r4\" bitsize=\"32\"/><reg name=\"r5\" bitsize=\"32\"/>\n"
	"<reg name=\"r6\" bitsize=\"32\"/><reg name=\"r7\" bitsize=\"32\"/><reg name=\"r8\" bitsize=\"32\"/>\n"
	"<reg name=\"r9\" bitsize=\"32\"/><reg name=\"r10\" bitsize=\"32\"/><reg name=\"r11\" bitsize=\"32\"/>\n"
	"<reg name=\"r12\" bitsize=\"32\"/><reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
	"<reg name=\"lr\" bitsize=\"32\"/><reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\"/>\n"
	"<reg name=\"xpsr\" bitsize=\"32\" regnum=\"25\"/>\n</feature>\n</target>\n";

#define TDESC_LEN (sizeof(k_tdesc) - 1u)
#define NOTE_PRSTATUS (12u + 8u + PRSTATUS) /* header, "CORE\0" padded to 8, descriptor */
#define NOTE_TDESC (12u + 4u + ((TDESC_LEN + 3u) & ~3u))
#define NOTE (NOTE_PRSTATUS + NOTE_TDESC)
#define PT_LOAD 1u
#define PT_NOTE 4u
#define NT_PRSTATUS 1u
#define EM_ARM 40u
#define ET_CORE 4u
#define SIGNAL_SEGV 11u

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void phdr(uint8_t *p, uint32_t type, uint32_t offset, uint32_t vaddr, uint32_t size, uint32_t flags)
{
	put32(p, type);
	put32(p + 4, offset);
	put32(p + 8, vaddr);
	put32(p + 12, vaddr);
	put32(p + 16, size);
	put32(p + 20, size);
	put32(p + 24, flags);
	put32(p + 28, type == PT_LOAD ? 1u : 4u);
}

int fa_core_build(uint8_t **out, size_t *out_len, const struct ff_message *m, struct ff_error *err)
{
	const struct ff_coredump *c = &m->core;
	size_t nph = 1 + c->nregions, data = EHDR + PHDR * nph + NOTE, total = data;
	uint8_t *img, *note;

	*out = NULL;
	if (m->type != FF_MSG_COREDUMP || m->arch != EM_ARM || m->os != 0 || c->nregs < FF_CM_NREGS)
		return ff_error_set(err, FF_ERR_UNSUPPORTED, "core: only Cortex-M coredumps become ELF cores");
	for (size_t i = 0; i < c->nregions; i++)
		total += c->regions[i].len;
	img = calloc(1, total);
	if (img == NULL)
		return ff_error_set(err, FF_ERR_NOMEM, "core: out of memory for %zu bytes", total);
	memcpy(img, "\x7f" "ELF\x01\x01\x01", 7); /* ELFCLASS32, little-endian, version 1, OS ABI 0 */
	put16(img + 16, ET_CORE);
	put16(img + 18, EM_ARM);
	put32(img + 20, 1);
	put32(img + 28, EHDR); /* e_phoff */
	put16(img + 40, EHDR);
	put16(img + 42, PHDR);
	put16(img + 44, (uint32_t)nph);
	phdr(img + EHDR, PT_NOTE, (uint32_t)(EHDR + PHDR * nph), 0, NOTE, 0);

	note = img + EHDR + PHDR * nph;
	put32(note, 5); /* "CORE" and its NUL */
	put32(note + 4, PRSTATUS);
	put32(note + 8, NT_PRSTATUS);
	memcpy(note + 12, "CORE", 5);
	note += 20;
	put16(note + 12, SIGNAL_SEGV); /* pr_cursig: GDB shows "terminated with signal SIGSEGV" */
	put32(note + 24, 1);           /* pr_pid: thread 1 */
	for (int r = 0; r < 16; r++)   /* pr_reg: r0-r15, xPSR, orig_r0: the interrupted context */
		put32(note + 72 + 4 * r, (uint32_t)c->regs[r]);
	put32(note + 72 + 4 * 16, (uint32_t)c->regs[FF_CM_XPSR]);
	put32(note + 72 + 4 * 17, (uint32_t)c->regs[0]);
	note += PRSTATUS;
	put32(note, 4); /* "GDB" and its NUL */
	put32(note + 4, (uint32_t)TDESC_LEN);
	put32(note + 8, NT_GDB_TDESC);
	memcpy(note + 12, "GDB", 4);
	memcpy(note + 16, k_tdesc, TDESC_LEN);

	for (size_t i = 0; i < c->nregions; i++) {
		phdr(img + EHDR + PHDR * (1 + i), PT_LOAD, (uint32_t)data, (uint32_t)c->regions[i].addr,
		     (uint32_t)c->regions[i].len, 6 /* RW */);
		memcpy(img + data, c->regions[i].data, c->regions[i].len);
		data += c->regions[i].len;
	}
	*out = img;
	*out_len = total;
	return 0;
}

int fa_core_write(const char *path, const struct ff_message *m, struct ff_error *err)
{
	uint8_t *img;
	size_t len;
	FILE *f;
	int rc = fa_core_build(&img, &len, m, err);

	if (rc != 0)
		return rc;
	f = fopen(path, "wb");
	if (f == NULL || fwrite(img, 1, len, f) != len) {
		rc = ff_error_set(err, FF_ERR_IO, "core: cannot write %s: %s", path, strerror(errno));
		if (f != NULL)
			fclose(f);
	} else if (fclose(f) != 0) {
		rc = ff_error_set(err, FF_ERR_IO, "core: cannot write %s: %s", path, strerror(errno));
	}
	free(img);
	return rc;
}
