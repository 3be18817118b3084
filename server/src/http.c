/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP: a libmicrohttpd daemon with an internal thread pool; every answer is JSON. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "alloc.h"
#include "http.h"
#include "keys.h"

#define THREADS 4u
#define API "/api/v1/"

struct srv_http {
	struct MHD_Daemon *daemon;
	struct srv_store *store;
};

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	struct MHD_Response *r;
	enum MHD_Result rc;

	json_decref(body);
	if (text == NULL)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* {"error": {"code": ..., "message": ...}} */
static enum MHD_Result error(struct MHD_Connection *c, unsigned status, const char *code, const char *message)
{
	return respond(c, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message));
}

/* The role the request's credentials prove: the admin token (Bearer) or the project key (X-Faultline-Key). */
static enum srv_role role_of(struct srv_http *h, struct MHD_Connection *c)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Faultline-Key");

	if (auth != NULL && strncmp(auth, "Bearer ", 7) == 0 && srv_keys_check(h->store, SRV_ROLE_ADMIN, auth + 7))
		return SRV_ROLE_ADMIN;
	if (key != NULL && srv_keys_check(h->store, SRV_ROLE_DEVICE, key))
		return SRV_ROLE_DEVICE;
	return SRV_ROLE_NONE;
}

/* Device endpoints take the project key (or the admin token); everything else the admin token. */
static bool device_endpoint(const char *url, const char *method)
{
	const char *serial = url + strlen(API "devices/"), *slash;

	if (strcmp(method, "POST") != 0 || strncmp(url, API "devices/", strlen(API "devices/")) != 0)
		return false;
	slash = strchr(serial, '/');
	return slash != NULL && slash > serial && strcmp(slash, "/chunks") == 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	static int first;
	struct srv_http *h = cls;
	enum srv_role role;

	(void)version;
	(void)upload_data;
	if (*req_cls == NULL) { /* headers only: answer what needs no body now */
		*req_cls = &first;
		if (strcmp(url, "/healthz") == 0 && strcmp(method, "GET") == 0)
			return respond(c, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
		role = role_of(h, c);
		if (role == SRV_ROLE_NONE || (role == SRV_ROLE_DEVICE && !device_endpoint(url, method)))
			return error(c, MHD_HTTP_UNAUTHORIZED, "unauthorized",
				     role == SRV_ROLE_NONE ? "missing or wrong credentials: devices send X-Faultline-Key, "
							     "people Authorization: Bearer"
							   : "the project key may only send chunks");
		return error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such endpoint");
	}
	*upload_data_size = 0; /* a body after an answer is discarded */
	return MHD_YES;
}

int srv_http_start(struct srv_http **out, const struct srv_listen *l, struct srv_store *store, uint16_t *out_port,
		   char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM}, *ai = NULL;
	struct srv_http *h = srv_calloc(1, sizeof(*h));
	const union MHD_DaemonInfo *info;
	char port[8];
	int rc;

	*out = NULL;
	snprintf(port, sizeof(port), "%u", l->port);
	rc = getaddrinfo(l->host, port, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", l->host, gai_strerror(rc));
		free(h);
		return -1;
	}
	h->store = store;
	h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
					     (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				     0, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
				     MHD_OPTION_THREAD_POOL_SIZE, THREADS, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
				     MHD_OPTION_END);
	freeaddrinfo(ai);
	if (h->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on %s:%u (in use, or not an address of this machine?)", l->host,
			 l->port);
		free(h);
		return -1;
	}
	info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	*out_port = info != NULL ? info->port : l->port;
	*out = h;
	return 0;
}

void srv_http_stop(struct srv_http *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->daemon);
	free(h);
}
