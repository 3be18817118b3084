/* SPDX-License-Identifier: Apache-2.0 */
/* The event queue (event_private.h): a byte ring of [len lo, len hi, type, payload...] entries, and the chunker's
 * source of event messages: the oldest entry's payload behind an envelope made when its sending starts (full, or
 * compact for a heartbeat once this boot's reboot event has been sent). */
#include <string.h>

#include "chunk_private.h"
#include "event_private.h"
#include "faultline/errors.h"
#include "faultline/port.h"
#include "le_private.h"
#include "message_private.h"

static struct {
	uint8_t *buf;
	size_t cap;
	size_t head; /* offset of the oldest entry */
	size_t used;
	uint32_t dropped;     /* entries dropped since boot */
	uint32_t reported_to; /* how many of them envelopes sent so far reported */
	bool in_flight;       /* the oldest entry is being sent */
	bool reboot_sent;     /* this boot's reboot event went out: its identity is known to the receiver */
	/* the message being sent: its envelope is fixed when it starts */
	uint8_t type;
	bool identity;     /* its envelope is the full one */
	uint32_t reported; /* the dropped count its envelope reports */
	uint32_t envelope; /* envelope bytes before the payload */
} s_ring;

static void ring_copy_out(size_t at, void *dst, size_t n)
{
	size_t first = s_ring.cap - at < n ? s_ring.cap - at : n;

	memcpy(dst, s_ring.buf + at, first);
	memcpy((uint8_t *)dst + first, s_ring.buf, n - first);
}

static void ring_copy_in(size_t at, const void *src, size_t n)
{
	size_t first = s_ring.cap - at < n ? s_ring.cap - at : n;

	memcpy(s_ring.buf + at, src, first);
	memcpy(s_ring.buf, (const uint8_t *)src + first, n - first);
}

static size_t entry_size(size_t at)
{
	uint8_t h[2];

	ring_copy_out(at, h, 2);
	return FL_EVENT_ENTRY_OVERHEAD + fl_le_get(h, 2);
}

static void remove_oldest(void)
{
	size_t n = entry_size(s_ring.head);

	s_ring.head = (s_ring.head + n) % s_ring.cap;
	s_ring.used -= n;
}

void fl_event_init(void *buf, size_t cap)
{
	memset(&s_ring, 0, sizeof(s_ring));
	s_ring.buf = buf;
	s_ring.cap = cap;
}

int fl_event_push(uint8_t type, const void *payload, size_t len)
{
	uint8_t h[FL_EVENT_ENTRY_OVERHEAD] = {(uint8_t)len, (uint8_t)(len >> 8), type}; /* u16 length, type */
	size_t need = FL_EVENT_ENTRY_OVERHEAD + len, keep;
	int rc = 0;

	fl_port_lock();
	/* The entry being sent stays; everything older than the new one may go. */
	keep = s_ring.in_flight ? entry_size(s_ring.head) : 0;
	if (len > FL_EVENT_PAYLOAD_MAX || need > s_ring.cap - keep) {
		s_ring.dropped++;
		rc = FL_ERR_NO_SPACE;
		goto done;
	}
	while (s_ring.cap - s_ring.used < need) {
		if (s_ring.in_flight) {
			/* Drop the entry after the one in flight: splice it out by moving the in-flight entry up. */
			uint8_t tmp[FL_EVENT_ENTRY_OVERHEAD + FL_EVENT_PAYLOAD_MAX];
			size_t victim = (s_ring.head + keep) % s_ring.cap, vsize = entry_size(victim);

			ring_copy_out(s_ring.head, tmp, keep);
			s_ring.head = (s_ring.head + vsize) % s_ring.cap;
			ring_copy_in(s_ring.head, tmp, keep);
			s_ring.used -= vsize;
			s_ring.dropped++;
		} else {
			remove_oldest();
			s_ring.dropped++;
		}
	}
	ring_copy_in((s_ring.head + s_ring.used) % s_ring.cap, h, sizeof(h));
	ring_copy_in((s_ring.head + s_ring.used + sizeof(h)) % s_ring.cap, payload, len);
	s_ring.used += need;
done:
	fl_port_unlock();
	return rc;
}

uint32_t fl_event_dropped(void)
{
	return s_ring.dropped - s_ring.reported_to;
}

uint32_t fl_event_dropped_since_boot(void)
{
	return s_ring.dropped;
}

static bool source_ready(void)
{
	return s_ring.used > 0; /* one word, read as a whole: no lock needed to ask */
}

/* The oldest entry goes out: it is now kept when the ring is full, and its envelope reports the drops so far. A
 * heartbeat's envelope is the compact one when this boot's reboot event was sent before it. The queue is first
 * in, first out and the reboot event is queued first: so when it has not been sent by the time a heartbeat
 * starts, it was dropped (or never fit), and the heartbeat carries the identity itself. */
static uint32_t source_start(void)
{
	uint8_t h[FL_EVENT_ENTRY_OVERHEAD];
	struct fl_sink count = {NULL, 0};

	fl_port_lock();
	ring_copy_out(s_ring.head, h, sizeof(h));
	s_ring.in_flight = true;
	s_ring.reported = s_ring.dropped - s_ring.reported_to;
	fl_port_unlock();
	s_ring.type = h[2];
	s_ring.identity = !FL_HEARTBEAT_ENABLED || s_ring.type != FL_MSG_HEARTBEAT || !s_ring.reboot_sent;
	fl_message_begin(&count, s_ring.type, s_ring.reported, s_ring.identity);
	s_ring.envelope = count.pos;
	return s_ring.envelope + fl_le_get(h, 2);
}

/* Envelope bytes are encoded again into a window for each chunk: nothing but the payload is stored. */
static int source_read(uint32_t off, uint8_t *dst, uint32_t n)
{
	if (off < s_ring.envelope) {
		struct fl_window_sink w;
		uint32_t head = s_ring.envelope - off < n ? s_ring.envelope - off : n;

		fl_window_init(&w, off, dst, head);
		fl_message_begin(&w.base, s_ring.type, s_ring.reported, s_ring.identity);
		dst += head;
		off += head;
		n -= head;
	}
	if (n > 0) {
		fl_port_lock();
		ring_copy_out((s_ring.head + FL_EVENT_ENTRY_OVERHEAD + off - s_ring.envelope) % s_ring.cap, dst, n);
		fl_port_unlock();
	}
	return 0;
}

static void source_sent(void)
{
	fl_port_lock();
	remove_oldest(); /* the entry sent: never dropped while in flight, so still the oldest */
	s_ring.in_flight = false;
	s_ring.reported_to += s_ring.reported;
	fl_port_unlock();
	if (s_ring.type == FL_MSG_REBOOT)
		s_ring.reboot_sent = true;
}

static bool source_dropped(void)
{
	return false;
}

const struct fl_chunk_source fl_event_source = {source_ready, source_start, source_dropped, source_read, source_sent};
