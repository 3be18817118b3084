/* SPDX-License-Identifier: Apache-2.0 */
/* The dashboard's trace page (docs/DASHBOARD.md): one coredump's report as the read API gives it (the backtrace
 * with its marks and variables, the registers, the fault status registers bit by bit, the threads), its captured
 * memory as a hex view from the stored message with what the report names marked, and its ELF core with the GDB
 * command that opens it. */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "api.h"
#include "dash.h"
#include "fa/core.h"
#include "fa/fault.h"
#include "ff/message.h"
#include "symbols.h"

#define HEX_MAX 4096u /* bytes of a region shown at first (?memory=all: every byte) */

/* A frame's marks: inlined, a tail call's elided caller, an exception frame, a call through NULL. */
static void marks(struct srv_html *h, const json_t *f)
{
	static const char *const k_marks[][3] = {
		{"inlined", "inlined", "inlined into the frame below"},
		{"tail_call", "tail call", "a caller elided by a tail call, found from DWARF call-site records"},
		{"exception", "exception", "the context an exception interrupted"},
		{"null_call", "NULL call", "a call through a NULL function pointer"},
	};

	for (size_t k = 0; k < sizeof(k_marks) / sizeof(k_marks[0]); k++)
		if (json_is_true(json_object_get(f, k_marks[k][0])))
			srv_html_f(h, "<span class=\"mark %s\" title=\"%s\">%s</span>", k_marks[k][0], k_marks[k][2],
				   k_marks[k][1]);
}

/* A frame list (the crash's or a thread's) as a table, each frame's variables under it. */
static void frames(struct srv_html *h, const json_t *list, const char *id)
{
	const json_t *f, *v;
	size_t k, m;

	srv_html_f(h, "<table class=\"frames\" id=\"%s\"><thead><tr><th class=\"num\">#</th><th>Function</th>"
		      "<th>Where</th><th>pc</th></tr></thead><tbody>", id);
	json_array_foreach(list, k, f) {
		srv_html_f(h, "<tr class=\"frame\"><td class=\"num\">%zu</td><td class=\"fn\">%s", k,
			   json_is_string(json_object_get(f, "function")) ? srv_dash_text(f, "function") : "??");
		marks(h, f);
		srv_html_raw(h, "</td><td class=\"where\">");
		if (json_is_string(json_object_get(f, "file")))
			srv_html_f(h, "<code>%s:%lld</code>", srv_dash_text(f, "file"), srv_dash_int(f, "line"));
		srv_html_f(h, "</td><td><code>%s</code></td></tr>", srv_dash_text(f, "pc"));
		if (json_array_size(json_object_get(f, "variables")) == 0)
			continue;
		srv_html_raw(h, "<tr class=\"vars\"><td></td><td colspan=\"3\"><table class=\"vars\"><tbody>");
		json_array_foreach(json_object_get(f, "variables"), m, v) {
			srv_html_f(h, "<tr><td><code>%s</code>%R</td><td><code>%s</code></td><td><code>%s</code></td></tr>",
				   srv_dash_text(v, "name"), json_is_true(json_object_get(v, "arg")) ? " <span class=\"mark\">arg</span>"
											 : "",
				   srv_dash_text(v, "type"),
				   json_is_string(json_object_get(v, "value")) ? srv_dash_text(v, "value") : srv_dash_text(v, "state"));
		}
		srv_html_raw(h, "</tbody></table></td></tr>");
	}
	srv_html_raw(h, "</tbody></table>");
}

/* The registers, each with what it points to when the report names it. */
static void registers(struct srv_html *h, const json_t *report)
{
	const json_t *regs = json_object_get(report, "registers"), *targets = json_object_get(report, "targets"), *v;
	const char *name;

	size_t k = 0;

	srv_html_raw(h, "<h2>Registers</h2><table id=\"registers\" class=\"regs\"><tbody><tr>");
	json_object_foreach((json_t *)regs, name, v) {
		if (k > 0 && k % 4 == 0)
			srv_html_raw(h, "</tr><tr>");
		srv_html_f(h, "<th>%s</th><td><code>%s</code>%R<span class=\"target\">%s</span></td>", name,
			   json_string_value(v), json_is_string(json_object_get(targets, name)) ? " " : "",
			   srv_dash_text(targets, name));
		k++;
	}
	srv_html_raw(h, "</tr></tbody></table>");
}

