/* SPDX-License-Identifier: Apache-2.0 */
/* `make size`: heartbeats with 10 application keys (metrics10.def) + the 7 built-ins. Their heartbeat payload
 * can reach 118 bytes (FL_HEARTBEAT_PAYLOAD_MAX), above the default FL_EVENT_PAYLOAD_MAX. */
#ifndef SIZE_CONFIG_METRICS10_H
#define SIZE_CONFIG_METRICS10_H

#define FL_METRICS_DEF "metrics10.def"
#define FL_EVENT_PAYLOAD_MAX 120

#endif
