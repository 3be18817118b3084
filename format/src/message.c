/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding messages (docs/FORMAT.md §1, §7, §8) with libcbor, independently of the SDK's encoder. */
#include <cbor.h>
#include <stdlib.h>
#include <string.h>

#include "ff/chunk.h"
#include "ff/bytes.h"
#include "ff/message.h"
#include "leb128.h"

#define DEPTH_MAX 16u
#define MAP_PAIRS_MAX 256u
#define TEXT_MAX 64u

/* Envelope keys (§7). */
enum { K_VERSION, K_TYPE, K_ARCH, K_OS, K_BUILD_ID, K_SW, K_HW, K_BOOT_ID, K_DROPPED, K_PAYLOAD };
/* Coredump keys (§8.1). */
enum { C_REASON = 1, C_FLAGS, C_REGS, C_FAULT, C_STACK, C_REGIONS, C_SITE, C_CODE, C_FPREGS, C_UPTIME, C_SIGNAL, C_RTOS };
enum { RTOS_KIND = 1, RTOS_FOUND, RTOS_TASKS, RTOS_OVERFLOW };
/* Reboot event keys (§8.2). */
enum { R_REASON = 1, R_RESET_CAUSE, R_SITE, R_COREDUMP, R_ENDED_BOOT_ID };
/* Heartbeat keys (§8.4). */

#define HB_LEB128_MAX 10u /* bytes of one heartbeat value */

size_t ff_layout_regs(uint16_t arch, unsigned os, unsigned *out_word)
{
	static const struct {
		uint16_t arch;
		unsigned os, word;
		size_t count;
	} k_layouts[] = {{40, 0, 4, 20}, {40, 1, 4, 17}, {62, 1, 8, 18}, {183, 1, 8, 34}};

	for (size_t i = 0; i < sizeof(k_layouts) / sizeof(k_layouts[0]); i++) {
		if (k_layouts[i].arch == arch && k_layouts[i].os == os) {
			*out_word = k_layouts[i].word;
			return k_layouts[i].count;
		}
	}
	return 0;
}

