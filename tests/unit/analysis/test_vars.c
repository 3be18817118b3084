/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/vars.c: the arguments and locals of real crashes (tests/target/test_vars.c at -O2, the logs their
 * crash tests leave), each value as GDB prints it and each state where a value is not known (memory the dump lacks,
 * registers the unwinder lacks, entry values, optimized out); the report's pool of them, bounded, in text and
 * JSON, read back and refused when wrong; and the expression evaluator alone, operation by operation, against a
 * dump made here. */
#define _POSIX_C_SOURCE 200809L
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fa/report.h"
#include "ff/input.h"
#include "ff/message.h"
#include "reporttext.h"
#include "testdata.h"
#include "vars.h"

static struct fa_report s_report, s_again;

/* A crash of test_vars.c: its ELF open, its coredump parsed, its report built. */
struct crash {
	struct fa_elf *e;
	struct ff_message m;
};

static void crash_open(struct crash *c, const char *image, const char *scenario, const char *machine)
{
	char path[512];
	struct ff_error err = {0};
	struct ff_input in;
	uint8_t *log;
	size_t len;
	bool found = false;

	snprintf(path, sizeof(path), "%s/%s.elf", FL_TEST_FIRMWARE, image);
	if (fa_elf_open(&c->e, path, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	snprintf(path, sizeof(path), "%s/%s-%s.log", FL_TEST_LOGS, scenario, machine);
	log = fl_test_read_path(path, &len);
	assert_int_equal(ff_input_read(&in, log, len, &err), 0);
	for (size_t i = 0; i < in.n && !found; i++) {
		assert_int_equal(ff_message_parse(&c->m, in.msgs[i].bytes, in.msgs[i].len, &err), 0);
		found = c->m.type == FF_MSG_COREDUMP;
		if (!found)
			ff_message_free(&c->m);
	}
	assert_true(found);
	ff_input_free(&in);
	free(log);
	assert_int_equal(fa_report_build(&s_report, c->e, &c->m, &err), 0);
}

static void crash_close(struct crash *c)
{
	ff_message_free(&c->m);
	fa_elf_close(c->e);
}

/* The first report frame of a function. */
static size_t frame_of(const struct fa_report *r, const char *function)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->frames[i].sym.function, function) == 0)
			return i;
	fail_msg("no frame of %s", function);
	return 0;
}

/* The nth variable named name in frame `frame` (n: 0 the first). */
static const struct fa_report_var *var_of(const struct fa_report *r, size_t frame, const char *name, int n)
{
	for (size_t i = 0; i < r->nvars; i++)
		if (r->vars[i].frame == frame && strcmp(r->var_text + r->vars[i].name, name) == 0 && n-- == 0)
			return &r->vars[i];
	fail_msg("no variable %s in frame %zu (%s)", name, frame, r->frames[frame].sym.function);
	return NULL;
}

/* Whether a value is the one expected, where a '#' of value stands for any hex digit (addresses move as the code
 * changes). */
static bool value_is(const char *got, const char *value)
{
	for (; *value != '\0'; got++, value++)
		if (*value == '#' ? strchr("0123456789abcdef", *got) == NULL || *got == '\0' : *got != *value)
			return false;
	return *got == '\0';
}

static void check_var(const struct fa_report *r, const char *function, const char *name, bool arg, unsigned state,
		      const char *value)
{
	const struct fa_report_var *v = var_of(r, frame_of(r, function), name, 0);

	if (!value_is(r->var_text + v->value, value) || v->state != state || v->arg != arg)
		fail_msg("%s %s: %s (state %u, arg %d), expected %s (state %u, arg %d)", function, name,
			 r->var_text + v->value, v->state, v->arg, value, state, arg);
}

