/* SPDX-License-Identifier: Apache-2.0 */
/* Coredumps in storage (docs/FORMAT.md §8.1, §9): planned against the space, written front to back in their wire
 * form with the header last, checked at boot, streamed out by the chunker, then marked read and erased. */
#include <string.h>

#include "chunk_private.h"
#include "coredump_private.h"
#include "crc32_private.h"
#include "faultline/capture.h"
#include "faultline/compiler.h"
#include "faultline/faultline.h"
#include "faultline/port.h"
#include "message_private.h"
#include "reboot_private.h"

#define HEADER_MAGIC 0x44434c46u /* "FLCD" read as a little-endian u32 */
#define LAYOUT_VERSION 1u
#define HEADER_SIZE 32u
#define STORAGE_MIN 1024u
#define PORT_REGIONS_MAX 4u
#define REGIONS_CAP (1u + FL_COREDUMP_REGIONS_MAX + PORT_REGIONS_MAX)
#define CLIP_MIN 16u /* a region clipped to fewer bytes than this is left out */
#define FLAG_TRUNCATED 0x1u

/* Coredump payload keys (docs/FORMAT.md §8.1). */
enum {
	KEY_REASON = 1,
	KEY_FLAGS = 2,
	KEY_REGS = 3,
	KEY_FAULT = 4,
	KEY_STACK = 5,
	KEY_REGIONS = 6,
	KEY_SITE = 7,
	KEY_CODE = 8,
	KEY_FPREGS = 9,
	KEY_UPTIME = 10,
	KEY_SIGNAL = 11,
};

struct plan {
	struct fl_region r[REGIONS_CAP];
	size_t n;
	uint32_t flags;
};

/* A sink that programs storage one write granule at a time. */
struct flash_sink {
	struct fl_sink base;
	uint32_t at; /* storage offset of unit[0] */
	uint32_t granule;
	uint32_t fill;
	uint32_t crc;
	int err;
	uint8_t unit[FL_STORAGE_GRANULE_MAX];
};

static struct {
	struct fl_storage_info info;
	uint32_t header_slot; /* H: the header rounded up to the write granule */
	uint32_t marker_slot; /* R: the read marker rounded up to the write granule */
	int state;    /* FL_STORAGE_*, meaningful once ready */
	bool ready;   /* fl_coredump_boot() accepted the storage */
	bool sending; /* the chunker started the saved dump; an erase ends it */
	/* the saved dump, as its header describes it */
	uint32_t msg_off, msg_len, marker_off, marker_size;
	struct fl_region regions[FL_COREDUMP_REGIONS_MAX];
	size_t nregions;
	struct {
		uint16_t reason;
		uint32_t code;
		uintptr_t pc, lr;
	} pending;
} s_dump;

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1u) & ~(a - 1u);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Walk storage [off, off + len) in small pieces: accumulate the CRC into *crc (when not NULL) and tell whether
 * it is all 0xFF (*erased). Returns 0 or FL_ERR_IO. */
static int scan(uint32_t off, uint32_t len, uint32_t *crc, bool *erased)
{
	uint8_t b[32];

	*erased = true;
	while (len > 0) {
		uint32_t n = len < sizeof(b) ? len : (uint32_t)sizeof(b);

		if (fl_port_storage_read(off, b, n) != 0)
			return FL_ERR_IO;
		for (uint32_t i = 0; i < n; i++)
			*erased = *erased && b[i] == 0xffu;
		if (crc != NULL)
			*crc = fl_crc32_update(*crc, b, n);
		off += n;
		len -= n;
	}
	return 0;
}

/* Within [0, size) and not overlapping [other, other + other_len). */
static bool span_ok(uint32_t off, uint32_t len, uint32_t size, uint32_t other, uint32_t other_len)
{
	return len > 0 && off <= size && len <= size - off && (off + len <= other || other + other_len <= off);
}

static bool all_erased(const uint8_t *b, size_t n)
{
	while (n > 0 && b[n - 1] == 0xffu)
		n--;
	return n == 0;
}

