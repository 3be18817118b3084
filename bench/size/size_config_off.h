/* SPDX-License-Identifier: Apache-2.0 */
/* `make size`: the SDK without heartbeats and metrics (every function of faultline/metrics.h an inline no-op). */
#ifndef SIZE_CONFIG_OFF_H
#define SIZE_CONFIG_OFF_H

#define FL_HEARTBEAT_ENABLED 0

#endif
