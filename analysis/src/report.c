/* SPDX-License-Identifier: Apache-2.0 */
/* Building the report from an unwind, and printing it as text and JSON. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ff/bytes.h"
#include "ff/reason.h"
#include "fa/report.h"

static const char *base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* docs/ANALYSIS.md: application code is code with a source file that is not faultline's SDK or ports and not
 * the C library or compiler runtime. */
static bool application(const struct fa_sym *s)
{
	return s->file[0] != '\0' && strncmp(s->function, "fl_", 3) != 0 && strstr(s->file, "/sdk/src/") == NULL &&
	       strstr(s->file, "/sdk/ports/") == NULL && strstr(s->file, "newlib") == NULL &&
	       strstr(s->file, "libgcc") == NULL;
}

/* A Thumb return address: odd, inside a function, right after a BL or BLX. */
static bool return_address(struct fa_elf *e, uint32_t w)
{
	uint8_t b[4];
	const char *name;

	if (!(w & 1) || w < 5 || fa_elf_function_at(e, w - 1, &name) == 0)
		return false;
	if (fa_elf_read(e, (w & ~1u) - 4, b, 4) == 0 && (b[1] & 0xf8) == 0xf0 && (b[3] & 0xd0) == 0xd0)
		return true; /* BL: 11110... 11x1... */
	return fa_elf_read(e, (w & ~1u) - 2, b, 2) == 0 && (b[0] & 0x87) == 0x80 && b[1] == 0x47; /* BLX Rm */
}

/* Stack overflow: count, per function, the return addresses into it found in the captured stack. */
static void find_recursion(struct fa_report *r, struct fa_elf *e, const struct ff_coredump *c)
{
	struct {
		char name[128];
		unsigned count;
	} seen[16];
	size_t nseen = 0, best = 0;

	if (c->nregions == 0)
		return;
	for (size_t off = 0; off + 4 <= c->regions[0].len; off += 4) {
		const uint8_t *p = c->regions[0].data + off;
		uint32_t w = ff_le32(p);
		struct fa_sym s[4];
		size_t i;

		if (!return_address(e, w))
			continue;
		fa_elf_symbolize(e, w - 1, s, 4);
		for (i = 0; i < nseen && strcmp(seen[i].name, s[0].function) != 0; i++)
			;
		if (i == nseen && nseen < 16) {
			snprintf(seen[nseen].name, sizeof(seen[nseen].name), "%s", s[0].function);
			seen[nseen++].count = 0;
		}
		if (i < nseen)
			seen[i].count++;
	}
	for (size_t i = 1; i < nseen; i++)
		if (seen[i].count > seen[best].count)
			best = i;
	if (nseen > 0 && seen[best].count >= 3) {
		snprintf(r->recursion.function, sizeof(r->recursion.function), "%s", seen[best].name);
		r->recursion.count = seen[best].count;
	}
}

/* The recursion in words, as the text and the JSON say it. */
static void recursion_text(char *out, size_t size, const struct fa_report *r)
{
	snprintf(out, size, "%s() recursing: %u return addresses into it in the captured stack", r->recursion.function,
		 r->recursion.count);
}

static void fingerprint(struct fa_report *r)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, 64-bit */
	size_t used = 0, counted = 0;

	used += (size_t)snprintf(r->fingerprint_input, sizeof(r->fingerprint_input), "%s", r->fault.kind);
	if (r->recursion.count > 0) /* up to a '(': version 1 cut the name from the sentence "f() recursing: ..." */
		used += (size_t)snprintf(r->fingerprint_input + used, sizeof(r->fingerprint_input) - used, "|%.*s",
					 (int)strcspn(r->recursion.function, "("), r->recursion.function);
	for (size_t i = 0; i < r->n && counted < FA_FINGERPRINT_FRAMES && used < sizeof(r->fingerprint_input); i++) {
		if (!r->frames[i].application)
			continue;
		used += (size_t)snprintf(r->fingerprint_input + used, sizeof(r->fingerprint_input) - used, "|%s@%s",
					 r->frames[i].sym.function, base(r->frames[i].sym.file));
		counted++;
	}
	for (const char *p = r->fingerprint_input; *p != '\0'; p++) {
		h ^= (uint8_t)*p;
		h *= 0x100000001b3ull;
	}
	snprintf(r->fingerprint, sizeof(r->fingerprint), "fl%d:%016llx", FA_FINGERPRINT_VERSION, (unsigned long long)h);
}