/* CFSR, HFSR and SHCSR bit by bit (fa_fault_bits), MMFAR and BFAR as they are. */
static void fault_bits(struct srv_html *h, const json_t *report)
{
	const json_t *fr = json_object_get(report, "fault_registers");
	const struct fa_fault_bit *bits;
	const char *reg = "";
	size_t n;

	if (!json_is_object(fr))
		return;
	bits = fa_fault_bits(&n);
	srv_html_f(h, "<h2>Fault status registers</h2><p class=\"mono\">CFSR %s · HFSR %s · SHCSR %s · MMFAR %s · BFAR "
		      "%s</p><table class=\"bits\" id=\"fault-bits\"><thead><tr><th>Register</th><th>Bit</th><th>Set"
		      "</th><th>Meaning</th></tr></thead><tbody>", srv_dash_text(fr, "cfsr"), srv_dash_text(fr, "hfsr"),
		   srv_dash_text(fr, "shcsr"), srv_dash_text(fr, "mmfar"), srv_dash_text(fr, "bfar"));
	for (size_t k = 0; k < n; k++) {
		unsigned long value = strtoul(srv_dash_text(fr, bits[k].reg), NULL, 16);
		bool set = (value & bits[k].mask) != 0;
		int bit = __builtin_ctz(bits[k].mask);

		if (!json_is_string(json_object_get(fr, bits[k].reg)))
			continue;
		srv_html_f(h, "<tr class=\"%s\" data-bit=\"%s\"><td>%s</td><td><code>%s</code> (%d)</td><td class=\"%s\">%s"
			      "</td><td>%s</td></tr>", set ? "set" : "clear", bits[k].name,
			   strcmp(reg, bits[k].reg) != 0 ? bits[k].reg : "", bits[k].name, bit, set ? "set" : "",
			   set ? "1" : "0", bits[k].meaning);
		reg = bits[k].reg;
	}
	srv_html_raw(h, "</tbody></table>");
}

static void threads(struct srv_html *h, const json_t *report)
{
	const json_t *t = json_object_get(report, "threads"), *e;
	char id[32];
	size_t k;

	if (!json_is_object(t))
		return;
	srv_html_f(h, "<h2>Threads (%s, %lld found)</h2><p class=\"hint\">Saved contexts read as %s.</p>",
		   srv_dash_text(t, "rtos"), srv_dash_int(t, "found"), srv_dash_text(t, "layout"));
	json_array_foreach(json_object_get(t, "list"), k, e) {
		const json_t *stack = json_object_get(e, "stack");

		srv_html_f(h, "<div class=\"card thread\" data-name=\"%s\"><p><b>%s</b> %s, priority %lld, stack <code>%s"
			      "–%s</code>, %lld bytes never used, TCB <code>%s</code>%R</p>", srv_dash_text(e, "name"),
			   srv_dash_text(e, "name"), srv_dash_text(e, "state"), srv_dash_int(e, "priority"), srv_dash_text(stack, "low"),
			   srv_dash_text(stack, "high"), srv_dash_int(e, "never_used"), srv_dash_text(e, "tcb"),
			   json_is_true(json_object_get(e, "crashed")) ? " <span class=\"mark exception\">crashed: its "
									 "frames are the backtrace above</span>"
								       : "");
		if (json_array_size(json_object_get(e, "frames")) > 0) {
			snprintf(id, sizeof(id), "thread-%zu", k + 1);
			frames(h, json_object_get(e, "frames"), id);
		}
		if (json_is_string(json_object_get(e, "stop")))
			srv_html_f(h, "<p class=\"hint\">%s</p>", srv_dash_text(e, "stop"));
		srv_html_raw(h, "</div>");
	}
}

/* What the report names at an address: a register's target (r4 = &s_queue) or a frame's stack pointer. NULL when
 * nothing. */
static const char *named_at(const json_t *report, uint64_t addr, char *buf, size_t cap)
{
	const json_t *regs = json_object_get(report, "registers"), *targets = json_object_get(report, "targets"), *v, *f;
	const char *name;
	size_t k;

	json_object_foreach((json_t *)targets, name, v)
		if (json_is_string(v) && srv_dash_text(regs, name)[0] != '\0' &&
		    strtoull(srv_dash_text(regs, name), NULL, 16) == addr) {
			snprintf(buf, cap, "%s = %s", name, json_string_value(v));
			return buf;
		}
	json_array_foreach(json_object_get(report, "frames"), k, f)
		if (srv_dash_text(json_object_get(f, "registers"), "sp")[0] != '\0' &&
		    strtoull(srv_dash_text(json_object_get(f, "registers"), "sp"), NULL, 16) == addr) {
			snprintf(buf, cap, "sp of frame #%zu, %s()", k, srv_dash_text(f, "function"));
			return buf;
		}
	return NULL;
}

