/* SPDX-License-Identifier: Apache-2.0 */
/* Metrics inside the SDK: the boot hook. The built-in counts are kept by the modules that see them (the chunker,
 * the event queue, storage) and read when a heartbeat is made. With FL_HEARTBEAT_ENABLED 0 it is a no-op. */
#ifndef FL_METRICS_PRIVATE_H
#define FL_METRICS_PRIVATE_H

#include <stdbool.h>

#include "faultline/config.h"

#if FL_HEARTBEAT_ENABLED
/*
 * At boot, once the reboot event is queued: every key restarts (counters and timers at 0 and stopped, gauges
 * without a value), and the first heartbeat is due FL_HEARTBEAT_INTERVAL_S after boot. unexpected_reboot,
 * coredump: what the reboot event says of the boot that ended (its reason is 0x8000 or above; it saved a
 * coredump), the heartbeat's built-in values 1 and 2 (docs/FORMAT.md §8.4).
 */
void fl_metrics_boot(bool unexpected_reboot, bool coredump);
#else
static inline void fl_metrics_boot(bool unexpected_reboot, bool coredump)
{
	(void)unexpected_reboot;
	(void)coredump;
}
#endif

#endif