/* "<kind> in <function>": the title, from the fault and the first application frame (else frame 0). A stack
 * overflow has no frames: "<kind> in <function>() recursing", cut at a ':' in the name as the title cut it from the
 * sentence before (an issue keeps its title). */
static void title(struct fa_report *r)
{
	const char *fn = r->n > 0 ? r->frames[0].sym.function : "?";

	if (r->n == 0 && r->recursion.count > 0) {
		fn = r->recursion.function;
		snprintf(r->title, sizeof(r->title), "%s in %.*s%s", r->fault.kind, (int)strcspn(fn, ":"), fn,
			 strchr(fn, ':') != NULL ? "" : "() recursing");
		return;
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->frames[i].application) {
			fn = r->frames[i].sym.function;
			break;
		}
	snprintf(r->title, sizeof(r->title), "%s in %s", r->fault.kind, fn);
}

/* The dump's facts the report shows, from its message. */
static void copy_dump(struct fa_report_dump *d, const struct ff_message *m)
{
	const struct ff_coredump *c = &m->core;
	const char *reason = ff_reason_name(c->reason);

	memcpy(d->build_id, m->build_id, m->build_id_len);
	d->build_id_len = m->build_id_len;
	snprintf(d->sw_version, sizeof(d->sw_version), "%s", m->sw_version);
	snprintf(d->hw_version, sizeof(d->hw_version), "%s", m->hw_version);
	d->arch = m->arch;
	d->os = m->os;
	d->boot_id = m->boot_id;
	d->reason = c->reason;
	snprintf(d->reason_name, sizeof(d->reason_name), "%s", reason != NULL ? reason : "");
	d->flags = c->flags;
	memcpy(d->regs, c->regs, sizeof(d->regs));
	d->nregs = c->nregs;
	d->word = c->word;
	memcpy(d->fault, c->fault, sizeof(d->fault));
	d->has_fault = c->has_fault;
	d->code = c->code;
	d->has_code = c->has_code;
	memcpy(d->signal, c->signal, sizeof(d->signal));
	d->has_signal = c->has_signal;
	for (size_t i = 0; i < c->nregions && i < FF_REGIONS_MAX; i++) {
		d->regions[i].addr = c->regions[i].addr;
		d->regions[i].len = c->regions[i].len;
		d->nregions++;
	}
	snprintf(d->notes, sizeof(d->notes), "%s", m->notes);
}

/* Text in a report is printable UTF-8 (JSON strings must be UTF-8; a terminal must not take a name for a control
 * sequence): control characters become '?', and so do the non-ASCII bytes of a string that is not UTF-8. */
static void printable(char *s)
{
	json_t *utf8 = json_string(s);

	for (char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || (utf8 == NULL && (unsigned char)*p >= 0x80))
			*p = '?';
	json_decref(utf8);
}

/* Every string of a report that came from the dump or the ELF, made printable (after the fingerprint, which hashes
 * the names as they are). */
static void make_printable(struct fa_report *r)
{
	char *const texts[] = {r->dump.sw_version, r->dump.hw_version, r->dump.notes, r->fault.kind, r->fault.text,
			       r->unwind.why, r->site.function, r->site.file, r->recursion.function, r->title,
			       r->fingerprint_input};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		printable(texts[i]);
	for (size_t i = 0; i < r->n; i++) {
		printable(r->frames[i].sym.function);
		printable(r->frames[i].sym.file);
	}
}