static int classify(void)
{
	uint8_t h[HEADER_SIZE];
	uint32_t crc = 0, size = s_dump.info.size;
	bool erased;
	int rc;

	if (fl_port_storage_read(0, h, sizeof(h)) != 0)
		return FL_ERR_IO;
	if (all_erased(h, sizeof(h))) {
		/* The fault path writes only into erased flash, so check all of it: the area may have held something
		 * else before (docs/FORMAT.md §9). */
		rc = scan(0, s_dump.info.size, NULL, &erased);
		return rc != 0 ? rc : erased ? FL_STORAGE_EMPTY : FL_STORAGE_INVALID;
	}
	if (get_le32(h) != HEADER_MAGIC || h[4] != LAYOUT_VERSION || (h[6] | h[7] << 8) != HEADER_SIZE ||
	    get_le32(h + 28) != fl_crc32_update(0, h, HEADER_SIZE - 4))
		return FL_STORAGE_INVALID;
	s_dump.msg_off = get_le32(h + 8);
	s_dump.msg_len = get_le32(h + 12);
	s_dump.marker_off = get_le32(h + 20);
	s_dump.marker_size = get_le32(h + 24);
	if (!span_ok(s_dump.msg_off, s_dump.msg_len, size, 0, HEADER_SIZE) ||
	    !span_ok(s_dump.marker_off, s_dump.marker_size, size, 0, HEADER_SIZE) ||
	    !span_ok(s_dump.marker_off, s_dump.marker_size, size, s_dump.msg_off, s_dump.msg_len))
		return FL_STORAGE_INVALID;
	rc = scan(s_dump.msg_off, s_dump.msg_len, &crc, &erased);
	if (rc != 0)
		return rc;
	if (crc != get_le32(h + 16))
		return FL_STORAGE_INVALID;
	rc = scan(s_dump.marker_off, s_dump.marker_size, NULL, &erased);
	return rc != 0 ? rc : erased ? FL_STORAGE_UNREAD : FL_STORAGE_READ;
}

/* Erase from the last sector to the first, so the header goes last: a reset part way leaves either the header
 * (and a message whose CRC no longer matches: invalid, erased again) or an erased header over an erased area. */
static int erase_all(void)
{
	uint32_t sector = s_dump.info.sector_size;

	s_dump.msg_len = 0;
	s_dump.sending = false;
	for (uint32_t off = s_dump.info.size; off > 0; off -= sector) {
		if (fl_port_storage_erase(off - sector, sector) != 0) {
			s_dump.state = FL_STORAGE_FAILED;
			return FL_ERR_IO;
		}
	}
	s_dump.state = FL_STORAGE_EMPTY;
	return 0;
}

int fl_coredump_boot(void)
{
	struct fl_storage_info *i = &s_dump.info;
	int found;

	s_dump.ready = false;
	s_dump.sending = false;
	s_dump.state = FL_STORAGE_FAILED;
	s_dump.msg_len = 0;
	s_dump.nregions = 0;
	s_dump.pending.reason = 0;
	fl_port_storage_info(i);
	if (i->write_granule == 0 || i->write_granule > FL_STORAGE_GRANULE_MAX ||
	    (i->write_granule & (i->write_granule - 1u)) != 0 || i->sector_size == 0 || i->size < STORAGE_MIN ||
	    i->size % i->sector_size != 0)
		return FL_ERR_INVALID_ARG;
	s_dump.ready = true;
	s_dump.header_slot = align_up(HEADER_SIZE, i->write_granule);
	s_dump.marker_slot = align_up(4, i->write_granule);
	found = classify();
	if (found < 0)
		return found;
	if (found == FL_STORAGE_UNREAD || found == FL_STORAGE_EMPTY) {
		s_dump.state = found;
		if (found == FL_STORAGE_EMPTY)
			s_dump.msg_len = 0;
		return found;
	}
	return erase_all() == 0 ? found : FL_ERR_IO;
}

bool fl_coredump_pending(void)
{
	return s_dump.state == FL_STORAGE_UNREAD;
}

static uint32_t source_start(void)
{
	s_dump.sending = true;
	return s_dump.msg_len;
}

static bool source_dropped(void)
{
	return !s_dump.sending;
}

static int source_read(uint32_t off, uint8_t *dst, uint32_t n)
{
	return fl_port_storage_read(s_dump.msg_off + off, dst, n) == 0 ? 0 : FL_ERR_IO;
}

/* The dump's last chunk was taken: program the read marker, then erase. */
static void source_sent(void)
{
	static const uint8_t k_zero[FL_STORAGE_GRANULE_MAX];
	uint32_t g = s_dump.info.write_granule;

	/* The marker is written in our granule; a dump from a build with another geometry is just erased. */
	if (s_dump.marker_off % g == 0 && s_dump.marker_size % g == 0) {
		for (uint32_t off = 0; off < s_dump.marker_size; off += g)
			fl_port_storage_write(s_dump.marker_off + off, k_zero, g);
	}
	erase_all();
}

const struct fl_chunk_source fl_coredump_source = {fl_coredump_pending, source_start, source_dropped, source_read,
						   source_sent};

int fl_coredump_clear(void)
{
	if (s_dump.state != FL_STORAGE_UNREAD)
		return FL_ERR_NO_DATA;
	return erase_all(); /* the chunker sees the dump dropped (source_dropped) and abandons it */
}

int fl_coredump_add_region(const void *addr, size_t len)
{
	if (len == 0)
		return FL_ERR_INVALID_ARG;
	if (s_dump.nregions >= FL_COREDUMP_REGIONS_MAX)
		return FL_ERR_NO_SPACE;
	s_dump.regions[s_dump.nregions].addr = (uintptr_t)addr;
	s_dump.regions[s_dump.nregions].len = len;
	s_dump.nregions++;
	return 0;
}