const char *ff_reg_name(uint16_t arch, unsigned os, size_t i)
{
	static const char *const k_cm[] = {"r0", "r1", "r2",  "r3",  "r4",   "r5",  "r6",  "r7",  "r8",  "r9",
					   "r10", "r11", "r12", "sp", "lr", "pc", "xpsr", "msp", "psp", "exc_return"};
	static const char *const k_arm[] = {"r0", "r1", "r2",  "r3",  "r4", "r5", "r6", "r7", "r8",
					    "r9", "r10", "r11", "r12", "sp", "lr", "pc", "cpsr"};
	static const char *const k_x64[] = {"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8",
					    "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};
	static const char *const k_a64[] = {"x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",
					    "x9",  "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
					    "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26",
					    "x27", "x28", "x29", "x30", "sp",  "pc",  "pstate"};
	unsigned word;
	size_t n = ff_layout_regs(arch, os, &word);

	if (i >= n)
		return NULL;
	if (arch == 40)
		return os == 0 ? k_cm[i] : k_arm[i];
	return arch == 62 ? k_x64[i] : k_a64[i];
}

/*
 * Well-formedness on the raw bytes, before libcbor allocates anything: only definite uint, bstr, tstr (UTF-8),
 * array and map items, not nested deeper than DEPTH_MAX, and no count or length larger than the bytes that remain
 * (libcbor would otherwise allocate what a 5-byte message claims: a map of 2^32 pairs).
 */
static int scan_item(const uint8_t *p, size_t len, size_t *pos, unsigned depth, struct ff_error *err)
{
	unsigned major, info;
	uint64_t v = 0;
	size_t at = *pos;

	if (depth > DEPTH_MAX)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: items nested deeper than %u", DEPTH_MAX);
	if (at >= len)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: not well-formed CBOR: ends at byte %zu", at);
	major = p[at] >> 5;
	info = p[at] & 31u;
	at++;
	if (info < 24) {
		v = info;
	} else if (info <= 27) {
		size_t n = (size_t)1 << (info - 24);

		if (n > len - at)
			return ff_error_set(err, FF_ERR_MALFORMED, "message: not well-formed CBOR: a head ends at byte %zu",
					    len);
		for (size_t i = 0; i < n; i++)
			v = v << 8 | p[at + i];
		at += n;
	} else {
		return ff_error_set(err, FF_ERR_MALFORMED, info == 31 ? "message: indefinite-length item at byte %zu"
								   : "message: reserved CBOR head at byte %zu",
				    *pos);
	}
	switch (major) {
	case 0:
		break;
	case 2:
	case 3:
		if (v > len - at)
			return ff_error_set(err, FF_ERR_MALFORMED,
					    "message: not well-formed CBOR: a %llu-byte string at byte %zu runs past the end",
					    (unsigned long long)v, *pos);
		if (major == 3 && !ff_utf8_valid(p + at, (size_t)v)) /* FORMAT.md §1: text strings are UTF-8 */
			return ff_error_set(err, FF_ERR_MALFORMED, "message: the text string at byte %zu is not UTF-8", *pos);
		at += (size_t)v;
		break;
	case 4:
	case 5:
		if (v > (len - at) / (major == 5 ? 2u : 1u))
			return ff_error_set(err, FF_ERR_MALFORMED,
					    "message: not well-formed CBOR: %llu items at byte %zu, more than the bytes left",
					    (unsigned long long)v, *pos);
		for (uint64_t i = 0; i < v * (major == 5 ? 2u : 1u); i++) {
			int rc = scan_item(p, len, &at, depth + 1, err);

			if (rc != 0)
				return rc;
		}
		break;
	case 1:
		return ff_error_set(err, FF_ERR_MALFORMED, "message: negative integer at byte %zu", *pos);
	case 6:
		return ff_error_set(err, FF_ERR_MALFORMED, "message: CBOR tag at byte %zu", *pos);
	default:
		return ff_error_set(err, FF_ERR_MALFORMED, "message: float or simple value at byte %zu", *pos);
	}
	*pos = at;
	return 0;
}

/* Maps: unsigned keys, each once, at most MAP_PAIRS_MAX pairs. (scan_item() checked everything else.) */
static int check_maps(const cbor_item_t *it, struct ff_error *err)
{
	if (cbor_isa_array(it)) {
		for (size_t i = 0; i < cbor_array_size(it); i++) {
			int rc = check_maps(cbor_array_handle(it)[i], err);

			if (rc != 0)
				return rc;
		}
	} else if (cbor_isa_map(it)) {
		struct cbor_pair *p = cbor_map_handle(it);
		size_t n = cbor_map_size(it);

		if (n > MAP_PAIRS_MAX)
			return ff_error_set(err, FF_ERR_MALFORMED, "message: a map of %zu pairs (at most %u)", n,
					    MAP_PAIRS_MAX);
		for (size_t i = 0; i < n; i++) {
			int rc;

			if (!cbor_isa_uint(p[i].key))
				return ff_error_set(err, FF_ERR_MALFORMED, "message: a map key is not an unsigned integer");
			for (size_t j = 0; j < i; j++)
				if (cbor_get_int(p[j].key) == cbor_get_int(p[i].key))
					return ff_error_set(err, FF_ERR_MALFORMED, "message: map key %llu appears twice",
							    (unsigned long long)cbor_get_int(p[i].key));
			rc = check_maps(p[i].value, err);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

static const cbor_item_t *get(const cbor_item_t *map, uint64_t key)
{
	struct cbor_pair *p = cbor_map_handle(map);

	for (size_t i = 0; i < cbor_map_size(map); i++)
		if (cbor_get_int(p[i].key) == key)
			return p[i].value;
	return NULL;
}

/* The unsigned integer at key, at most max. Returns 1 when present, 0 when absent, or a negative error. */
static int get_uint(uint64_t *out, const cbor_item_t *map, uint64_t key, uint64_t max, const char *what,
		    struct ff_error *err)
{
	const cbor_item_t *v = get(map, key);

	if (v == NULL)
		return 0;
	if (!cbor_isa_uint(v))
		return ff_error_set(err, FF_ERR_MALFORMED, "message: %s is not an unsigned integer", what);
	*out = cbor_get_int(v);
	if (*out > max)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: %s %llu is above %llu", what,
				    (unsigned long long)*out, (unsigned long long)max);
	return 1;
}

static int need_uint(uint64_t *out, const cbor_item_t *map, uint64_t key, uint64_t max, const char *what,
		     struct ff_error *err)
{
	int rc = get_uint(out, map, key, max, what, err);

	return rc == 0 ? ff_error_set(err, FF_ERR_MALFORMED, "message: %s is missing", what) : rc;
}

/* An array of n unsigned integers at key. Returns 1, 0 when absent, or a negative error. */
static int get_uints(uint64_t *out, size_t n, const cbor_item_t *map, uint64_t key, const char *what,
		     struct ff_error *err)
{
	const cbor_item_t *v = get(map, key);

	if (v == NULL)
		return 0;
	if (!cbor_isa_array(v) || cbor_array_size(v) != n)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: %s is not an array of %zu integers", what, n);
	for (size_t i = 0; i < n; i++) {
		const cbor_item_t *e = cbor_array_handle(v)[i];

		if (!cbor_isa_uint(e))
			return ff_error_set(err, FF_ERR_MALFORMED, "message: %s element %zu is not an unsigned integer",
					    what, i);
		out[i] = cbor_get_int(e);
	}
	return 1;
}

/* Little-endian words of `word` bytes from the byte string at key: at least min of them. Returns the number of
 * words stored (up to max), 0 when absent, or a negative error. */
static int get_words(uint64_t *out, size_t min, size_t max, unsigned word, const cbor_item_t *map, uint64_t key,
		     const char *what, struct ff_error *err)
{
	const cbor_item_t *v = get(map, key);
	size_t n;

	if (v == NULL)
		return 0;
	if (!cbor_isa_bytestring(v))
		return ff_error_set(err, FF_ERR_MALFORMED, "message: %s is not a byte string", what);
	if (cbor_bytestring_length(v) % word != 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: %s is %zu bytes, not whole %u-byte words", what,
				    cbor_bytestring_length(v), word);
	n = cbor_bytestring_length(v) / word;
	if (n < min)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: %s has %zu words, fewer than %zu", what, n, min);
	n = n < max ? n : max;
	for (size_t i = 0; i < n; i++) {
		uint64_t w = 0;

		for (unsigned b = 0; b < word; b++)
			w |= (uint64_t)cbor_bytestring_handle(v)[i * word + b] << (8 * b);
		out[i] = w;
	}
	return (int)n;
}

static int get_text(char *out, const cbor_item_t *map, uint64_t key, bool required, const char *what,
		    struct ff_error *err)
{
	const cbor_item_t *v = get(map, key);
	size_t n;

	out[0] = '\0';
	if (v == NULL)
		return required ? ff_error_set(err, FF_ERR_MALFORMED, "message: %s is missing", what) : 0;
	if (!cbor_isa_string(v))
		return ff_error_set(err, FF_ERR_MALFORMED, "message: %s is not a text string", what);
	n = cbor_string_length(v);
	if (n > TEXT_MAX || (required && n == 0))
		return ff_error_set(err, FF_ERR_MALFORMED, "message: %s is %zu bytes (1..%u)", what, n, TEXT_MAX);
	for (size_t i = 0; i < n; i++)
		if (cbor_string_handle(v)[i] < 0x20 || cbor_string_handle(v)[i] == 0x7f)
			return ff_error_set(err, FF_ERR_MALFORMED, "message: %s contains a control character", what);
	memcpy(out, cbor_string_handle(v), n);
	out[n] = '\0';
	return 1;
}

static void note(struct ff_message *m, const char *text)
{
	size_t have = strlen(m->notes);

	if (have + strlen(text) + 3 < sizeof(m->notes))
		snprintf(m->notes + have, sizeof(m->notes) - have, "%s%s", have > 0 ? "; " : "", text);
}

/* Regions: a malformed or undecodable entry is dropped with a note; the rest of the dump stands. */
static int parse_regions(struct ff_message *m, const cbor_item_t *v, struct ff_error *err)
{
	struct ff_coredump *c = &m->core;
	uint64_t space = c->word == 4 ? (uint64_t)1 << 32 : UINT64_MAX;
	size_t total = 0, used = 0;
	char text[128];

	if (!cbor_isa_array(v))
		return ff_error_set(err, FF_ERR_MALFORMED, "message: regions is not an array");
	if (cbor_array_size(v) > FF_REGIONS_MAX)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: %zu regions (at most %u)", cbor_array_size(v),
				    FF_REGIONS_MAX);
	for (size_t i = 0; i < cbor_array_size(v); i++) {
		const cbor_item_t *r = cbor_array_handle(v)[i];

		if (cbor_isa_array(r) && cbor_array_size(r) >= 3 && cbor_isa_bytestring(cbor_array_handle(r)[2]))
			total += cbor_bytestring_length(cbor_array_handle(r)[2]);
	}
	c->regions = calloc(cbor_array_size(v) + 1, sizeof(*c->regions));
	m->bytes = malloc(total + 1);
	if (c->regions == NULL || m->bytes == NULL)
		return ff_error_set(err, FF_ERR_NOMEM, "message: out of memory for %zu bytes of regions", total);
	for (size_t i = 0; i < cbor_array_size(v); i++) {
		const cbor_item_t *r = cbor_array_handle(v)[i], *const *e;
		struct ff_region g;
		bool overlap = false;

		if (!cbor_isa_array(r) || cbor_array_size(r) < 3 || !cbor_isa_uint(cbor_array_handle(r)[0]) ||
		    !cbor_isa_uint(cbor_array_handle(r)[1]) || !cbor_isa_bytestring(cbor_array_handle(r)[2])) {
			snprintf(text, sizeof(text), "region %zu is not [address, encoding, bytes]: dropped", i);
			note(m, text);
			continue;
		}
		e = (const cbor_item_t *const *)cbor_array_handle(r);
		g.addr = cbor_get_int(e[0]);
		g.encoding = cbor_get_int(e[1]) > UINT32_MAX ? UINT32_MAX : (uint32_t)cbor_get_int(e[1]);
		g.len = cbor_bytestring_length(e[2]);
		if (g.encoding != 0) {
			snprintf(text, sizeof(text), "region %zu at 0x%llx: encoding %u is not known: not decoded", i,
				 (unsigned long long)g.addr, g.encoding);
			note(m, text);
			continue;
		}
		if (g.addr >= space || g.len > space - g.addr) {
			snprintf(text, sizeof(text), "region %zu at 0x%llx: %zu bytes run past the address space: dropped",
				 i, (unsigned long long)g.addr, g.len);
			note(m, text);
			continue;
		}
		for (size_t j = 0; j < c->nregions; j++)
			overlap |= g.addr < c->regions[j].addr + c->regions[j].len &&
				   c->regions[j].addr < g.addr + g.len;
		if (overlap) {
			snprintf(text, sizeof(text), "region %zu at 0x%llx overlaps an earlier one: dropped", i,
				 (unsigned long long)g.addr);
			note(m, text);
			continue;
		}
		memcpy(m->bytes + used, cbor_bytestring_handle(e[2]), g.len);
		g.data = m->bytes + used;
		used += g.len;
		c->regions[c->nregions++] = g;
	}
	return 0;
}

/* The RTOS's tasks: a malformed task entry is dropped with a note; the rest of the dump stands. */
static int parse_rtos(struct ff_message *m, const cbor_item_t *v, struct ff_error *err)
{
	struct ff_coredump *c = &m->core;
	const cbor_item_t *tasks;
	uint64_t kind;
	char text[96];
	int rc;

	if (!cbor_isa_map(v))
		return ff_error_set(err, FF_ERR_MALFORMED, "message: rtos is not a map");
	if ((rc = need_uint(&kind, v, RTOS_KIND, UINT32_MAX, "rtos kind", err)) < 0)
		return rc;
	c->rtos_kind = (uint32_t)kind;
	if ((rc = get_uint(&c->rtos_found, v, RTOS_FOUND, UINT64_MAX, "rtos found", err)) < 0)
		return rc;
	if ((rc = get_uint(&c->rtos_overflow, v, RTOS_OVERFLOW, UINT64_MAX, "rtos overflow", err)) < 0)
		return rc;
	c->has_rtos_overflow = rc > 0;
	tasks = get(v, RTOS_TASKS);
	if (tasks != NULL && !cbor_isa_array(tasks))
		return ff_error_set(err, FF_ERR_MALFORMED, "message: rtos tasks is not an array");
	if (tasks != NULL && cbor_array_size(tasks) > FF_RTOS_TASKS_MAX)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: %zu rtos tasks (at most %u)", cbor_array_size(tasks),
				    FF_RTOS_TASKS_MAX);
	c->has_rtos = true;
	if (tasks == NULL)
		return 0;
	if ((c->tasks = calloc(cbor_array_size(tasks) + 1, sizeof(*c->tasks))) == NULL)
		return ff_error_set(err, FF_ERR_NOMEM, "message: out of memory for %zu rtos tasks",
				    cbor_array_size(tasks));
	for (size_t i = 0; i < cbor_array_size(tasks); i++) {
		const cbor_item_t *t = cbor_array_handle(tasks)[i];
		size_t n = cbor_isa_array(t) ? cbor_array_size(t) : 0;
		struct ff_rtos_task task = {0};

		if (n < 1 || n > 2 || !cbor_isa_uint(cbor_array_handle(t)[0]) ||
		    (n == 2 && !cbor_isa_uint(cbor_array_handle(t)[1]))) {
			snprintf(text, sizeof(text), "rtos task %zu is not [tcb] or [tcb, high_water]: dropped", i);
			note(m, text);
			continue;
		}
		task.tcb = cbor_get_int(cbor_array_handle(t)[0]);
		task.has_high_water = n == 2;
		task.high_water = n == 2 ? cbor_get_int(cbor_array_handle(t)[1]) : 0;
		c->tasks[c->ntasks++] = task;
	}
	return 0;
}

static int parse_coredump(struct ff_message *m, const cbor_item_t *p, struct ff_error *err)
{
	struct ff_coredump *c = &m->core;
	uint64_t v, words[FF_FP_WORDS], pair[2];
	size_t need = ff_layout_regs(m->arch, m->os, &c->word);
	const cbor_item_t *regions;
	int rc;

	if (need == 0)
		return ff_error_set(err, FF_ERR_UNSUPPORTED, "message: no register layout for arch %u, os %u",
				    m->arch, m->os);
	if ((rc = need_uint(&v, p, C_REASON, 0xffff, "coredump reason", err)) < 0)
		return rc;
	c->reason = (uint16_t)v;
	if ((rc = get_uint(&v, p, C_FLAGS, UINT32_MAX, "coredump flags", err)) < 0)
		return rc;
	c->flags = rc > 0 ? (uint32_t)v : 0;
	rc = get_words(c->regs, need, need, c->word, p, C_REGS, "regs", err);
	if (rc <= 0)
		return rc < 0 ? rc : ff_error_set(err, FF_ERR_MALFORMED, "message: regs is missing");
	c->nregs = need;
	if ((rc = get_words(words, FF_FAULT_WORDS, FF_FAULT_WORDS, 4, p, C_FAULT, "fault", err)) < 0)
		return rc;
	c->has_fault = rc > 0;
	for (size_t i = 0; c->has_fault && i < FF_FAULT_WORDS; i++)
		c->fault[i] = (uint32_t)words[i];
	if ((rc = get_words(words, FF_FP_WORDS, FF_FP_WORDS, 4, p, C_FPREGS, "fpregs", err)) < 0)
		return rc;
	c->has_fpregs = rc > 0;
	for (size_t i = 0; c->has_fpregs && i < FF_FP_WORDS; i++)
		c->fpregs[i] = (uint32_t)words[i];
	if ((c->flags & FF_FLAG_FP_CONTEXT) && !c->has_fpregs)
		note(m, "the fp_context flag is set but fpregs are missing");
	if ((rc = get_uints(pair, 2, p, C_STACK, "stack", err)) < 0)
		return rc;
	c->has_stack = rc > 0;
	if (c->has_stack && pair[0] > pair[1])
		return ff_error_set(err, FF_ERR_MALFORMED, "message: stack bounds [0x%llx, 0x%llx) are reversed",
				    (unsigned long long)pair[0], (unsigned long long)pair[1]);
	c->stack_lo = pair[0];
	c->stack_hi = pair[1];
	if ((rc = get_uints(pair, 2, p, C_SITE, "site", err)) < 0)
		return rc;
	c->has_site = rc > 0;
	c->site_pc = pair[0];
	c->site_lr = pair[1];
	if ((rc = get_uint(&c->code, p, C_CODE, UINT64_MAX, "code", err)) < 0)
		return rc;
	c->has_code = rc > 0;
	if ((rc = get_uint(&c->uptime_ms, p, C_UPTIME, UINT64_MAX, "uptime_ms", err)) < 0)
		return rc;
	c->has_uptime = rc > 0;
	if ((rc = get_uints(c->signal, 3, p, C_SIGNAL, "signal", err)) < 0)
		return rc;
	c->has_signal = rc > 0;
	if (get(p, C_RTOS) != NULL && (rc = parse_rtos(m, get(p, C_RTOS), err)) < 0)
		return rc;
	regions = get(p, C_REGIONS);
	return regions != NULL ? parse_regions(m, regions, err) : 0;
}

static int parse_reboot(struct ff_message *m, const cbor_item_t *p, struct ff_error *err)
{
	struct ff_reboot *r = &m->reboot;
	uint64_t v, pair[2];
	int rc;

	if ((rc = need_uint(&v, p, R_REASON, 0xffff, "reboot reason", err)) < 0)
		return rc;
	r->reason = (uint16_t)v;
	if ((rc = get_uint(&r->reset_cause, p, R_RESET_CAUSE, UINT64_MAX, "reset_cause", err)) < 0)
		return rc;
	r->has_reset_cause = rc > 0;
	if ((rc = get_uints(pair, 2, p, R_SITE, "site", err)) < 0)
		return rc;
	r->has_site = rc > 0;
	r->site_pc = pair[0];
	r->site_lr = pair[1];
	if ((rc = get_uint(&v, p, R_COREDUMP, 1, "coredump", err)) < 0)
		return rc;
	r->coredump = rc > 0 && v == 1;
	if ((rc = get_uint(&r->ended_boot_id, p, R_ENDED_BOOT_ID, UINT32_MAX, "ended_boot_id", err)) < 0)
		return rc;
	r->has_ended_boot_id = rc > 0;
	return 0;
}

/* The next of the heartbeat's values, at *pos of the b[len] bstr; *pos moves past it. */
static int next_value(uint64_t *out, const uint8_t *b, size_t len, size_t *pos, struct ff_error *err)
{
	const char *why;
	size_t n = ff_leb128_read64(out, b + *pos, len - *pos, HB_LEB128_MAX, &why);

	if (n == 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: heartbeat: values: byte %zu: LEB128 %s", *pos,
				    why);
	*pos += n;
	return 0;
}

/* The heartbeat's values (§8.4): LEB128 numbers filling the bstr: B, then B built-ins (the first FF_HB_BUILTINS
 * kept, later ones skipped), then the application's. */
static int parse_heartbeat(struct ff_message *m, const cbor_item_t *values, struct ff_error *err)
{
	struct ff_heartbeat *h = &m->heartbeat;
	const uint8_t *b;
	size_t len, pos = 0;
	uint64_t count, v;
	int rc;

	b = cbor_bytestring_handle(values);
	len = cbor_bytestring_length(values);
	if (len > FF_HB_BYTES_MAX)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: heartbeat: values is %zu bytes (at most %u)", len,
				    FF_HB_BYTES_MAX);
	if (len == 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: heartbeat: values is empty");
	if ((rc = next_value(&count, b, len, &pos, err)) != 0)
		return rc;
	if (count < FF_HB_BUILTINS)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: heartbeat: values: %llu built-in values, fewer than %u",
				    (unsigned long long)count, FF_HB_BUILTINS);
	for (uint64_t i = 0; i < count; i++) {
		if (pos == len)
			return ff_error_set(err, FF_ERR_MALFORMED,
					    "message: heartbeat: values: ends after %llu of its %llu built-in values",
					    (unsigned long long)i, (unsigned long long)count);
		if ((rc = next_value(&v, b, len, &pos, err)) != 0)
			return rc;
		if (i < FF_HB_BUILTINS)
			h->builtin[i] = v;
	}
	while (pos < len) {
		if (h->nvalues == FF_HB_VALUES_MAX)
			return ff_error_set(err, FF_ERR_MALFORMED,
					    "message: heartbeat: values: more than %u application values", FF_HB_VALUES_MAX);
		if ((rc = next_value(&v, b, len, &pos, err)) != 0)
			return rc;
		h->values[h->nvalues++] = v;
	}
	return 0;
}

