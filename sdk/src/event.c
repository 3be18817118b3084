/* SPDX-License-Identifier: Apache-2.0 */
/* The event queue (event_private.h): a byte ring of [len lo, len hi, type, payload...] entries. */
#include <string.h>

#include "faultline/errors.h"
#include "faultline/port.h"
#include "event_private.h"

static struct {
	uint8_t *buf;
	size_t cap;
	size_t head; /* offset of the oldest entry */
	size_t used;
	uint32_t dropped;
	bool in_flight; /* the oldest entry is being sent */
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
	return FL_EVENT_ENTRY_OVERHEAD + (size_t)(h[0] | h[1] << 8);
}

static void drop_oldest(void)
{
	size_t n = entry_size(s_ring.head);

	s_ring.head = (s_ring.head + n) % s_ring.cap;
	s_ring.used -= n;
	s_ring.dropped++;
}

void fl_event_init(void *buf, size_t cap)
{
	s_ring.buf = buf;
	s_ring.cap = cap;
	s_ring.head = 0;
	s_ring.used = 0;
	s_ring.dropped = 0;
	s_ring.in_flight = false;
}

int fl_event_push(uint8_t type, const void *payload, size_t len)
{
	uint8_t h[FL_EVENT_ENTRY_OVERHEAD] = {(uint8_t)len, (uint8_t)(len >> 8), type};
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
			drop_oldest();
		}
	}
	ring_copy_in((s_ring.head + s_ring.used) % s_ring.cap, h, sizeof(h));
	ring_copy_in((s_ring.head + s_ring.used + sizeof(h)) % s_ring.cap, payload, len);
	s_ring.used += need;
done:
	fl_port_unlock();
	return rc;
}

bool fl_event_peek(uint8_t *out_type, size_t *out_len)
{
	uint8_t h[FL_EVENT_ENTRY_OVERHEAD];
	bool found = false;

	fl_port_lock();
	if (s_ring.used > 0) {
		ring_copy_out(s_ring.head, h, sizeof(h));
		*out_len = (size_t)(h[0] | h[1] << 8);
		*out_type = h[2];
		s_ring.in_flight = true;
		found = true;
	}
	fl_port_unlock();
	return found;
}

void fl_event_read(size_t off, void *dst, size_t n)
{
	fl_port_lock();
	ring_copy_out((s_ring.head + FL_EVENT_ENTRY_OVERHEAD + off) % s_ring.cap, dst, n);
	fl_port_unlock();
}

void fl_event_pop(void)
{
	fl_port_lock();
	if (s_ring.used > 0) {
		size_t n = entry_size(s_ring.head);

		s_ring.head = (s_ring.head + n) % s_ring.cap;
		s_ring.used -= n;
	}
	s_ring.in_flight = false;
	fl_port_unlock();
}

uint32_t fl_event_dropped(void)
{
	return s_ring.dropped;
}

void fl_event_dropped_reported(uint32_t n)
{
	fl_port_lock();
	s_ring.dropped -= n <= s_ring.dropped ? n : s_ring.dropped;
	fl_port_unlock();
}