/* The captured memory, 16 bytes a line, from the stored message; words the report names highlighted. */
static void memory(struct srv_dash_page *p, int64_t trace, const json_t *report)
{
	bool all = strcmp(srv_dash_arg(p, "memory", ""), "all") == 0;
	struct srv_store *st = p->cfg->store;
	struct ff_message m = {0};
	struct ff_error err = {0};
	uint8_t *bytes = NULL;
	size_t len = 0;
	char label[200];
	int rc;

	srv_store_lock(st);
	rc = st->ops->trace_message(st, trace, &bytes, &len);
	srv_store_unlock(st);
	srv_html_raw(&p->html, "<h2>Captured memory</h2>");
	if (rc != 0 || ff_message_parse(&m, bytes, len, &err) != 0 || m.type != FF_MSG_COREDUMP) {
		/* three different reasons, each said as it is */
		if (rc == SRV_NONE)
			srv_html_raw(&p->html, "<p class=\"hint\">The message's bytes are no longer kept (retention), so its "
					       "memory cannot be shown.</p>");
		else if (rc != 0)
			srv_html_raw(&p->html, "<p class=\"error\">The database failed reading the message.</p>");
		else
			srv_html_f(&p->html, "<p class=\"error\">The stored message cannot be read: %s</p>",
				   err.msg[0] != '\0' ? err.msg : "it is not a coredump");
		ff_message_free(&m);
		free(bytes);
		return;
	}
	srv_html_raw(&p->html, "<p class=\"hint\">Anything else is not in the dump: a debugger shows the ELF's initial "
			       "values there. Highlighted: what the registers and frames point to.</p>");
	for (size_t r = 0; r < m.core.nregions; r++) {
		const struct ff_region *reg = &m.core.regions[r];
		size_t shown = all || reg->len <= HEX_MAX ? reg->len : HEX_MAX;

		if (reg->encoding != 0) {
			srv_html_f(&p->html, "<p class=\"hint\">0x%08llx, %llu bytes in an encoding this server does not "
					     "decode.</p>", (unsigned long long)reg->addr, (unsigned long long)reg->len);
			continue;
		}

		srv_html_f(&p->html, "<div class=\"card\"><p class=\"mono\">0x%08llx–0x%08llx, %llu bytes</p><div "
				     "class=\"hex\" data-address=\"0x%08llx\">", (unsigned long long)reg->addr,
			   (unsigned long long)(reg->addr + reg->len), (unsigned long long)reg->len,
			   (unsigned long long)reg->addr);
		for (size_t off = 0; off < shown; off += 16) {
			srv_html_f(&p->html, "<span class=\"at\">%08llx</span> ", (unsigned long long)(reg->addr + off));
			for (size_t b = off; b < off + 16; b++) {
				const char *name = b % 4 == 0 && b < shown ? named_at(report, reg->addr + b, label, sizeof(label))
									   : NULL;

				if (b >= shown)
					srv_html_raw(&p->html, "   ");
				else if (name != NULL)
					srv_html_f(&p->html, "<span class=\"sym\" title=\"%s\">%02x</span> ", name, reg->data[b]);
				else
					srv_html_f(&p->html, "%02x ", reg->data[b]);
			}
			srv_html_raw(&p->html, " ");
			for (size_t b = off; b < off + 16 && b < shown; b++)
				srv_html_f(&p->html, "%c", reg->data[b] >= 0x20 && reg->data[b] < 0x7f && reg->data[b] != '<' &&
								   reg->data[b] != '&' && reg->data[b] != '>'
							       ? reg->data[b] : '.');
			srv_html_raw(&p->html, "\n");
		}
		srv_html_raw(&p->html, "</div>");
		if (shown < reg->len)
			srv_html_f(&p->html, "<p><a href=\"/traces/%lld?memory=all\">all %llu bytes</a></p>", (long long)trace,
				   (unsigned long long)reg->len);
		srv_html_raw(&p->html, "</div>");
	}
	ff_message_free(&m);
	free(bytes);
}

