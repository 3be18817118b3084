/* SPDX-License-Identifier: Apache-2.0 */
/* ELF core writer: the layout GDB 13 reads for ARM (ELF32, ET_CORE, NT_PRSTATUS of 148 bytes, NT_ARM_VFP of 260),
 * written byte by byte, little-endian. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fa/core.h"

#define EHDR 52u
#define PHDR 32u
#define PRSTATUS 148u
#define VFP 260u /* d0-d31 (8 bytes each), FPSCR */
#define NT_PRSTATUS 1u
#define NT_ARM_VFP 0x400u
#define NT_GDB_TDESC 0xff000000u
#define PT_LOAD 1u
#define PT_NOTE 4u
#define EM_ARM 40u
#define ET_CORE 4u
#define SIGNAL_SEGV 11u
#define FPCCR 0xe000ef34u /* FP context control, then FPCAR: GDB reads both to step over an FPU-extended frame */
#define FP_CONTROL 8u

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
	"<reg name=\"xpsr\" bitsize=\"32\" regnum=\"25\"/>\n</feature>\n";

/* Its VFP feature, when the dump has the FP registers (GDB then reads them from the NT_ARM_VFP note): d0-d15 and
 * FPSCR, as FPv4-SP and FPv5-D16 have them; GDB shows s0-s31 as the halves of d0-d15. */
static const char k_tdesc_vfp[] =
	"<feature name=\"org.gnu.gdb.arm.vfp\">\n"
	"<reg name=\"d0\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d1\" bitsize=\"64\" type=\"ieee_double\"/>\n"
	"<reg name=\"d2\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d3\" bitsize=\"64\" type=\"ieee_double\"/>\n"
	"<reg name=\"d4\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d5\" bitsize=\"64\" type=\"ieee_double\"/>\n"
	"<reg name=\"d6\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d7\" bitsize=\"64\" type=\"ieee_double\"/>\n"
	"<reg name=\"d8\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d9\" bitsize=\"64\" type=\"ieee_double\"/>\n"
	"<reg name=\"d10\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d11\" bitsize=\"64\" type=\"ieee_double\"/>\n"
	"<reg name=\"d12\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d13\" bitsize=\"64\" type=\"ieee_double\"/>\n"
	"<reg name=\"d14\" bitsize=\"64\" type=\"ieee_double\"/><reg name=\"d15\" bitsize=\"64\" type=\"ieee_double\"/>\n"
	"<reg name=\"fpscr\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n</feature>\n";
static const char k_tdesc_end[] = "</target>\n";


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

/* The size of a note: header, name and descriptor, each padded to 4 bytes. */
static size_t note_size(const char *name, size_t desc_len)
{
	return 12u + ((strlen(name) + 1u + 3u) & ~(size_t)3u) + ((desc_len + 3u) & ~(size_t)3u);
}

/* Write a note's header and name at p; returns where its descriptor goes (already zeroed by calloc). */
static uint8_t *note_head(uint8_t *p, const char *name, uint32_t type, size_t desc_len)
{
	size_t namesz = strlen(name) + 1u;

	put32(p, (uint32_t)namesz);
	put32(p + 4, (uint32_t)desc_len);
	put32(p + 8, type);
	memcpy(p + 12, name, namesz);
	return p + 12 + ((namesz + 3u) & ~(size_t)3u);
}

/* True when no captured region holds any byte of [addr, addr + len). */
static int uncaptured(const struct ff_coredump *c, uint64_t addr, uint64_t len)
{
	for (size_t i = 0; i < c->nregions; i++)
		if (c->regions[i].addr < addr + len && addr < c->regions[i].addr + c->regions[i].len)
			return 0;
	return 1;
}

int fa_core_build(uint8_t **out, size_t *out_len, const struct ff_message *m, struct ff_error *err)
{
	return fa_core_build_threads(out, out_len, m, NULL, err);
}

/* The threads a core gives GDB after the first (the interrupted context): those with a saved context. */
static size_t core_threads(const struct fa_threads *t)
{
	size_t n = 0;

	for (size_t i = 0; t != NULL && i < t->n; i++)
		n += t->v[i].has_context;
	return n;
}

