/* SPDX-License-Identifier: Apache-2.0 */
/* The faultline device SDK: include this one header. Start it with fl_init() early in main(), then pump
 * fl_chunk_next() into your link. No heap: every buffer is yours. Not thread-safe except where a function says
 * so: call the SDK from one thread (events from interrupts need FL_PORT_HAS_LOCK). */
#ifndef FAULTLINE_FAULTLINE_H
#define FAULTLINE_FAULTLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/assert.h"
#include "faultline/chunk.h"
#include "faultline/config.h"
#include "faultline/coredump.h"
#include "faultline/errors.h"
#include "faultline/metrics.h"
#include "faultline/reboot.h"
#include "faultline/serial.h"
#include "faultline/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Smallest event buffer fl_init() accepts: room for one event of the largest payload. */
#define FL_EVENT_BUF_MIN (FL_EVENT_PAYLOAD_MAX + 4)

struct fl_init_params {
	void *event_buf;       /* RAM for queued events (reboot events...); the SDK owns it from fl_init() on */
	size_t event_buf_size; /* bytes, >= FL_EVENT_BUF_MIN; 256 holds several reboot events */
};

/* What fl_init() found. */
struct fl_boot_info {
	uint16_t reason;      /* why the previous boot ended (FL_REASON_*), as sent in the reboot event */
	uint32_t reset_cause; /* the raw hardware reset cause from fl_port_reset_cause() */
	int storage;          /* the coredump storage's state at boot: FL_STORAGE_* (faultline/coredump.h) */
};

/*
 * Start the SDK: work out why the last boot ended (the reason marked before the reset, else a crash's reason,
 * else the hardware's), queue a reboot event, and check coredump storage: an unread dump is queued for sending;
 * a dump already sent, or invalid content, is erased (reported in out->storage).
 * params: buffers, read during the call; event_buf must stay valid and untouched by you afterwards.
 * out:    optional (NULL), what was found.
 * Returns 0; FL_ERR_INVALID_ARG for a missing or too small event buffer, or an unusable storage description
 * (granule not a power of two or above FL_STORAGE_GRANULE_MAX, size below 1 KiB or not a multiple of the sector);
 * FL_ERR_IO when storage could not be read or erased (the SDK still runs; coredumps are then not saved).
 * May be called again (a simulated reboot in tests); it resets all RAM state.
 */
int fl_init(const struct fl_init_params *params, struct fl_boot_info *out);

#ifdef __cplusplus
}
#endif
#endif
