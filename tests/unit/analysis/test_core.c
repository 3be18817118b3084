/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/core.c: the ELF core's headers, notes (NT_PRSTATUS, NT_ARM_VFP, NT_GDB_TDESC) and segments, byte by
 * byte, with and without the dump's FPU registers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fa/core.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint8_t s_stack[64], s_scb[16];

/* A Cortex-M dump: r0..r15 = 0x100 + i, xPSR 0x21000000, a stack region; s_i = 0x3f800000 + i, FPSCR 0x00400000
 * when fp. */
static void make(struct ff_message *m, struct ff_region *regions, bool fp)
{
	memset(m, 0, sizeof(*m));
	m->type = FF_MSG_COREDUMP;
	m->arch = 40;
	m->core.nregs = FF_CM_NREGS;
	for (int i = 0; i < 16; i++)
		m->core.regs[i] = 0x100u + (unsigned)i;
	m->core.regs[FF_CM_XPSR] = 0x21000000u;
	for (size_t i = 0; i < sizeof(s_stack); i++)
		s_stack[i] = (uint8_t)i;
	regions[0] = (struct ff_region){.addr = 0x20007fc0u, .data = s_stack, .len = sizeof(s_stack)};
	m->core.regions = regions;
	m->core.nregions = 1;
	if (fp) {
		m->core.has_fpregs = true;
		for (int i = 0; i < 32; i++)
			m->core.fpregs[i] = 0x3f800000u + (unsigned)i;
		m->core.fpregs[32] = 0x00400000u;
	}
}

struct note {
	const char *name;
	uint32_t type;
	const uint8_t *desc;
	uint32_t len;
};

/* The notes of the core's PT_NOTE segment (its first program header); returns how many. */
static size_t notes(const uint8_t *img, size_t len, struct note *out, size_t max)
{
	const uint8_t *ph = img + get32(img + 28);
	uint32_t off = get32(ph + 4), size = get32(ph + 16), at = 0;
	size_t n = 0;

	assert_int_equal(get32(ph), 4); /* PT_NOTE */
	assert_true(off + size <= len);
	while (at < size) {
		const uint8_t *p = img + off + at;
		uint32_t namesz = get32(p), descsz = get32(p + 4);

		assert_true(n < max);
		assert_int_equal(p[12 + namesz - 1], 0);
		out[n].name = (const char *)p + 12;
		out[n].type = get32(p + 8);
		out[n].desc = p + 12 + ((namesz + 3) & ~3u);
		out[n].len = descsz;
		at += 12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
		n++;
	}
	assert_int_equal(at, size);
	return n;
}

/* The PT_LOAD segment at vaddr: its bytes (NULL when there is none) and size. */
static const uint8_t *segment(const uint8_t *img, size_t len, uint32_t vaddr, uint32_t *out_size)
{
	for (unsigned i = 0; i < get16(img + 44); i++) {
		const uint8_t *ph = img + get32(img + 28) + 32 * i;

		if (get32(ph) == 1 && get32(ph + 8) == vaddr) {
			*out_size = get32(ph + 16);
			assert_int_equal(get32(ph + 20), *out_size);
			assert_true(get32(ph + 4) + *out_size <= len);
			return img + get32(ph + 4);
		}
	}
	return NULL;
}

static void header_and_prstatus(void **state)
{
	struct ff_message m;
	struct ff_region regions[1];
	struct note n[4];
	uint8_t *img;
	size_t len;

	(void)state;
	make(&m, regions, false);
	assert_int_equal(fa_core_build(&img, &len, &m, NULL), 0);
	assert_memory_equal(img, "\x7f" "ELF\x01\x01\x01\x00", 8); /* ELF32, LE, version 1, OS ABI 0 */
	assert_int_equal(get16(img + 16), 4);  /* ET_CORE */
	assert_int_equal(get16(img + 18), 40); /* EM_ARM */
	assert_int_equal(get16(img + 44), 3);  /* PT_NOTE, the stack, FPCCR/FPCAR */
	assert_int_equal(notes(img, len, n, 4), 2);
	assert_string_equal(n[0].name, "CORE");
	assert_int_equal(n[0].type, 1);
	assert_int_equal(n[0].len, 148);
	assert_int_equal(get16(n[0].desc + 12), 11); /* pr_cursig SIGSEGV */
	assert_int_equal(get32(n[0].desc + 24), 1);  /* pr_pid */
	for (int i = 0; i < 16; i++)
		assert_int_equal(get32(n[0].desc + 72 + 4 * i), 0x100u + (unsigned)i);
	assert_int_equal(get32(n[0].desc + 72 + 64), 0x21000000u); /* xPSR */
	assert_int_equal(get32(n[0].desc + 144), 0);                /* pr_fpvalid */
	free(img);
}

/* The notes of the core of make()'s dump, with or without FPU registers (want of them), its image in *img (the
 * caller frees it), and the last note's text (the target description) in tdesc. */
