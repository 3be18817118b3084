/* SPDX-License-Identifier: Apache-2.0 */
/* Printing fleet health (health.c): each takes an answer of the server's API (docs/API.md), only read. */
#ifndef CLI_HEALTH_H
#define CLI_HEALTH_H

#include <jansson.h>
#include <stddef.h>

/* GET /api/v1/versions: the table of versions. */
void cli_print_versions(const json_t *j);

/* GET /api/v1/compare: both versions side by side, each rate's verdict and why. */
void cli_print_compare(const json_t *j);

/* GET /api/v1/metrics: a metric's p50 / p95 across devices, per version. */
void cli_print_metric(const json_t *j);

/* GET /api/v1/devices/{serial}/heartbeats: the newest max heartbeats. */
void cli_print_heartbeats(const json_t *j, size_t max);

#endif
