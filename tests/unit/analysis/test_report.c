/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/report.c: reports read back from their JSON print the text `faultline decode` printed (reports of real
 * on-target and demo crashes, tests/data/reports/), write the same JSON again, and every way a stored JSON can be
 * wrong is refused with the member named; how frames were found (found_by) and a tail call of several sites survive
 * the JSON; a frame named after an IPA clone fingerprints as its function (a firmware ELF written here). */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "elfwriter.h"
#include "fa/report.h"
#include "reporttext.h"
#include "testdata.h"

static struct fa_report s_report;

static char *read_text(const char *relpath)
{
	size_t len;
	uint8_t *bytes = fl_test_read(relpath, &len);
	char *text = realloc(bytes, len + 1);

	assert_non_null(text);
	text[len] = '\0';
	return text;
}

/* Each report's JSON reads back to the model its text was printed from, and that model writes the same JSON. */
static void real_reports_read_back(void **state)
{
	static const char *const k_names[] = {"bus_write", "tail_call", "stack_overflow", "assert", "watchdog",
					      "null_call", "posix", "freertos"};
	struct ff_error err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(k_names) / sizeof(k_names[0]); i++) {
		char path[64], *json, *want, *text, *again;

		snprintf(path, sizeof(path), "reports/%s.json", k_names[i]);
		json = read_text(path);
		snprintf(path, sizeof(path), "reports/%s.txt", k_names[i]);
		want = read_text(path);
		if (fa_report_from_json(&s_report, json, strlen(json), &err) != 0)
			fail_msg("%s: %s", k_names[i], err.msg);
		text = fl_test_report_text(&s_report);
		assert_string_equal(text, want);
		again = fa_report_json(&s_report, FA_JSON_INDENTED);
		assert_non_null(again);
		assert_int_equal(json[strlen(json) - 1], '\n');
		json[strlen(json) - 1] = '\0'; /* the file's final newline */
		assert_string_equal(again, json);
		free(again);
		free(text);
		free(want);
		free(json);
	}
}

/* The issue title is made from the model, so a report read back has the one its dump made. */
static void title_from_the_model(void **state)
{
	char *json = read_text("reports/stack_overflow.json");

	(void)state;
	assert_int_equal(fa_report_from_json(&s_report, json, strlen(json), NULL), 0);
	assert_string_equal(s_report.recursion.function, "recurse");
	assert_int_equal(s_report.recursion.count, 29);
	assert_string_equal(s_report.title, "stack_overflow in recurse() recursing");
	free(json);
	json = read_text("reports/bus_write.json");
	assert_int_equal(fa_report_from_json(&s_report, json, strlen(json), NULL), 0);
	assert_string_equal(s_report.title, "bus_fault in bus_fault_write");
	free(json);
}

/* A report stored before "recursing" existed has the recursion only as its sentence. */
static void recursion_from_the_sentence(void **state)
{
	char *json = read_text("reports/stack_overflow.json"), *text;
	json_t *j = json_loads(json, 0, NULL);

	(void)state;
	assert_non_null(j);
	json_object_del(j, "recursing");
	json_object_set_new(j, "recursion", json_string("a(b)() recursing: 7 return addresses into it in the captured "
							"stack"));
	free(json);
	json = json_dumps(j, JSON_COMPACT);
	assert_int_equal(fa_report_from_json(&s_report, json, strlen(json), NULL), 0);
	assert_string_equal(s_report.recursion.function, "a(b)");
	assert_int_equal(s_report.recursion.count, 7);
	text = fl_test_report_text(&s_report);
	assert_non_null(strstr(text, "\nstack:    a(b)() recursing: 7 return addresses into it in the captured stack\n"));
	free(text);
	free(json);
	json_decref(j);
}

