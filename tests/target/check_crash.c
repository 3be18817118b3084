/* SPDX-License-Identifier: Apache-2.0 */
/* check_crash SCENARIO LOG [BUILD_ID]: check a test_faults.c run. LOG holds boot 1's "#T:expect KEY=VALUE" lines and boot
 * 2's serial lines; this reassembles the messages (analysis library), decodes them (libcbor) and checks every
 * expectation, plus what every dump must show. Prints the sizes; exits 1 on the first mismatch. */
#define _POSIX_C_SOURCE 200809L
#include <cbor.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fa/chunk.h"
#include "fa/serial.h"

#define MSG_MAX 65536

#define REGIONS_MAX 16

struct dump {
	uint32_t reason, flags, regs[20], fault[5], fp[33], stack[2], site[2], code;
	size_t nregs, nfp, nregions, region_bytes, msg_len;
	uint32_t region_addr[REGIONS_MAX];
	uint8_t build_id[20];
	bool have_stack, have_site, have_code;
};

static const char *s_scenario;
static struct dump s_dump;
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

static cbor_item_t *get(cbor_item_t *map, uint64_t key)
{
	for (size_t i = 0; i < cbor_map_size(map); i++) {
		struct cbor_pair p = cbor_map_handle(map)[i];

		if (cbor_isa_uint(p.key) && cbor_get_int(p.key) == key)
			return p.value;
	}
	return NULL;
}

static uint32_t get_uint(cbor_item_t *map, uint64_t key)
{
	cbor_item_t *v = get(map, key);

	if (v == NULL || !cbor_isa_uint(v))
		fail("key %" PRIu64 " missing or not a uint", key);
	return (uint32_t)cbor_get_int(v);
}

static size_t get_words(cbor_item_t *map, uint64_t key, uint32_t *out, size_t max)
{
	cbor_item_t *v = get(map, key);
	size_t n;

	if (v == NULL)
		return 0;
	if (!cbor_isa_bytestring(v) || cbor_bytestring_length(v) % 4 != 0)
		fail("key %" PRIu64 " is not a byte string of words", key);
	n = cbor_bytestring_length(v) / 4;
	for (size_t i = 0; i < n && i < max; i++) {
		const uint8_t *b = cbor_bytestring_handle(v) + 4 * i;

		out[i] = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	}
	return n < max ? n : max;
}

static void pair(cbor_item_t *map, uint64_t key, uint32_t out[2], bool *have)
{
	cbor_item_t *v = get(map, key);

	*have = v != NULL;
	if (v == NULL)
		return;
	if (!cbor_isa_array(v) || cbor_array_size(v) != 2)
		fail("key %" PRIu64 " is not a pair", key);
	out[0] = (uint32_t)cbor_get_int(cbor_array_handle(v)[0]);
	out[1] = (uint32_t)cbor_get_int(cbor_array_handle(v)[1]);
}

static void take_message(const uint8_t *msg, size_t len)
{
	struct cbor_load_result res;
	cbor_item_t *m = cbor_load(msg, len, &res), *p, *v, *regions;

	if (m == NULL || res.read != len || !cbor_isa_map(m))
		fail("a %zu-byte message is not one CBOR map", len);
	if (get_uint(m, 0) != 1 || get_uint(m, 2) != 40 || get(m, 3) != NULL)
		fail("envelope: version, arch 40 or bare-metal os wrong");
	v = get(m, 4);
	if (v == NULL || !cbor_isa_bytestring(v) || cbor_bytestring_length(v) != 20)
		fail("envelope: build-id missing or not 20 bytes");
	for (size_t i = 0; i < 20; i++) {
		char hex[3];

		snprintf(hex, sizeof(hex), "%02x", cbor_bytestring_handle(v)[i]);
		if (s_build_id != NULL && strncmp(s_build_id + 2 * i, hex, 2) != 0)
			fail("envelope: build-id is not the image's (%s)", s_build_id);
	}
	v = get(m, 5);
	if (v == NULL || !cbor_isa_string(v) || cbor_string_length(v) != 10 ||
	    memcmp(cbor_string_handle(v), "0.0.0-test", 10) != 0)
		fail("envelope: sw_version is not the port's");
	p = get(m, 9);
	if (p == NULL || !cbor_isa_map(p))
		fail("no payload map");
	if (get_uint(m, 1) == 2) {
		s_have_reboot = true;
		s_reboot_reason = get_uint(p, 1);
		s_reboot_coredump = get(p, 4) != NULL ? get_uint(p, 4) : 0;
	} else if (get_uint(m, 1) == 1) {
		if (s_have_dump)
			fail("two coredumps");
		s_have_dump = true;
		s_dump.msg_len = len;
		s_dump.reason = get_uint(p, 1);
		s_dump.flags = get_uint(p, 2);
		s_dump.nregs = get_words(p, 3, s_dump.regs, 20);
		if (s_dump.nregs != 20 || get_words(p, 4, s_dump.fault, 5) != 5)
			fail("regs or fault words missing");
		s_dump.nfp = get_words(p, 9, s_dump.fp, 33);
		pair(p, 5, s_dump.stack, &s_dump.have_stack);
		pair(p, 7, s_dump.site, &s_dump.have_site);
		s_dump.have_code = get(p, 8) != NULL;
		if (s_dump.have_code)
			s_dump.code = get_uint(p, 8);
		regions = get(p, 6);
		if (regions == NULL || !cbor_isa_array(regions))
			fail("no regions array");
		s_dump.nregions = cbor_array_size(regions);
		for (size_t i = 0; i < s_dump.nregions; i++) {
			cbor_item_t *r = cbor_array_handle(regions)[i];

			if (!cbor_isa_array(r) || cbor_array_size(r) != 3)
				fail("region %zu malformed", i);
			if (i < REGIONS_MAX)
				s_dump.region_addr[i] = (uint32_t)cbor_get_int(cbor_array_handle(r)[0]);
			s_dump.region_bytes += cbor_bytestring_length(cbor_array_handle(r)[2]);
		}
	} else {
		fail("unexpected message type %u", get_uint(m, 1));
	}
	cbor_decref(&m);
}

