/* SPDX-License-Identifier: Apache-2.0 */
/* The SDK of test_metrics.c: the default configuration with the worked example's keys. */
#ifndef FL_TEST_METRICS_CONFIG_H
#define FL_TEST_METRICS_CONFIG_H

#define FL_METRICS_DEF "metrics_test.def"

#endif