void fl_coredump_set_pending(uint16_t reason, uint32_t code, uintptr_t pc, uintptr_t lr)
{
	s_dump.pending.reason = reason;
	s_dump.pending.code = code;
	s_dump.pending.pc = pc;
	s_dump.pending.lr = lr;
}

uint16_t fl_capture_pending_reason(void)
{
	return s_dump.pending.reason;
}

/* ---- the fault path ---- */

/* Bytes go through unit[] and the CRC is taken there, right before programming: so the CRC matches what storage
 * holds even when a captured region is memory that changes while it is copied (the fault stack itself). Captured
 * memory is read as it is, also where AddressSanitizer marks a redzone (host builds). */
FL_NO_SANITIZE_ADDRESS static void flash_write(struct fl_sink *sink, const uint8_t *data, size_t len)
{
	struct flash_sink *f = (struct flash_sink *)sink;

	while (len > 0 && f->err == 0) {
		size_t n = f->granule - f->fill < len ? f->granule - f->fill : len;

		for (size_t i = 0; i < n; i++) /* byte by byte: a captured region may even cover unit[] */
			f->unit[f->fill + i] = data[i];
		f->fill += (uint32_t)n;
		data += n;
		len -= n;
		if (f->fill == f->granule) {
			f->crc = fl_crc32_update(f->crc, f->unit, f->granule);
			f->err = fl_port_storage_write(f->at, f->unit, f->granule);
			f->at += f->granule;
			f->fill = 0;
		}
	}
}

static void flash_init(struct flash_sink *f, uint32_t at)
{
	f->base.write = flash_write;
	f->base.pos = 0;
	f->at = at;
	f->granule = s_dump.info.write_granule;
	f->fill = 0;
	f->crc = 0;
	f->err = 0;
}

static int flash_flush(struct flash_sink *f)
{
	if (f->fill > 0 && f->err == 0) {
		f->crc = fl_crc32_update(f->crc, f->unit, f->fill);
		memset(f->unit + f->fill, 0xff, f->granule - f->fill);
		f->err = fl_port_storage_write(f->at, f->unit, f->granule);
	}
	return f->err == 0 ? 0 : FL_ERR_IO;
}

static void plan_add(struct plan *p, uintptr_t addr, size_t len)
{
	len = fl_port_memory_readable(addr, len);
	if (len > 0 && p->n < REGIONS_CAP) {
		p->r[p->n].addr = addr;
		p->r[p->n].len = len;
		p->n++;
	}
}

static void plan_regions(struct plan *p, const struct fl_capture *c)
{
	struct fl_region extra[PORT_REGIONS_MAX];
	size_t nextra;

	p->n = 0;
	p->flags = c->flags;
	if (c->sp != 0) {
		bool bounded = c->stack_hi > c->stack_lo;
		/* An overflowed sp lies below the stack: capture from the stack's bottom, where the deepest frames are. */
		uintptr_t start = bounded && c->sp < c->stack_lo ? c->stack_lo : c->sp;
		uintptr_t end = start + FL_COREDUMP_STACK_MAX;

		if (bounded && end > c->stack_hi)
			end = c->stack_hi;
		if (end > start)
			plan_add(p, start, end - start);
	}
	for (size_t i = 0; i < s_dump.nregions; i++)
		plan_add(p, s_dump.regions[i].addr, s_dump.regions[i].len);
	nextra = fl_port_coredump_regions(extra, PORT_REGIONS_MAX);
	for (size_t i = 0; i < nextra && i < PORT_REGIONS_MAX; i++)
		plan_add(p, extra[i].addr, extra[i].len);
}