/* Whether the envelope holds any key of the firmware identity (§7). */
static bool has_identity(const cbor_item_t *top)
{
	static const uint64_t k_keys[] = {K_ARCH, K_OS, K_BUILD_ID, K_SW, K_HW};

	for (size_t i = 0; i < sizeof(k_keys) / sizeof(k_keys[0]); i++)
		if (get(top, k_keys[i]) != NULL)
			return true;
	return false;
}

/* A full heartbeat's identity has every required key (§8.4): one with some is told so, not "arch is missing". */
static int whole_identity(const cbor_item_t *top, struct ff_error *err)
{
	static const struct {
		uint64_t key;
		const char *name;
	} k_required[] = {{K_ARCH, "arch"}, {K_BUILD_ID, "build_id"}, {K_SW, "sw_version"}};

	for (size_t i = 0; i < sizeof(k_required) / sizeof(k_required[0]); i++)
		if (get(top, k_required[i].key) == NULL)
			return ff_error_set(err, FF_ERR_MALFORMED,
					    "message: heartbeat: %s is missing from its firmware identity (a heartbeat "
					    "carries arch, build_id and sw_version, or no identity key at all)",
					    k_required[i].name);
	return 0;
}

/* arch, os, build_id, sw_version, hw_version (§7): the required ones present, every one valid. */
static int parse_identity(struct ff_message *m, const cbor_item_t *top, struct ff_error *err)
{
	const cbor_item_t *id;
	uint64_t v;
	int rc;

	if ((rc = need_uint(&v, top, K_ARCH, 0xffff, "arch", err)) < 0)
		return rc;
	m->arch = (uint16_t)v;
	if ((rc = get_uint(&v, top, K_OS, 1, "os", err)) < 0)
		return rc;
	m->os = rc > 0 ? (unsigned)v : 0;
	id = get(top, K_BUILD_ID);
	if (id == NULL || !cbor_isa_bytestring(id))
		return ff_error_set(err, FF_ERR_MALFORMED, "message: build_id is missing or not a byte string");
	if (cbor_bytestring_length(id) < 8 || cbor_bytestring_length(id) > 64)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: build_id is %zu bytes (8..64)",
				    cbor_bytestring_length(id));
	m->build_id_len = cbor_bytestring_length(id);
	memcpy(m->build_id, cbor_bytestring_handle(id), m->build_id_len);
	if ((rc = get_text(m->sw_version, top, K_SW, true, "sw_version", err)) < 0 ||
	    (rc = get_text(m->hw_version, top, K_HW, false, "hw_version", err)) < 0)
		return rc;
	return 0;
}