static void core_notes(bool fp, size_t want, struct note *n, uint8_t **img, char tdesc[4096])
{
	struct ff_message m;
	struct ff_region regions[1];
	size_t len;

	make(&m, regions, fp);
	assert_int_equal(fa_core_build(img, &len, &m, NULL), 0);
	assert_int_equal(notes(*img, len, n, 4), want);
	assert_string_equal(n[want - 1].name, "GDB");
	assert_int_equal(n[want - 1].type, 0xff000000u);
	assert_true(n[want - 1].len < 4096);
	memcpy(tdesc, n[want - 1].desc, n[want - 1].len);
	tdesc[n[want - 1].len] = '\0';
}

/* Without FPU registers: no NT_ARM_VFP note, and a target description without the VFP feature. */
static void no_fpregs(void **state)
{
	struct note n[4];
	uint8_t *img;
	char tdesc[4096];

	(void)state;
	core_notes(false, 2, n, &img, tdesc);
	assert_non_null(strstr(tdesc, "<feature name=\"org.gnu.gdb.arm.m-profile\">"));
	assert_null(strstr(tdesc, "org.gnu.gdb.arm.vfp"));
	assert_non_null(strstr(tdesc, "</target>\n"));
	free(img);
}

/* With them: NT_ARM_VFP after NT_PRSTATUS (it belongs to that thread), d0-d15 = s0-s31 in pairs, FPSCR at 256,
 * and the VFP feature with d0-d15 and fpscr. */
static void fpregs(void **state)
{
	struct note n[4];
	uint8_t *img;
	char tdesc[4096];

	(void)state;
	core_notes(true, 3, n, &img, tdesc);
	assert_string_equal(n[0].name, "CORE");
	assert_int_equal(get32(n[0].desc + 144), 1); /* pr_fpvalid */
	assert_string_equal(n[1].name, "LINUX");
	assert_int_equal(n[1].type, 0x400u);
	assert_int_equal(n[1].len, 260);
	for (int i = 0; i < 32; i++) /* s(2k) is d(k)'s low word */
		assert_int_equal(get32(n[1].desc + 4 * i), 0x3f800000u + (unsigned)i);
	for (int i = 128; i < 256; i++) /* d16-d31: not in FPv4-SP / FPv5-D16 */
		assert_int_equal(n[1].desc[i], 0);
	assert_int_equal(get32(n[1].desc + 256), 0x00400000u);
	assert_non_null(strstr(tdesc, "<feature name=\"org.gnu.gdb.arm.vfp\">"));
	assert_non_null(strstr(tdesc, "<reg name=\"d15\" bitsize=\"64\" type=\"ieee_double\"/>"));
	assert_null(strstr(tdesc, "\"d16\""));
	assert_non_null(strstr(tdesc, "<reg name=\"fpscr\" bitsize=\"32\""));
	assert_true(strstr(tdesc, "org.gnu.gdb.arm.vfp") > strstr(tdesc, "org.gnu.gdb.arm.m-profile"));
	free(img);
}

/* The captured regions as PT_LOAD segments, and FPCCR/FPCAR (0xE000EF34) as 8 zero bytes unless the dump captured
 * any of them. */
static void segments(void **state)
{
	struct ff_message m;
	struct ff_region regions[2];
	const uint8_t *p;
	uint8_t *img;
	size_t len;
	uint32_t size;

	(void)state;
	make(&m, regions, false);
	assert_int_equal(fa_core_build(&img, &len, &m, NULL), 0);
	p = segment(img, len, 0x20007fc0u, &size);
	assert_non_null(p);
	assert_int_equal(size, sizeof(s_stack));
	assert_memory_equal(p, s_stack, sizeof(s_stack));
	p = segment(img, len, 0xe000ef34u, &size);
	assert_non_null(p);
	assert_int_equal(size, 8);
	assert_memory_equal(p, "\0\0\0\0\0\0\0\0", 8);
	free(img);

	memset(s_scb, 0xa5, sizeof(s_scb));
	regions[1] = (struct ff_region){.addr = 0xe000ef30u, .data = s_scb, .len = 8}; /* ends inside FPCCR */
	m.core.nregions = 2;
	assert_int_equal(fa_core_build(&img, &len, &m, NULL), 0);
	assert_int_equal(get16(img + 44), 3); /* PT_NOTE and the two regions: the captured bytes stand */
	assert_null(segment(img, len, 0xe000ef34u, &size));
	p = segment(img, len, 0xe000ef30u, &size);
	assert_non_null(p);
	assert_memory_equal(p, s_scb, 8);
	free(img);
}

static void not_cortex_m(void **state)
{
	struct ff_message m;
	struct ff_region regions[1];
	struct ff_error err = {0};
	uint8_t *img = (uint8_t *)&m;
	size_t len;

	(void)state;
	make(&m, regions, false);
	m.os = 1;
	assert_int_equal(fa_core_build(&img, &len, &m, &err), FF_ERR_UNSUPPORTED);
	assert_null(img);
	assert_non_null(strstr(err.msg, "only Cortex-M"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_and_prstatus), cmocka_unit_test(no_fpregs), cmocka_unit_test(fpregs),
		cmocka_unit_test(segments),            cmocka_unit_test(not_cortex_m),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
