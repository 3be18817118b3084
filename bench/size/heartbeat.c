/* SPDX-License-Identifier: Apache-2.0 */
/* `make size`, on target: the heartbeat's bytes on the wire at MTU 20, measured on a Cortex-M3 in QEMU with the
 * SDK in the reference metrics configuration (metrics3.def: a counter, a gauge, a timer + the 7 built-ins). A
 * device that boots (boot id 300, a counter's), sends its reboot event, then lives 7 days at simulated uptime: per
 * hour 4 uplinks, each with the radio on for 3 s, and 4 battery readings slowly falling; a heartbeat every hour,
 * all its chunks sent at once. Prints the heartbeats of hour 1 and hour 168 (7 days), and checks every heartbeat's
 * values against what the simulation did (exit status 1 when one differs). */
#include <string.h>

#include "board.h"
#include "faultline/faultline.h"
#include "faultline/port.h"

#define MTU 20u
#define HOUR_MS 3600000u
#define DAYS 7u

static const uint8_t k_build_id[20] = {0x5a, 0x1e, 0x3c, 0x44, 0x09, 0x7b, 0x21, 0x90, 0xd6, 0x3e,
				       0x6f, 0x02, 0xa8, 0x51, 0x17, 0xc4, 0x8b, 0x33, 0xe0, 0x7d};
static uint64_t s_uptime;

void fl_port_device_info(struct fl_device_info *out)
{
	out->serial = "size-0001";
	out->sw_version = "1.0.0";
	out->hw_version = "a";
}

size_t fl_port_build_id(const uint8_t **out)
{
	*out = k_build_id;
	return sizeof(k_build_id);
}

uint32_t fl_port_boot_id(void)
{
	return 300;
}

uint16_t fl_port_reset_cause(uint32_t *raw)
{
	*raw = 0;
	return FL_REASON_POWER_ON;
}

void fl_port_reboot(void)
{
	board_exit(5);
}

void fl_port_capture_now(void)
{
	board_exit(6);
}

uint64_t fl_port_uptime_ms(void)
{
	return s_uptime;
}

size_t fl_port_memory_readable(uintptr_t addr, size_t len)
{
	(void)addr;
	return len;
}

/* What one message cost on the link. */
struct sent {
	uint8_t msg[128];
	uint32_t total; /* message bytes (without the CRC) */
	unsigned chunks, wire;
};

static uint32_t leb(const uint8_t *p, size_t *n)
{
	uint32_t v = 0;

	*n = 0;
	do
		v |= (uint32_t)(p[*n] & 0x7fu) << (7 * *n);
	while (p[(*n)++] & 0x80u);
	return v;
}

/* Send every queued chunk at MTU 20; keep the last message whole (docs/FORMAT.md §3 headers taken apart). */
static void send_all(struct sent *out)
{
	uint8_t chunk[MTU];
	size_t len, n;

	memset(out, 0, sizeof(*out));
	while (fl_chunk_next(chunk, sizeof(chunk), &len) == 0) {
		uint32_t off = 0;
		size_t hlen = 1;

		if (fl_chunk_is_first(chunk, len)) {
			out->total = leb(chunk + 5, &n);
			out->chunks = 0;
			out->wire = 0;
			hlen = 5 + n;
		} else {
			off = chunk[0] & 7u;
			if (chunk[0] & 8u) {
				off |= leb(chunk + 1, &n) << 3;
				hlen += n;
			}
		}
		for (size_t i = hlen; i < len; i++, off++) {
			if (off < out->total && off < sizeof(out->msg))
				out->msg[off] = chunk[i];
		}
		out->chunks++;
		out->wire += (unsigned)len;
	}
}

/* The heartbeat's values (docs/FORMAT.md §8.4), from the bstr after the compact envelope of boot 300:
 * a4 00 01 01 03 07 19 01 2c 09 a1 01, then a one-byte bstr head. Returns their count. */
static size_t values(const struct sent *s, uint32_t *out, size_t max)
{
	static const uint8_t k_envelope[12] = {0xa4, 0x00, 0x01, 0x01, 0x03, 0x07,
					       0x19, 0x01, 0x2c, 0x09, 0xa1, 0x01};
	size_t n = 0, at = 13, end = 13 + (s->msg[12] & 0x1fu), used;

	BOARD_CHECK(s->total <= sizeof(s->msg) && memcmp(s->msg, k_envelope, sizeof(k_envelope)) == 0);
	BOARD_CHECK((s->msg[12] & 0xe0u) == 0x40u && end == s->total);
	while (at < end && n < max) {
		out[n++] = leb(s->msg + at, &used);
		at += used;
	}
	BOARD_CHECK(at == end);
	return n;
}

static void report(const char *when, const struct sent *s)
{
	board_printf("  heartbeat after %s: %u bytes, %u chunks, %u bytes on the wire at MTU %u:\n   ", when,
		     (unsigned)s->total, s->chunks, s->wire, MTU);
	for (uint32_t i = 0; i < s->total && i < sizeof(s->msg); i++)
		board_printf(" %02x", s->msg[i]);
	board_printf("\n");
}

int main(void)
{
	static uint8_t events[256];
	struct fl_init_params params = {events, sizeof(events)};
	struct sent s;
	uint32_t battery = 3900, v[16], chunks, bytes;

	BOARD_CHECK(fl_init(&params, NULL) == 0);
	send_all(&s); /* the reboot event: the boot's identity, in full */
	chunks = s.chunks;
	bytes = s.wire;
	board_printf("  the boot's reboot event: %u bytes, %u chunks, %u bytes on the wire at MTU %u\n",
		     (unsigned)s.total, s.chunks, s.wire, MTU);
	for (unsigned hour = 0; hour < DAYS * 24u; hour++) {
		uint64_t base = (uint64_t)hour * HOUR_MS;

		for (unsigned q = 0; q < 4; q++) { /* every 15 minutes: read the battery, send an uplink */
			s_uptime = base + q * (HOUR_MS / 4) + 1000u;
			BOARD_CHECK(fl_metric_set(FL_METRIC_battery_mv, battery - q) == 0);
			BOARD_CHECK(fl_metric_timer_start(FL_METRIC_radio_on_ms) == 0);
			s_uptime += 3000u;
			BOARD_CHECK(fl_metric_add(FL_METRIC_uplinks, 1) == 0);
			BOARD_CHECK(fl_metric_timer_stop(FL_METRIC_radio_on_ms) == 0);
		}
		battery -= 1u + hour % 2u; /* about 250 mV in a week */
		s_uptime = base + HOUR_MS;
		BOARD_CHECK(fl_metrics_poll() == 1);
		send_all(&s);
		/* B; uptime_s, no unexpected reboot, no coredump, the chunks and bytes sent before, nothing dropped,
		 * storage ready; uplinks, battery_mv last/min/max, radio_on_ms */
		BOARD_CHECK(values(&s, v, 16) == 13);
		BOARD_CHECK(v[0] == 7 && v[1] == (hour + 1) * 3600u && v[2] == 0 && v[3] == 0);
		BOARD_CHECK(v[4] == chunks && v[5] == bytes && v[6] == 0 && v[7] == 0);
		BOARD_CHECK(v[8] == (hour + 1) * 4u && v[12] == (hour + 1) * 12000u);
		BOARD_CHECK(v[9] == battery + 1u + hour % 2u - 3u && v[10] == v[9] && v[11] == v[9] + 3u);
		chunks += s.chunks;
		bytes += s.wire;
		if (hour == 0)
			report("1 hour", &s);
	}
	report("7 days", &s);
	board_exit(0);
}
