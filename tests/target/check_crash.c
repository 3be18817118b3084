/* SPDX-License-Identifier: Apache-2.0 */
/* check_crash SCENARIO LOG [BUILD_ID]: check a test_faults.c run. LOG holds boot 1's "#T:expect KEY=VALUE ..."
 * lines (and "#T:expect-line KEY=VALUE" for one value with spaces) and boot 2's serial lines; this reassembles the
 * messages and decodes them (analysis library), and checks every expectation, plus what every dump must show.
 * Prints the sizes; exits 1 on the first mismatch. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fa/fault.h"
#include "ff/chunk.h"
#include "ff/message.h"
#include "ff/serial.h"

#define MSG_MAX 65536

static const char *s_scenario;
static struct ff_message s_dump;
static bool s_have_dump, s_have_reboot;
static uint32_t s_reboot_reason, s_reboot_coredump;
static size_t s_chunks, s_wire;
static const char *s_build_id; /* hex, from the ELF */

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "check_crash %s: ", s_scenario);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* One reassembled message, decoded by the analysis library: every message must be from this image. */
static void take_message(const uint8_t *msg, size_t len)
{
	struct ff_message m;
	struct ff_error err = {0};

	if (ff_message_parse(&m, msg, len, &err) != 0)
		fail("a %zu-byte message does not decode: %s", len, err.msg);
	if (m.arch != 40 || m.os != 0 || strcmp(m.sw_version, "0.0.0-test") != 0)
		fail("envelope: arch %u, os %u, sw_version '%s'", m.arch, m.os, m.sw_version);
	if (m.notes[0] != '\0')
		fail("decoding notes: %s", m.notes);
	for (size_t i = 0; s_build_id != NULL && i < 20; i++) {
		char hex[3];

		snprintf(hex, sizeof(hex), "%02x", m.build_id[i]);
		if (m.build_id_len != 20 || strncmp(s_build_id + 2 * i, hex, 2) != 0)
			fail("envelope: the build-id is not the image's (%s)", s_build_id);
	}
	if (m.type == FF_MSG_REBOOT) {
		s_have_reboot = true;
		s_reboot_reason = m.reboot.reason;
		s_reboot_coredump = m.reboot.coredump;
		ff_message_free(&m);
	} else if (m.type == FF_MSG_COREDUMP) {
		if (s_have_dump)
			fail("two coredumps");
		if (!m.core.has_fault)
			fail("no fault status registers");
		s_have_dump = true;
		s_dump = m;
	} else {
		fail("unexpected message type %u", m.type);
	}
}

static void read_log(const char *path, char ***expects, size_t *nexpects)
{
	static uint8_t stream[MSG_MAX + 4];
	static struct ff_serial_record rec;
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, have = 0;
	uint32_t total = 0;
	ssize_t n;
	bool announced = false;

	if (f == NULL)
		fail("cannot open %s", path);
	while ((n = getline(&line, &cap, f)) > 0) {
		struct ff_error err;
		struct ff_chunk c;

		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (strncmp(line, "#T:expect ", 10) == 0) {
			for (char *save = NULL, *tok = strtok_r(line + 10, " ", &save); tok != NULL;
			     tok = strtok_r(NULL, " ", &save)) {
				*expects = realloc(*expects, (*nexpects + 1) * sizeof(char *));
				(*expects)[(*nexpects)++] = strdup(tok);
			}
			continue;
		}
		if (strncmp(line, "#T:expect-line ", 15) == 0) {
			*expects = realloc(*expects, (*nexpects + 1) * sizeof(char *));
			(*expects)[(*nexpects)++] = strdup(line + 15);
			continue;
		}
		switch (ff_serial_parse_line(&rec, line, (size_t)n, &err)) {
		case FF_SERIAL_BAD:
			fail("damaged serial line '%s': %s", line, err.msg);
			break;
		case FF_SERIAL_ANNOUNCE:
			if (strcmp(rec.serial, "qemu-0001") != 0)
				fail("announced serial '%s'", rec.serial);
			announced = true;
			break;
		case FF_SERIAL_CHUNK:
			if (!announced)
				fail("chunk before the serial announcement");
			if (rec.chunk_len > 20)
				fail("a %zu-byte chunk at MTU 20", rec.chunk_len);
			if (ff_chunk_parse(&c, rec.chunk, rec.chunk_len, &err) != 0)
				fail("chunk: %s", err.msg);
			s_chunks++;
			s_wire += rec.chunk_len;
			if (c.kind == FF_CHUNK_FIRST) {
				total = c.total;
				have = 0;
				if (total > MSG_MAX)
					fail("message of %u bytes", total);
			}
			if (c.offset != have || c.offset + c.len > total + 4)
				fail("chunk at offset %u, expected %zu", c.offset, have);
			memcpy(stream + c.offset, c.data, c.len);
			have += c.len;
			if (have == total + 4) {
				uint32_t crc = (uint32_t)crc32(0, stream, total);

				if (memcmp(stream + total, (uint8_t[]){crc, crc >> 8, crc >> 16, crc >> 24}, 4) != 0)
					fail("CRC trailer mismatch");
				take_message(stream, total);
				have = 0;
			}
			break;
		default:
			break;
		}
	}
	free(line);
	fclose(f);
	if (have != 0)
		fail("a message was cut off");
}