/* What no real crash here has: notes, a truncated dump, an application's own reason code. */
static void notes_truncation_reason(void **state)
{
	char *json = read_text("reports/bus_write.json"), *text;
	json_t *j = json_loads(json, 0, NULL);

	(void)state;
	json_object_set_new(j, "notes", json_string("region 2 at 0x30000000: encoding 7 is not known: not decoded"));
	json_object_set_new(json_object_get(j, "flags"), "truncated", json_true());
	json_object_set_new(json_object_get(j, "reason"), "code", json_integer(0x9001));
	json_object_set_new(json_object_get(j, "reason"), "name", json_null());
	free(json);
	json = json_dumps(j, JSON_COMPACT);
	assert_int_equal(fa_report_from_json(&s_report, json, strlen(json), NULL), 0);
	text = fl_test_report_text(&s_report);
	assert_non_null(strstr(text, "\nreason:   application-defined (0x9001)\n"));
	assert_non_null(strstr(text, "  (truncated: storage was too small for all of it)\n"));
	assert_non_null(strstr(text, "\nnotes: region 2 at 0x30000000: encoding 7 is not known: not decoded\n"));
	free(text);
	free(json);
	json_decref(j);
}

/* A string that is not printable UTF-8 in a dump becomes '?', so its JSON has every member (jansson leaves out a
 * string that is not UTF-8). */
static void printable_strings(void **state)
{
	static const char *const k_not_utf8[][2] = {
		{"\xc0\xaf", "??"}, {"a\xed\xa0\x80", "a???"}, {"\xf4\x90\x80\x80", "????"}, {"ok\xe2\x82", "ok??"},
	};
	static struct ff_message m;
	char *json;

	(void)state;
	m.type = FF_MSG_COREDUMP;
	m.arch = 62;
	m.os = 1;
	m.build_id_len = 8;
	snprintf(m.sw_version, sizeof(m.sw_version), "1.0\xff");
	snprintf(m.hw_version, sizeof(m.hw_version), "caf\xc3\xa9 \xf0\x9f\x94\xa7"); /* UTF-8: kept */
	snprintf(m.notes, sizeof(m.notes), "bell\a");
	m.core.nregs = ff_layout_regs(62, 1, &m.core.word);
	m.core.reason = 0x800d;
	assert_int_equal(fa_report_build(&s_report, NULL, &m, NULL), 0);
	assert_string_equal(s_report.dump.sw_version, "1.0?");
	assert_string_equal(s_report.dump.hw_version, "caf\xc3\xa9 \xf0\x9f\x94\xa7");
	assert_string_equal(s_report.dump.notes, "bell?");
	/* not UTF-8: an overlong '/', a UTF-16 surrogate, a code point past U+10FFFF, a cut sequence */
	for (size_t i = 0; i < sizeof(k_not_utf8) / sizeof(k_not_utf8[0]); i++) {
		snprintf(m.hw_version, sizeof(m.hw_version), "%s", k_not_utf8[i][0]);
		assert_int_equal(fa_report_build(&s_report, NULL, &m, NULL), 0);
		assert_string_equal(s_report.dump.hw_version, k_not_utf8[i][1]);
	}
	snprintf(m.hw_version, sizeof(m.hw_version), "caf\xc3\xa9");
	json = fa_report_json(&s_report, FA_JSON_COMPACT);
	assert_non_null(strstr(json, "\"sw_version\":\"1.0?\""));
	assert_int_equal(fa_report_from_json(&s_report, json, strlen(json), NULL), 0);
	assert_string_equal(s_report.dump.notes, "bell?");
	free(json);
}

/* One change to a real report's JSON (file: under tests/data/reports; path: "member" or "object.member",
 * "frames.N.member"; value NULL deletes it) must be refused with code, and err naming needle. */
