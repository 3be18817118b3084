/* SPDX-License-Identifier: Apache-2.0 */
/* libcurl behind cli_http(). Loaded with dlopen: linked in, it and its 30-odd libraries loaded at every start of
 * faultline, 6 ms for `faultline --version` (1 ms without), more than `faultline decode` itself takes. */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http.h"

static struct {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
	void (*slist_free_all)(struct curl_slist *list);
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
} s_curl;

/* Each member from the library, or false. */
#define LOAD(lib, member) ((s_curl.member = (__typeof__(s_curl.member))dlsym(lib, "curl_" #member)) != NULL)

int cli_http_init(const char *cmd)
{
	void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL) {
		fprintf(stderr, "faultline %s: cannot load libcurl (%s): install the Debian package libcurl4\n", cmd,
			dlerror());
		return -1;
	}
	if (!(LOAD(lib, easy_init) && LOAD(lib, easy_setopt) && LOAD(lib, easy_perform) && LOAD(lib, easy_getinfo) &&
	      LOAD(lib, easy_cleanup) && LOAD(lib, easy_strerror) && LOAD(lib, slist_append) &&
	      LOAD(lib, slist_free_all) && LOAD(lib, global_init) && LOAD(lib, global_cleanup))) {
		fprintf(stderr, "faultline %s: this libcurl lacks a function faultline calls\n", cmd);
		return -1;
	}
	s_curl.global_init(CURL_GLOBAL_DEFAULT);
	return 0;
}

void cli_http_fini(void)
{
	s_curl.global_cleanup();
}

static size_t collect(char *ptr, size_t size, size_t n, void *ctx)
{
	struct cli_body *b = ctx;
	char *grown = realloc(b->data, b->len + size * n + 1);

	if (grown == NULL)
		return 0;
	b->data = grown;
	memcpy(b->data + b->len, ptr, size * n);
	b->len += size * n;
	b->data[b->len] = '\0';
	return size * n;
}

/* A header line of the answer: Retry-After (in seconds) is kept. */
static size_t header_line(char *ptr, size_t size, size_t n, void *ctx)
{
	struct cli_body *b = ctx;
	size_t len = size * n;
	char line[64];

	if (len < sizeof(line) && len > 12 && strncasecmp(ptr, "Retry-After:", 12) == 0) {
		memcpy(line, ptr + 12, len - 12);
		line[len - 12] = '\0';
		b->retry_after = strtol(line, NULL, 10);
		if (b->retry_after < 0)
			b->retry_after = 0;
	}
	return len;
}

/* Upload progress on a terminal: "uploading firmware.elf: 42% of 27.1 MiB". */
static int progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	if (ultotal > 0)
		fprintf(stderr, "\ruploading %s: %3d%% of %.1f MiB", (const char *)ctx, (int)(100 * ulnow / ultotal),
			(double)ultotal / (1 << 20));
	return 0;
}

long cli_http(const struct cli_request *rq, struct cli_body *out, char *err, size_t errlen)
{
	char type[128];
	struct curl_slist *headers = NULL;
	CURL *c = s_curl.easy_init();
	bool show = rq->upload != NULL && rq->progress_name != NULL && isatty(STDERR_FILENO);
	CURLcode rc;
	long status = 0;

	*out = (struct cli_body){0};
	if (c == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return 0;
	}
	if (rq->header != NULL)
		headers = s_curl.slist_append(headers, rq->header);
	if (rq->header2 != NULL)
		headers = s_curl.slist_append(headers, rq->header2);
	if (rq->content_type != NULL) {
		snprintf(type, sizeof(type), "Content-Type: %s", rq->content_type);
		headers = s_curl.slist_append(headers, type);
	}
	s_curl.easy_setopt(c, CURLOPT_URL, rq->url);
	s_curl.easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	s_curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	s_curl.easy_setopt(c, CURLOPT_WRITEDATA, out);
	s_curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, header_line);
	s_curl.easy_setopt(c, CURLOPT_HEADERDATA, out);
	s_curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	s_curl.easy_setopt(c, CURLOPT_TIMEOUT, rq->timeout_s);
	if (rq->data != NULL) {
		s_curl.easy_setopt(c, CURLOPT_POSTFIELDS, rq->data);
		s_curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->len);
	} else if (rq->upload != NULL) {
		s_curl.easy_setopt(c, CURLOPT_POST, 1L);
		s_curl.easy_setopt(c, CURLOPT_READDATA, rq->upload);
		s_curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->upload_size);
	}
	if (show) {
		s_curl.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		s_curl.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
		s_curl.easy_setopt(c, CURLOPT_XFERINFODATA, rq->progress_name);
	}
	rc = s_curl.easy_perform(c);
	if (show)
		fputc('\n', stderr);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", s_curl.easy_strerror(rc));
	else
		s_curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	s_curl.slist_free_all(headers);
	s_curl.easy_cleanup(c);
	return status;
}
