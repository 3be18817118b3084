/* SPDX-License-Identifier: Apache-2.0 */
/* Release images (docs/OTA.md): the one place that knows where they live (DATA/releases/<SHA-256 in hex>.bin) and
 * what the server takes as a release: an MCUboot image signed by one of the project's signing keys, holding the
 * GNU build-id of an ELF the server has (so that its crashes symbolize at once). No HTTP here. */
#ifndef SRV_RELEASES_H
#define SRV_RELEASES_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "upload.h"

#define SRV_RELEASE_MAX (16u << 20) /* bytes of a release image: larger than any Cortex-M slot */

/* The path of the release image with this SHA-256 (hex) in data_dir. Returns 0, or -1 when it does not fit cap. */
int srv_release_path(char *out, size_t cap, const char *data_dir, const char *sha256_hex);

/* A release upload begun: srv_upload_begin into DATA/releases, at most SRV_RELEASE_MAX bytes. */
int srv_release_upload_begin(struct srv_upload **out, const char *data_dir, char *why, size_t cap);

struct srv_release_result {
	enum srv_upload_outcome outcome; /* STORED, TOO_LARGE, NO_SPACE, REFUSED, NEEDS_SYMBOLS, EXISTS or FAILED */
	int64_t id;                      /* STORED: the release */
	bool fresh;                      /* STORED: false when the same image was there already */
	char why[1024];                  /* every other outcome: for people */
};

/*
 * The body is complete: read the image, check it (MCUboot's format, a signature by one of the store's signing keys,
 * a build-id whose ELF the server has), keep it by its SHA-256 and record it. Frees u. out: the outcome. st: the
 * store (locked here for its reads and its write).
 */
void srv_release_finish(struct srv_upload *u, struct srv_store *st, struct srv_release_result *out);

/* At start: the temporary files of uploads a stopped server left in DATA/releases removed. Returns how many. */
int srv_releases_sweep(const char *data_dir);

#endif