static void refused_in(const char *file, const char *path, json_t *value, int code, const char *needle)
{
	char name[64], *json, *text;
	json_t *j, *o;
	char key[64], *dot;
	struct ff_error err = {0};

	snprintf(name, sizeof(name), "reports/%s.json", file);
	json = read_text(name);
	j = o = json_loads(json, 0, NULL);
	assert_non_null(j);
	snprintf(key, sizeof(key), "%s", path);
	while ((dot = strchr(key, '.')) != NULL) {
		*dot = '\0';
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(key)) : json_object_get(o, key);
		assert_non_null(o);
		memmove(key, dot + 1, strlen(dot + 1) + 1);
	}
	if (json_is_array(o))
		assert_int_equal(json_array_set_new(o, (size_t)atoi(key), value), 0);
	else if (value == NULL)
		json_object_del(o, key);
	else
		assert_int_equal(json_object_set_new(o, key, value), 0);
	text = json_dumps(j, JSON_COMPACT);
	if (fa_report_from_json(&s_report, text, strlen(text), &err) != code || strstr(err.msg, needle) == NULL)
		fail_msg("%s: got %d '%s', expected %d '%s'", path, err.code, err.msg, code, needle);
	free(text);
	free(json);
	json_decref(j);
}

static void refused(const char *path, json_t *value, int code, const char *needle)
{
	refused_in("tail_call", path, value, code, needle);
}

static void malformed_json(void **state)
{
	static const char *const k_texts[] = {"", "{", "[]", "null", "{\"version\": 1,}", "{\"a\": 1, \"a\": 2}",
					      "{\"version\": \"\\u0000\"}", "\xff"};
	struct ff_error err = {0};
	char *big;

	(void)state;
	for (size_t i = 0; i < sizeof(k_texts) / sizeof(k_texts[0]); i++) {
		assert_int_equal(fa_report_from_json(&s_report, k_texts[i], strlen(k_texts[i]), &err), FF_ERR_MALFORMED);
		assert_non_null(strstr(err.msg, "report JSON: "));
	}
	assert_int_equal(fa_report_from_json(&s_report, "{\"version\": 1", 13, &err), FF_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "not JSON"));
	big = calloc(1, FA_REPORT_JSON_MAX + 1);
	assert_non_null(big);
	memset(big, ' ', FA_REPORT_JSON_MAX + 1);
	assert_int_equal(fa_report_from_json(&s_report, big, FA_REPORT_JSON_MAX + 1, &err), FF_ERR_TOO_LARGE);
	free(big);
}

/* The threads of a FreeRTOS dump: every member checked and bounded. */
static void refused_threads(void **state)
{
	json_t *many = json_array(), *frames = json_array(), *frame;
	char *json = read_text("reports/freertos.json");
	json_t *j = json_loads(json, 0, NULL);

	(void)state;
	refused_in("freertos", "threads.rtos", NULL, FF_ERR_MALFORMED, "threads.rtos is missing");
	refused_in("freertos", "threads.list.1.state", json_string("sleeping"), FF_ERR_MALFORMED,
		   "threads.list[1].state is not a thread state");
	refused_in("freertos", "threads.list.1.stack.low", json_string("0xffffffff"), FF_ERR_MALFORMED,
		   "threads.list[1].stack has its low end above its high one");
	refused_in("freertos", "threads.list.1.tcb", json_integer(5), FF_ERR_MALFORMED, "threads.list[1].tcb");
	refused_in("freertos", "threads.list.1.name", json_string("a name much longer than thirty-one bytes"),
		   FF_ERR_MALFORMED, "threads.list[1].name");
	refused_in("freertos", "threads.list.1.stop", NULL, FF_ERR_MALFORMED, "threads.list[1].stop is missing");
	refused_in("freertos", "threads.list.1.frames.0.pc", json_string("zz"), FF_ERR_MALFORMED,
		   "threads.list[1].pc");
	for (int i = 0; i <= 32; i++)
		json_array_append(many, json_array_get(json_object_get(json_object_get(j, "threads"), "list"), 1));
	refused_in("freertos", "threads.list", many, FF_ERR_MALFORMED, "more than FA_THREADS_MAX (32)");
	frame = json_array_get(json_object_get(json_array_get(json_object_get(json_object_get(j, "threads"), "list"),
							       1), "frames"), 0);
	for (int i = 0; i <= 256; i++)
		json_array_append(frames, frame);
	refused_in("freertos", "threads.list.1.frames", frames, FF_ERR_MALFORMED, "more than FA_REPORT_THREAD_FRAMES");
	json_decref(j);
	free(json);
}