/* Every kind of value of tests/target/test_vars.c's inspect(), as GDB prints them. */
static void values_as_gdb_prints_them(void **state)
{
	static const char *const k_locals[][2] = {
		{"bits", "{ready = 1, level = 5, delta = -3, tag = 90 'Z'}"},
		{"w", "{u = 1094861636, b = \"DCBA\"}"},
		{"hist", "{5, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}"}, /* (10 zeros: GDB repeats past 10) */
		{"grid", "{\"\\001\\002\\003\", \"\\004\\005\\006\"}"},
		{"name", "\"pump\", '\\000' <repeats 11 times>"},
		{"fl", "(FLAG_A | FLAG_C)"},
		{"unknown_mode", "5"},
		{"ratio", "0.75"},
		{"scale", "-2.5"},
		{"big", "81985529216486895"},
		{"small", "-7 '\\371'"},
		{"ring", "0x2000#### <s_ring>"},
		{"tail", "0x2000#### <s_ring.tail>"},
		{"label", "0x0000#### <k_label[0]> \"pressure\""},
		{"missing", "0x2000#### <s_other.buf[0]> <not captured>"},
	};
	struct crash c;

	(void)state;
	crash_open(&c, "vars-m3-O2", "structs", "mps2-an385");
	for (size_t i = 0; i < sizeof(k_locals) / sizeof(k_locals[0]); i++)
		check_var(&s_report, "inspect", k_locals[i][0], false, FA_VAR_VALUE, k_locals[i][1]);
	check_var(&s_report, "inspect", "armed", true, FA_VAR_VALUE, "true");
	check_var(&s_report, "inspect", "tag", true, FA_VAR_VALUE, "113 'q'");
	check_var(&s_report, "inspect", "m", true, FA_VAR_VALUE, "MODE_FAULT");
	check_var(&s_report, "inspect", "s", true, FA_VAR_VALUE, "0x2000#### <s_sensor>");
	check_var(&s_report, "inspect", "where", true, FA_VAR_OPTIMIZED_OUT, "<optimized out>");
	check_var(&s_report, "crash", "v", true, FA_VAR_VALUE, "116");
	/* a static const local folded into DW_AT_const_value */
	check_var(&s_report, "structs", "k_where", false, FA_VAR_VALUE, "{x = -12, y = 34}");
	/* types spelled as GDB's whatis spells them */
	assert_string_equal(s_report.var_text + var_of(&s_report, frame_of(&s_report, "inspect"), "s", 0)->type,
			    "struct sensor *");
	assert_string_equal(s_report.var_text + var_of(&s_report, frame_of(&s_report, "inspect"), "bits", 0)->type,
			    "volatile struct bits");
	assert_string_equal(s_report.var_text + var_of(&s_report, frame_of(&s_report, "inspect"), "ring", 0)->type,
			    "struct ring * volatile");
	/* arguments first in a frame, in DWARF's order, as `info args` lists them */
	assert_true(var_of(&s_report, frame_of(&s_report, "inspect"), "armed", 0)->arg);
	crash_close(&c);
}

/* What the dump does not hold is said, never filled in: stack memory not captured, registers not recovered. */
static void unknown_parts_say_why(void **state)
{
	struct ff_coredump core;
	struct crash c;

	(void)state;
	crash_open(&c, "vars-m3-O2", "structs", "mps2-an385");
	/* the same unwind, without the stack's memory: inspect's locals live there */
	core = c.m.core;
	core.regions++;
	core.nregions--;
	assert_int_equal(fa_vars_build(&s_report, c.e, &core), 0);
	check_var(&s_report, "inspect", "hist", false, FA_VAR_NOT_CAPTURED, "<not captured: 48 bytes at 0x203f####>");
	check_var(&s_report, "inspect", "s", true, FA_VAR_VALUE, "0x2000#### <s_sensor>"); /* (in a register) */
	crash_close(&c);

	/* entry(): k lives in r1 across the call (IPA-RA), the frames below leave it alone: known from frame 0 */
	crash_open(&c, "vars-m3-O2", "entry", "mps2-an385");
	check_var(&s_report, "entry", "k", false, FA_VAR_VALUE, "5");
	check_var(&s_report, "entry_leaf", "a", true, FA_VAR_VALUE, "5"); /* DW_OP_entry_value: the caller's r1 */
	check_var(&s_report, "entry_leaf", "b", true, FA_VAR_VALUE, "21");
	/* without r1 in the interrupted context, neither is known, and never taken from elsewhere */
	s_report.unwind.frames[0].known &= ~(1u << 1);
	assert_int_equal(fa_vars_build(&s_report, c.e, &c.m.core), 0);
	check_var(&s_report, "entry", "k", false, FA_VAR_NOT_RECOVERED, "<not recovered: r1>");
	check_var(&s_report, "entry_leaf", "a", true, FA_VAR_NOT_RECOVERED, "<not recovered: r1>");
	check_var(&s_report, "crash", "v", true, FA_VAR_VALUE, "42");
	crash_close(&c);
}

