/* SPDX-License-Identifier: Apache-2.0 */
/* The SDK of test_metrics_options.c: metrics changed from interrupts (the port's lock) and a one-minute interval. */
#ifndef FL_TEST_METRICS_OPTIONS_CONFIG_H
#define FL_TEST_METRICS_OPTIONS_CONFIG_H

#define FL_METRICS_DEF "metrics_options.def"
#define FL_PORT_HAS_LOCK 1
#define FL_HEARTBEAT_INTERVAL_S 60
#define FL_EVENT_PAYLOAD_MAX 68 /* the heartbeat's worst case: 28 + 5 + 5 + 2 x 15 (the default 64 stops the build) */

#endif