static void refused_members(void **state)
{
	char long_name[300];
	json_t *frames = json_array(), *regions = json_array();

	(void)state;
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	refused("version", json_integer(2), FF_ERR_UNSUPPORTED, "version is not 1");
	refused("version", NULL, FF_ERR_MALFORMED, "version is missing");
	refused("firmware", NULL, FF_ERR_MALFORMED, "firmware is missing");
	refused("firmware.build_id", json_string("abc"), FF_ERR_MALFORMED, "firmware.build_id is not an even number");
	refused("firmware.build_id", json_string("ABCD"), FF_ERR_MALFORMED, "firmware.build_id");
	refused("firmware.sw_version", json_integer(1), FF_ERR_MALFORMED, "firmware.sw_version is not a string");
	refused("firmware.sw_version", json_string(long_name), FF_ERR_MALFORMED, "is longer than 64 bytes");
	refused("firmware.hw_version", json_string("evt\x1b[2J"), FF_ERR_MALFORMED, "contains a control character");
	refused("firmware.arch", json_integer(70000), FF_ERR_MALFORMED, "firmware.arch is out of its range");
	refused("firmware.arch", json_real(40.0), FF_ERR_MALFORMED, "firmware.arch is not an integer");
	refused("firmware.arch", json_integer(243), FF_ERR_UNSUPPORTED, "registers are of a register layout");
	refused("firmware.boot_id", json_integer(-1), FF_ERR_MALFORMED, "firmware.boot_id is out of its range");
	refused("reason.code", json_string("0x8005"), FF_ERR_MALFORMED, "reason.code is not an integer");
	refused("fault.kind", json_string(long_name), FF_ERR_MALFORMED, "fault.kind is longer than 31 bytes");
	refused("frames.1.function", json_string(long_name), FF_ERR_MALFORMED, "frames[1].function is longer than 127");
	refused("frames.0.line", json_integer(-3), FF_ERR_MALFORMED, "frames[0].line is out of its range");
	refused("frames.0.pc", json_string("0x"), FF_ERR_MALFORMED, "frames[0].pc is not a hex number");
	refused("frames.0.pc", json_string("0x12345678912345678"), FF_ERR_MALFORMED, "frames[0].pc is not a hex");
	refused("frames.0.pc", json_string("0xgg"), FF_ERR_MALFORMED, "frames[0].pc is not a hex number");
	refused("frames.0.inlined", json_integer(0), FF_ERR_MALFORMED, "frames[0].inlined is not a boolean");
	refused("frames.0.registers", json_pack("{s:s}", "r16", "0x0"), FF_ERR_MALFORMED, "frames[0].registers has a");
	refused("frames.0.registers", json_pack("{s:s}", "r1", "0x100000000"), FF_ERR_MALFORMED,
		"frames[0].registers.r1 is out of its range");
	refused("frames.1.registers", json_object(), FF_ERR_MALFORMED, "frames[1].registers are only a physical");
	refused("frames.2", json_integer(3), FF_ERR_MALFORMED, "frames[2] is not an object");
	for (int i = 0; i < 129; i++)
		json_array_append_new(frames, json_pack("{s:s, s:s, s:s, s:i, s:b, s:b, s:b, s:b, s:b}", "pc", "0x0",
							"function", "f", "file", "", "line", 0, "inlined", 0, "tail_call",
							0, "exception", 0, "null_call", 0, "application", 0));
	refused("frames", json_deep_copy(frames), FF_ERR_MALFORMED, "frames has more than FA_REPORT_FRAMES");
	json_array_remove(frames, 0); /* 128 entries, each its own physical frame: more than FA_FRAMES_MAX */
	refused("frames", frames, FF_ERR_MALFORMED, "frames[64] is in more than FA_FRAMES_MAX");
	refused("stop.reason", json_string("lost"), FF_ERR_UNSUPPORTED, "stop.reason is not a stop reason");
	refused("registers.r3", NULL, FF_ERR_MALFORMED, "registers are not the registers of the layout");
	refused("registers.r3", json_string("3"), FF_ERR_MALFORMED, "registers.r3 is not a hex number");
	refused("registers.xpsr", json_string("0x100000000"), FF_ERR_MALFORMED, "registers.xpsr is out of its range");
	refused("fault_registers.bfar", NULL, FF_ERR_MALFORMED, "fault_registers.bfar is missing");
	for (int i = 0; i < 257; i++)
		json_array_append_new(regions, json_pack("{s:s, s:i}", "address", "0x0", "length", 4));
	refused("captured", regions, FF_ERR_MALFORMED, "captured has more than FF_REGIONS_MAX");
	refused("captured.0.length", json_integer(-4), FF_ERR_MALFORMED, "captured[0].length is out of its range");
	refused("flags.fp_context", NULL, FF_ERR_MALFORMED, "flags.fp_context is missing");
	refused("recursion", json_string("stack overflow"), FF_ERR_MALFORMED, "recursion is not");
	refused("recursing", json_pack("{s:s, s:i}", "function", "f", "count", 0), FF_ERR_MALFORMED,
		"recursing.count is out of its range");
	refused("notes", json_array(), FF_ERR_MALFORMED, "notes is not a string");
	refused("fingerprint.id", json_string(long_name), FF_ERR_MALFORMED, "fingerprint.id is longer than 31 bytes");
	refused("signal", json_pack("{s:i, s:i}", "number", 11, "code", 1), FF_ERR_MALFORMED, "signal.address is missing");
	refused("site", json_pack("{s:s, s:s}", "function", "f", "file", "a.c"), FF_ERR_MALFORMED, "site.line is missing");
	refused("frames.0.found_by", json_string("guess"), FF_ERR_MALFORMED,
		"frames[0].found_by is not cfi, exidx or prologue");
	refused("frames.0.found_by", json_string("exidxx"), FF_ERR_MALFORMED, "frames[0].found_by is not cfi, exidx");
	refused("frames.2.found_by", json_integer(1), FF_ERR_MALFORMED, "frames[2].found_by is not a string");
	refused("frames.2.found_by", json_string(long_name), FF_ERR_MALFORMED, "frames[2].found_by is longer than 15");
	/* how a physical frame was found: not said of a tail call's frame, nor of a function it inlined into */
	refused("frames.1.found_by", json_string("exidx"), FF_ERR_MALFORMED,
		"frames[1].found_by is only on the first frame of a physical frame");
	refused("frames.4.found_by", json_string("prologue"), FF_ERR_MALFORMED,
		"frames[4].found_by is only on the first frame of a physical frame");
}

