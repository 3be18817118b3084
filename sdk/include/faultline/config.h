/* SPDX-License-Identifier: Apache-2.0 */
/* Compile-time configuration of the SDK, in one place. To override a default, put #defines in a header of your
 * own and build with -DFL_CONFIG_HEADER='"my_faultline_config.h"'; it is included first. */
#ifndef FAULTLINE_CONFIG_H
#define FAULTLINE_CONFIG_H

#ifdef FL_CONFIG_HEADER
#include FL_CONFIG_HEADER
#endif

/* Bytes of the active stack a coredump captures, upward from the interrupted stack pointer. */
#ifndef FL_COREDUMP_STACK_MAX
#define FL_COREDUMP_STACK_MAX 2048
#endif
#if FL_COREDUMP_STACK_MAX < 64 || FL_COREDUMP_STACK_MAX > 1048576
#error "FL_COREDUMP_STACK_MAX must be 64..1048576 bytes"
#endif

/* Memory regions the application can register with fl_coredump_add_region() (globals worth seeing in GDB). */
#ifndef FL_COREDUMP_REGIONS_MAX
#define FL_COREDUMP_REGIONS_MAX 4
#endif
#if FL_COREDUMP_REGIONS_MAX < 0 || FL_COREDUMP_REGIONS_MAX > 32
#error "FL_COREDUMP_REGIONS_MAX must be 0..32"
#endif

/* Largest write granularity (bytes) a storage port may report; the SDK buffers one unit of this size. */
#ifndef FL_STORAGE_GRANULE_MAX
#define FL_STORAGE_GRANULE_MAX 16
#endif
#if FL_STORAGE_GRANULE_MAX < 1 || FL_STORAGE_GRANULE_MAX > 256 ||                                               \
    (FL_STORAGE_GRANULE_MAX & (FL_STORAGE_GRANULE_MAX - 1))
#error "FL_STORAGE_GRANULE_MAX must be a power of two, 1..256"
#endif

/* Largest payload of one queued event. A reboot event needs at most 39 bytes; a heartbeat 28 bytes for the
 * built-in values, plus 5 per application counter or timer and 15 per gauge (FL_HEARTBEAT_PAYLOAD_MAX in
 * faultline/metrics.h, which the build checks against this). 64 holds the built-ins and, for example, three
 * counters and two gauges. The event queue's push keeps a copy of this size on the stack. */
#ifndef FL_EVENT_PAYLOAD_MAX
#define FL_EVENT_PAYLOAD_MAX 64
#endif
#if FL_EVENT_PAYLOAD_MAX < 40 || FL_EVENT_PAYLOAD_MAX > 1024
#error "FL_EVENT_PAYLOAD_MAX must be 40..1024"
#endif

/* 1: heartbeats (docs/FORMAT.md §8.4): the built-in values, and the application's metrics when FL_METRICS_DEF
 * names its key table, queued by fl_metrics_poll() every FL_HEARTBEAT_INTERVAL_S (faultline/metrics.h).
 * 0: every function of faultline/metrics.h is an inline no-op and the SDK counts nothing for them. */
#ifndef FL_HEARTBEAT_ENABLED
#define FL_HEARTBEAT_ENABLED 1
#endif
#if FL_HEARTBEAT_ENABLED != 0 && FL_HEARTBEAT_ENABLED != 1
#error "FL_HEARTBEAT_ENABLED must be 0 or 1"
#endif

/* Seconds of fl_port_uptime_ms() between heartbeats. At most 30 days: the interval and a timer's running period
 * within it are 32-bit milliseconds. */
#ifndef FL_HEARTBEAT_INTERVAL_S
#define FL_HEARTBEAT_INTERVAL_S 3600
#endif
#if FL_HEARTBEAT_INTERVAL_S < 1 || FL_HEARTBEAT_INTERVAL_S > 2592000
#error "FL_HEARTBEAT_INTERVAL_S must be 1..2592000 seconds (30 days)"
#endif

/* FL_METRICS_DEF: the application's metric keys, a .def file of FL_METRIC_COUNTER(name) ... lines
 * (faultline/metrics.h), e.g. #define FL_METRICS_DEF "app_metrics.def"; found on the include path. Undefined:
 * no application keys (heartbeats carry the built-in values only). */

/* 1: FL_ASSERT() checks its expression; 0: it compiles to nothing (the expression is not evaluated). */
#ifndef FL_ASSERT_ENABLED
#define FL_ASSERT_ENABLED 1
#endif

/* 1: the port implements fl_port_lock()/fl_port_unlock() (needed when events are queued from interrupts);
 * 0: they are no-ops. */
#ifndef FL_PORT_HAS_LOCK
#define FL_PORT_HAS_LOCK 0
#endif

/* 1: the port implements fl_port_coredump_regions() to add memory regions of its own (RTOS task lists...). */
#ifndef FL_PORT_HAS_REGIONS
#define FL_PORT_HAS_REGIONS 0
#endif

/* 1: an RTOS port (sdk/ports/freertos) implements fl_port_rtos_capture(): every coredump holds the RTOS's tasks
 * (faultline/rtos.h). */
#ifndef FL_PORT_HAS_RTOS
#define FL_PORT_HAS_RTOS 0
#endif

/* With FL_PORT_HAS_RTOS: the most tasks a coredump describes, and the most bytes of each switched-out task's
 * stack it holds (its used part, from its saved stack pointer up; the crashing context's stack is
 * FL_COREDUMP_STACK_MAX). */
#ifndef FL_RTOS_TASKS_MAX
#define FL_RTOS_TASKS_MAX 16
#endif
#if FL_RTOS_TASKS_MAX < 1 || FL_RTOS_TASKS_MAX > 256
#error "FL_RTOS_TASKS_MAX must be 1..256"
#endif
#ifndef FL_RTOS_STACK_MAX
#define FL_RTOS_STACK_MAX 1024
#endif
#if FL_RTOS_STACK_MAX < 64 || FL_RTOS_STACK_MAX > 1048576
#error "FL_RTOS_STACK_MAX must be 64..1048576 bytes"
#endif

#endif