void srv_dash_trace(struct srv_dash_page *p, int64_t id)
{
	char path[48], when[32], core[64], elf[140], gdb[400];
	const char *none[] = {NULL};
	json_t *j, *report, *fw;

	snprintf(path, sizeof(path), "traces/%lld", (long long)id);
	if ((j = srv_dash_api_page(p, path, none)) == NULL)
		return;
	report = json_object_get(j, "report");
	fw = json_object_get(report, "firmware");
	snprintf(path, sizeof(path), "Trace %lld", (long long)id);
	srv_dash_begin(p, path, "/issues");
	srv_html_f(&p->html, "<p class=\"fault\" id=\"fault\">%s</p><div class=\"card\"><dl class=\"facts\"><dt>Issue</dt>"
			     "<dd><a id=\"issue\" href=\"/issues/%lld\">%lld</a></dd><dt>Device</dt><dd><a href=\"/devices/"
			     "%U\">%s</a></dd><dt>Received</dt><dd>%s UTC</dd><dt>Reason</dt><dd>%s (0x%04llx)</dd>"
			     "<dt>Firmware</dt><dd>%s%s%s, boot %lld</dd><dt>Build-id</dt><dd><code>%s</code></dd>"
			     "<dt>Fingerprint</dt><dd><code>%s</code> <span class=\"hint\">%s</span></dd></dl></div>",
		   srv_dash_text(json_object_get(report, "fault"), "text"), srv_dash_int(j, "issue"), srv_dash_int(j, "issue"),
		   srv_dash_text(j, "device"), srv_dash_text(j, "device"), srv_dash_when(srv_dash_int(j, "received"), when, sizeof(when)),
		   srv_dash_text(json_object_get(report, "reason"), "name"), srv_dash_int(json_object_get(report, "reason"), "code"),
		   srv_dash_text(fw, "sw_version"), srv_dash_text(fw, "hw_version")[0] != '\0' ? " on " : "", srv_dash_text(fw, "hw_version"),
		   srv_dash_int(fw, "boot_id"), srv_dash_text(fw, "build_id"),
		   srv_dash_text(json_object_get(report, "fingerprint"), "id"),
		   srv_dash_text(json_object_get(report, "fingerprint"), "input"));
	snprintf(core, sizeof(core), "core-%lld.elf", (long long)id);
	snprintf(elf, sizeof(elf), "%.128s.elf", srv_dash_text(fw, "build_id"));
	snprintf(gdb, sizeof(gdb), FA_CORE_GDB_COMMAND, elf, core);
	srv_html_f(&p->html, "<div class=\"card\"><p><a id=\"core\" href=\"/traces/%lld/core\" download=\"%s\">Download "
			     "the ELF core</a> and <a id=\"elf\" href=\"/symbols/%U\" download=\"%s\">the firmware's ELF</a>"
			     " (the build the server has), then open both in GDB:</p><pre id=\"gdb\">%s</pre><button "
			     "type=\"button\" class=\"plain\" data-copy=\"gdb\">Copy</button></div>",
		   (long long)id, core, elf, elf, gdb);
	srv_html_raw(&p->html, "<h2>Backtrace</h2>");
	frames(&p->html, json_object_get(report, "frames"), "backtrace");
	if (json_is_object(json_object_get(report, "stop")))
		srv_html_f(&p->html, "<p class=\"hint\" id=\"stop\">Unwinding stopped: %s</p>",
			   srv_dash_text(json_object_get(report, "stop"), "text"));
	threads(&p->html, report);
	registers(&p->html, report);
	fault_bits(&p->html, report);
	memory(p, id, report);
	json_decref(j);
	srv_dash_end(p, 0);
}

void srv_dash_trace_core(struct srv_dash_page *p, int64_t id)
{
	char path[48];
	struct srv_answer a;

	snprintf(path, sizeof(path), "traces/%lld/core", (long long)id);
	srv_api_get(&a, p->cfg->store, path, p->rq->arg, p->rq->actx);
	if (a.status != 200) {
		srv_dash_answer_error(p, &a);
		return;
	}
	p->out->status = 200;
	p->out->body = a.body;
	p->out->len = a.len;
	p->out->type = "application/x-elf-core";
	snprintf(p->out->disposition, sizeof(p->out->disposition), "attachment; filename=\"core-%lld.elf\"",
		 (long long)id);
	p->out->page = true;
}

void srv_dash_symbol_file(struct srv_dash_page *p, const char *name)
{
	size_t n = strlen(name);
	char hex[130], path[4200];
	struct stat st;
	int fd;

	/* NAME.elf, NAME the build-id in lowercase hex, as the store keeps it */
	if (n < 6 || n - 4 >= sizeof(hex) || strcmp(name + n - 4, ".elf") != 0 || strspn(name, "0123456789abcdef") != n - 4) {
		srv_dash_error(p, 404, "no such symbol file");
		return;
	}
	memcpy(hex, name, n - 4);
	hex[n - 4] = '\0';
	if (srv_symbols_path(path, sizeof(path), p->cfg->data_dir, hex) != 0 || (fd = open(path, O_RDONLY)) < 0) {
		srv_dash_error(p, 404, "no symbol file of that build-id was uploaded");
		return;
	}
	if (fstat(fd, &st) != 0) {
		close(fd);
		srv_dash_error(p, 500, "the symbol file cannot be read");
		return;
	}
	p->out->status = 200;
	p->out->fd = fd;
	p->out->len = (size_t)st.st_size;
	p->out->body = NULL;
	p->out->type = "application/x-elf";
	snprintf(p->out->disposition, sizeof(p->out->disposition), "attachment; filename=\"%s\"", name);
	p->out->page = true;
}