int fa_report_build(struct fa_report *out, struct fa_elf *e, const struct ff_message *m, struct ff_error *err)
{
	memset(out, 0, sizeof(*out));
	if (m->type != FF_MSG_COREDUMP)
		return ff_error_set(err, FF_ERR_UNSUPPORTED, "report: message type %u is not a coredump", m->type);
	copy_dump(&out->dump, m);
	fa_fault_explain(&out->fault, m, e);
	fa_unwind_cortex_m(e, m, &out->unwind);
	for (size_t i = 0; i < out->unwind.n && out->n < FA_REPORT_FRAMES; i++) {
		const struct fa_frame *f = &out->unwind.frames[i];
		struct fa_sym syms[8];
		size_t k = fa_elf_symbolize(e, f->lookup, syms, 8);

		for (size_t j = 0; j < k && out->n < FA_REPORT_FRAMES; j++) {
			struct fa_report_frame *rf = &out->frames[out->n++];

			rf->pc = f->pc;
			rf->sym = syms[j];
			rf->phys = (int)i;
			rf->exception = j == 0 && f->exception;
			rf->null_call = j == 0 && f->null_call;
			rf->application = application(&syms[j]);
		}
		/* callers that tail calls left no frame for, between this frame and the one that called it */
		if (i + 1 < out->unwind.n && !out->unwind.frames[i + 1].exception && !out->unwind.frames[i + 1].null_call) {
			size_t t = fa_elf_tail_calls(e, f->lookup, out->unwind.frames[i + 1].pc, syms, 8);

			for (size_t j = 0; j < t && out->n < FA_REPORT_FRAMES; j++) {
				struct fa_report_frame *rf = &out->frames[out->n++];

				memset(rf, 0, sizeof(*rf));
				rf->pc = f->pc;
				rf->sym = syms[j];
				rf->phys = (int)i;
				rf->tail_call = true;
				rf->application = application(&syms[j]);
			}
		}
	}
	if (m->core.has_site) {
		struct fa_sym syms[8];
		size_t k = fa_elf_symbolize(e, (m->core.site_pc & ~1ull) - 1, syms, 8);

		out->site = syms[0];
		out->has_site = k > 0;
		if (out->has_site && out->site.file[0] != '\0') /* "assert failed at file:line in fn()" */
			snprintf(out->fault.text + strlen(out->fault.text), sizeof(out->fault.text) - strlen(out->fault.text),
				 " at %s:%d in %s()", base(out->site.file), out->site.line, out->site.function);
	}
	if (strcmp(out->fault.kind, "stack_overflow") == 0)
		find_recursion(out, e, &m->core);
	fingerprint(out);
	title(out);
	make_printable(out);
	return 0;
}

/* ---- text ---- */

static void print_frame(FILE *f, size_t i, const struct fa_report_frame *rf)
{
	if (rf->exception)
		fprintf(f, "      <exception>\n");
	fprintf(f, "  #%-2zu %s0x%08llx in %s ()", i, rf->sym.inlined ? "[inlined] " : rf->tail_call ? "[tail call] " : "",
		(unsigned long long)rf->pc, rf->sym.function);
	if (rf->sym.file[0] != '\0')
		fprintf(f, " at %s:%d", rf->sym.file, rf->sym.line);
	fprintf(f, "%s\n", rf->null_call ? "   (recovered from lr after the jump to no code)" : "");
}

