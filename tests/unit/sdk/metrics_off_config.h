/* SPDX-License-Identifier: Apache-2.0 */
/* The SDK of test_metrics_off.c: heartbeats off, with keys defined all the same (the application's code compiles
 * unchanged). */
#ifndef FL_TEST_METRICS_OFF_CONFIG_H
#define FL_TEST_METRICS_OFF_CONFIG_H

#define FL_HEARTBEAT_ENABLED 0
#define FL_METRICS_DEF "metrics_test.def"

#endif