static int parse_envelope(struct ff_message *m, const cbor_item_t *top, struct ff_error *err)
{
	const cbor_item_t *payload;
	uint64_t v;
	int rc;

	if (!cbor_isa_map(top))
		return ff_error_set(err, FF_ERR_MALFORMED, "message: not a CBOR map");
	if (cbor_map_size(top) == 0 || !cbor_isa_uint(cbor_map_handle(top)[0].key) ||
	    cbor_get_int(cbor_map_handle(top)[0].key) != K_VERSION || !cbor_isa_uint(cbor_map_handle(top)[0].value))
		return ff_error_set(err, FF_ERR_MALFORMED, "message: the first key is not the version (0)");
	if ((rc = check_maps(top, err)) != 0)
		return rc;
	m->version = (unsigned)(cbor_get_int(cbor_map_handle(top)[0].value) > 255 ? 255 :
				cbor_get_int(cbor_map_handle(top)[0].value));
	if (m->version != 1)
		return ff_error_set(err, FF_ERR_UNSUPPORTED, "message: version %u is not supported (this decoder reads 1)",
				    m->version);
	if ((rc = need_uint(&v, top, K_TYPE, UINT32_MAX, "type", err)) < 0)
		return rc;
	if (v == 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: type 0");
	m->type = (unsigned)v;
	/* a heartbeat sends all of the identity or none of it (§8.4); every other message all of it */
	m->compact = m->type == FF_MSG_HEARTBEAT && !has_identity(top);
	if (m->type == FF_MSG_HEARTBEAT && !m->compact && (rc = whole_identity(top, err)) != 0)
		return rc;
	if (!m->compact && (rc = parse_identity(m, top, err)) != 0)
		return rc;
	if ((rc = need_uint(&v, top, K_BOOT_ID, UINT32_MAX, "boot_id", err)) < 0)
		return rc;
	m->boot_id = (uint32_t)v;
	if ((rc = get_uint(&m->dropped, top, K_DROPPED, UINT64_MAX, "dropped", err)) < 0)
		return rc;
	payload = get(top, K_PAYLOAD);
	if (m->type == FF_MSG_HEARTBEAT) /* its payload is its values (§8.4) */
		return payload != NULL && cbor_isa_bytestring(payload) ? parse_heartbeat(m, payload, err) :
			ff_error_set(err, FF_ERR_MALFORMED, "message: heartbeat: payload is missing or not a byte string "
				     "(the values)");
	if (payload == NULL || !cbor_isa_map(payload))
		return ff_error_set(err, FF_ERR_MALFORMED, "message: payload is missing or not a map");
	if (m->type == FF_MSG_COREDUMP)
		return parse_coredump(m, payload, err);
	if (m->type == FF_MSG_REBOOT)
		return parse_reboot(m, payload, err);
	return 0;
}

int ff_message_parse(struct ff_message *out, const uint8_t *msg, size_t len, struct ff_error *err)
{
	struct cbor_load_result res;
	cbor_item_t *top;
	int rc;

	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	if (len > FF_MESSAGE_MAX)
		return ff_error_set(err, FF_ERR_TOO_LARGE, "message: %zu bytes (at most %u)", len, FF_MESSAGE_MAX);
	if ((rc = scan_item(msg, len, &pos, 0, err)) != 0)
		return rc;
	if (pos != len)
		return ff_error_set(err, FF_ERR_MALFORMED, "message: %zu bytes follow the CBOR item", len - pos);
	top = cbor_load(msg, len, &res);
	if (top == NULL)
		return ff_error_set(err, res.error.code == CBOR_ERR_MEMERROR ? FF_ERR_NOMEM : FF_ERR_MALFORMED,
				    "message: not well-formed CBOR (libcbor error %d at byte %zu)", res.error.code,
				    res.error.position);
	rc = parse_envelope(out, top, err);
	cbor_decref(&top);
	out->len = len;
	return rc;
}

void ff_message_free(struct ff_message *m)
{
	free(m->core.regions);
	free(m->core.tasks);
	free(m->bytes);
	m->core.regions = NULL;
	m->core.tasks = NULL;
	m->bytes = NULL;
}

const uint8_t *ff_coredump_memory(const struct ff_coredump *c, uint64_t addr, size_t len)
{
	for (size_t i = 0; i < c->nregions; i++) {
		const struct ff_region *r = &c->regions[i];

		if (addr >= r->addr && addr - r->addr <= r->len && len <= r->len - (addr - r->addr))
			return r->data + (addr - r->addr);
	}
	return NULL;
}
