/* SPDX-License-Identifier: Apache-2.0 */
/* Metrics and heartbeats (faultline/metrics.h, docs/FORMAT.md §8.4): the application's keys and the built-in
 * counts, a heartbeat's values encoded straight into an event-queue entry, and the key table in the ELF (§8.5). */
#include <string.h>

#include "cbor_private.h"
#include "chunk_private.h"
#include "event_private.h"
#include "faultline/compiler.h"
#include "faultline/metrics.h"
#include "faultline/port.h"
#include "le_private.h"
#include "message_private.h"
#include "metrics_private.h"
#include "storage_private.h"

#if FL_HEARTBEAT_ENABLED

#define INTERVAL_MS ((uint32_t)FL_HEARTBEAT_INTERVAL_S * 1000u)
#define BUILTINS 7u   /* B: the built-in values a v1 heartbeat sends */
#define HEAD_ROOM 5u  /* the payload's CBOR before the values: map(1), key 1, a bstr head of 1..3 bytes */
#define KEY_VALUES 1u /* the payload's one key */
#define SIGN_BIAS 0x80000000u /* a signed gauge's values are kept biased by it (fl_metric_set_signed()) */
#define STR_(x) #x
#define STR(x) STR_(x)

FL_STATIC_ASSERT(FL_EVENT_PAYLOAD_MAX >= FL_HEARTBEAT_PAYLOAD_MAX,
		 "FL_EVENT_PAYLOAD_MAX is too small for the heartbeat of this build: raise it to FL_HEARTBEAT_PAYLOAD_MAX "
		 "(faultline/metrics.h), 28 + 5 per counter or timer + 15 per gauge of FL_METRICS_DEF");

static struct {
	uint32_t last;          /* the low 32 bits of fl_port_uptime_ms() at the last heartbeat (0: boot) */
	bool unexpected_reboot; /* built-in values 1 and 2, the same all boot */
	bool coredump;
#ifdef FL_METRICS_DEF
	/* Per key, three words. A counter: [0] its count. A timer: [0] milliseconds, [1] the low 32 bits of the
	 * uptime when it (last) started, [2] 1 while it runs. A gauge: [0] last, [1] ~min, [2] max, a signed
	 * gauge's values biased by SIGN_BIAS so that unsigned comparison orders them. min is kept inverted so that
	 * all zeros, the boot state, is min = 0xFFFFFFFF > max = 0: no value since boot, and the first value set
	 * becomes both. Once set, min <= max. */
	uint32_t key[FL_METRIC_KEYS > 0 ? FL_METRIC_KEYS : 1][3];
#endif
} s_metrics;

#ifdef FL_METRICS_DEF
/* Each key's kind, in .def order; the 0 after them matches no kind (and keeps an empty .def valid C). */
static const uint8_t k_kind[FL_METRIC_KEYS + 1] = {
#define FL_METRIC_X(kind, name) kind,
#include FL_METRICS_DEF
#undef FL_METRIC_X
	0};

