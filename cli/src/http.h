/* SPDX-License-Identifier: Apache-2.0 */
/* The CLI's HTTP client: libcurl, loaded (dlopen) the first time a command talks to a server. */
#ifndef CLI_HTTP_H
#define CLI_HTTP_H

#include <stdio.h>
#include <stddef.h>

/* An answer's body, NUL-terminated; data is malloc'd (the caller frees it; NULL when empty). retry_after: the
 * seconds of its Retry-After header (0: none). */
struct cli_body {
	char *data;
	size_t len;
	long retry_after;
};

/* One request: a GET, or a POST of a memory buffer (data) or of a file (upload). */
struct cli_request {
	const char *url;
	const char *header;       /* one extra header line, e.g. "Authorization: Bearer ..." (NULL: none) */
	const char *header2;      /* and another, e.g. "Range: bytes=0-1023" (NULL: none) */
	const char *content_type; /* of a POST (NULL: libcurl's default) */
	const void *data;         /* POST these len bytes (the caller's) ... */
	size_t len;
	FILE *upload;             /* ... or POST upload_size bytes of this file */
	long long upload_size;
	const char *progress_name; /* with upload: show progress on a terminal under this name */
	long timeout_s;           /* the whole request (0: none); connecting is bounded at 10 s */
};

/* Load libcurl. cmd names the command in the message printed when it cannot. Returns 0 or -1. */
int cli_http_init(const char *cmd);
void cli_http_fini(void);

/*
 * Perform rq. out: the answer's body (reset first).  err/errlen: why, when the server could not be reached.
 * Returns the HTTP status, or 0 when no answer came (err filled).
 */
long cli_http(const struct cli_request *rq, struct cli_body *out, char *err, size_t errlen);

#endif