static void range(const char *key, const char *val, uint32_t got)
{
	unsigned long lo, hi;

	if (sscanf(val, "%lx-%lx", &lo, &hi) != 2)
		fail("bad expectation %s=%s", key, val);
	if (got < lo || got >= hi)
		fail("%s = 0x%08x, expected in [0x%08lx, 0x%08lx)", key, got, lo, hi);
	printf("  %-7s 0x%08x in [0x%08lx, 0x%08lx)\n", key, got, lo, hi);
}

static void masked(const char *key, const char *val, uint32_t got)
{
	unsigned long want, mask = 0xffffffffu;

	if (sscanf(val, "%lx/%lx", &want, &mask) < 1)
		fail("bad expectation %s=%s", key, val);
	if ((got & mask) != want)
		fail("%s = 0x%08x, expected 0x%08lx under mask 0x%08lx", key, got, want, mask);
	printf("  %-7s 0x%08x\n", key, got);
}

static void check(const char *expect)
{
	char key[32];
	const char *eq = strchr(expect, '='), *val;

	if (eq == NULL || (size_t)(eq - expect) >= sizeof(key))
		fail("bad expectation '%s'", expect);
	memcpy(key, expect, (size_t)(eq - expect));
	key[eq - expect] = '\0';
	val = eq + 1;
	if (strcmp(key, "reason") == 0) {
		masked(key, val, s_dump.core.reason);
		masked("reboot", val, s_reboot_reason);
	} else if (strcmp(key, "dump_reason") == 0) {
		masked(key, val, s_dump.core.reason);
	} else if (strcmp(key, "reboot_reason") == 0) {
		masked(key, val, s_reboot_reason);
	} else if (strcmp(key, "reboot_coredump") == 0) {
		masked(key, val, s_reboot_coredump);
	} else if (strcmp(key, "sp") == 0) {
		range(key, val, (uint32_t)s_dump.core.regs[13]);
	} else if (strcmp(key, "xpsr") == 0) {
		masked(key, val, (uint32_t)s_dump.core.regs[16]);
	} else if (strcmp(key, "has_region") == 0) {
		unsigned long a = strtoul(val, NULL, 16);
		size_t i = 0;

		while (i < s_dump.core.nregions && s_dump.core.regions[i].addr != a)
			i++;
		if (i == s_dump.core.nregions)
			fail("no captured region at 0x%08lx", a);
		printf("  %-7s 0x%08lx\n", "region", a);
	} else if (strcmp(key, "cfsr") == 0) {
		masked(key, val, s_dump.core.fault[0]);
	} else if (strcmp(key, "hfsr") == 0) {
		masked(key, val, s_dump.core.fault[1]);
	} else if (strcmp(key, "mmfar") == 0) {
		masked(key, val, s_dump.core.fault[2]);
	} else if (strcmp(key, "bfar") == 0) {
		masked(key, val, s_dump.core.fault[3]);
	} else if (strcmp(key, "flags") == 0) {
		masked(key, val, s_dump.core.flags);
	} else if (strcmp(key, "excret") == 0) {
		masked(key, val, (uint32_t)s_dump.core.regs[19]);
	} else if (strcmp(key, "pc") == 0) {
		range(key, val, (uint32_t)s_dump.core.regs[15]);
	} else if (strcmp(key, "lr") == 0) {
		range(key, val, (uint32_t)s_dump.core.regs[14] & ~1u);
	} else if (strcmp(key, "site") == 0) {
		if (!s_dump.core.has_site)
			fail("no site in the dump");
		range(key, val, (uint32_t)s_dump.core.site_pc & ~1u);
	} else if (strcmp(key, "code") == 0) {
		if (!s_dump.core.has_code)
			fail("no code in the dump");
		masked(key, val, (uint32_t)s_dump.core.code);
	} else if (strcmp(key, "s0") == 0 || strcmp(key, "s16") == 0 || strcmp(key, "fpscr") == 0) {
		if (!s_dump.core.has_fpregs)
			fail("no FPU registers in the dump");
		masked(key, val, s_dump.core.fpregs[key[0] == 'f' ? 32 : key[1] == '0' ? 0 : 16]);
	} else if (strcmp(key, "stack") == 0) {
		unsigned long lo, hi;

		if (sscanf(val, "%lx-%lx", &lo, &hi) != 2 || !s_dump.core.has_stack || s_dump.core.stack_lo != lo ||
		    s_dump.core.stack_hi != hi)
			fail("stack bounds [0x%08llx, 0x%08llx), expected %s", (unsigned long long)s_dump.core.stack_lo,
			     (unsigned long long)s_dump.core.stack_hi, val);
		printf("  %-7s [0x%08llx, 0x%08llx)\n", key, (unsigned long long)s_dump.core.stack_lo,
		       (unsigned long long)s_dump.core.stack_hi);
	} else if (strcmp(key, "region") == 0) {
		masked(key, val, (uint32_t)s_dump.core.regions[0].addr);
	} else if (strcmp(key, "kind") == 0 || strcmp(key, "text") == 0) {
		struct fa_fault f;
		const char *got = key[0] == 'k' ? f.kind : f.text;

		fa_fault_explain(&f, &s_dump, NULL); /* without the ELF: "accessing", never "writing" */
		if (strcmp(got, val) != 0)
			fail("fault %s '%s', expected '%s'", key, got, val);
		printf("  %-7s %s\n", key, got);
	} else {
		fail("unknown expectation key '%s'", key);
	}
}