/* tail_call.json with found_by set on the first report frame of physical frames 1 (tail_call) and 2 (run, inlined
 * into main), and on Reset_Handler; out: the JSON text, which the caller frees. */
static char *with_found_by(void)
{
	char *json = read_text("reports/tail_call.json"), *out;
	json_t *j = json_loads(json, 0, NULL), *frames = json_object_get(j, "frames");

	assert_non_null(frames);
	json_object_set_new(json_array_get(frames, 2), "found_by", json_string("exidx"));
	json_object_set_new(json_array_get(frames, 3), "found_by", json_string("prologue"));
	json_object_set_new(json_array_get(frames, 5), "found_by", json_string("cfi"));
	out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	free(json);
	return out;
}

/* How frames were found survives the JSON: read into the report frames and the physical ones, printed, written
 * again where it was (and not for CFI, as before found_by existed), and read back the same. */
static void found_by_round_trip(void **state)
{
	static const char *const k_want[] = {NULL, NULL, "exidx", "prologue", NULL, NULL};
	char *json = with_found_by(), *again, *text;
	json_t *j;

	(void)state;
	assert_int_equal(fa_report_from_json(&s_report, json, strlen(json), NULL), 0);
	assert_int_equal(s_report.frames[2].found, FA_FOUND_EXIDX);
	assert_int_equal(s_report.frames[3].found, FA_FOUND_PROLOGUE);
	assert_int_equal(s_report.frames[5].found, FA_FOUND_CFI);
	assert_int_equal(s_report.unwind.frames[1].found, FA_FOUND_EXIDX);
	assert_int_equal(s_report.unwind.frames[2].found, FA_FOUND_PROLOGUE);
	assert_int_equal(s_report.unwind.frames[0].found, FA_FOUND_CFI);
	text = fl_test_report_text(&s_report);
	assert_non_null(strstr(text, "\n  #2  0x0000022e in tail_call () at /home/dev/faultline/tests/target/"
				     "test_faults.c:176   (found by .ARM.exidx: the frame above has no CFI)\n"));
	assert_non_null(strstr(text, "\n  #3  [inlined] 0x00000920 in run () at /home/dev/faultline/tests/target/"
				     "test_faults.c:471   (found by prologue analysis: the frame above has no CFI)\n"));
	assert_non_null(strstr(text, "startup.c:72\n"));
	free(text);
	again = fa_report_json(&s_report, FA_JSON_COMPACT);
	assert_non_null(again);
	j = json_loads(again, 0, NULL);
	assert_non_null(j);
	for (size_t i = 0; i < 6; i++) {
		const json_t *how = json_object_get(json_array_get(json_object_get(j, "frames"), i), "found_by");

		if (k_want[i] == NULL)
			assert_null(how);
		else
			assert_string_equal(json_string_value(how), k_want[i]);
	}
	json_decref(j);
	assert_int_equal(fa_report_from_json(&s_report, again, strlen(again), NULL), 0);
	free(json);
	json = fa_report_json(&s_report, FA_JSON_COMPACT);
	assert_string_equal(json, again);
	free(again);
	free(json);
}

