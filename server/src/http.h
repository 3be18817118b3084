/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP front of faultline-server (libmicrohttpd): routing, authentication, JSON answers. Handlers only
 * validate, store and answer; nothing slow (unwinding, symbolizing) runs here. */
#ifndef SRV_HTTP_H
#define SRV_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "listen.h"
#include "store.h"
#include "worker.h"

struct srv_http;

struct srv_http_config {
	const struct srv_listen *listen; /* port 0: a free one */
	struct srv_store *store;
	const char *data_dir;            /* symbol files go to data_dir/symbols */
	size_t symbols_max;              /* largest symbol upload, bytes */
	uint64_t disk_reserve;           /* bytes of the data folder's disk kept free: below, ingest answers 503 */
	struct srv_workers *workers;     /* woken when a message is delivered or symbols arrive; may be NULL */
	const struct srv_analyst_config *analysis; /* how uploads are checked (analyst.h) */
	struct srv_limits *limits;       /* rate limits on chunk requests (limits.h); NULL: none */
	/* Against clients that hold connections (slowloris): a request's headers must arrive within header_seconds
	 * of its first byte (or of the request before it on the connection), the whole request within
	 * request_seconds; one address holds at most per_address connections (a gateway behind NAT speaks for many
	 * devices: keep it generous). 0: the defaults, 30 s, 600 s, 256. */
	unsigned header_seconds, request_seconds, per_address;
};

/*
 * Listen and serve from the store, on a pool of threads. out_port: the port actually bound.
 * err/errlen: why it failed. Returns 0 or -1.
 */
int srv_http_start(struct srv_http **out, const struct srv_http_config *cfg, uint16_t *out_port, char *err,
		   size_t errlen);

/* Stop accepting, finish the requests in flight, and free. */
void srv_http_stop(struct srv_http *h);

#endif