void fa_report_print(const struct fa_report *r, FILE *f)
{
	const struct fa_report_dump *c = &r->dump;

	fprintf(f, "coredump: firmware %s%s%s, boot %u, build-id ", c->sw_version, c->hw_version[0] ? " on " : "",
		c->hw_version, c->boot_id);
	for (size_t i = 0; i < c->build_id_len; i++)
		fprintf(f, "%02x", c->build_id[i]);
	fprintf(f, "\nreason:   %s (0x%04x)\nfault:    %s\n", c->reason_name[0] ? c->reason_name : "application-defined",
		c->reason, r->fault.text);
	if (r->has_site)
		fprintf(f, "site:     %s () at %s:%d\n", r->site.function, r->site.file, r->site.line);
	if (c->has_code)
		fprintf(f, "code:     %llu (0x%llx)\n", (unsigned long long)c->code, (unsigned long long)c->code);
	if (r->recursion.count > 0) {
		char sentence[240];

		recursion_text(sentence, sizeof(sentence), r);
		fprintf(f, "stack:    %s\n", sentence);
	}
	fprintf(f, "\nbacktrace:\n");
	for (size_t i = 0; i < r->n; i++)
		print_frame(f, i, &r->frames[i]);
	fprintf(f, "  (unwinding stopped: %s)\n", r->unwind.why);
	fprintf(f, "\nregisters of the interrupted context:\n");
	for (size_t i = 0; i < c->nregs; i++)
		fprintf(f, "  %-10s 0x%0*llx%s", ff_reg_name(c->arch, c->os, i), (int)(2 * c->word),
			(unsigned long long)c->regs[i], i % 4 == 3 || i + 1 == c->nregs ? "\n" : "");
	if (c->flags & FF_FLAG_FRAME_UNRELIABLE)
		fprintf(f, "  (exception stacking failed: r12, lr, pc and xpsr are unknown)\n");
	if (c->has_signal)
		fprintf(f, "  signal %llu, si_code %llu, si_addr 0x%llx\n", (unsigned long long)c->signal[0],
			(unsigned long long)c->signal[1], (unsigned long long)c->signal[2]);
	if (c->has_fault)
		fprintf(f, "  CFSR 0x%08x  HFSR 0x%08x  MMFAR 0x%08x  BFAR 0x%08x  SHCSR 0x%08x\n", c->fault[0],
			c->fault[1], c->fault[2], c->fault[3], c->fault[4]);
	fprintf(f, "\ncaptured memory (anything else is not in the dump: a debugger shows the ELF's initial values "
		   "there):\n");
	for (size_t i = 0; i < c->nregions; i++)
		fprintf(f, "  0x%08llx-0x%08llx  %6zu bytes%s\n", (unsigned long long)c->regions[i].addr,
			(unsigned long long)(c->regions[i].addr + c->regions[i].len), c->regions[i].len,
			i == 0 ? "  (stack)" : "");
	if (c->flags & FF_FLAG_TRUNCATED)
		fprintf(f, "  (truncated: storage was too small for all of it)\n");
	if (c->notes[0] != '\0')
		fprintf(f, "notes: %s\n", c->notes);
	fprintf(f, "\nfingerprint: %s  (%s)\n", r->fingerprint, r->fingerprint_input);
}

/* ---- JSON ---- */

static json_t *hexnum(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%08llx", (unsigned long long)v);
	return json_string(buf);
}