/* -O2's other forms: optimized out, synthetic pointers, values computed from entry values. */
static void optimized_code(void **state)
{
	struct crash c;

	(void)state;
	crash_open(&c, "vars-m3-O2", "optimized", "mps2-an385");
	check_var(&s_report, "optimized", "seen", false, FA_VAR_OPTIMIZED_OUT, "<optimized out>");
	check_var(&s_report, "optimized", "n", true, FA_VAR_VALUE, "9");
	check_var(&s_report, "optimized", "twice", false, FA_VAR_VALUE, "18");
	crash_close(&c);
	crash_open(&c, "vars-m3-O2", "synthetic", "mps2-an385");
	check_var(&s_report, "bump", "p", true, FA_VAR_OPTIMIZED_OUT, "<synthetic pointer>");
	check_var(&s_report, "synthetic", "counter", false, FA_VAR_VALUE, "42");
	assert_true(s_report.frames[frame_of(&s_report, "bump")].sym.inlined);
	crash_close(&c);
	/* a float argument's entry value, from the caller's call site: typed floating-point DWARF (r0 * 0.5f) */
	crash_open(&c, "vars-m4f-O2", "floats", "mps2-an386");
	check_var(&s_report, "float_leaf", "ratio", true, FA_VAR_VALUE, "0.625");
	check_var(&s_report, "floats", "scale", false, FA_VAR_VALUE, "1.25");
	crash_close(&c);
}

static void strings_and_blocks(void **state)
{
	const struct fa_report_var *v;
	struct crash c;
	size_t f;

	(void)state;
	crash_open(&c, "vars-m3-O2", "strings", "mps2-an385");
	check_var(&s_report, "strings", "line", false, FA_VAR_VALUE, "\"temp=21.5\\n\", '\\000' <repeats 13 times>");
	check_var(&s_report, "strings", "tabs", false, FA_VAR_VALUE, "\"a\\tb\\\"c\\\\\\000\"");
	check_var(&s_report, "strings", "full", false, FA_VAR_VALUE, "\"abcd\"");
	check_var(&s_report, "strings", "raw", false, FA_VAR_VALUE, "\"\\377\\377\\377\", 'z' <repeats 17 times>");
	check_var(&s_report, "strings", "label", true, FA_VAR_VALUE, "0x0000#### <k_label[0]> \"pressure\"");
	crash_close(&c);
	/* the innermost block's locals first: the shadowing outer, then the loop's, then the function's */
	crash_open(&c, "vars-m3-O2", "blocks", "mps2-an385");
	f = frame_of(&s_report, "blocks");
	v = var_of(&s_report, f, "outer", 0);
	assert_string_equal(s_report.var_text + v->value, "77");
	assert_true(var_of(&s_report, f, "outer_shadow", 0) > v);
	assert_true(var_of(&s_report, f, "i", 0) > var_of(&s_report, f, "outer_shadow", 0));
	v = var_of(&s_report, f, "outer", 1);
	assert_string_equal(s_report.var_text + v->value, "40");
	assert_true(v > var_of(&s_report, f, "i", 0));
	crash_close(&c);
}

/* The text shows each frame's arguments and locals under it; the JSON reads back to what prints the same text and
 * writes the same JSON. */