int main(int argc, char **argv)
{
	char **expects = NULL;
	size_t nexpects = 0, region_bytes = 0;
	uint64_t start;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: check_crash SCENARIO LOG [BUILD_ID_HEX]\n");
		return 2;
	}
	s_scenario = argv[1];
	s_build_id = argc == 4 ? argv[3] : NULL;
	if (s_build_id != NULL && strlen(s_build_id) != 40)
		fail("build-id argument '%s' is not 20 bytes of hex", s_build_id);
	read_log(argv[2], &expects, &nexpects);
	if (!s_have_dump || !s_have_reboot)
		fail("the log holds %s", s_have_dump ? "no reboot event" : "no coredump");
	if (nexpects == 0)
		fail("no expectations in the log: did boot 1 run the scenario?");
	for (size_t i = 0; i < s_dump.core.nregions; i++)
		region_bytes += s_dump.core.regions[i].len;
	printf("%s: coredump %zu bytes (%zu in %zu regions), %zu chunks, %zu bytes on the wire at MTU 20\n",
	       s_scenario, s_dump.len, region_bytes, s_dump.core.nregions, s_chunks, s_wire);
	/* The capture starts at sp, or at the stack's low limit when sp is below it (an overflow). */
	start = s_dump.core.regs[FF_CM_SP];
	if (s_dump.core.has_stack && start < s_dump.core.stack_lo)
		start = s_dump.core.stack_lo;
	if ((s_dump.core.flags & FF_FLAG_FRAME_UNRELIABLE) == 0 && s_dump.core.nregions > 0 &&
	    s_dump.core.regions[0].addr != start)
		fail("the stack capture starts at 0x%08llx, not at 0x%08llx (sp 0x%08llx)",
		     (unsigned long long)s_dump.core.regions[0].addr, (unsigned long long)start,
		     (unsigned long long)s_dump.core.regs[FF_CM_SP]);
	for (size_t i = 0; i < nexpects; i++) {
		check(expects[i]);
		free(expects[i]);
	}
	free(expects);
	ff_message_free(&s_dump);
	return 0;
}