static void read_log(const char *path, char ***expects, size_t *nexpects)
{
	static uint8_t stream[MSG_MAX + 4];
	static struct fa_serial_record rec;
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, have = 0;
	uint32_t total = 0;
	ssize_t n;
	bool announced = false;

	if (f == NULL)
		fail("cannot open %s", path);
	while ((n = getline(&line, &cap, f)) > 0) {
		struct fa_error err;
		struct fa_chunk c;

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
		switch (fa_serial_parse_line(&rec, line, (size_t)n, &err)) {
		case FA_SERIAL_BAD:
			fail("damaged serial line '%s': %s", line, err.msg);
			break;
		case FA_SERIAL_ANNOUNCE:
			if (strcmp(rec.serial, "qemu-0001") != 0)
				fail("announced serial '%s'", rec.serial);
			announced = true;
			break;
		case FA_SERIAL_CHUNK:
			if (!announced)
				fail("chunk before the serial announcement");
			if (rec.chunk_len > 20)
				fail("a %zu-byte chunk at MTU 20", rec.chunk_len);
			if (fa_chunk_parse(&c, rec.chunk, rec.chunk_len, &err) != 0)
				fail("chunk: %s", err.msg);
			s_chunks++;
			s_wire += rec.chunk_len;
			if (c.kind == FA_CHUNK_FIRST) {
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
		masked(key, val, s_dump.reason);
		masked("reboot", val, s_reboot_reason);
	} else if (strcmp(key, "dump_reason") == 0) {
		masked(key, val, s_dump.reason);
	} else if (strcmp(key, "reboot_reason") == 0) {
		masked(key, val, s_reboot_reason);
	} else if (strcmp(key, "reboot_coredump") == 0) {
		masked(key, val, s_reboot_coredump);
	} else if (strcmp(key, "sp") == 0) {
		range(key, val, s_dump.regs[13]);
	} else if (strcmp(key, "xpsr") == 0) {
		masked(key, val, s_dump.regs[16]);
	} else if (strcmp(key, "has_region") == 0) {
		unsigned long a = strtoul(val, NULL, 16);
		size_t i = 0;

		while (i < s_dump.nregions && i < REGIONS_MAX && s_dump.region_addr[i] != a)
			i++;
		if (i == s_dump.nregions || i == REGIONS_MAX)
			fail("no captured region at 0x%08lx", a);
		printf("  %-7s 0x%08lx\n", "region", a);
	} else if (strcmp(key, "cfsr") == 0) {
		masked(key, val, s_dump.fault[0]);
	} else if (strcmp(key, "hfsr") == 0) {
		masked(key, val, s_dump.fault[1]);
	} else if (strcmp(key, "mmfar") == 0) {
		masked(key, val, s_dump.fault[2]);
	} else if (strcmp(key, "bfar") == 0) {
		masked(key, val, s_dump.fault[3]);
	} else if (strcmp(key, "flags") == 0) {
		masked(key, val, s_dump.flags);
	} else if (strcmp(key, "excret") == 0) {
		masked(key, val, s_dump.regs[19]);
	} else if (strcmp(key, "pc") == 0) {
		range(key, val, s_dump.regs[15]);
	} else if (strcmp(key, "lr") == 0) {
		range(key, val, s_dump.regs[14] & ~1u);
	} else if (strcmp(key, "site") == 0) {
		if (!s_dump.have_site)
			fail("no site in the dump");
		range(key, val, s_dump.site[0] & ~1u);
	} else if (strcmp(key, "code") == 0) {
		if (!s_dump.have_code)
			fail("no code in the dump");
		masked(key, val, s_dump.code);
	} else if (strcmp(key, "s0") == 0 || strcmp(key, "s16") == 0) {
		if (s_dump.nfp != 33)
			fail("no FPU registers in the dump");
		masked(key, val, s_dump.fp[key[1] == '0' ? 0 : 16]);
	} else if (strcmp(key, "stack") == 0) {
		unsigned long lo, hi;

		if (sscanf(val, "%lx-%lx", &lo, &hi) != 2 || !s_dump.have_stack || s_dump.stack[0] != lo ||
		    s_dump.stack[1] != hi)
			fail("stack bounds [0x%08x, 0x%08x), expected %s", s_dump.stack[0], s_dump.stack[1], val);
		printf("  %-7s [0x%08x, 0x%08x)\n", key, s_dump.stack[0], s_dump.stack[1]);
	} else if (strcmp(key, "region") == 0) {
		masked(key, val, s_dump.region_addr[0]);
	} else {
		fail("unknown expectation key '%s'", key);
	}
}

int main(int argc, char **argv)
{
	char **expects = NULL;
	size_t nexpects = 0;

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
	printf("%s: coredump %zu bytes (%zu in %zu regions), %zu chunks, %zu bytes on the wire at MTU 20\n",
	       s_scenario, s_dump.msg_len, s_dump.region_bytes, s_dump.nregions, s_chunks, s_wire);
	if ((s_dump.flags & 2) == 0 && s_dump.region_addr[0] != s_dump.regs[13])
		fail("the stack capture starts at 0x%08x, not at sp 0x%08x", s_dump.region_addr[0], s_dump.regs[13]);
	for (size_t i = 0; i < nexpects; i++) {
		check(expects[i]);
		free(expects[i]);
	}
	free(expects);
	return 0;
}
