/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP for the simulator (http.h): libcurl's multi interface, so that a few requests are in flight at once from
 * one thread (the SDK's state is global: the devices run on one thread, and so can their network). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "uplink.h"

#define CONNECTIONS_MAX 64u
#define TRIES 3
#define URL_MAX 512

struct body {
	char *p;
	size_t len, cap;
};

struct slot {
	CURL *easy;
	struct body body;
	size_t batch;
	int tries;
	char url[URL_MAX];
};

struct sim_http {
	CURLM *multi;
	struct slot admin;
	struct slot *slots;
	unsigned n;
	struct curl_slist *chunk_headers, *admin_headers;
	char server[URL_MAX / 2];
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t len = size * n;

	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 4096;
		char *p;

		while (b->len + len + 1 > cap)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL)
			return 0; /* libcurl ends the transfer with an error */
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return len;
}

static int slot_open(struct slot *s)
{
	s->easy = curl_easy_init();
	if (s->easy == NULL)
		return -1;
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, &s->body);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
	return 0;
}

int sim_http_open(struct sim_http **out, const char *server, const char *key, const char *token,
		  unsigned connections)
{
	struct sim_http *h = calloc(1, sizeof(*h));
	char line[512];
	size_t len = strlen(server);

	*out = NULL;
	if (h == NULL || len + 1 > sizeof(h->server) || connections == 0 || connections > CONNECTIONS_MAX ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "fleetsim: cannot start the HTTP client for %s\n", server);
		free(h);
		return -1;
	}
	while (len > 0 && server[len - 1] == '/')
		len--;
	memcpy(h->server, server, len);
	h->n = connections;
	h->multi = curl_multi_init();
	h->slots = calloc(connections, sizeof(*h->slots));
	if (h->multi == NULL || h->slots == NULL || slot_open(&h->admin) != 0)
		goto fail;
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)connections);
	for (unsigned i = 0; i < connections; i++)
		if (slot_open(&h->slots[i]) != 0)
			goto fail;
	/* No "Expect: 100-continue": a batch goes in one round trip. */
	snprintf(line, sizeof(line), "X-Faultline-Key: %s", key != NULL ? key : "");
	h->chunk_headers = curl_slist_append(NULL, line);
	h->chunk_headers = curl_slist_append(h->chunk_headers, "Content-Type: application/vnd.faultline.chunk-batch");
	h->chunk_headers = curl_slist_append(h->chunk_headers, "Expect:");
	snprintf(line, sizeof(line), "Authorization: Bearer %s", token != NULL ? token : "");
	h->admin_headers = curl_slist_append(NULL, line);
	h->admin_headers = curl_slist_append(h->admin_headers, "Expect:");
	if (h->chunk_headers == NULL || h->admin_headers == NULL)
		goto fail;
	*out = h;
	return 0;
fail:
	fprintf(stderr, "fleetsim: cannot start the HTTP client for %s\n", server);
	sim_http_close(h);
	return -1;
}

void sim_http_close(struct sim_http *h)
{
	if (h == NULL)
		return;
	for (unsigned i = 0; h->slots != NULL && i < h->n; i++) {
		curl_easy_cleanup(h->slots[i].easy);
		free(h->slots[i].body.p);
	}
	curl_easy_cleanup(h->admin.easy);
	free(h->admin.body.p);
	free(h->slots);
	curl_slist_free_all(h->chunk_headers);
	curl_slist_free_all(h->admin_headers);
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	free(h);
	curl_global_cleanup();
}

int sim_http_admin(struct sim_http *h, const char *method, const char *path, const void *body, size_t len,
		   long *out_status, json_t **out)
{
	struct slot *s = &h->admin;
	CURLcode rc;

	*out_status = 0;
	*out = NULL;
	s->body.len = 0;
	snprintf(s->url, sizeof(s->url), "%s%s", h->server, path);
	curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, h->admin_headers);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(s->easy, CURLOPT_POST, 1L);
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, body != NULL ? body : "");
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else {
		curl_easy_setopt(s->easy, CURLOPT_HTTPGET, 1L);
	}
	rc = curl_easy_perform(s->easy);
	if (rc != CURLE_OK) {
		fprintf(stderr, "fleetsim: %s %s: %s\n", method, s->url, curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, out_status);
	if (s->body.len > 0)
		*out = json_loadb(s->body.p, s->body.len, 0, NULL);
	return 0;
}

static int start(struct sim_http *h, struct slot *s, const struct sim_link *l, size_t batch)
{
	const struct sim_batch *b = &l->batches[batch];

	s->batch = batch;
	s->body.len = 0;
	snprintf(s->url, sizeof(s->url), "%s/api/v1/devices/%s/chunks", h->server, b->serial);
	curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, h->chunk_headers);
	curl_easy_setopt(s->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, (const char *)l->bytes + b->at);
	curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->len);
	return curl_multi_add_handle(h->multi, s->easy) == CURLM_OK ? 0 : -1;
}

int sim_http_send(struct sim_http *h, const struct sim_link *l, sim_http_answer answer, void *ctx)
{
	size_t next = 0, active = 0;
	struct slot **free_slots = malloc(h->n * sizeof(*free_slots));
	unsigned nfree = h->n;
	int rc = 0, running;

	if (free_slots == NULL)
		return -1;
	for (unsigned i = 0; i < h->n; i++)
		free_slots[i] = &h->slots[h->n - 1 - i];
	while (rc == 0 && (active > 0 || next < l->nbatches)) {
		CURLMsg *m;
		int left;

		while (nfree > 0 && next < l->nbatches) {
			if (l->batches[next].nsent == 0) {
				next++;
				continue;
			}
			free_slots[nfree - 1]->tries = 0;
			if (start(h, free_slots[nfree - 1], l, next) != 0) {
				rc = -1;
				break;
			}
			nfree--;
			next++;
			active++;
		}
		if (curl_multi_perform(h->multi, &running) != CURLM_OK ||
		    (running > 0 && curl_multi_poll(h->multi, NULL, 0, 1000, NULL) != CURLM_OK)) {
			rc = -1;
			break;
		}
		while (rc == 0 && (m = curl_multi_info_read(h->multi, &left)) != NULL) {
			struct slot *s;
			long status = 0;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
			curl_multi_remove_handle(h->multi, s->easy);
			if ((m->data.result != CURLE_OK || status >= 500) && ++s->tries < TRIES) {
				rc = start(h, s, l, s->batch); /* again: what the server kept of it is a duplicate */
				continue;
			}
			if (m->data.result != CURLE_OK) {
				fprintf(stderr, "fleetsim: POST %s: %s\n", s->url, curl_easy_strerror(m->data.result));
				rc = -1;
			} else {
				rc = answer(ctx, s->batch, status, s->body.p != NULL ? s->body.p : "", s->body.len);
			}
			free_slots[nfree++] = s;
			active--;
		}
	}
	for (unsigned i = 0; rc != 0 && i < h->n; i++)
		curl_multi_remove_handle(h->multi, h->slots[i].easy);
	free(free_slots);
	return rc;
}