/* The whole message: envelope, then the coredump payload map. */
static void encode(struct fl_sink *s, const struct fl_capture *c, const struct plan *p)
{
	uint16_t reason = s_dump.pending.reason != 0 ? s_dump.pending.reason : c->reason;
	bool site = s_dump.pending.reason != 0, code = s_dump.pending.reason == FL_REASON_FATAL_ERROR;
	bool stack = c->stack_hi > c->stack_lo, fault = c->fault != NULL, fp = c->fpregs != NULL;
	uint64_t uptime = fl_port_uptime_ms();

	fl_message_begin(s, FL_MSG_COREDUMP, 0);
	fl_cbor_map(s, 4u + fault + stack + site + code + fp + (uptime != 0) + (c->signal != NULL));
	fl_cbor_key_uint(s, KEY_REASON, reason);
	fl_cbor_key_uint(s, KEY_FLAGS, p->flags);
	fl_cbor_uint(s, KEY_REGS);
	fl_cbor_words(s, c->regs, c->nregs);
	if (fault) {
		fl_cbor_uint(s, KEY_FAULT);
		fl_cbor_words32(s, c->fault, c->nfault);
	}
	if (stack) {
		fl_cbor_key_pair(s, KEY_STACK, c->stack_lo, c->stack_hi);
	}
	fl_cbor_uint(s, KEY_REGIONS);
	fl_cbor_array(s, p->n);
	for (size_t i = 0; i < p->n; i++) {
		fl_cbor_array(s, 3);
		fl_cbor_uint(s, p->r[i].addr);
		fl_cbor_uint(s, 0); /* raw */
		fl_cbor_bytes(s, (const void *)p->r[i].addr, p->r[i].len);
	}
	if (site) {
		fl_cbor_key_pair(s, KEY_SITE, s_dump.pending.pc, s_dump.pending.lr);
	}
	if (code) {
		fl_cbor_key_uint(s, KEY_CODE, s_dump.pending.code);
	}
	if (fp) {
		fl_cbor_uint(s, KEY_FPREGS);
		fl_cbor_words32(s, c->fpregs, c->nfpregs);
	}
	if (uptime != 0) {
		fl_cbor_key_u64(s, KEY_UPTIME, uptime);
	}
	if (c->signal != NULL) {
		fl_cbor_uint(s, KEY_SIGNAL);
		fl_cbor_array(s, 3);
		for (int i = 0; i < 3; i++)
			fl_cbor_uint(s, c->signal[i]);
	}
}

static uint32_t measure(const struct fl_capture *c, const struct plan *p)
{
	struct fl_sink count = {NULL, 0};

	encode(&count, c, p);
	return count.pos;
}

/* Keep the message within budget bytes: regions in priority order, the first that does not fit clipped (its
 * start kept: for the stack, the frames nearest the fault), the rest left out. */
static int fit(const struct fl_capture *c, struct plan *p, uint32_t budget)
{
	size_t all = p->n;

	if (measure(c, p) <= budget)
		return 0;
	p->flags |= FLAG_TRUNCATED;
	for (p->n = 1; p->n <= all; p->n++) {
		struct fl_region *r = &p->r[p->n - 1];
		uint32_t size = measure(c, p);

		if (size <= budget)
			continue;
		r->len = size - budget < r->len ? r->len - (size - budget) : 0;
		while (r->len > 0 && measure(c, p) > budget)
			r->len--;
		if (r->len < CLIP_MIN)
			p->n--;
		break;
	}
	if (p->n > all)
		p->n = all;
	return measure(c, p) <= budget ? 0 : FL_ERR_NO_SPACE;
}

static int write_dump(const struct fl_capture *c)
{
	struct plan p;
	struct flash_sink f;
	uint8_t h[HEADER_SIZE];
	uint32_t msg_off = s_dump.header_slot + s_dump.marker_slot, budget, len;
	bool erased;
	int rc;

	/* Trust RAM state only as far as storage confirms it: the crash may have scribbled on it. */
	if (!s_dump.ready || s_dump.state != FL_STORAGE_EMPTY || scan(0, HEADER_SIZE, NULL, &erased) != 0 || !erased)
		return FL_ERR_STATE;
	budget = (s_dump.info.size - msg_off) & ~(s_dump.info.write_granule - 1u);
	plan_regions(&p, c);
	rc = fit(c, &p, budget);
	if (rc != 0)
		return rc;

	flash_init(&f, msg_off);
	encode(&f.base, c, &p);
	rc = flash_flush(&f);
	if (rc != 0)
		return rc;
	len = f.base.pos;

	put_le32(h, HEADER_MAGIC);
	h[4] = LAYOUT_VERSION;
	h[5] = 0;
	h[6] = HEADER_SIZE;
	h[7] = 0;
	put_le32(h + 8, msg_off);
	put_le32(h + 12, len);
	put_le32(h + 16, f.crc);
	put_le32(h + 20, s_dump.header_slot);
	put_le32(h + 24, s_dump.marker_slot);
	put_le32(h + 28, fl_crc32_update(0, h, HEADER_SIZE - 4));
	flash_init(&f, 0);
	fl_sink_put(&f.base, h, sizeof(h));
	rc = flash_flush(&f);
	if (rc != 0)
		return rc;

	s_dump.state = FL_STORAGE_UNREAD;
	s_dump.msg_off = msg_off;
	s_dump.msg_len = len;
	s_dump.marker_off = s_dump.header_slot;
	s_dump.marker_size = s_dump.marker_slot;
	return 0;
}

int fl_coredump_save(const struct fl_capture *c)
{
	int rc = write_dump(c);

	fl_reboot_record(s_dump.pending.reason != 0 ? s_dump.pending.reason : c->reason, s_dump.pending.pc,
			 s_dump.pending.lr, rc == 0);
	return rc;
}