/* A tail-call frame that several call sites lead to has no pc, file or line: the text says so. */
static void tail_call_of_several_sites(void **state)
{
	char *json = read_text("reports/tail_call.json"), *text;
	json_t *j = json_loads(json, 0, NULL), *caller = json_array_get(json_object_get(j, "frames"), 1);

	(void)state;
	json_object_set_new(caller, "pc", json_string("0x00000000"));
	json_object_set_new(caller, "file", json_string(""));
	json_object_set_new(caller, "line", json_integer(0));
	free(json);
	json = json_dumps(j, JSON_COMPACT);
	assert_int_equal(fa_report_from_json(&s_report, json, strlen(json), NULL), 0);
	assert_true(s_report.frames[1].tail_call);
	assert_int_equal(s_report.frames[1].pc, 0);
	text = fl_test_report_text(&s_report);
	assert_non_null(strstr(text, "\n  #1  [tail call] tail_caller ()   (from one of its tail calls: several lead "
				     "here)\n  #2  0x0000022e in tail_call ()"));
	free(text);
	free(json);
	json_decref(j);
}

/* A firmware ELF with one function, named as given, at 0x1000 (0x20 bytes), in a compile unit of app.c whose line
 * table has the function at line 42 but no DW_TAG_subprogram: its frames are named from the symbol table. */
static struct fa_elf *elf_with_function(const char *name)
{
	struct fl_buf text = {0}, abbrev = {0}, info = {0}, line = {0};
	const struct fl_elf_func func = {name, 0x1000 | 1, 0x20};
	const struct fl_firmware fw = {
		.text_addr = 0x1000, .text = &text, .funcs = &func, .nfuncs = 1, .abbrev = &abbrev, .info = &info,
		.line = &line, .code_lo = 0x1000, .code_len = 0x20,
	};
	struct ff_error err = {0};
	struct fa_elf *e = NULL;
	size_t at, header;
	char *path;