char *fa_report_json(const struct fa_report *r)
{
	const struct fa_report_dump *c = &r->dump;
	json_t *root = json_object(), *frames = json_array(), *regions = json_array(), *regs = json_object();
	char id[130];
	char *text;

	ff_hex(id, sizeof(id), c->build_id, c->build_id_len);
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "firmware", json_pack("{s:s, s:s, s:s, s:i, s:i, s:I}", "build_id", id, "sw_version",
							  c->sw_version, "hw_version", c->hw_version, "arch", c->arch,
							  "os", c->os, "boot_id", (json_int_t)c->boot_id));
	json_object_set_new(root, "reason", json_pack("{s:i, s:s?}", "code", c->reason, "name",
						       c->reason_name[0] ? c->reason_name : NULL));
	json_object_set_new(root, "fault", json_pack("{s:s, s:s}", "kind", r->fault.kind, "text", r->fault.text));
	if (r->has_site)
		json_object_set_new(root, "site", json_pack("{s:s, s:s, s:i}", "function", r->site.function, "file",
							     r->site.file, "line", r->site.line));
	if (c->has_code)
		json_object_set_new(root, "code", json_integer((json_int_t)c->code));
	for (size_t i = 0; i < r->n; i++) {
		const struct fa_report_frame *rf = &r->frames[i];
		json_t *jf = json_pack("{s:o, s:s, s:s, s:i, s:b, s:b, s:b, s:b, s:b}", "pc", hexnum(rf->pc), "function",
				       rf->sym.function, "file", rf->sym.file, "line", rf->sym.line, "inlined",
				       rf->sym.inlined, "tail_call", rf->tail_call, "exception", rf->exception,
				       "null_call", rf->null_call, "application", rf->application);

		if (!rf->sym.inlined && !rf->tail_call &&
		    (i == 0 || rf->phys != r->frames[i - 1].phys || r->frames[i - 1].sym.inlined)) {
			const struct fa_frame *f = &r->unwind.frames[rf->phys];
			json_t *fr = json_object();
			static const char *const k_regs[16] = {"r0", "r1", "r2",  "r3",  "r4",  "r5", "r6", "r7",
							       "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc"};

			for (int k = 0; k < 16; k++)
				if (f->known >> k & 1)
					json_object_set_new(fr, k_regs[k], hexnum(f->regs[k]));
			json_object_set_new(jf, "registers", fr);
		}
		json_array_append_new(frames, jf);
	}
	json_object_set_new(root, "frames", frames);
	json_object_set_new(root, "stop", json_pack("{s:s, s:s}", "reason", fa_stop_name(r->unwind.stop), "text",
						     r->unwind.why));
	for (size_t i = 0; i < c->nregs; i++)
		json_object_set_new(regs, ff_reg_name(c->arch, c->os, i), hexnum(c->regs[i]));
	json_object_set_new(root, "registers", regs);
	if (c->has_signal)
		json_object_set_new(root, "signal", json_pack("{s:I, s:I, s:o}", "number", (json_int_t)c->signal[0], "code",
							       (json_int_t)c->signal[1], "address", hexnum(c->signal[2])));
	if (c->has_fault)
		json_object_set_new(root, "fault_registers",
				    json_pack("{s:o, s:o, s:o, s:o, s:o}", "cfsr", hexnum(c->fault[0]), "hfsr",
					      hexnum(c->fault[1]), "mmfar", hexnum(c->fault[2]), "bfar", hexnum(c->fault[3]),
					      "shcsr", hexnum(c->fault[4])));
	for (size_t i = 0; i < c->nregions; i++)
		json_array_append_new(regions, json_pack("{s:o, s:I}", "address", hexnum(c->regions[i].addr), "length",
							 (json_int_t)c->regions[i].len));
	json_object_set_new(root, "captured", regions);
	json_object_set_new(root, "flags", json_pack("{s:b, s:b, s:b}", "truncated", (c->flags & FF_FLAG_TRUNCATED) != 0,
						      "frame_unreliable", (c->flags & FF_FLAG_FRAME_UNRELIABLE) != 0,
						      "fp_context", (c->flags & FF_FLAG_FP_CONTEXT) != 0));
	if (r->recursion.count > 0) {
		char sentence[240];

		recursion_text(sentence, sizeof(sentence), r);
		json_object_set_new(root, "recursion", json_string(sentence));
		json_object_set_new(root, "recursing", json_pack("{s:s, s:I}", "function", r->recursion.function, "count",
								  (json_int_t)r->recursion.count));
	}
	if (c->notes[0] != '\0')
		json_object_set_new(root, "notes", json_string(c->notes));
	json_object_set_new(root, "fingerprint", json_pack("{s:s, s:s}", "id", r->fingerprint, "input",
							    r->fingerprint_input));
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return text;
}