int fa_core_build_threads(uint8_t **out, size_t *out_len, const struct ff_message *m, const struct fa_threads *t,
			  struct ff_error *err)
{
	const struct ff_coredump *c = &m->core;
	size_t nthreads = core_threads(t), pid = 1;
	int fp_control = uncaptured(c, FPCCR, FP_CONTROL);
	size_t tdesc_len = sizeof(k_tdesc) - 1u + (c->has_fpregs ? sizeof(k_tdesc_vfp) - 1u : 0) +
			   sizeof(k_tdesc_end) - 1u;
	size_t nph = 1 + c->nregions + (size_t)fp_control;
	size_t notes = (1 + nthreads) * note_size("CORE", PRSTATUS) + (c->has_fpregs ? note_size("LINUX", VFP) : 0) +
		       note_size("GDB", tdesc_len);
	size_t data = EHDR + PHDR * nph + notes, total = data + (fp_control ? FP_CONTROL : 0);
	uint8_t *img, *note, *desc;

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
	phdr(img + EHDR, PT_NOTE, (uint32_t)(EHDR + PHDR * nph), 0, (uint32_t)notes, 0);

	note = img + EHDR + PHDR * nph;
	desc = note_head(note, "CORE", NT_PRSTATUS, PRSTATUS);
	put16(desc + 12, SIGNAL_SEGV); /* pr_cursig: GDB shows "terminated with signal SIGSEGV" */
	put32(desc + 24, 1);           /* pr_pid: thread 1 */
	for (int r = 0; r < 16; r++)   /* pr_reg: r0-r15, xPSR, orig_r0: the interrupted context */
		put32(desc + 72 + 4 * r, (uint32_t)c->regs[r]);
	put32(desc + 72 + 4 * 16, (uint32_t)c->regs[FF_CM_XPSR]);
	put32(desc + 72 + 4 * 17, (uint32_t)c->regs[0]);
	put32(desc + 144, c->has_fpregs ? 1u : 0u); /* pr_fpvalid */
	note += note_size("CORE", PRSTATUS);
	if (c->has_fpregs) {
		/* The thread's VFP registers (the last NT_PRSTATUS's), named "LINUX" as BFD wants: d0-d15 are s0-s31
		 * in pairs, low word first; d16-d31 stay 0 (FPv4-SP and FPv5-D16 have 16); FPSCR at 256. */
		desc = note_head(note, "LINUX", NT_ARM_VFP, VFP);
		for (int i = 0; i < 32; i++)
			put32(desc + 4 * i, c->fpregs[i]);
		put32(desc + 256, c->fpregs[32]);
		note += note_size("LINUX", VFP);
	}
	for (size_t i = 0; t != NULL && i < t->n; i++) { /* an RTOS's other threads: their innermost registers */
		if (!t->v[i].has_context)
			continue;
		desc = note_head(note, "CORE", NT_PRSTATUS, PRSTATUS);
		put32(desc + 24, (uint32_t)++pid);
		for (int r = 0; r < 16; r++)
			put32(desc + 72 + 4 * r, t->v[i].regs[r]);
		put32(desc + 72 + 4 * 16, 0x01000000u); /* xPSR: Thumb */
		note += note_size("CORE", PRSTATUS);
	}
	desc = note_head(note, "GDB", NT_GDB_TDESC, tdesc_len);
	memcpy(desc, k_tdesc, sizeof(k_tdesc) - 1u);
	desc += sizeof(k_tdesc) - 1u;
	if (c->has_fpregs) {
		memcpy(desc, k_tdesc_vfp, sizeof(k_tdesc_vfp) - 1u);
		desc += sizeof(k_tdesc_vfp) - 1u;
	}
	memcpy(desc, k_tdesc_end, sizeof(k_tdesc_end) - 1u);

	for (size_t i = 0; i < c->nregions; i++) {
		phdr(img + EHDR + PHDR * (1 + i), PT_LOAD, (uint32_t)data, (uint32_t)c->regions[i].addr,
		     (uint32_t)c->regions[i].len, 6 /* RW */);
		memcpy(img + data, c->regions[i].data, c->regions[i].len);
		data += c->regions[i].len;
	}
	if (fp_control) /* FPCCR and FPCAR 0: no lazy state preservation, GDB takes FP registers from the frame */
		phdr(img + EHDR + PHDR * (1 + c->nregions), PT_LOAD, (uint32_t)data, FPCCR, FP_CONTROL, 4 /* R */);
	*out = img;
	*out_len = total;
	return 0;
}

int fa_core_write(const char *path, const struct ff_message *m, struct ff_error *err)
{
	return fa_core_write_threads(path, m, NULL, err);
}

int fa_core_write_threads(const char *path, const struct ff_message *m, const struct fa_threads *t,
			  struct ff_error *err)
{
	uint8_t *img;
	size_t len;
	FILE *f;
	int rc = fa_core_build_threads(&img, &len, m, t, err);

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
