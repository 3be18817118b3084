/* SPDX-License-Identifier: Apache-2.0 */
/* Coredump storage (docs/FORMAT.md §9, storage_private.h): header slot, read marker, message; classified at boot,
 * written front to back with the header last, read out by the chunker, then marked read and erased. */
#include <string.h>

#include "chunk_private.h"
#include "crc32_private.h"
#include "faultline/compiler.h"
#include "faultline/coredump.h"
#include "faultline/errors.h"
#include "faultline/port.h"
#include "le_private.h"
#include "storage_private.h"

#define HEADER_MAGIC 0x44434c46u /* "FLCD" read as a little-endian u32 */
#define LAYOUT_VERSION 1u
#define STORAGE_MIN 1024u

/* The header: its fields' offsets (docs/FORMAT.md §9). */
enum {
	HEADER_AT_MAGIC = 0,        /* u32 HEADER_MAGIC */
	HEADER_AT_VERSION = 4,      /* u8 LAYOUT_VERSION */
	HEADER_AT_RESERVED = 5,     /* u8 0 */
	HEADER_AT_SIZE = 6,         /* u16 HEADER_SIZE */
	HEADER_AT_MSG_OFF = 8,      /* u32: H + R */
	HEADER_AT_MSG_LEN = 12,     /* u32 */
	HEADER_AT_MSG_CRC = 16,     /* u32: CRC-32 of the message, the chunk layer's trailer */
	HEADER_AT_MARKER_OFF = 20,  /* u32: H */
	HEADER_AT_MARKER_SIZE = 24, /* u32: R */
	HEADER_AT_CRC = 28,         /* u32: CRC-32 of the bytes before it */
	HEADER_SIZE = 32,
};

static struct {
	struct fl_storage_info info;
	uint32_t header_slot; /* H: the header rounded up to the write granule */
	uint32_t marker_slot; /* R: the read marker rounded up to the write granule */
	int state;    /* FL_STORAGE_*; FL_STORAGE_FAILED until fl_storage_boot() accepted the description */
	bool sending; /* the chunker started the saved dump; fl_coredump_clear() ends it */
	/* the saved dump, as its header describes it (meaningful in FL_STORAGE_UNREAD) */
	uint32_t msg_off, msg_len, marker_off, marker_size;
} s_store;

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1u) & ~(a - 1u);
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

static int classify(void)
{
	uint8_t h[HEADER_SIZE];
	uint32_t crc = 0, size = s_store.info.size;
	bool erased;
	int rc;

	if (fl_port_storage_read(0, h, sizeof(h)) != 0)
		return FL_ERR_IO;
	if (fl_le_get(h + HEADER_AT_MAGIC, 4) != HEADER_MAGIC || h[HEADER_AT_VERSION] != LAYOUT_VERSION ||
	    fl_le_get(h + HEADER_AT_SIZE, 2) != HEADER_SIZE ||
	    fl_le_get(h + HEADER_AT_CRC, 4) != fl_crc32_update(0, h, HEADER_AT_CRC)) {
		/* No dump: empty only if all of the area is erased. The fault path writes only into erased flash, so
		 * an erased header is not enough: the area may have held something else before (docs/FORMAT.md §9). */
		rc = scan(0, size, NULL, &erased);
		return rc != 0 ? rc : erased ? FL_STORAGE_EMPTY : FL_STORAGE_INVALID;
	}
	s_store.msg_off = fl_le_get(h + HEADER_AT_MSG_OFF, 4);
	s_store.msg_len = fl_le_get(h + HEADER_AT_MSG_LEN, 4);
	s_store.marker_off = fl_le_get(h + HEADER_AT_MARKER_OFF, 4);
	s_store.marker_size = fl_le_get(h + HEADER_AT_MARKER_SIZE, 4);
	if (!span_ok(s_store.msg_off, s_store.msg_len, size, 0, HEADER_SIZE) ||
	    !span_ok(s_store.marker_off, s_store.marker_size, size, 0, HEADER_SIZE) ||
	    !span_ok(s_store.marker_off, s_store.marker_size, size, s_store.msg_off, s_store.msg_len))
		return FL_STORAGE_INVALID;
	rc = scan(s_store.msg_off, s_store.msg_len, &crc, &erased);
	if (rc != 0)
		return rc;
	if (crc != fl_le_get(h + HEADER_AT_MSG_CRC, 4))
		return FL_STORAGE_INVALID;
	rc = scan(s_store.marker_off, s_store.marker_size, NULL, &erased);
	return rc != 0 ? rc : erased ? FL_STORAGE_UNREAD : FL_STORAGE_READ;
}

/* Erase from the last sector to the first, so the header goes last: a reset part way leaves either the header
 * (and a message whose CRC no longer matches: invalid, erased again) or an erased header over an erased area. */
static int erase_all(void)
{
	uint32_t sector = s_store.info.sector_size;

	for (uint32_t off = s_store.info.size; off > 0; off -= sector) {
		if (fl_port_storage_erase(off - sector, sector) != 0) {
			s_store.state = FL_STORAGE_FAILED;
			return FL_ERR_IO;
		}
	}
	s_store.state = FL_STORAGE_EMPTY;
	return 0;
}

int fl_storage_boot(void)
{
	struct fl_storage_info *i = &s_store.info;
	int found;

	s_store.state = FL_STORAGE_FAILED;
	fl_port_storage_info(i);
	if (i->write_granule == 0 || i->write_granule > FL_STORAGE_GRANULE_MAX ||
	    (i->write_granule & (i->write_granule - 1u)) != 0 || i->sector_size == 0 || i->size < STORAGE_MIN ||
	    i->size % i->sector_size != 0)
		return FL_ERR_INVALID_ARG;
	s_store.header_slot = align_up(HEADER_SIZE, i->write_granule);
	s_store.marker_slot = align_up(4, i->write_granule);
	found = classify();
	if (found < 0)
		return found;
	if (found == FL_STORAGE_UNREAD || found == FL_STORAGE_EMPTY) {
		s_store.state = found;
		return found;
	}
	return erase_all() == 0 ? found : FL_ERR_IO;
}

