/* SPDX-License-Identifier: Apache-2.0 */
/* The SDK as the fleet simulator builds it (sim/CMakeLists.txt gives it as FL_CONFIG_HEADER): the application's
 * metric keys of a simulated device, room in a queued event for their heartbeat, and a small stack capture. */
#ifndef FLEETSIM_CONFIG_H
#define FLEETSIM_CONFIG_H

#define FL_METRICS_DEF "fleetsim_metrics.def"
/* The heartbeat of these keys needs 68 bytes (FL_HEARTBEAT_PAYLOAD_MAX): 28 built-in, 2 x 15 for the gauges,
 * 2 x 5 for the counter and the timer. */
#define FL_EVENT_PAYLOAD_MAX 96
/* A simulated crash has a small stack to show; a dump then fits the 1 KiB storage of a simulated device. */
#define FL_COREDUMP_STACK_MAX 256

#endif