static void text_and_json(void **state)
{
	struct ff_error err = {0};
	char *json, *again, *text, *text2;
	struct crash c;

	(void)state;
	crash_open(&c, "vars-m3-O2", "structs", "mps2-an385");
	text = fl_test_report_text(&s_report);
	assert_non_null(strstr(text, "in inspect () at "));
	assert_non_null(strstr(text, "\n      arguments:\n        armed = true\n        tag = 113 'q'\n"));
	assert_non_null(strstr(text, "\n      locals:\n        bits = {ready = 1, level = 5, delta = -3, tag = 90 'Z'}\n"));
	json = fa_report_json(&s_report, FA_JSON_COMPACT);
	assert_non_null(json);
	assert_non_null(strstr(json, "{\"name\":\"armed\",\"arg\":true,\"type\":\"_Bool\",\"state\":\"value\","
				     "\"value\":\"true\"}"));
	if (fa_report_from_json(&s_again, json, strlen(json), &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(s_again.nvars, s_report.nvars);
	again = fa_report_json(&s_again, FA_JSON_COMPACT);
	assert_string_equal(again, json);
	text2 = fl_test_report_text(&s_again);
	assert_string_equal(text2, text);
	free(text2);
	free(again);
	free(json);
	free(text);
	/* --no-variables: none, and no trace of them in the text */
	assert_int_equal(fa_report_build_options(&s_report, c.e, &c.m, FA_REPORT_NO_VARIABLES, &err), 0);
	assert_int_equal(s_report.nvars, 0);
	text = fl_test_report_text(&s_report);
	assert_null(strstr(text, "locals:"));
	free(text);
	crash_close(&c);
}

/* More variables than the pool holds: the report keeps what fits and says so, in text and JSON. */
static void the_pool_is_bounded(void **state)
{
	struct crash c;
	size_t f;
	char *text, *json;
	struct ff_error err = {0};

	(void)state;
	crash_open(&c, "vars-m3-O2", "structs", "mps2-an385");
	f = frame_of(&s_report, "inspect");
	for (size_t i = 0; i < FA_FRAMES_MAX; i++) { /* 64 physical frames of inspect's 20 variables */
		s_report.unwind.frames[i] = s_report.unwind.frames[s_report.frames[f].phys];
		s_report.frames[i] = s_report.frames[f];
		s_report.frames[i].phys = (int)i;
	}
	s_report.n = s_report.unwind.n = FA_FRAMES_MAX;
	assert_int_equal(fa_vars_build(&s_report, c.e, &c.m.core), 0);
	assert_true(s_report.vars_cut);
	assert_true(s_report.nvars <= FA_REPORT_VARS);
	assert_true(s_report.var_text_len <= FA_REPORT_VAR_TEXT);
	text = fl_test_report_text(&s_report);
	assert_non_null(strstr(text, "(variables: the report holds 384, or 24576 bytes of their text: outer frames' "
				     "are missing)"));
	json = fa_report_json(&s_report, FA_JSON_COMPACT);
	assert_non_null(strstr(json, "\"variables_cut\":true"));
	assert_int_equal(fa_report_from_json(&s_again, json, strlen(json), &err), 0);
	assert_true(s_again.vars_cut);
	assert_int_equal(s_again.nvars, s_report.nvars);
	free(json);
	free(text);
	crash_close(&c);
}

/* One change to a report JSON's first variable (NULL: deleted) must be refused with code and err naming needle. */
static void refused(json_t *root, const char *key, json_t *value, int code, const char *needle)
{
	json_t *copy = json_deep_copy(root), *var = json_array_get(
		json_object_get(json_array_get(json_object_get(copy, "frames"), 1), "variables"), 0);
	struct ff_error err = {0};
	char *text;

	assert_non_null(var);
	if (value != NULL)
		json_object_set_new(var, key, value);
	else
		json_object_del(var, key);
	text = json_dumps(copy, JSON_COMPACT);
	assert_int_equal(fa_report_from_json(&s_again, text, strlen(text), &err), code);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("'%s' does not name '%s'", err.msg, needle);
	free(text);
	json_decref(copy);
}

static void refused_variables(void **state)
{
	char long_name[FA_VAR_NAME_MAX + 1];
	struct crash c;
	json_error_t jerr;
	json_t *root, *many;
	char *json, *text;
	struct ff_error err = {0};

	(void)state;
	crash_open(&c, "vars-m3-O2", "structs", "mps2-an385");
	json = fa_report_json(&s_report, FA_JSON_COMPACT);
	root = json_loads(json, 0, &jerr);
	assert_non_null(root);
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	refused(root, "name", NULL, FF_ERR_MALFORMED, "frames[1].variables[0].name is missing");
	refused(root, "name", json_string(long_name), FF_ERR_MALFORMED, "frames[1].variables[0].name is longer than 127");
	refused(root, "arg", json_integer(1), FF_ERR_MALFORMED, "frames[1].variables[0].arg is not a boolean");
	refused(root, "state", json_string("guessed"), FF_ERR_UNSUPPORTED, "frames[1].variables[0].state is not a variable");
	refused(root, "value", json_string("a\nb"), FF_ERR_MALFORMED, "value contains a control character");
	/* more than the pool holds */
	many = json_array();
	for (size_t i = 0; i <= FA_REPORT_VARS; i++)
		json_array_append_new(many, json_pack("{s:s, s:b, s:s, s:s, s:s}", "name", "v", "arg", 0, "type", "int",
						      "state", "value", "value", "1"));
	json_object_set_new(json_array_get(json_object_get(root, "frames"), 0), "variables", many);
	text = json_dumps(root, JSON_COMPACT);
	assert_int_equal(fa_report_from_json(&s_again, text, strlen(text), &err), FF_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "is past the variables a report holds"));
	free(text);
	json_decref(root);
	free(json);
	crash_close(&c);
}

/* ---- the evaluator alone, on a dump made here ---- */

static uint8_t s_ram[64];
static struct ff_region s_regions[1];
static struct ff_coredump s_core;
static struct fa_unwind s_unwind;
static struct fa_elf *s_elf;

static int eval_setup(void **state)
{
	char path[512];
	struct ff_error err = {0};

	(void)state;
	snprintf(path, sizeof(path), "%s/vars-m3-O2.elf", FL_TEST_FIRMWARE);
	if (fa_elf_open(&s_elf, path, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	for (size_t i = 0; i < sizeof(s_ram); i++)
		s_ram[i] = (uint8_t)(0x40 + i);
	s_regions[0] = (struct ff_region){.addr = 0x20001000u, .data = s_ram, .len = sizeof(s_ram)};
	memset(&s_core, 0, sizeof(s_core));
	s_core.regions = s_regions;
	s_core.nregions = 1;
	for (uint32_t i = 0; i < 32; i++)
		s_core.fpregs[i] = 0x3f800000u + i;
	s_core.has_fpregs = true;
	memset(&s_unwind, 0, sizeof(s_unwind));
	s_unwind.n = 2;
	for (int f = 0; f < 2; f++)
		for (uint32_t r = 0; r < 16; r++)
			s_unwind.frames[f].regs[r] = 0x11111111u * r + (uint32_t)f;
	s_unwind.frames[0].regs[13] = 0x20001010u;
	s_unwind.frames[0].known = 0xffff;
	s_unwind.frames[0].cfa = 0x20001020u;
	s_unwind.frames[0].cfa_known = true;
	s_unwind.frames[1].known = 0xfff0u;  /* a caller: r0-r3 unknown */
	s_unwind.frames[1].pc = 0x200;
	s_unwind.frames[1].lookup = 0x1ff;
	return 0;
}

static int eval_teardown(void **state)
{
	(void)state;
	fa_elf_close(s_elf);
	return 0;
}

#define OP(a, ...) {.atom = (a), __VA_ARGS__}

/* Evaluate ops in frame `frame`, read n bytes: out, states. */
static void eval_ops(size_t frame, const Dwarf_Op *ops, size_t nops, size_t n, uint8_t *out, uint8_t *st)
{
	assert_int_equal(fa_vars_eval(out, st, s_elf, &s_core, &s_unwind, frame, ops, nops, n), 0);
}

static uint32_t word_of(size_t frame, const Dwarf_Op *ops, size_t nops, unsigned want_state)
{
	uint8_t b[4], st[4];

	eval_ops(frame, ops, nops, 4, b, st);
	for (int i = 0; i < 4; i++)
		assert_int_equal(st[i], want_state);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void memory_and_registers(void **state)
{
	const Dwarf_Op sp_plus[] = {OP(DW_OP_breg13, .number = 4)};                           /* captured memory */
	const Dwarf_Op ram[] = {OP(DW_OP_addr, .number = 0x20002000u)};                        /* RAM not captured */
	const Dwarf_Op flash[] = {OP(DW_OP_addr, .number = 0x100u)};                           /* the ELF's code */
	const Dwarf_Op r5[] = {OP(DW_OP_reg5)}, r1[] = {OP(DW_OP_reg1)}, s2[] = {OP(DW_OP_regx, .number = 66)};
	const Dwarf_Op cfa[] = {OP(DW_OP_call_frame_cfa), OP(DW_OP_stack_value, .offset = 1)};
	const Dwarf_Op deref[] = {OP(DW_OP_addr, .number = 0x20001004u), OP(DW_OP_deref, .offset = 5),
				  OP(DW_OP_stack_value, .offset = 6)};
	uint8_t code[4];

	(void)state;
	assert_int_equal(word_of(0, sp_plus, 1, FA_VAR_VALUE), 0x57565554u); /* sp + 4: the bytes from 0x20001014 */
	word_of(0, ram, 1, FA_VAR_NOT_CAPTURED);
	assert_int_equal(fa_elf_read(s_elf, 0x100u, code, 4), 0);
	assert_int_equal(word_of(0, flash, 1, FA_VAR_VALUE),
			 (uint32_t)code[0] | (uint32_t)code[1] << 8 | (uint32_t)code[2] << 16 | (uint32_t)code[3] << 24);
	assert_int_equal(word_of(0, r5, 1, FA_VAR_VALUE), 0x55555555u);
	assert_int_equal(word_of(1, r5, 1, FA_VAR_VALUE), 0x55555556u);
	/* a caller's r1, which the unwinder has not: not frame 0's, whatever that holds */
	word_of(1, r1, 1, FA_VAR_NOT_RECOVERED);
	/* FPU registers: frame 0's from the dump, none in a caller */
	assert_int_equal(word_of(0, s2, 1, FA_VAR_VALUE), 0x3f800002u);
	word_of(1, s2, 1, FA_VAR_NOT_RECOVERED);
	s_core.has_fpregs = false;
	word_of(0, s2, 1, FA_VAR_NOT_RECOVERED);
	s_core.has_fpregs = true;
	assert_int_equal(word_of(0, cfa, 2, FA_VAR_VALUE), 0x20001020u);
	word_of(1, cfa, 2, FA_VAR_NOT_RECOVERED); /* (the CFA of a frame whose step was not made) */
	assert_int_equal(word_of(0, deref, 3, FA_VAR_VALUE), 0x47464544u);
	s_regions[0].addr = 0x20003000u; /* the word deref reads is no longer captured */
	word_of(0, deref, 3, FA_VAR_NOT_CAPTURED);
	s_regions[0].addr = 0x20001000u;
}

static void arithmetic_and_branches(void **state)
{
	const Dwarf_Op minus[] = {OP(DW_OP_lit5), OP(DW_OP_lit7, .offset = 1), OP(DW_OP_minus, .offset = 2),
				  OP(DW_OP_stack_value, .offset = 3)};
	const Dwarf_Op shifts[] = {OP(DW_OP_consts, .number = (Dwarf_Word)-16), OP(DW_OP_lit2, .offset = 2),
				   OP(DW_OP_shra, .offset = 3), OP(DW_OP_stack_value, .offset = 4)};
	const Dwarf_Op stack_ops[] = {OP(DW_OP_lit1), OP(DW_OP_lit2, .offset = 1), OP(DW_OP_lit3, .offset = 2),
				      OP(DW_OP_rot, .offset = 3), OP(DW_OP_pick, .number = 2, .offset = 4),
				      OP(DW_OP_stack_value, .offset = 6)};
	/* lit7; litN; bra +2 (to offset 7, the stack_value) over "lit3; plus" */
	Dwarf_Op branch[] = {OP(DW_OP_lit7), OP(DW_OP_lit1, .offset = 1), OP(DW_OP_bra, .number = 2, .offset = 2),
			     OP(DW_OP_lit3, .offset = 5), OP(DW_OP_plus, .offset = 6),
			     OP(DW_OP_stack_value, .offset = 7)};
	const Dwarf_Op div0[] = {OP(DW_OP_lit1), OP(DW_OP_lit0, .offset = 1), OP(DW_OP_div, .offset = 2),
				 OP(DW_OP_stack_value, .offset = 3)};
	const Dwarf_Op loop[] = {OP(DW_OP_skip, .number = (Dwarf_Word)-3)}; /* to itself, for ever */
	const Dwarf_Op underflow[] = {OP(DW_OP_plus), OP(DW_OP_stack_value, .offset = 1)};
	const Dwarf_Op unknown[] = {OP(DW_OP_lit0), OP(DW_OP_xderef, .offset = 1)};
	Dwarf_Op deep[80];

	(void)state;
	assert_int_equal(word_of(0, minus, 4, FA_VAR_VALUE), 0xfffffffeu); /* the generic type: 32 bits */
	assert_int_equal(word_of(0, shifts, 4, FA_VAR_VALUE), 0xfffffffcu);
	assert_int_equal(word_of(0, stack_ops, 6, FA_VAR_VALUE), 3u); /* 1 2 3 -> 3 1 2 -> pick 2 = 3 */
	assert_int_equal(word_of(0, branch, 6, FA_VAR_VALUE), 7u);    /* taken */
	branch[1].atom = DW_OP_lit0;
	assert_int_equal(word_of(0, branch, 6, FA_VAR_VALUE), 10u); /* not taken */
	word_of(0, div0, 4, FA_VAR_UNSUPPORTED);
	word_of(0, loop, 1, FA_VAR_UNSUPPORTED); /* bounded: no hang */
	word_of(0, underflow, 2, FA_VAR_UNSUPPORTED);
	word_of(0, unknown, 2, FA_VAR_UNSUPPORTED);
	for (size_t i = 0; i < 80; i++)
		deep[i] = (Dwarf_Op){.atom = DW_OP_lit1, .offset = i};
	word_of(0, deep, 80, FA_VAR_UNSUPPORTED); /* past the stack's 64 entries */
}

static void pieces(void **state)
{
	/* r4's low half, then 2 bytes optimized out, then 2 bytes of captured memory */
	const Dwarf_Op split[] = {OP(DW_OP_reg4), OP(DW_OP_piece, .number = 2, .offset = 1),
				  OP(DW_OP_piece, .number = 2, .offset = 3),
				  OP(DW_OP_addr, .number = 0x20001000u, .offset = 5),
				  OP(DW_OP_piece, .number = 2, .offset = 10)};
	/* bits: 4 of r1 (from its bit 4), then 4 of r2: one byte */
	const Dwarf_Op bits[] = {OP(DW_OP_reg1), OP(DW_OP_bit_piece, .number = 4, .number2 = 4, .offset = 1),
				 OP(DW_OP_reg2, .offset = 4), OP(DW_OP_bit_piece, .number = 4, .number2 = 0, .offset = 5)};
	const Dwarf_Op half[] = {OP(DW_OP_reg1), OP(DW_OP_bit_piece, .number = 4, .number2 = 0, .offset = 1)};
	const Dwarf_Op synthetic[] = {OP(DW_OP_GNU_implicit_pointer)};
	uint8_t b[6], st[6];

	(void)state;
	eval_ops(0, split, 5, 6, b, st);
	assert_int_equal(st[0], FA_VAR_VALUE);
	assert_int_equal(b[0] | b[1] << 8, 0x4444);
	assert_int_equal(st[2], FA_VAR_OPTIMIZED_OUT);
	assert_int_equal(st[3], FA_VAR_OPTIMIZED_OUT);
	assert_int_equal(st[4], FA_VAR_VALUE);
	assert_int_equal(b[4] | b[5] << 8, 0x4140);
	eval_ops(0, bits, 4, 1, b, st); /* r1 0x11111111 >> 4: 1; r2 0x22222222: 2 -> 0x21 */
	assert_int_equal(st[0], FA_VAR_VALUE);
	assert_int_equal(b[0], 0x21);
	eval_ops(0, half, 2, 1, b, st); /* half a byte known is a byte not known */
	assert_int_equal(st[0], FA_VAR_OPTIMIZED_OUT);
	eval_ops(0, synthetic, 1, 4, b, st);
	assert_int_equal(st[0], FA_VAR_OPTIMIZED_OUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_as_gdb_prints_them),
		cmocka_unit_test(unknown_parts_say_why),
		cmocka_unit_test(optimized_code),
		cmocka_unit_test(strings_and_blocks),
		cmocka_unit_test(text_and_json),
		cmocka_unit_test(the_pool_is_bounded),
		cmocka_unit_test(refused_variables),
		cmocka_unit_test_setup_teardown(memory_and_registers, eval_setup, eval_teardown),
		cmocka_unit_test_setup_teardown(arithmetic_and_branches, eval_setup, eval_teardown),
		cmocka_unit_test_setup_teardown(pieces, eval_setup, eval_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
