/* SPDX-License-Identifier: Apache-2.0 */
/* Building the report from an unwind, and printing it as text and JSON. */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ff/bytes.h"
#include "ff/reason.h"
#include "fa/report.h"
#include "data.h"
#include "vars.h"

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
	const char *name;

	return (w & 1) && w >= 5 && fa_elf_function_at(e, w - 1, &name) != 0 && fa_elf_follows_call(e, w);
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

/* The crashing context's frames: the report's, or those of the thread an RTOS's overflow hook named (the capture
 * ran in its context switch, the same for every task). */
static const struct fa_report_frame *crash_frames(const struct fa_report *r, size_t *n)
{
	for (size_t i = 0; i < r->threads.n; i++) {
		if (r->threads.v[i].crashed && r->thread_of[i].stop[0] != '\0') {
			*n = r->thread_of[i].n;
			return &r->thread_frames[r->thread_of[i].first];
		}
	}
	*n = r->n;
	return r->frames;
}

static void fingerprint(struct fa_report *r)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, 64-bit */
	size_t used = 0, counted = 0, n;
	const struct fa_report_frame *frames = crash_frames(r, &n);

	used += (size_t)snprintf(r->fingerprint_input, sizeof(r->fingerprint_input), "%s", r->fault.kind);
	if (r->recursion.count > 0) /* up to a '(': version 1 cut the name from the sentence "f() recursing: ..." */
		used += (size_t)snprintf(r->fingerprint_input + used, sizeof(r->fingerprint_input) - used, "|%.*s",
					 (int)strcspn(r->recursion.function, "("), r->recursion.function);
	for (size_t i = 0; i < n && counted < FA_FINGERPRINT_FRAMES && used < sizeof(r->fingerprint_input); i++) {
		if (!frames[i].application)
			continue;
		used += (size_t)snprintf(r->fingerprint_input + used, sizeof(r->fingerprint_input) - used, "|%.*s@%s",
					 (int)fa_elf_clone_base(frames[i].sym.function), frames[i].sym.function,
					 base(frames[i].sym.file));
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
	size_t n;
	const struct fa_report_frame *frames = crash_frames(r, &n);
	const char *fn = n > 0 ? frames[0].sym.function : "?";

	if (n == 0 && r->recursion.count > 0) {
		fn = r->recursion.function;
		snprintf(r->title, sizeof(r->title), "%s in %.*s%s", r->fault.kind, (int)strcspn(fn, ":"), fn,
			 strchr(fn, ':') != NULL ? "" : "() recursing");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (frames[i].application) {
			fn = frames[i].sym.function;
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

/* What a value names (docs/ANALYSIS.md, "Addresses in words"): the object at it (prefixed with `&` for a pointer in
 * a register), else the function holding it, `<fn+off>`; "" for nothing. */
static void name_target(struct fa_elf *e, uint64_t v, bool pointer, char *out)
{
	char name[FA_REPORT_NAME_MAX - 2]; /* room for "<>" */

	out[0] = '\0';
	if (v < FA_REPORT_NAME_FLOOR)
		return;
	if (fa_data_name(e, v, NULL, name, sizeof(name)) == 0)
		snprintf(out, FA_REPORT_NAME_MAX, "%s%s", pointer ? "&" : "", name);
	else if (fa_data_code_name(e, v, name, sizeof(name)) == 0)
		snprintf(out, FA_REPORT_NAME_MAX, "<%s>", name);
	ff_text_printable(out);
}

/* Bare-metal ARM dumps (the ELF's addresses are the ones the code ran at): MMFAR and BFAR when valid, and every
 * register of the interrupted context that can hold an address (not xpsr, not exc_return). */
static void name_targets(struct fa_report *r, struct fa_elf *e)
{
	const struct fa_report_dump *c = &r->dump;

	if (c->arch != 40 || c->os != 0)
		return;
	if (c->has_fault && (c->fault[0] & 0x80u)) /* CFSR.MMARVALID */
		name_target(e, c->fault[2], false, r->targets.mmfar);
	if (c->has_fault && (c->fault[0] & 0x8000u)) /* CFSR.BFARVALID */
		name_target(e, c->fault[3], false, r->targets.bfar);
	for (size_t i = 0; i < c->nregs; i++) {
		const char *reg = ff_reg_name(c->arch, c->os, i);

		if (strcmp(reg, "xpsr") != 0 && strcmp(reg, "exc_return") != 0)
			name_target(e, c->regs[i], true, r->targets.regs[i]);
	}
}

/* Every string of a report that came from the dump or the ELF, made printable UTF-8 (JSON strings must be UTF-8;
 * a terminal must not take a name for a control sequence) (after the fingerprint, which hashes
 * the names as they are). */
static void make_printable(struct fa_report *r)
{
	char *const texts[] = {r->dump.sw_version, r->dump.hw_version, r->dump.notes, r->fault.kind, r->fault.text,
			       r->unwind.why, r->site.function, r->site.file, r->recursion.function, r->title,
			       r->fingerprint_input};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		ff_text_printable(texts[i]);
	for (size_t i = 0; i < r->n; i++) {
		ff_text_printable(r->frames[i].sym.function);
		ff_text_printable(r->frames[i].sym.file);
	}
}

/* The report frames of an unwind: each physical frame symbolized, its inlined functions expanded, the callers tail
 * calls left no frame for rebuilt between it and its caller. Returns how many (at most cap). */
static size_t expand(struct fa_elf *e, const struct fa_unwind *u, struct fa_report_frame *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < u->n && n < cap; i++) {
		const struct fa_frame *f = &u->frames[i];
		struct fa_sym syms[8];
		size_t k = fa_elf_symbolize(e, f->lookup, syms, 8);

		for (size_t j = 0; j < k && n < cap; j++) {
			struct fa_report_frame *rf = &out[n++];

			rf->pc = f->pc;
			rf->sym = syms[j];
			rf->phys = (int)i;
			rf->exception = j == 0 && f->exception;
			rf->null_call = j == 0 && f->null_call;
			rf->found = j == 0 ? f->found : FA_FOUND_CFI;
			rf->tail_call = false;
			rf->application = application(&syms[j]);
		}
		/* callers that tail calls left no frame for, between this frame and the one that called it */
		if (i + 1 < u->n && !u->frames[i + 1].exception && !u->frames[i + 1].null_call) {
			size_t t = fa_elf_tail_calls(e, f->lookup, u->frames[i + 1].pc, syms, 8);

			for (size_t j = 0; j < t && n < cap; j++) {
				struct fa_report_frame *rf = &out[n++];

				memset(rf, 0, sizeof(*rf));
				rf->pc = syms[j].pc;
				rf->sym = syms[j];
				rf->phys = (int)i;
				rf->tail_call = true;
				rf->application = application(&syms[j]);
			}
		}
	}
	return n;
}

/* The dump's threads, each switched-out one unwound from its saved context into thread_frames; a stack overflow an
 * RTOS's hook reported is said so, naming the task. */
static void build_threads(struct fa_report *r, struct fa_elf *e, const struct ff_message *m)
{
	struct fa_unwind u;

	if (fa_threads_find(&r->threads, e, m) != 0 || r->threads.rtos == NULL)
		return;
	snprintf(r->rtos_name, sizeof(r->rtos_name), "%s", r->threads.rtos);
	r->threads.rtos = r->rtos_name;
	for (size_t i = 0; i < r->threads.n; i++) {
		const struct fa_thread *t = &r->threads.v[i];
		struct fa_report_thread_frames *tf = &r->thread_of[i];

		tf->first = r->nthread_frames;
		if (!t->has_context)
			continue;
		fa_unwind_cortex_m_from(e, m, t->regs, 0xffff, &u);
		tf->n = expand(e, &u, &r->thread_frames[tf->first], FA_REPORT_THREAD_FRAMES - tf->first);
		r->nthread_frames += tf->n;
		snprintf(tf->stop, sizeof(tf->stop), "%s", u.why[0] != '\0' ? u.why : "?");
		if (t->crashed && m->core.has_rtos_overflow && m->core.rtos_kind == FF_RTOS_FREERTOS) {
			snprintf(r->fault.kind, sizeof(r->fault.kind), "stack_overflow");
			snprintf(r->fault.text, sizeof(r->fault.text), "stack overflow of task \"%s\", found by %s's check "
				 "at a task switch", t->name, r->rtos_name);
		}
	}
}

int fa_report_build(struct fa_report *out, struct fa_elf *e, const struct ff_message *m, struct ff_error *err)
{
	return fa_report_build_options(out, e, m, 0, err);
}

int fa_report_build_options(struct fa_report *out, struct fa_elf *e, const struct ff_message *m, unsigned options,
			    struct ff_error *err)
{
	size_t n;

	/* everything but the frames, the threads' frames and the variables (each set whole when added): they are
	 * most of the report's bytes */
	memset(out, 0, offsetof(struct fa_report, frames));
	memset(&out->n, 0, sizeof(*out) - offsetof(struct fa_report, n));
	if (m->type != FF_MSG_COREDUMP)
		return ff_error_set(err, FF_ERR_UNSUPPORTED, "report: message type %u is not a coredump", m->type);
	copy_dump(&out->dump, m);
	fa_fault_explain(&out->fault, m, e);
	fa_unwind_cortex_m(e, m, &out->unwind);
	out->n = expand(e, &out->unwind, out->frames, FA_REPORT_FRAMES);
	if (!(options & FA_REPORT_NO_VARIABLES))
		fa_vars_build(out, e, &m->core); /* (out of memory: the variables found until then) */
	if (m->core.has_site) {
		struct fa_sym syms[8];
		size_t k = fa_elf_symbolize(e, (m->core.site_pc & ~1ull) - 1, syms, 8);

		out->site = syms[0];
		out->has_site = k > 0;
		if (out->has_site && out->site.file[0] != '\0') /* "assert failed at file:line in fn()" */
			snprintf(out->fault.text + strlen(out->fault.text), sizeof(out->fault.text) - strlen(out->fault.text),
				 " at %s:%d in %s()", base(out->site.file), out->site.line, out->site.function);
	}
	build_threads(out, e, m);
	if (strcmp(out->fault.kind, "stack_overflow") == 0 && crash_frames(out, &n) == out->frames)
		find_recursion(out, e, &m->core); /* (the overflowed task's own frames need no search) */
	name_targets(out, e);
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
	fprintf(f, "  #%-2zu %s", i, rf->sym.inlined ? "[inlined] " : rf->tail_call ? "[tail call] " : "");
	if (rf->pc != 0 || !rf->tail_call)
		fprintf(f, "0x%08llx in ", (unsigned long long)rf->pc);
	fprintf(f, "%s ()", rf->sym.function);
	if (rf->sym.file[0] != '\0')
		fprintf(f, " at %s:%d", rf->sym.file, rf->sym.line);
	if (rf->tail_call && rf->pc == 0)
		fprintf(f, "   (from one of its tail calls: several lead here)");
	fprintf(f, "%s%s\n", rf->null_call ? "   (recovered from lr after the jump to no code)" : "",
		rf->found == FA_FOUND_EXIDX	 ? "   (found by .ARM.exidx: the frame above has no CFI)"
		: rf->found == FA_FOUND_PROLOGUE ? "   (found by prologue analysis: the frame above has no CFI)"
						 : "");
}

/* A frame's variables under it, as `bt full` does: its arguments, then its locals (v: the first of the frame's,
 * if any). Returns the index of the first variable of a later frame. */
static size_t print_vars(FILE *f, const struct fa_report *r, size_t frame, size_t v)
{
	for (int arg = 1; arg >= 0; arg--) {
		bool heading = false;

		for (size_t k = v; k < r->nvars && r->vars[k].frame == frame; k++) {
			const struct fa_report_var *var = &r->vars[k];

			if (var->arg != (arg == 1))
				continue;
			if (!heading)
				fprintf(f, "      %s:\n", arg ? "arguments" : "locals");
			heading = true;
			fprintf(f, "        %s = %s\n", r->var_text + var->name, r->var_text + var->value);
		}
	}
	while (v < r->nvars && r->vars[v].frame == frame)
		v++;
	return v;
}

/* The threads section: each thread's name, state, priority, stack (size, used, never used), control block, and
 * its backtrace (the running thread's are the report's own). */
static void print_threads(const struct fa_report *r, FILE *f)
{
	const struct fa_threads *t = &r->threads;
	/* in handler mode: an interrupt (or the tick) faulted over the running task (EXC_RETURN bit 2 clear) */
	bool in_exception = r->dump.arch == 40 && r->dump.os == 0 && r->dump.nregs > FF_CM_EXC_RETURN &&
			    (r->dump.regs[FF_CM_EXC_RETURN] & 0x4u) == 0;

	if (t->rtos == NULL) {
		if (t->note[0] != '\0')
			fprintf(f, "\nthreads: none read (%s)\n", t->note);
		return;
	}
	fprintf(f, "\nthreads (%s, %llu found%s; saved contexts read as %s):\n", t->rtos, (unsigned long long)t->found,
		t->found > t->n ? ", the first described" : "", t->layout);
	if (t->n == 0)
		fprintf(f, "  (%s)\n", t->note);
	for (size_t i = 0; i < t->n; i++) {
		const struct fa_thread *th = &t->v[i];
		const struct fa_report_thread_frames *tf = &r->thread_of[i];

		fprintf(f, "  thread %zu \"%s\" %s", i + 1, th->name, fa_thread_state_name(th->state));
		if (th->has_priority)
			fprintf(f, ", priority %u", th->priority);
		if (th->has_stack)
			fprintf(f, ", stack 0x%08llx-0x%08llx (%llu bytes", (unsigned long long)th->stack_lo,
				(unsigned long long)th->stack_hi, (unsigned long long)(th->stack_hi - th->stack_lo));
		if (th->has_stack && th->sp >= th->stack_lo && th->sp <= th->stack_hi)
			fprintf(f, ", %llu used", (unsigned long long)(th->stack_hi - th->sp));
		else if (th->has_stack && th->sp < th->stack_lo)
			fprintf(f, ", overflowed: its stack pointer 0x%08llx is %llu bytes below it",
				(unsigned long long)th->sp, (unsigned long long)(th->stack_lo - th->sp));
		else if (th->has_stack)
			fprintf(f, ", its stack pointer 0x%08llx above it", (unsigned long long)th->sp);
		if (th->has_stack && th->has_high_water)
			fprintf(f, ", %llu never used", (unsigned long long)th->high_water);
		fprintf(f, "%s, TCB 0x%08llx%s\n", th->has_stack ? ")" : "", (unsigned long long)th->id,
			!th->crashed ? "" : in_exception && tf->stop[0] == '\0' ? "  <- the fault came in an exception over it"
										  : "  <- the crashing thread");
		if (tf->stop[0] == '\0') {
			fprintf(f, "    (%s)\n", th->note[0] != '\0' ? th->note : "its frames are the backtrace above");
			continue;
		}
		for (size_t k = 0; k < tf->n; k++) {
			fprintf(f, "  ");
			print_frame(f, k, &r->thread_frames[tf->first + k]);
		}
		fprintf(f, "    (unwinding stopped: %s)\n", tf->stop);
	}
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
	for (size_t i = 0, v = 0; i < r->n; i++) {
		print_frame(f, i, &r->frames[i]);
		v = print_vars(f, r, i, v);
	}
	if (r->vars_cut)
		fprintf(f, "  (variables: the report holds %u, or %u bytes of their text: outer frames' are missing)\n",
			FA_REPORT_VARS, FA_REPORT_VAR_TEXT);
	fprintf(f, "  (unwinding stopped: %s)\n", r->unwind.why);
	fprintf(f, "\nregisters of the interrupted context:\n");
	for (size_t i = 0; i < c->nregs; i++)
		fprintf(f, "  %-10s 0x%0*llx%s", ff_reg_name(c->arch, c->os, i), (int)(2 * c->word),
			(unsigned long long)c->regs[i], i % 4 == 3 || i + 1 == c->nregs ? "\n" : "");
	if (c->flags & FF_FLAG_FRAME_UNRELIABLE)
		fprintf(f, "  (%s: r12, lr, pc and xpsr are unknown)\n",
			fa_fault_frame_lost(c->flags, c->has_fault, c->fault[0]));
	if (c->has_signal)
		fprintf(f, "  signal %llu, si_code %llu, si_addr 0x%llx\n", (unsigned long long)c->signal[0],
			(unsigned long long)c->signal[1], (unsigned long long)c->signal[2]);
	if (c->has_fault)
		fprintf(f, "  CFSR 0x%08x  HFSR 0x%08x  MMFAR 0x%08x  BFAR 0x%08x  SHCSR 0x%08x\n", c->fault[0],
			c->fault[1], c->fault[2], c->fault[3], c->fault[4]);
	if (r->targets.mmfar[0] != '\0')
		fprintf(f, "  MMFAR 0x%08x = %s\n", c->fault[2], r->targets.mmfar);
	if (r->targets.bfar[0] != '\0')
		fprintf(f, "  BFAR  0x%08x = %s\n", c->fault[3], r->targets.bfar);
	for (size_t i = 0; i < c->nregs; i++)
		if (r->targets.regs[i][0] != '\0')
			fprintf(f, "  %-5s 0x%0*llx = %s\n", ff_reg_name(c->arch, c->os, i), (int)(2 * c->word),
				(unsigned long long)c->regs[i], r->targets.regs[i]);
	print_threads(r, f);
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

/* The registers of a physical frame, by their index in fa_frame.regs. */
static const char *const k_frame_regs[16] = {"r0", "r1", "r2",  "r3",  "r4",  "r5", "r6", "r7",
					     "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc"};

/* How a physical frame was found (enum fa_found), as "found_by" spells it; absent for CFI. */
static const char *const k_found[] = {"cfi", "exidx", "prologue"};

static json_t *hexnum(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%08llx", (unsigned long long)v);
	return json_string(buf);
}

/* Add a member or an element, noting when it could not be made (jansson: NULL, or a string that is not UTF-8). */
#define SET(o, k, v) (bad |= json_object_set_new((o), (k), (v)) != 0)
#define ADD(a, v) (bad |= json_array_append_new((a), (v)) != 0)

/* A variable's state as the JSON spells it, by enum fa_var_state. */
static const char *const k_var_states[] = {"value", "optimized_out", "not_captured", "not_recovered", "unsupported"};

/* Frame `frame`'s variables (from vars[v] on) as its "variables" member, when it has any. Returns the index of the
 * first variable of a later frame; *bad set when a member could not be made. */
static size_t vars_json(json_t *jf, const struct fa_report *r, size_t frame, size_t v, bool *failed)
{
	json_t *a = json_array();
	bool bad = a == NULL;

	for (; v < r->nvars && r->vars[v].frame == frame; v++) {
		const struct fa_report_var *var = &r->vars[v];

		ADD(a, json_pack("{s:s, s:b, s:s, s:s, s:s}", "name", r->var_text + var->name, "arg", var->arg, "type",
				 r->var_text + var->type, "state", k_var_states[var->state], "value",
				 r->var_text + var->value));
	}
	if (json_array_size(a) > 0)
		SET(jf, "variables", a);
	else
		json_decref(a);
	*failed |= bad;
	return v;
}

/* A report frame's JSON, without its physical frame's registers and variables. */
static json_t *frame_json(const struct fa_report_frame *rf, bool *failed)
{
	json_t *jf = json_pack("{s:o, s:s, s:s, s:i, s:b, s:b, s:b, s:b, s:b}", "pc", hexnum(rf->pc), "function",
			       rf->sym.function, "file", rf->sym.file, "line", rf->sym.line, "inlined", rf->sym.inlined,
			       "tail_call", rf->tail_call, "exception", rf->exception, "null_call", rf->null_call,
			       "application", rf->application);
	bool bad = jf == NULL;

	if (!bad && rf->found != FA_FOUND_CFI)
		SET(jf, "found_by", json_string(k_found[rf->found]));
	*failed |= bad;
	return jf;
}

static json_t *threads_json(const struct fa_report *r, bool *failed)
{
	const struct fa_threads *t = &r->threads;
	json_t *jt = json_object(), *list = json_array();
	bool bad = jt == NULL || list == NULL;

	SET(jt, "rtos", json_string(t->rtos));
	SET(jt, "layout", json_string(t->layout));
	SET(jt, "found", json_integer((json_int_t)t->found));
	if (t->note[0] != '\0')
		SET(jt, "note", json_string(t->note));
	for (size_t i = 0; i < t->n; i++) {
		const struct fa_thread *th = &t->v[i];
		const struct fa_report_thread_frames *tf = &r->thread_of[i];
		json_t *o = json_pack("{s:o, s:s, s:s}", "tcb", hexnum(th->id), "name", th->name, "state",
				      fa_thread_state_name(th->state));

		if (o == NULL) {
			bad = true;
			continue;
		}
		if (th->has_priority)
			SET(o, "priority", json_integer(th->priority));
		if (th->has_stack)
			SET(o, "stack", json_pack("{s:o, s:o}", "low", hexnum(th->stack_lo), "high", hexnum(th->stack_hi)));
		SET(o, "sp", hexnum(th->sp));
		if (th->has_high_water)
			SET(o, "never_used", json_integer((json_int_t)th->high_water));
		if (th->crashed)
			SET(o, "crashed", json_true());
		if (tf->stop[0] != '\0') {
			json_t *frames = json_array();

			for (size_t k = 0; k < tf->n; k++)
				ADD(frames, frame_json(&r->thread_frames[tf->first + k], &bad));
			SET(o, "frames", frames);
			SET(o, "stop", json_string(tf->stop));
		} else if (th->note[0] != '\0') {
			SET(o, "note", json_string(th->note));
		}
		ADD(list, o);
	}
	SET(jt, "list", list);
	*failed |= bad;
	return jt;
}

char *fa_report_json(const struct fa_report *r, enum fa_json_layout layout)
{
	bool bad = false; /* a member that could not be made: the report is not written with a hole */
	const struct fa_report_dump *c = &r->dump;
	json_t *root = json_object(), *frames = json_array(), *regions = json_array(), *regs = json_object();
	json_t *targets = json_object();
	size_t v = 0;
	char id[130];
	char *text;

	ff_hex(id, sizeof(id), c->build_id, c->build_id_len);
	SET(root, "version", json_integer(1));
	SET(root, "firmware", json_pack("{s:s, s:s, s:s, s:i, s:i, s:I}", "build_id", id, "sw_version",
							  c->sw_version, "hw_version", c->hw_version, "arch", c->arch,
							  "os", c->os, "boot_id", (json_int_t)c->boot_id));
	SET(root, "reason", json_pack("{s:i, s:s?}", "code", c->reason, "name",
						       c->reason_name[0] ? c->reason_name : NULL));
	SET(root, "fault", json_pack("{s:s, s:s}", "kind", r->fault.kind, "text", r->fault.text));
	if (r->has_site)
		SET(root, "site", json_pack("{s:s, s:s, s:i}", "function", r->site.function, "file",
							     r->site.file, "line", r->site.line));
	if (c->has_code)
		SET(root, "code", json_integer((json_int_t)c->code));
	for (size_t i = 0; i < r->n; i++) {
		const struct fa_report_frame *rf = &r->frames[i];
		json_t *jf = frame_json(rf, &bad);

		if (!rf->sym.inlined && !rf->tail_call &&
		    (i == 0 || rf->phys != r->frames[i - 1].phys || r->frames[i - 1].sym.inlined)) {
			const struct fa_frame *f = &r->unwind.frames[rf->phys];
			json_t *fr = json_object();

			for (int k = 0; k < 16; k++)
				if (f->known >> k & 1)
					SET(fr, k_frame_regs[k], hexnum(f->regs[k]));
			SET(jf, "registers", fr);
		}
		v = vars_json(jf, r, i, v, &bad);
		ADD(frames, jf);
	}
	SET(root, "frames", frames);
	if (r->threads.rtos != NULL)
		SET(root, "threads", threads_json(r, &bad));
	if (r->vars_cut)
		SET(root, "variables_cut", json_true());
	SET(root, "stop", json_pack("{s:s, s:s}", "reason", fa_stop_name(r->unwind.stop), "text",
						     r->unwind.why));
	for (size_t i = 0; i < c->nregs; i++)
		SET(regs, ff_reg_name(c->arch, c->os, i), hexnum(c->regs[i]));
	SET(root, "registers", regs);
	if (c->has_signal)
		SET(root, "signal", json_pack("{s:I, s:I, s:o}", "number", (json_int_t)c->signal[0], "code",
							       (json_int_t)c->signal[1], "address", hexnum(c->signal[2])));
	if (c->has_fault)
		SET(root, "fault_registers",
				    json_pack("{s:o, s:o, s:o, s:o, s:o}", "cfsr", hexnum(c->fault[0]), "hfsr",
					      hexnum(c->fault[1]), "mmfar", hexnum(c->fault[2]), "bfar", hexnum(c->fault[3]),
					      "shcsr", hexnum(c->fault[4])));
	for (size_t i = 0; i < c->nregs; i++)
		if (r->targets.regs[i][0] != '\0')
			SET(targets, ff_reg_name(c->arch, c->os, i), json_string(r->targets.regs[i]));
	if (r->targets.mmfar[0] != '\0')
		SET(targets, "mmfar", json_string(r->targets.mmfar));
	if (r->targets.bfar[0] != '\0')
		SET(targets, "bfar", json_string(r->targets.bfar));
	if (json_object_size(targets) > 0)
		SET(root, "targets", json_incref(targets));
	json_decref(targets);
	for (size_t i = 0; i < c->nregions; i++)
		ADD(regions, json_pack("{s:o, s:I}", "address", hexnum(c->regions[i].addr), "length",
							 (json_int_t)c->regions[i].len));
	SET(root, "captured", regions);
	SET(root, "flags", json_pack("{s:b, s:b, s:b}", "truncated", (c->flags & FF_FLAG_TRUNCATED) != 0,
						      "frame_unreliable", (c->flags & FF_FLAG_FRAME_UNRELIABLE) != 0,
						      "fp_context", (c->flags & FF_FLAG_FP_CONTEXT) != 0));
	if (r->recursion.count > 0) {
		char sentence[240];

		recursion_text(sentence, sizeof(sentence), r);
		SET(root, "recursion", json_string(sentence));
		SET(root, "recursing", json_pack("{s:s, s:I}", "function", r->recursion.function, "count",
								  (json_int_t)r->recursion.count));
	}
	if (c->notes[0] != '\0')
		SET(root, "notes", json_string(c->notes));
	SET(root, "fingerprint", json_pack("{s:s, s:s}", "id", r->fingerprint, "input",
							    r->fingerprint_input));
	text = bad ? NULL : json_dumps(root, (layout == FA_JSON_COMPACT ? JSON_COMPACT : JSON_INDENT(2)) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return text;
}

#undef SET
#undef ADD

/* ---- JSON, read back ---- */

/* A reader of untrusted report JSON keeps the first error, named by where it is; every later read then does
 * nothing, so the reading code is the plain list of the fields it checks. */
struct reader {
	struct ff_error *err;
	int rc;
	char where[64]; /* the object being read: "firmware", "frames[3]", "frames[3].variables[1]"; "" at the top */
};

static void bad(struct reader *rd, int code, const char *key, const char *what)
{
	if (rd->rc == 0)
		rd->rc = ff_error_set(rd->err, code, "report JSON: %s%s%s %s", rd->where,
				      rd->where[0] != '\0' && key[0] != '\0' ? "." : "", key, what);
}

static void at(struct reader *rd, const char *where, size_t index)
{
	if (index == SIZE_MAX)
		snprintf(rd->where, sizeof(rd->where), "%s", where);
	else
		snprintf(rd->where, sizeof(rd->where), "%s[%zu]", where, index);
}

/* o's member key when it is of type type (JSON_TRUE standing for both booleans). NULL when it is absent or null
 * (an error when required), of another type (an error), or after an error. */
static json_t *member(struct reader *rd, const json_t *o, const char *key, json_type type, bool required)
{
	static const char *const k_types[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array", [JSON_STRING] = "a string",
		[JSON_INTEGER] = "an integer", [JSON_REAL] = "a number", [JSON_TRUE] = "a boolean",
		[JSON_FALSE] = "a boolean", [JSON_NULL] = "null"};
	json_t *v = rd->rc == 0 ? json_object_get(o, key) : NULL;
	char what[32];

	if (rd->rc != 0)
		return NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			bad(rd, FF_ERR_MALFORMED, key, "is missing");
		return NULL;
	}
	if (type == JSON_TRUE ? !json_is_boolean(v) : json_typeof(v) != type) {
		snprintf(what, sizeof(what), "is not %s", k_types[type]);
		bad(rd, FF_ERR_MALFORMED, key, what);
		return NULL;
	}
	return v;
}

/* A string into out (cap bytes with the NUL): printable, as the builder makes every string. 1 when read. */
static int text(struct reader *rd, const json_t *o, const char *key, char *out, size_t cap, bool required)
{
	const json_t *v = member(rd, o, key, JSON_STRING, required);
	size_t len = json_string_length(v);
	const char *s = json_string_value(v);
	char what[48];

	if (v == NULL)
		return 0;
	if (len >= cap) {
		snprintf(what, sizeof(what), "is longer than %zu bytes", cap - 1);
		bad(rd, FF_ERR_MALFORMED, key, what);
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			bad(rd, FF_ERR_MALFORMED, key, "contains a control character");
			return 0;
		}
	memcpy(out, s, len);
	out[len] = '\0';
	return 1;
}

/* An integer in min..max; 0 when absent or wrong. */
static json_int_t integer(struct reader *rd, const json_t *o, const char *key, json_int_t min, json_int_t max,
			  bool required)
{
	const json_t *v = member(rd, o, key, JSON_INTEGER, required);
	json_int_t n = json_integer_value(v);
	char what[80];

	if (v != NULL && (n < min || n > max)) {
		snprintf(what, sizeof(what), "is out of its range %lld..%lld", (long long)min, (long long)max);
		bad(rd, FF_ERR_MALFORMED, key, what);
		return 0;
	}
	return v != NULL ? n : 0;
}

/* A value written as "0x" and 1 to 16 hex digits, at most max; 0 when absent or wrong. */
static uint64_t hex(struct reader *rd, const json_t *o, const char *key, uint64_t max, bool required)
{
	const json_t *v = member(rd, o, key, JSON_STRING, required);
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	uint64_t n = 0;

	if (v == NULL)
		return 0;
	if (len < 3 || len > 18 || s[0] != '0' || s[1] != 'x' || strspn(s + 2, "0123456789abcdefABCDEF") != len - 2) {
		bad(rd, FF_ERR_MALFORMED, key, "is not a hex number (\"0x\" and 1 to 16 hex digits)");
		return 0;
	}
	n = strtoull(s + 2, NULL, 16);
	if (n > max) {
		bad(rd, FF_ERR_MALFORMED, key, "is out of its range");
		return 0;
	}
	return n;
}

static bool boolean(struct reader *rd, const json_t *o, const char *key)
{
	return json_is_true(member(rd, o, key, JSON_TRUE, true));
}

static void read_firmware(struct reader *rd, const json_t *root, struct fa_report_dump *d)
{
	const json_t *o = member(rd, root, "firmware", JSON_OBJECT, true);
	char id[2 * sizeof(d->build_id) + 1];
	size_t n;

	at(rd, "firmware", SIZE_MAX);
	text(rd, o, "build_id", id, sizeof(id), true);
	n = strlen(id);
	if (rd->rc == 0 && (n == 0 || n % 2 != 0 || strspn(id, "0123456789abcdef") != n))
		bad(rd, FF_ERR_MALFORMED, "build_id", "is not an even number of lowercase hex digits");
	for (size_t i = 0; rd->rc == 0 && i < n / 2; i++) {
		char pair[3] = {id[2 * i], id[2 * i + 1], '\0'};

		d->build_id[i] = (uint8_t)strtoul(pair, NULL, 16);
	}
	d->build_id_len = rd->rc == 0 ? n / 2 : 0;
	text(rd, o, "sw_version", d->sw_version, sizeof(d->sw_version), true);
	text(rd, o, "hw_version", d->hw_version, sizeof(d->hw_version), true);
	d->arch = (uint16_t)integer(rd, o, "arch", 0, UINT16_MAX, true);
	d->os = (unsigned)integer(rd, o, "os", 0, UINT16_MAX, true);
	d->boot_id = (uint32_t)integer(rd, o, "boot_id", 0, UINT32_MAX, true);
}

/* The interrupted context's registers: exactly the names of the (arch, os) layout. */
static void read_registers(struct reader *rd, const json_t *root, struct fa_report_dump *d)
{
	const json_t *o = member(rd, root, "registers", JSON_OBJECT, true);
	uint64_t max;

	at(rd, "registers", SIZE_MAX);
	if (rd->rc != 0)
		return;
	d->nregs = ff_layout_regs(d->arch, d->os, &d->word);
	if (d->nregs == 0) {
		bad(rd, FF_ERR_UNSUPPORTED, "", "are of a register layout this version does not know (firmware.arch, os)");
		return;
	}
	if (json_object_size(o) != d->nregs) {
		bad(rd, FF_ERR_MALFORMED, "", "are not the registers of the layout of firmware.arch and os");
		return;
	}
	max = d->word == 8 ? UINT64_MAX : UINT32_MAX;
	for (size_t i = 0; i < d->nregs; i++)
		d->regs[i] = hex(rd, o, ff_reg_name(d->arch, d->os, i), max, true);
}

/* Frame `frame`'s "variables", appended to the report's pool (bounded as fa_vars_build() bounds it). */
static void read_vars(struct reader *rd, const json_t *o, struct fa_report *r, size_t frame)
{
	const json_t *a = member(rd, o, "variables", JSON_ARRAY, false);

	for (size_t i = 0; rd->rc == 0 && i < json_array_size(a); i++) {
		const json_t *jv = json_array_get(a, i);
		char name[FA_VAR_NAME_MAX] = "", type[FA_VAR_TYPE_MAX] = "", value[FA_VAR_VALUE_MAX] = "", state[24] = "";
		const char *strings[3] = {name, type, value};
		struct fa_report_var *var = &r->vars[r->nvars];
		size_t need;
		unsigned k = 0;

		snprintf(rd->where, sizeof(rd->where), "frames[%zu].variables[%zu]", frame, i);
		if (!json_is_object(jv)) {
			bad(rd, FF_ERR_MALFORMED, "", "is not an object");
			return;
		}
		text(rd, jv, "name", name, sizeof(name), true);
		var->arg = boolean(rd, jv, "arg");
		text(rd, jv, "type", type, sizeof(type), true);
		text(rd, jv, "state", state, sizeof(state), true);
		text(rd, jv, "value", value, sizeof(value), true);
		while (k < sizeof(k_var_states) / sizeof(k_var_states[0]) && strcmp(k_var_states[k], state) != 0)
			k++;
		if (rd->rc == 0 && k == sizeof(k_var_states) / sizeof(k_var_states[0]))
			bad(rd, FF_ERR_UNSUPPORTED, "state", "is not a variable state this version knows");
		need = strlen(name) + strlen(type) + strlen(value) + 3;
		if (rd->rc == 0 && (r->nvars == FA_REPORT_VARS || need > FA_REPORT_VAR_TEXT - r->var_text_len))
			bad(rd, FF_ERR_MALFORMED, "", "is past the variables a report holds (FA_REPORT_VARS, FA_REPORT_VAR_TEXT)");
		if (rd->rc != 0)
			return;
		var->frame = (uint16_t)frame;
		var->state = (uint8_t)k;
		for (int s = 0; s < 3; s++) {
			uint32_t *at = s == 0 ? &var->name : s == 1 ? &var->type : &var->value;

			*at = (uint32_t)r->var_text_len;
			memcpy(r->var_text + r->var_text_len, strings[s], strlen(strings[s]) + 1);
			r->var_text_len += strlen(strings[s]) + 1;
		}
		r->nvars++;
	}
}

/* A frame's own members (frame_json()). */
static void read_frame(struct reader *rd, const json_t *o, struct fa_report_frame *rf)
{
	char how[16] = "cfi";

	memset(rf, 0, sizeof(*rf));
	rf->pc = hex(rd, o, "pc", UINT64_MAX, true);
	text(rd, o, "function", rf->sym.function, sizeof(rf->sym.function), true);
	text(rd, o, "file", rf->sym.file, sizeof(rf->sym.file), true);
	rf->sym.line = (int)integer(rd, o, "line", 0, INT32_MAX, true);
	rf->sym.inlined = boolean(rd, o, "inlined");
	rf->tail_call = boolean(rd, o, "tail_call");
	rf->exception = boolean(rd, o, "exception");
	rf->null_call = boolean(rd, o, "null_call");
	rf->application = boolean(rd, o, "application");
	text(rd, o, "found_by", how, sizeof(how), false);
	for (rf->found = FA_FOUND_CFI; rf->found <= FA_FOUND_PROLOGUE; rf->found++)
		if (strcmp(how, k_found[rf->found]) == 0)
			break;
	if (rf->found > FA_FOUND_PROLOGUE && rd->rc == 0)
		bad(rd, FF_ERR_MALFORMED, "found_by", "is not cfi, exidx or prologue");
}

/* "threads" (threads_json()): bounded as the model is (FA_THREADS_MAX threads, FA_REPORT_THREAD_FRAMES frames in
 * all, its strings' sizes). */
static void read_threads(struct reader *rd, const json_t *root, struct fa_report *r)
{
	const json_t *jt, *list;
	struct fa_threads *t = &r->threads;
	char state[16];

	at(rd, "threads", SIZE_MAX);
	if ((jt = member(rd, root, "threads", JSON_OBJECT, false)) == NULL)
		return;
	text(rd, jt, "rtos", r->rtos_name, sizeof(r->rtos_name), true);
	t->rtos = r->rtos_name;
	text(rd, jt, "layout", t->layout, sizeof(t->layout), true);
	t->found = (uint64_t)integer(rd, jt, "found", 0, INT64_MAX, true);
	text(rd, jt, "note", t->note, sizeof(t->note), false);
	list = member(rd, jt, "list", JSON_ARRAY, true);
	if (json_array_size(list) > FA_THREADS_MAX) {
		bad(rd, FF_ERR_MALFORMED, "list", "has more than FA_THREADS_MAX (32) threads");
		return;
	}
	for (size_t i = 0; rd->rc == 0 && i < json_array_size(list); i++) {
		const json_t *o = json_array_get(list, i), *stack, *frames;
		struct fa_thread *th = &t->v[i];
		struct fa_report_thread_frames *tf = &r->thread_of[i];

		at(rd, "threads.list", i);
		if (!json_is_object(o)) {
			bad(rd, FF_ERR_MALFORMED, "", "is not an object");
			return;
		}
		th->id = hex(rd, o, "tcb", UINT64_MAX, true);
		text(rd, o, "name", th->name, sizeof(th->name), true);
		text(rd, o, "state", state, sizeof(state), true);
		for (th->state = FA_THREAD_RUNNING; th->state < FA_THREAD_UNKNOWN; th->state++)
			if (strcmp(state, fa_thread_state_name(th->state)) == 0)
				break;
		if (rd->rc == 0 && strcmp(state, fa_thread_state_name(th->state)) != 0)
			bad(rd, FF_ERR_MALFORMED, "state", "is not a thread state (running, ready, blocked, ...)");
		if (json_object_get(o, "priority") != NULL) {
			th->priority = (uint32_t)integer(rd, o, "priority", 0, UINT32_MAX, true);
			th->has_priority = true;
		}
		if ((stack = member(rd, o, "stack", JSON_OBJECT, false)) != NULL) {
			th->stack_lo = hex(rd, stack, "low", UINT64_MAX, true);
			th->stack_hi = hex(rd, stack, "high", UINT64_MAX, true);
			th->has_stack = true;
			if (rd->rc == 0 && th->stack_lo > th->stack_hi)
				bad(rd, FF_ERR_MALFORMED, "stack", "has its low end above its high one");
		}
		th->sp = hex(rd, o, "sp", UINT64_MAX, true);
		if (json_object_get(o, "never_used") != NULL) {
			th->high_water = (uint64_t)integer(rd, o, "never_used", 0, INT64_MAX, true);
			th->has_high_water = true;
		}
		th->crashed = json_object_get(o, "crashed") != NULL && boolean(rd, o, "crashed");
		text(rd, o, "note", th->note, sizeof(th->note), false);
		tf->first = r->nthread_frames;
		if ((frames = member(rd, o, "frames", JSON_ARRAY, false)) == NULL)
			continue;
		if (json_array_size(frames) > FA_REPORT_THREAD_FRAMES - r->nthread_frames) {
			bad(rd, FF_ERR_MALFORMED, "frames", "are more than FA_REPORT_THREAD_FRAMES (256) in all threads");
			return;
		}
		text(rd, o, "stop", tf->stop, sizeof(tf->stop), true);
		if (rd->rc == 0 && tf->stop[0] == '\0')
			bad(rd, FF_ERR_MALFORMED, "stop", "is empty");
		for (size_t k = 0; rd->rc == 0 && k < json_array_size(frames); k++) {
			const json_t *f = json_array_get(frames, k);

			if (!json_is_object(f)) {
				bad(rd, FF_ERR_MALFORMED, "frames", "has an element that is not an object");
				return;
			}
			read_frame(rd, f, &r->thread_frames[tf->first + k]);
		}
		tf->n = json_array_size(frames);
		r->nthread_frames += tf->n;
	}
	t->n = rd->rc == 0 ? json_array_size(list) : 0;
}

static void read_frames(struct reader *rd, const json_t *root, struct fa_report *r)
{
	const json_t *a = member(rd, root, "frames", JSON_ARRAY, true);
	bool physical_seen = false;
	int phys = -1;

	if (json_array_size(a) > FA_REPORT_FRAMES) {
		bad(rd, FF_ERR_MALFORMED, "frames", "has more than FA_REPORT_FRAMES (128) entries");
		return;
	}
	for (size_t i = 0; rd->rc == 0 && i < json_array_size(a); i++) {
		const json_t *o = json_array_get(a, i), *regs;
		struct fa_report_frame *rf = &r->frames[i];
		struct fa_frame *f;
		const char *key;
		json_t *v;

		at(rd, "frames", i);
		if (!json_is_object(o)) {
			bad(rd, FF_ERR_MALFORMED, "", "is not an object");
			return;
		}
		read_frame(rd, o, rf);
		/* A physical frame: its inlined functions first, then its own entry, then the callers its tail calls
		 * elided; a frame after its own entry that is not a tail call begins the next one. */
		if (phys < 0 || (physical_seen && !rf->tail_call)) {
			if (++phys >= (int)FA_FRAMES_MAX) {
				bad(rd, FF_ERR_MALFORMED, "", "is in more than FA_FRAMES_MAX (64) physical frames");
				return;
			}
			physical_seen = false;
			f = &r->unwind.frames[phys];
			f->pc = rf->pc;
			f->exception = rf->exception;
			f->null_call = rf->null_call;
			f->found = rf->found;
			r->unwind.n = (size_t)phys + 1;
		} else if (rf->found != FA_FOUND_CFI) {
			bad(rd, FF_ERR_MALFORMED, "found_by", "is only on the first frame of a physical frame");
			return;
		}
		rf->phys = phys;
		f = &r->unwind.frames[phys];
		regs = member(rd, o, "registers", JSON_OBJECT, false);
		if (!rf->sym.inlined && !rf->tail_call)
			physical_seen = true;
		else if (regs != NULL)
			bad(rd, FF_ERR_MALFORMED, "registers", "are only a physical frame's, not an inlined or tail-call one's");
		at(rd, "frames", i);
		snprintf(rd->where + strlen(rd->where), sizeof(rd->where) - strlen(rd->where), ".registers");
		json_object_foreach((json_t *)regs, key, v) {
			int k = 0;

			while (k < 16 && strcmp(k_frame_regs[k], key) != 0)
				k++;
			if (k == 16) {
				bad(rd, FF_ERR_MALFORMED, "", "has a register that is not r0-r12, sp, lr or pc");
				return;
			}
			f->regs[k] = (uint32_t)hex(rd, regs, key, UINT32_MAX, true);
			f->known |= 1u << k;
		}
		read_vars(rd, o, r, i);
	}
	r->n = rd->rc == 0 ? json_array_size(a) : 0;
}

static void read_stop(struct reader *rd, const json_t *root, struct fa_unwind *u)
{
	const json_t *o = member(rd, root, "stop", JSON_OBJECT, true);
	char name[32] = "";

	at(rd, "stop", SIZE_MAX);
	text(rd, o, "reason", name, sizeof(name), true);
	text(rd, o, "text", u->why, sizeof(u->why), true);
	for (u->stop = FA_STOP_OUTERMOST; u->stop <= FA_STOP_UNSUPPORTED; u->stop++)
		if (strcmp(fa_stop_name(u->stop), name) == 0)
			return;
	bad(rd, FF_ERR_UNSUPPORTED, "reason", "is not a stop reason this version knows");
}

/* Optional parts of the dump: the fatal error's code, the POSIX signal, the fault registers. */
static void read_dump_extras(struct reader *rd, const json_t *root, struct fa_report_dump *d)
{
	static const char *const k_fault[FF_FAULT_WORDS] = {"cfsr", "hfsr", "mmfar", "bfar", "shcsr"};
	const json_t *o;

	at(rd, "", SIZE_MAX);
	d->has_code = member(rd, root, "code", JSON_INTEGER, false) != NULL;
	d->code = (uint64_t)integer(rd, root, "code", INT64_MIN, INT64_MAX, false); /* written as a signed 64-bit */
	if ((o = member(rd, root, "signal", JSON_OBJECT, false)) != NULL) {
		at(rd, "signal", SIZE_MAX);
		d->has_signal = true;
		d->signal[0] = (uint64_t)integer(rd, o, "number", INT64_MIN, INT64_MAX, true);
		d->signal[1] = (uint64_t)integer(rd, o, "code", INT64_MIN, INT64_MAX, true);
		d->signal[2] = hex(rd, o, "address", UINT64_MAX, true);
	}
	at(rd, "", SIZE_MAX);
	if ((o = member(rd, root, "fault_registers", JSON_OBJECT, false)) != NULL) {
		at(rd, "fault_registers", SIZE_MAX);
		d->has_fault = true;
		for (size_t i = 0; i < FF_FAULT_WORDS; i++)
			d->fault[i] = (uint32_t)hex(rd, o, k_fault[i], UINT32_MAX, true);
	}
}

/* What the registers name ("targets", optional: reports written before it have none): the fault address
 * registers and the layout's registers; other members are ignored. */
static void read_targets(struct reader *rd, const json_t *root, struct fa_report *r)
{
	const json_t *o;

	at(rd, "", SIZE_MAX);
	if ((o = member(rd, root, "targets", JSON_OBJECT, false)) == NULL)
		return;
	at(rd, "targets", SIZE_MAX);
	text(rd, o, "mmfar", r->targets.mmfar, sizeof(r->targets.mmfar), false);
	text(rd, o, "bfar", r->targets.bfar, sizeof(r->targets.bfar), false);
	for (size_t i = 0; i < r->dump.nregs; i++)
		text(rd, o, ff_reg_name(r->dump.arch, r->dump.os, i), r->targets.regs[i], sizeof(r->targets.regs[i]),
		     false);
}

static void read_captured(struct reader *rd, const json_t *root, struct fa_report_dump *d)
{
	const json_t *a = member(rd, root, "captured", JSON_ARRAY, true), *o;

	if (json_array_size(a) > FF_REGIONS_MAX) {
		bad(rd, FF_ERR_MALFORMED, "captured", "has more than FF_REGIONS_MAX (256) regions");
		return;
	}
	for (size_t i = 0; rd->rc == 0 && i < json_array_size(a); i++) {
		at(rd, "captured", i);
		if (!json_is_object(o = json_array_get(a, i))) {
			bad(rd, FF_ERR_MALFORMED, "", "is not an object");
			return;
		}
		d->regions[i].addr = hex(rd, o, "address", UINT64_MAX, true);
		d->regions[i].len = (size_t)integer(rd, o, "length", 0, UINT32_MAX, true);
		d->nregions = i + 1;
	}
	at(rd, "flags", SIZE_MAX);
	o = member(rd, root, "flags", JSON_OBJECT, true);
	d->flags = (boolean(rd, o, "truncated") ? FF_FLAG_TRUNCATED : 0) |
		   (boolean(rd, o, "frame_unreliable") ? FF_FLAG_FRAME_UNRELIABLE : 0) |
		   (boolean(rd, o, "fp_context") ? FF_FLAG_FP_CONTEXT : 0);
}

/* The recursion: "recursing", or in a report written before it, the sentence of "recursion" ("f() recursing: N
 * return addresses ..."), cut at its last "() recursing: " (a name may hold parentheses). */
static void read_recursion(struct reader *rd, const json_t *root, struct fa_report *r)
{
	static const char k_cut[] = "() recursing: ";
	const json_t *o = member(rd, root, "recursing", JSON_OBJECT, false);
	char sentence[240] = "";
	const char *cut = NULL;

	at(rd, "", SIZE_MAX);
	text(rd, root, "recursion", sentence, sizeof(sentence), false);
	if (o != NULL) {
		at(rd, "recursing", SIZE_MAX);
		text(rd, o, "function", r->recursion.function, sizeof(r->recursion.function), true);
		r->recursion.count = (unsigned)integer(rd, o, "count", 1, UINT32_MAX, true);
		return;
	}
	for (const char *p = sentence; (p = strstr(p, k_cut)) != NULL; p++)
		cut = p;
	if (cut == NULL || (size_t)(cut - sentence) >= sizeof(r->recursion.function) ||
	    sscanf(cut + strlen(k_cut), "%u", &r->recursion.count) != 1 || r->recursion.count == 0) {
		if (sentence[0] != '\0')
			bad(rd, FF_ERR_MALFORMED, "recursion", "is not \"f() recursing: N return addresses...\"");
		r->recursion.count = 0;
		return;
	}
	memcpy(r->recursion.function, sentence, (size_t)(cut - sentence));
	r->recursion.function[cut - sentence] = '\0';
}

int fa_report_from_json(struct fa_report *out, const char *json, size_t len, struct ff_error *err)
{
	struct reader rd = {.err = err};
	json_error_t jerr;
	const json_t *o;
	json_t *root;
	char name[sizeof(out->dump.reason_name)] = "";

	memset(out, 0, sizeof(*out));
	if (len > FA_REPORT_JSON_MAX)
		return ff_error_set(err, FF_ERR_TOO_LARGE, "report JSON: %zu bytes, more than %u", len, FA_REPORT_JSON_MAX);
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return ff_error_set(err, json_error_code(&jerr) == json_error_out_of_memory ? FF_ERR_NOMEM : FF_ERR_MALFORMED,
				    "report JSON: not JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
	if (!json_is_object(root))
		bad(&rd, FF_ERR_MALFORMED, "", "the report is not a JSON object");
	if (rd.rc == 0 && integer(&rd, root, "version", INT64_MIN, INT64_MAX, true) != 1)
		bad(&rd, FF_ERR_UNSUPPORTED, "version", "is not 1, the report version this version reads");
	read_firmware(&rd, root, &out->dump);
	at(&rd, "reason", SIZE_MAX);
	o = member(&rd, root, "reason", JSON_OBJECT, true);
	out->dump.reason = (uint16_t)integer(&rd, o, "code", 0, UINT16_MAX, true);
	text(&rd, o, "name", name, sizeof(name), false);
	memcpy(out->dump.reason_name, name, sizeof(name));
	at(&rd, "fault", SIZE_MAX);
	o = member(&rd, root, "fault", JSON_OBJECT, true);
	text(&rd, o, "kind", out->fault.kind, sizeof(out->fault.kind), true);
	text(&rd, o, "text", out->fault.text, sizeof(out->fault.text), true);
	at(&rd, "site", SIZE_MAX);
	if ((o = member(&rd, root, "site", JSON_OBJECT, false)) != NULL) {
		out->has_site = true;
		text(&rd, o, "function", out->site.function, sizeof(out->site.function), true);
		text(&rd, o, "file", out->site.file, sizeof(out->site.file), true);
		out->site.line = (int)integer(&rd, o, "line", 0, INT32_MAX, true);
	}
	read_frames(&rd, root, out);
	at(&rd, "", SIZE_MAX);
	out->vars_cut = json_is_true(member(&rd, root, "variables_cut", JSON_TRUE, false));
	read_stop(&rd, root, &out->unwind);
	read_registers(&rd, root, &out->dump);
	read_dump_extras(&rd, root, &out->dump);
	read_targets(&rd, root, out);
	read_captured(&rd, root, &out->dump);
	read_recursion(&rd, root, out);
	read_threads(&rd, root, out);
	at(&rd, "", SIZE_MAX);
	text(&rd, root, "notes", out->dump.notes, sizeof(out->dump.notes), false);
	at(&rd, "fingerprint", SIZE_MAX);
	o = member(&rd, root, "fingerprint", JSON_OBJECT, true);
	text(&rd, o, "id", out->fingerprint, sizeof(out->fingerprint), true);
	text(&rd, o, "input", out->fingerprint_input, sizeof(out->fingerprint_input), true);
	json_decref(root);
	if (rd.rc != 0)
		return rd.rc;
	title(out);
	return 0;
}