	fl_buf_fill(&text, 0, 0x20);
	/* a compile unit: name, stmt_list (sec_offset), low_pc, high_pc (data4) */
	fl_buf_put(&abbrev, "\x01\x11\x00\x03\x08\x10\x17\x11\x01\x12\x06\x00\x00\x00", 14);
	at = fl_dwarf_unit_begin(&info);
	fl_buf_uleb(&info, 1), fl_buf_put(&info, "app.c", 6), fl_buf_le(&info, 0, 4);
	fl_buf_le(&info, 0x1000, 4), fl_buf_le(&info, 0x20, 4);
	fl_dwarf_unit_end(&info, at);
	/* DWARF 4 line table: min_inst_length 1, default_is_stmt, line_base -5, line_range 14, opcode_base 13 */
	fl_buf_le(&line, 0, 4), fl_buf_le(&line, 4, 2), header = line.n, fl_buf_le(&line, 0, 4);
	fl_buf_put(&line, "\x01\x01\x01\xfb\x0e\x0d\x00\x01\x01\x01\x01\x00\x00\x00\x01\x00\x00\x01", 18);
	fl_buf_le(&line, 0, 1);                            /* no include directories */
	fl_buf_put(&line, "app.c\0\0\0\0", 9), fl_buf_le(&line, 0, 1); /* one file */
	for (unsigned i = 0; i < 4; i++)
		line.p[header + i] = (uint8_t)((line.n - header - 4) >> (8 * i));
	fl_buf_put(&line, "\x00\x05\x02", 3), fl_buf_le(&line, 0x1000, 4); /* DW_LNE_set_address */
	fl_buf_put(&line, "\x03\x29\x01\x02\x20\x00\x01\x01", 8); /* line 42, copy; advance 0x20, end */
	for (unsigned i = 0; i < 4; i++)
		line.p[i] = (uint8_t)((line.n - 4) >> (8 * i));
	path = fl_elf_firmware(&fw);
	if (fa_elf_open(&e, path, &err) != 0)
		fail_msg("%s", err.msg);
	unlink(path);
	free(path), free(text.p), free(abbrev.p), free(info.p), free(line.p);
	return e;
}

/* A frame 0 in the function of elf_with_function(name): its fingerprint. */
static void fingerprint_of(const char *name, char *id, size_t cap)
{
	static struct ff_message m;
	struct fa_elf *e = elf_with_function(name);

	memset(&m, 0, sizeof(m));
	m.type = FF_MSG_COREDUMP;
	m.arch = 40;
	m.core.nregs = ff_layout_regs(40, 0, &m.core.word);
	m.core.reason = 0x8005;
	m.core.regs[FF_CM_PC] = 0x1008;
	m.core.regs[FF_CM_SP] = 0x20001000;
	m.core.regs[FF_CM_LR] = 0xffffffff;
	assert_int_equal(fa_report_build(&s_report, e, &m, NULL), 0);
	assert_true(s_report.n >= 1);
	assert_string_equal(s_report.frames[0].sym.function, name);
	assert_string_equal(s_report.frames[0].sym.file, "app.c");
	assert_int_equal(s_report.frames[0].sym.line, 42);
	snprintf(id, cap, "%s", s_report.fingerprint);
	fa_elf_close(e);
}

/* A frame named from the symbol table after an IPA clone fingerprints as its function: as DWARF and GDB name it. */
static void fingerprint_without_clone_suffix(void **state)
{
	char base[32], clone[32], other[32], input[64];

	(void)state;
	fingerprint_of("set_level", base, sizeof(base));
	snprintf(input, sizeof(input), "%s|set_level@app.c", s_report.fault.kind);
	assert_string_equal(s_report.fingerprint_input, input);
	fingerprint_of("set_level.constprop.0", clone, sizeof(clone));
	assert_string_equal(s_report.fingerprint_input, input);
	assert_string_equal(clone, base);
	assert_string_equal(s_report.title, "hard_fault in set_level.constprop.0");
	fingerprint_of("set_level.part.1.cold", clone, sizeof(clone));
	assert_string_equal(clone, base);
	fingerprint_of("set_level.constprops.0", other, sizeof(other)); /* not a clone's */
	assert_string_not_equal(other, base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_reports_read_back),
		cmocka_unit_test(title_from_the_model),
		cmocka_unit_test(recursion_from_the_sentence),
		cmocka_unit_test(notes_truncation_reason),
		cmocka_unit_test(printable_strings),
		cmocka_unit_test(malformed_json),
		cmocka_unit_test(refused_members),
		cmocka_unit_test(refused_threads),
		cmocka_unit_test(found_by_round_trip),
		cmocka_unit_test(tail_call_of_several_sites),
		cmocka_unit_test(fingerprint_without_clone_suffix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
