/* SPDX-License-Identifier: Apache-2.0 */
/* `make size`: heartbeats with the reference metrics, 3 application keys (metrics3.def) + the 7 built-ins. */
#ifndef SIZE_CONFIG_METRICS3_H
#define SIZE_CONFIG_METRICS3_H

#define FL_METRICS_DEF "metrics3.def"

#endif