enum {
	APP_VALUES = 0
#define FL_METRIC_X(kind, name) +((kind) == FL_METRIC_KIND_COUNTER || (kind) == FL_METRIC_KIND_TIMER ? 1 : 3)
#include FL_METRICS_DEF
#undef FL_METRIC_X
};
FL_STATIC_ASSERT(APP_VALUES <= 256, "FL_METRICS_DEF: a heartbeat holds at most 256 values (a gauge takes 3)");
#define FL_METRIC_X(kind, name)                                                                            \
	FL_STATIC_ASSERT(sizeof(#name) - 1 <= 48, "FL_METRICS_DEF: the name " #name " is over 48 characters");
#include FL_METRICS_DEF
#undef FL_METRIC_X
#endif

#if defined(__ELF__)
/* The key table (docs/FORMAT.md §8.5): "FLMT", version 1, then each key's kind byte and NUL-terminated name. Its
 * section has no flags, so no SHF_ALLOC: it is in the ELF the server is given, never in flash; and it is kept by
 * --gc-sections, which collects allocated sections only. */
__asm__(".pushsection .faultline.metrics,\"\",%progbits\n"
	".ascii \"FLMT\"\n"
	".byte 1\n"
#ifdef FL_METRICS_DEF
#define FL_METRIC_X(kind, name) ".byte " STR(kind) "\n.asciz \"" #name "\"\n"
#include FL_METRICS_DEF
#undef FL_METRIC_X
#endif
	".popsection\n");
#endif

void fl_metrics_boot(bool unexpected_reboot, bool coredump)
{
	memset(&s_metrics, 0, sizeof(s_metrics));
	s_metrics.unexpected_reboot = unexpected_reboot;
	s_metrics.coredump = coredump;
}

/* ms / 1000 in 32-bit steps: a 64-bit division would bring libgcc's in, hundreds of bytes on Cortex-M. Exact up
 * to 2^32 seconds (136 years); saturates beyond. */
static uint32_t seconds(uint64_t ms)
{
	uint32_t hi = (uint32_t)(ms >> 32), lo = (uint32_t)ms, mid;

	if (hi >= 1000u)
		return UINT32_MAX;
	mid = hi << 16 | lo >> 16; /* < 1000 << 16: each step's quotient fits 16 bits */
	return (mid / 1000u) << 16 | ((mid % 1000u) << 16 | (lo & 0xffffu)) / 1000u;
}

static uint8_t *put(uint8_t *p, uint32_t v)
{
	return p + fl_uleb128_put(p, v);
}

#ifdef FL_METRICS_DEF
/* A gauge's value as sent: a signed one's unbiased and zigzag-encoded. */
static uint8_t *put_gauge_value(uint8_t *p, uint32_t v, uint32_t bias)
{
	v ^= bias;
	return put(p, bias != 0 ? v << 1 ^ (0u - (v >> 31)) : v);
}

/* The application's values, in .def order, at uptime now (its low 32 bits). The interval ends: a running timer
 * adds its period so far and goes on from now, a gauge starts its next min and max at its last value. */
static uint8_t *put_keys(uint8_t *p, uint32_t now)
{
	for (unsigned k = 0; k < FL_METRIC_KEYS; k++) {
		uint32_t *w = s_metrics.key[k], kind = k_kind[k], bias, last, min, max;

		if (kind == FL_METRIC_KIND_COUNTER || kind == FL_METRIC_KIND_TIMER) {
			if (w[2] != 0) { /* a running timer (a counter's w[2] is 0) */
				w[0] += now - w[1];
				w[1] = now;
			}
			p = put(p, w[0]);
			continue;
		}
		bias = kind == FL_METRIC_KIND_GAUGE_SIGNED ? SIGN_BIAS : 0u;
		last = w[0];
		min = ~w[1];
		max = w[2];
		if (min > max) { /* no value since boot: last 0, min 1, max 0 */
			last = max = bias;
			min = bias ^ 1u;
		} else {
			w[1] = ~last;
			w[2] = last;
		}
		p = put_gauge_value(p, last, bias);
		p = put_gauge_value(p, min, bias);
		p = put_gauge_value(p, max, bias);
	}
	return p;
}
#else
static uint8_t *put_keys(uint8_t *p, uint32_t now)
{
	(void)now;
	return p;
}
#endif

/* Queue a heartbeat of the values now. They are read, and the interval ended, under the lock. The payload is
 * {1: bstr(values)}: its CBOR goes in front of the values once their length is known. */
static int heartbeat(void)
{
	uint8_t buf[HEAD_ROOM + FL_HEARTBEAT_VALUES_MAX], *values = buf + HEAD_ROOM, *p, *start;
	uint32_t v[1 + BUILTINS];
	const uint32_t *given;
	uint64_t now;

	fl_port_lock();
	now = fl_port_uptime_ms();
	v[0] = BUILTINS;
	v[1] = seconds(now);
	v[2] = s_metrics.unexpected_reboot;
	v[3] = s_metrics.coredump;
	given = fl_chunk_counts();
	v[4] = given[0];
	v[5] = given[1];
	v[6] = fl_event_dropped_since_boot();
	v[7] = fl_storage_heartbeat_state();
	p = values;
	for (unsigned i = 0; i < 1 + BUILTINS; i++)
		p = put(p, v[i]);
	p = put_keys(p, (uint32_t)now);
	fl_port_unlock();
	s_metrics.last = (uint32_t)now;

	start = values - fl_cbor_head_size((uintptr_t)(p - values));
	fl_cbor_head_write(start, FL_CBOR_MAJOR_BYTES, (uintptr_t)(p - values));
	*--start = KEY_VALUES; /* a uint below 24 is its own head */
	*--start = (uint8_t)(FL_CBOR_MAJOR_MAP << 5 | 1u);
	return fl_event_push(FL_MSG_HEARTBEAT, start, (size_t)(p - start));
}

int fl_metrics_heartbeat(void)
{
	return heartbeat();
}

int fl_metrics_poll(void)
{
	int rc;

	/* In 32 bits, wrapping every 49.7 days: a poll that long after the previous one may see up to an interval
	 * less than has passed, and queue the heartbeat that much later. */
	if ((uint32_t)fl_port_uptime_ms() - s_metrics.last < INTERVAL_MS)
		return 0;
	rc = heartbeat();
	return rc == 0 ? 1 : rc;
}

#ifdef FL_METRICS_DEF
/* (The kind of the key is checked by the inline functions of faultline/metrics.h that call these.) */
void fl_metric_counter_add(enum fl_metric_key key, uint32_t n)
{
	fl_port_lock();
	s_metrics.key[key][0] += n;
	fl_port_unlock();
}

void fl_metric_gauge_set(enum fl_metric_key key, uint32_t value)
{
	uint32_t *w = s_metrics.key[key];

	fl_port_lock();
	if (value < ~w[1])
		w[1] = ~value;
	if (value > w[2])
		w[2] = value;
	w[0] = value;
	fl_port_unlock();
}

void fl_metric_timer_run(enum fl_metric_key key, uint32_t run)
{
	uint32_t *w = s_metrics.key[key], now;

	fl_port_lock();
	now = (uint32_t)fl_port_uptime_ms(); /* under the lock, as a heartbeat reads it */
	if (w[2] != 0)
		w[0] += now - w[1]; /* it ran until now (and runs on from now when started again) */
	w[1] = now;
	w[2] = run;
	fl_port_unlock();
}
#endif

#else
typedef int fl_metrics_off; /* heartbeats are compiled out (FL_HEARTBEAT_ENABLED 0); ISO C wants a declaration */
#endif
