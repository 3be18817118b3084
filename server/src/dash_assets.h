/* SPDX-License-Identifier: Apache-2.0 */
/* The dashboard's stylesheet and script (server/assets/), built into the server (server/assets/embed.cmake makes
 * the table at build time): served by the server itself, nothing from elsewhere. */
#ifndef SRV_DASH_ASSETS_H
#define SRV_DASH_ASSETS_H

#include <stddef.h>

struct srv_dash_asset {
	const char *path; /* "/assets/dash.css" */
	const char *type; /* its Content-Type */
	const unsigned char *bytes;
	size_t len;
};

extern const struct srv_dash_asset srv_dash_assets[];
extern const size_t srv_dash_nassets;

#endif