uint32_t fl_storage_heartbeat_state(void)
{
	/* after fl_storage_boot() the state is one of these three: read and invalid content is erased at boot */
	return s_store.state == FL_STORAGE_UNREAD ? 1u : s_store.state == FL_STORAGE_FAILED ? 2u : 0u;
}

bool fl_coredump_pending(void)
{
	return s_store.state == FL_STORAGE_UNREAD;
}

int fl_coredump_clear(void)
{
	if (s_store.state != FL_STORAGE_UNREAD)
		return FL_ERR_NO_DATA;
	s_store.sending = false; /* the chunker sees the dump dropped (source_dropped) and abandons it */
	return erase_all();
}

/* ---- the saved dump, sent by the chunker ---- */

static uint32_t source_start(void)
{
	s_store.sending = true;
	return s_store.msg_len;
}

static bool source_dropped(void)
{
	return !s_store.sending;
}

static int source_read(uint32_t off, uint8_t *dst, uint32_t n)
{
	return fl_port_storage_read(s_store.msg_off + off, dst, n) == 0 ? 0 : FL_ERR_IO;
}

/* The dump's last chunk was taken: program the read marker, then erase. */
static void source_sent(void)
{
	static const uint8_t k_zero[FL_STORAGE_GRANULE_MAX];
	uint32_t g = s_store.info.write_granule;

	/* The marker is written in our granule; a dump from a build with another geometry is just erased. */
	if (s_store.marker_off % g == 0 && s_store.marker_size % g == 0) {
		for (uint32_t off = 0; off < s_store.marker_size; off += g)
			fl_port_storage_write(s_store.marker_off + off, k_zero, g);
	}
	erase_all();
}

const struct fl_chunk_source fl_storage_source = {fl_coredump_pending, source_start, source_dropped, source_read,
						  source_sent};

/* ---- the fault path: writing a dump ---- */

/* Bytes go through unit[] and the CRC is taken there, right before programming: so the CRC matches what storage
 * holds even when a captured region is memory that changes while it is copied (the fault stack itself). Captured
 * memory is read as it is, also where AddressSanitizer marks a redzone (host builds). */
FL_NO_SANITIZE_ADDRESS static void sink_write(struct fl_sink *sink, const uint8_t *data, size_t len)
{
	struct fl_storage_sink *f = (struct fl_storage_sink *)sink;

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

static void sink_init(struct fl_storage_sink *f, uint32_t at)
{
	f->base.write = sink_write;
	f->base.pos = 0;
	f->at = at;
	f->granule = s_store.info.write_granule;
	f->fill = 0;
	f->crc = 0;
	f->err = 0;
}

/* Program what is left in unit[], padded with 0xFF. */
static int sink_flush(struct fl_storage_sink *f)
{
	if (f->fill > 0 && f->err == 0) {
		f->crc = fl_crc32_update(f->crc, f->unit, f->fill);
		memset(f->unit + f->fill, 0xff, f->granule - f->fill);
		f->err = fl_port_storage_write(f->at, f->unit, f->granule);
		f->fill = 0;
	}
	return f->err == 0 ? 0 : FL_ERR_IO;
}

int fl_storage_open(struct fl_storage_sink *out, uint32_t *out_budget)
{
	uint32_t msg_off = s_store.header_slot + s_store.marker_slot;
	bool erased;

	if (s_store.state != FL_STORAGE_EMPTY || scan(0, HEADER_SIZE, NULL, &erased) != 0 || !erased)
		return FL_ERR_STATE;
	sink_init(out, msg_off);
	*out_budget = (s_store.info.size - msg_off) & ~(s_store.info.write_granule - 1u);
	return 0;
}

int fl_storage_commit(struct fl_storage_sink *s)
{
	uint8_t h[HEADER_SIZE];
	uint32_t msg_off = s_store.header_slot + s_store.marker_slot, len = s->base.pos;
	int rc = sink_flush(s);

	if (rc != 0)
		return rc;
	fl_le_put(h + HEADER_AT_MAGIC, HEADER_MAGIC, 4);
	h[HEADER_AT_VERSION] = LAYOUT_VERSION;
	h[HEADER_AT_RESERVED] = 0;
	fl_le_put(h + HEADER_AT_SIZE, HEADER_SIZE, 2);
	fl_le_put(h + HEADER_AT_MSG_OFF, msg_off, 4);
	fl_le_put(h + HEADER_AT_MSG_LEN, len, 4);
	fl_le_put(h + HEADER_AT_MSG_CRC, s->crc, 4);
	fl_le_put(h + HEADER_AT_MARKER_OFF, s_store.header_slot, 4);
	fl_le_put(h + HEADER_AT_MARKER_SIZE, s_store.marker_slot, 4);
	fl_le_put(h + HEADER_AT_CRC, fl_crc32_update(0, h, HEADER_AT_CRC), 4);
	s->at = 0; /* the same sink, now at the header slot (sink_flush() left unit[] empty) */
	fl_sink_put(&s->base, h, sizeof(h));
	rc = sink_flush(s);
	if (rc != 0)
		return rc;

	s_store.state = FL_STORAGE_UNREAD;
	s_store.msg_off = msg_off;
	s_store.msg_len = len;
	s_store.marker_off = s_store.header_slot;
	s_store.marker_size = s_store.marker_slot;
	return 0;
}
