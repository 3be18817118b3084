/* SPDX-License-Identifier: Apache-2.0 */
/* The commands that talk to faultline-server (docs/API.md) over HTTP with libcurl: symbols upload, issues, issue,
 * resolve, mute, reopen, trace, core, devices, device, quarantine, versions, compare, metrics. Common options: --server URL and --token
 * TOKEN, or FAULTLINE_SERVER and FAULTLINE_TOKEN; --json prints the server's answer as it is; issues takes --all or
 * --limit N. Errors go to stderr with status 1 (2 for a usage error). */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fa/core.h"
#include "fa/report.h"
#include "ff/reason.h"
#include "ff/serial.h"
#include "ff/update.h"
#include "health.h"
#include "http.h"

#define DEFAULT_SERVER "http://127.0.0.1:8080"
#define ISSUES_PAGE 100 /* the issues `faultline issues` shows without --limit or --all */
#define PAGE_MAX 500    /* the server's largest page */

struct remote {
	const char *cmd;
	const char *server;
	const char *token;
	bool json;
	bool all;                /* issues: every page */
	int limit;               /* issues: the page size, 1..PAGE_MAX; 0 when not given */
	const char *out;         /* core: -o FILE */
	const char *days;        /* versions, compare: --days N */
	const char *version;     /* metrics: --version V; resolve: --in V */
	const char *name;        /* keys add: --name NAME */
	const char *elf;         /* release upload: --elf FIRMWARE.elf, uploaded first */
	const char *hw, *sw;     /* cohort create: --hw HW, --sw VERSION */
	const char *serials[64]; /* cohort create: --serial S, each */
	int nserials;
	const char *cohort;      /* deploy: --cohort NAME */
	int percent;             /* deploy: --percent P (0: all) */
	bool by_hw;              /* versions: --by-hw */
	const char *args[2];     /* positional arguments */
	int nargs;
};

/*
 * One request to path under the server. upload: a file to POST (NULL: GET). out: the answer's body (malloc'd).
 * Returns the HTTP status, or 0 when the server could not be reached (the message is printed).
 */
static long request(const struct remote *r, const char *path, FILE *upload, long long upload_size,
		    const char *upload_name, struct cli_body *out)
{
	char url[2048], auth[600], err[256];
	struct cli_request rq = {.url = url, .header = auth, .upload = upload, .upload_size = upload_size,
				 .progress_name = upload_name};
	long status;

	snprintf(url, sizeof(url), "%s/api/v1/%s", r->server, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", r->token);
	status = cli_http(&rq, out, err, sizeof(err));
	if (status == 0)
		fprintf(stderr, "faultline %s: cannot reach the server at %s: %s\n", r->cmd, r->server, err);
	return status;
}

/*
 * The JSON of an answer of status (0: unreachable, already said) when it is the one expected; else NULL after
 * printing why, with the server's own message when it gave one. Frees b's data.
 */
static json_t *answer(const struct remote *r, long status, long expected, struct cli_body *b)
{
	json_t *j = status != 0 && b->data != NULL ? json_loads(b->data, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));

	free(b->data);
	b->data = NULL;
	if (status == expected && j != NULL)
		return j;
	if (status != 0)
		fprintf(stderr, "faultline %s: the server answered HTTP %ld: %s\n", r->cmd, status,
			msg != NULL ? msg : "(not a faultline-server answer)");
	json_decref(j);
	return NULL;
}

/* POST body (JSON text) to path: the answer of status 200, or NULL after printing why. */
static json_t *post_json(const struct remote *r, const char *path, const char *body)
{
	char url[2048], auth[600], err[256];
	struct cli_request rq = {.url = url, .header = auth, .content_type = "application/json", .data = body,
				 .len = strlen(body)};
	struct cli_body b = {0};
	long status;

	snprintf(url, sizeof(url), "%s/api/v1/%s", r->server, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", r->token);
	status = cli_http(&rq, &b, err, sizeof(err));
	if (status == 0)
		fprintf(stderr, "faultline %s: cannot reach the server at %s: %s\n", r->cmd, r->server, err);
	return answer(r, status, status == 201 ? 201 : 200, &b);
}

/* GET path as JSON: the answer, or NULL after printing why. */
static json_t *get_json(const struct remote *r, const char *path)
{
	struct cli_body b = {0};
	long status = request(r, path, NULL, 0, NULL, &b);

	return answer(r, status, 200, &b);
}

static void print_json(const json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2));
	putchar('\n');
}

static const char *when(json_int_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	strftime(buf, size, "%Y-%m-%d %H:%M:%S", gmtime_r(&tt, &tm));
	return buf;
}

static int symbols_upload(const struct remote *r)
{
	const char *path = r->args[1];
	struct cli_body b = {0};
	struct stat st;
	json_t *j;
	FILE *f;
	long status;

	if (r->nargs != 2 || strcmp(r->args[0], "upload") != 0) {
		fprintf(stderr, "usage: faultline symbols upload FIRMWARE.elf [--server URL] [--token TOKEN] [--json]\n");
		return 2;
	}
	f = fopen(path, "rb");
	if (f == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "faultline symbols: cannot open %s\n", path);
		if (f != NULL)
			fclose(f);
		return 1;
	}
	status = request(r, "symbols", f, (long long)st.st_size, path, &b);
	fclose(f);
	if ((j = answer(r, status, 201, &b)) == NULL)
		return 1;
	if (r->json)
		print_json(j);
	else
		printf("%s: build-id %s stored (%lld bytes); %lld waiting crash(es) queued for processing\n", path,
		       json_string_value(json_object_get(j, "build_id")),
		       (long long)json_integer_value(json_object_get(j, "size")),
		       (long long)json_integer_value(json_object_get(j, "requeued")));
	json_decref(j);
	return 0;
}

/* Pages of a listing ("issues", "devices", "quarantine") of limit entries each, as one array: the first page
 * only, or every page when all. *out_more (optional): whether pages were left. *out_extra (optional): the first
 * page's member of that name (a new reference, NULL when absent). NULL after printing why. */
static json_t *pages(const struct remote *r, const char *what, int limit, bool all, bool *out_more,
		     const char *extra, json_t **out_extra)
{
	json_t *list = json_array(), *page, *next;
	char path[600];

	snprintf(path, sizeof(path), "%s?limit=%d", what, limit);
	while ((page = get_json(r, path)) != NULL) {
		json_array_extend(list, json_object_get(page, what));
		bool more = true;

		if (out_extra != NULL && *out_extra == NULL)
			*out_extra = json_incref(json_object_get(page, extra));

		next = json_object_get(page, "next"); /* owned by page */
		if (json_is_integer(next))
			snprintf(path, sizeof(path), "%s?limit=%d&after=%lld", what, limit, (long long)json_integer_value(next));
		else if (json_is_string(next))
			snprintf(path, sizeof(path), "%s?limit=%d&after=%s", what, limit, json_string_value(next));
		else
			more = false;
		json_decref(page);
		if (!more || !all) {
			if (out_more != NULL)
				*out_more = more;
			return list;
		}
	}
	json_decref(list);
	return NULL;
}

/* The first page of issues (ISSUES_PAGE, or --limit), or with --all every one; then whether there are more, and
 * how far reprocessing is when it runs (docs/ANALYSIS.md, When fingerprints change). */
static int issues(const struct remote *r)
{
	bool more = false;
	json_t *reprocessing = NULL, *i;
	json_t *list = pages(r, "issues", r->limit > 0 ? r->limit : r->all ? PAGE_MAX : ISSUES_PAGE, r->all, &more,
			     "reprocessing", &reprocessing);
	size_t n;
	char buf[32];

	if (list == NULL)
		return 1;
	if (r->json) {
		print_json(list);
		if (more) /* stdout stays JSON */
			fprintf(stderr, "... more: faultline issues --all\n");
	} else {
		printf("%6s %7s %7s  %-8s  %-19s  %s\n", "ID", "COUNT", "DEVICES", "STATE", "LAST SEEN (UTC)", "TITLE");
		json_array_foreach(list, n, i)
			printf("%6lld %7lld %7lld  %-8s  %-19s  %s\n", (long long)json_integer_value(json_object_get(i, "id")),
			       (long long)json_integer_value(json_object_get(i, "count")),
			       (long long)json_integer_value(json_object_get(i, "devices")),
			       json_is_string(json_object_get(i, "state")) ? json_string_value(json_object_get(i, "state"))
									    : "open",
			       when(json_integer_value(json_object_get(i, "last_seen")), buf, sizeof(buf)),
			       json_string_value(json_object_get(i, "title")));
		if (more)
			printf("... more: faultline issues --all\n");
	}
	if (json_is_object(reprocessing)) /* on stderr with --json: stdout stays JSON */
		fprintf(r->json ? stderr : stdout, "reprocessing to analysis version %lld since %s UTC: %s, %lld of %lld "
			"trace(s) analysed again; issues keep their old grouping until it is done\n",
			(long long)json_integer_value(json_object_get(reprocessing, "to")),
			when(json_integer_value(json_object_get(reprocessing, "started")), buf, sizeof(buf)),
			json_string_value(json_object_get(reprocessing, "phase")),
			(long long)json_integer_value(json_object_get(reprocessing, "done")),
			(long long)json_integer_value(json_object_get(reprocessing, "total")));
	json_decref(reprocessing);
	json_decref(list);
	return 0;
}

static int devices(const struct remote *r)
{
	json_t *list = pages(r, "devices", PAGE_MAX, true, NULL, NULL, NULL), *d;
	size_t n;
	char first[32], last[32];

	if (list == NULL)
		return 1;
	if (r->json) {
		print_json(list);
	} else {
		printf("%-24s %8s  %-19s  %s\n", "SERIAL", "MESSAGES", "FIRST SEEN (UTC)", "LAST SEEN (UTC)");
		json_array_foreach(list, n, d)
			printf("%-24s %8lld  %-19s  %s\n", json_string_value(json_object_get(d, "serial")),
			       (long long)json_integer_value(json_object_get(d, "messages")),
			       when(json_integer_value(json_object_get(d, "first_seen")), first, sizeof(first)),
			       when(json_integer_value(json_object_get(d, "last_seen")), last, sizeof(last)));
	}
	json_decref(list);
	return 0;
}

/* The messages quarantined because their analysis died again and again, with why and the build they wait for a new
 * symbol file of. */
static int quarantine(const struct remote *r)
{
	json_t *list = pages(r, "quarantine", PAGE_MAX, true, NULL, NULL, NULL), *q;
	size_t n;
	char received[32];

	if (list == NULL)
		return 1;
	if (r->json) {
		print_json(list);
	} else if (json_array_size(list) == 0) {
		printf("no message is quarantined\n");
	} else {
		printf("%8s  %-24s %-19s  %8s  %s\n", "MESSAGE", "DEVICE", "RECEIVED (UTC)", "FAILURES", "BUILD");
		json_array_foreach(list, n, q) {
			printf("%8lld  %-24s %-19s  %8lld  %s\n", (long long)json_integer_value(json_object_get(q, "id")),
			       json_string_value(json_object_get(q, "device")),
			       when(json_integer_value(json_object_get(q, "received")), received, sizeof(received)),
			       (long long)json_integer_value(json_object_get(q, "failures")),
			       json_string_value(json_object_get(q, "build_id")));
			printf("          %s\n", json_string_value(json_object_get(q, "reason")));
		}
	}
	json_decref(list);
	return 0;
}

/* A positive decimal id, or 0. */
static long long id_arg(const char *text)
{
	char *end;
	long long id = strtoll(text, &end, 10);

	return *text != '\0' && *end == '\0' && id > 0 ? id : 0;
}

/*
 * GET what/ARG for the command's one argument, when arg_ok says it is well formed (the caller checks nargs == 1
 * first). Returns the JSON, or NULL with *status 2 after the usage line "faultline USAGE", or 1 after the error.
 */
static json_t *get_item(const struct remote *r, const char *what, bool arg_ok, const char *usage, int *status)
{
	char path[300];
	json_t *j;

	if (!arg_ok) {
		fprintf(stderr, "usage: faultline %s [--server URL] [--token TOKEN] [--json]\n", usage);
		*status = 2;
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", what, r->args[0]);
	j = get_json(r, path);
	*status = j != NULL ? 0 : 1;
	return j;
}

/* One device: when it was seen, its boots (newest first) with why the boot before each ended, its traces, and the
 * builds whose symbols its coredumps wait for. */
static int device(const struct remote *r)
{
	char first[32], last[32], at[32], path[128];
	json_t *j, *v;
	size_t n;
	int status;

	j = get_item(r, "devices", r->nargs == 1 && ff_device_serial_valid(r->args[0], strlen(r->args[0])), "device SERIAL",
		     &status);
	if (j == NULL)
		return status;
	if (r->json) {
		print_json(j);
		json_decref(j);
		return 0;
	}
	printf("device %s: first seen %s, last seen %s UTC\n", json_string_value(json_object_get(j, "serial")),
	       when(json_integer_value(json_object_get(j, "first_seen")), first, sizeof(first)),
	       when(json_integer_value(json_object_get(j, "last_seen")), last, sizeof(last)));
	printf("\nboots, newest first:\n%8s  %-19s  %s\n", "BOOT", "RECEIVED (UTC)", "STARTED AFTER");
	json_array_foreach(json_object_get(j, "reboots"), n, v) {
		uint16_t reason = (uint16_t)json_integer_value(json_object_get(v, "reason"));
		const char *name = ff_reason_name(reason);

		printf("%8lld  %-19s  %s (0x%04x)\n", (long long)json_integer_value(json_object_get(v, "boot_id")),
		       when(json_integer_value(json_object_get(v, "received")), at, sizeof(at)),
		       name != NULL ? name : "application reason", reason);
	}
	printf("\ntraces, newest first:\n%8s %7s  %-19s  %s\n", "TRACE", "ISSUE", "RECEIVED (UTC)", "VERSION");
	json_array_foreach(json_object_get(j, "traces"), n, v)
		printf("%8lld %7lld  %-19s  %s\n", (long long)json_integer_value(json_object_get(v, "id")),
		       (long long)json_integer_value(json_object_get(v, "issue")),
		       when(json_integer_value(json_object_get(v, "received")), at, sizeof(at)),
		       json_string_value(json_object_get(v, "sw_version")));
	json_array_foreach(json_object_get(j, "waiting_for_symbols"), n, v)
		printf("%scoredumps wait for the symbols of build %s (faultline symbols upload its ELF)\n", n == 0 ? "\n" : "",
		       json_string_value(v));
	json_decref(j);
	snprintf(path, sizeof(path), "devices/%s/heartbeats", r->args[0]);
	if ((j = get_json(r, path)) == NULL)
		return 1;
	cli_print_heartbeats(j, 24);
	json_decref(j);
	return 0;
}

/* A trace as `faultline decode` prints it, headed by lead and where it came from: its report read back from the
 * server's JSON and printed by the analysis library's one text printer. Returns 0, or 1 after saying why it cannot
 * be read (and printing nothing). */
static int print_trace(const struct remote *r, const json_t *t, const char *lead)
{
	struct fa_report *report = calloc(1, sizeof(*report));
	char *json = json_dumps(json_object_get(t, "report"), JSON_COMPACT);
	long long id = (long long)json_integer_value(json_object_get(t, "id"));
	struct ff_error err = {0};
	char buf[32];
	int status = 1;

	if (report == NULL || json == NULL)
		fprintf(stderr, "faultline %s: trace %lld: %s\n", r->cmd, id, report == NULL ? "out of memory" :
			"the server's answer has no report");
	else if (fa_report_from_json(report, json, strlen(json), &err) != 0)
		fprintf(stderr, "faultline %s: trace %lld: the server's report cannot be read: %s\n", r->cmd, id, err.msg);
	else
		status = 0;
	if (status == 0) {
		printf("%strace %lld of issue %lld, device %s, received %s UTC\n\n", lead, id,
		       (long long)json_integer_value(json_object_get(t, "issue")),
		       json_string_value(json_object_get(t, "device")),
		       when(json_integer_value(json_object_get(t, "received")), buf, sizeof(buf)));
		fa_report_print(report, stdout);
	}
	free(json);
	free(report);
	return status;
}

/* An issue's state line: "state:      resolved in 1.4.3 since ..." and why when it went there by itself. */
static void print_state(const json_t *j)
{
	const char *state = json_string_value(json_object_get(j, "state"));
	json_int_t at = json_integer_value(json_object_get(j, "state_at"));
	char buf[32];

	if (state == NULL)
		return;
	printf("\nstate:       %s", state);
	if (json_is_string(json_object_get(j, "resolved_in")))
		printf(" in %s", json_string_value(json_object_get(j, "resolved_in")));
	if (at != 0)
		printf(" since %s UTC", when(at, buf, sizeof(buf)));
	if (json_is_string(json_object_get(j, "state_why")))
		printf(": reopened, %s", json_string_value(json_object_get(j, "state_why")));
}

static int issue(const struct remote *r)
{
	char first[32], last[32];
	json_t *j, *v;
	size_t n;
	int status;

	if ((j = get_item(r, "issues", r->nargs == 1 && id_arg(r->args[0]) > 0, "issue ID", &status)) == NULL)
		return status;
	if (r->json) {
		print_json(j);
		json_decref(j);
		return 0;
	}
	if (json_is_integer(json_object_get(j, "redirected_from")))
		printf("issue %lld was merged into issue %lld (its fingerprint changed: docs/ANALYSIS.md)\n\n",
		       (long long)json_integer_value(json_object_get(j, "redirected_from")),
		       (long long)json_integer_value(json_object_get(j, "id")));
	printf("issue %lld: %s\nfingerprint: %s\noccurrences: %lld on %lld device(s), first %s, last %s UTC\nversions:   ",
	       (long long)json_integer_value(json_object_get(j, "id")), json_string_value(json_object_get(j, "title")),
	       json_string_value(json_object_get(j, "fingerprint")),
	       (long long)json_integer_value(json_object_get(j, "count")),
	       (long long)json_integer_value(json_object_get(j, "devices")),
	       when(json_integer_value(json_object_get(j, "first_seen")), first, sizeof(first)),
	       when(json_integer_value(json_object_get(j, "last_seen")), last, sizeof(last)));
	json_array_foreach(json_object_get(j, "versions"), n, v)
		printf(" %s", json_string_value(v));
	print_state(j);
	if (json_array_size(json_object_get(j, "merged")) > 0)
		printf("\nmerged:     ");
	json_array_foreach(json_object_get(j, "merged"), n, v)
		printf(" %lld", (long long)json_integer_value(v));
	if (json_is_integer(json_object_get(j, "split_from")))
		printf("\nsplit from: issue %lld", (long long)json_integer_value(json_object_get(j, "split_from")));
	{ /* the task it happened in, when the latest trace has an RTOS's threads */
		json_t *threads = json_object_get(json_object_get(json_object_get(j, "trace"), "report"), "threads");

		json_array_foreach(json_object_get(threads, "list"), n, v)
			if (json_is_true(json_object_get(v, "crashed")) && json_is_string(json_object_get(v, "name")))
				printf("\ntask:       \"%s\" (%s)", json_string_value(json_object_get(v, "name")),
				       json_is_string(json_object_get(threads, "rtos"))
					       ? json_string_value(json_object_get(threads, "rtos")) : "RTOS");
	}
	printf("\n\n");
	status = print_trace(r, json_object_get(j, "trace"), "latest ");
	json_decref(j);
	return status;
}

static int trace(const struct remote *r)
{
	json_t *j;
	int status;

	if ((j = get_item(r, "traces", r->nargs == 1 && id_arg(r->args[0]) > 0, "trace ID", &status)) == NULL)
		return status;
	if (r->json)
		print_json(json_object_get(j, "report"));
	else
		status = print_trace(r, j, "");
	json_decref(j);
	return status;
}

static int core(const struct remote *r)
{
	struct cli_body b = {0};
	char path[64];
	long status;

	if (r->nargs != 1 || id_arg(r->args[0]) == 0 || r->out == NULL) {
		fprintf(stderr, "usage: faultline core TRACE_ID -o core.elf [--server URL] [--token TOKEN]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "traces/%lld/core", id_arg(r->args[0]));
	status = request(r, path, NULL, 0, NULL, &b);
	if (status != 200) {
		answer(r, status, 200, &b); /* prints why */
		return 1;
	}
	if (cli_write_file("core", r->out, b.data, b.len, 0644, false) != 0) {
		free(b.data);
		return 1;
	}
	free(b.data);
	printf("%s: ELF core of trace %lld (%zu bytes); open it with: " FA_CORE_GDB_COMMAND "\n", r->out,
	       id_arg(r->args[0]), b.len, "FIRMWARE.elf", r->out);
	return 0;
}

/* resolve ID --in VERSION; mute ID; reopen ID: the issue workflow (docs/API.md) */
static int change(const struct remote *r)
{
	bool resolve = strcmp(r->cmd, "resolve") == 0;
	char path[64], *body;
	json_t *j, *in;

	if (r->nargs != 1 || id_arg(r->args[0]) == 0 || (resolve && r->version == NULL)) {
		fprintf(stderr, "usage: faultline %s ISSUE_ID%s [--server URL] [--token TOKEN] [--json]\n", r->cmd,
			resolve ? " --in VERSION (the version with the fix)" : "");
		return 2;
	}
	snprintf(path, sizeof(path), "issues/%lld/%s", id_arg(r->args[0]), r->cmd);
	in = resolve ? json_pack("{s:s?}", "in", r->version) : json_object();
	body = in != NULL ? json_dumps(in, JSON_COMPACT) : NULL;
	json_decref(in);
	if (body == NULL) {
		fprintf(stderr, "faultline %s: --in takes UTF-8 text\n", r->cmd);
		return 2;
	}
	j = post_json(r, path, body);
	free(body);
	if (j == NULL)
		return 1;
	if (r->json)
		print_json(j);
	else if (resolve)
		printf("issue %lld resolved in %s: it reopens when a trace comes from a later version\n",
		       (long long)json_integer_value(json_object_get(j, "id")),
		       json_string_value(json_object_get(j, "resolved_in")));
	else
		printf("issue %lld %s\n", (long long)json_integer_value(json_object_get(j, "id")),
		       strcmp(r->cmd, "mute") == 0 ? "muted: it stays out of the open issues and never reopens by itself"
						    : "open again");
	json_decref(j);
	return 0;
}

/* keys add PUBLIC.pem [--name NAME] | keys list | keys remove ID: the server's release signing keys. */
static int signing_keys(const struct remote *r)
{
	const char *sub = r->nargs > 0 ? r->args[0] : "";
	json_t *j, *k;
	size_t i;

	if (strcmp(sub, "add") == 0 && r->nargs == 2) {
		size_t len;
		uint8_t *pem = cli_read_file("keys add", r->args[1], 16384, &len);
		json_t *body;
		char *text;

		if (pem == NULL)
			return 1;
		body = json_pack("{s:s%, s:s?}", "public_key", (const char *)pem, len, "name", r->name);
		free(pem);
		text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
		json_decref(body);
		if (text == NULL) {
			fprintf(stderr, "faultline keys add: %s is not a PEM text file\n", r->args[1]);
			return 1;
		}
		j = post_json(r, "signing-keys", text);
		free(text);
		if (j == NULL)
			return 1;
		if (r->json)
			print_json(j);
		else
			printf("signing key %lld %s (key hash %s): the server takes releases signed by it\n",
			       (long long)json_integer_value(json_object_get(j, "id")),
			       json_is_true(json_object_get(j, "added")) ? "added" : "was already there",
			       json_string_value(json_object_get(j, "key_hash")));
		json_decref(j);
		return 0;
	}
	if (strcmp(sub, "remove") == 0 && r->nargs == 2 && id_arg(r->args[1]) > 0) {
		char path[64];

		snprintf(path, sizeof(path), "signing-keys/%lld/remove", id_arg(r->args[1]));
		if ((j = post_json(r, path, "{}")) == NULL)
			return 1;
		if (r->json)
			print_json(j);
		else
			printf("signing key %lld removed: new releases signed by it are refused (those it signed stay)\n",
			       id_arg(r->args[1]));
		json_decref(j);
		return 0;
	}
	if (strcmp(sub, "list") != 0 || r->nargs != 1) {
		fprintf(stderr, "usage: faultline keys add PUBLIC.pem [--name NAME] | keys list | keys remove ID "
				"[--server URL] [--token TOKEN] [--json]\n");
		return 2;
	}
	if ((j = get_json(r, "signing-keys")) == NULL)
		return 1;
	if (r->json) {
		print_json(j);
	} else {
		printf("%-4s %-20s %-64s %8s\n", "ID", "NAME", "KEY HASH (SHA-256 of the public key)", "RELEASES");
		json_array_foreach(json_object_get(j, "signing_keys"), i, k)
			printf("%-4lld %-20.20s %-64s %8lld\n", (long long)json_integer_value(json_object_get(k, "id")),
			       json_string_value(json_object_get(k, "name")), json_string_value(json_object_get(k, "key_hash")),
			       (long long)json_integer_value(json_object_get(k, "releases")));
		if (json_array_size(json_object_get(j, "signing_keys")) == 0)
			printf("(none: faultline keys add KEY.pub.pem)\n");
	}
	json_decref(j);
	return 0;
}

static void print_release(const json_t *rl)
{
	const json_t *counter = json_object_get(rl, "security_counter");

	printf("release %lld: version %s, %lld bytes (image %lld), security counter ", (long long)json_integer_value(
	       json_object_get(rl, "id")), json_string_value(json_object_get(rl, "version")),
	       (long long)json_integer_value(json_object_get(rl, "size")),
	       (long long)json_integer_value(json_object_get(rl, "image_size")));
	if (json_is_integer(counter))
		printf("%lld", (long long)json_integer_value(counter));
	else
		printf("none");
	printf(", build-id %s, signed by key %lld\n", json_string_value(json_object_get(rl, "build_id")),
	       (long long)json_integer_value(json_object_get(rl, "signing_key")));
}

/* release upload IMAGE [--elf FIRMWARE.elf]: the ELF first (its symbols), then the signed image. */
static int release_upload(const struct remote *r)
{
	struct cli_body b = {0};
	struct stat st;
	long status;
	json_t *j;
	FILE *f;

	if (r->nargs != 2 || strcmp(r->args[0], "upload") != 0) {
		fprintf(stderr, "usage: faultline release upload SIGNED.bin [--elf FIRMWARE.elf] [--server URL] [--token "
				"TOKEN] [--json]\n");
		return 2;
	}
	if (r->elf != NULL) {
		struct remote sym = *r;

		sym.cmd = "symbols";
		sym.args[0] = "upload";
		sym.args[1] = r->elf;
		sym.json = false;
		if (symbols_upload(&sym) != 0)
			return 1;
	}
	f = fopen(r->args[1], "rb");
	if (f == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "faultline release: cannot open %s\n", r->args[1]);
		if (f != NULL)
			fclose(f);
		return 1;
	}
	status = request(r, "releases", f, (long long)st.st_size, r->args[1], &b);
	fclose(f);
	if ((j = answer(r, status, status == 200 ? 200 : 201, &b)) == NULL)
		return 1;
	if (r->json)
		print_json(j);
	else
		print_release(j);
	json_decref(j);
	return 0;
}

static int releases(const struct remote *r)
{
	json_t *j, *rl;
	size_t i;

	if (r->nargs != 0) {
		fprintf(stderr, "usage: faultline releases [--server URL] [--token TOKEN] [--json]\n");
		return 2;
	}
	if ((j = get_json(r, "releases")) == NULL)
		return 1;
	if (r->json)
		print_json(j);
	else
		json_array_foreach(json_object_get(j, "releases"), i, rl)
			print_release(rl);
	if (!r->json && json_array_size(json_object_get(j, "releases")) == 0)
		printf("(no release: faultline release upload SIGNED.bin --elf FIRMWARE.elf)\n");
	json_decref(j);
	return 0;
}

/* cohort create NAME [--hw HW] [--sw VERSION] [--serial S ...] */
static int cohort_create(const struct remote *r)
{
	json_t *body, *serials = json_array(), *j;
	char *text;

	if (r->nargs != 2 || strcmp(r->args[0], "create") != 0) {
		fprintf(stderr, "usage: faultline cohort create NAME [--hw HW] [--sw VERSION] [--serial SERIAL ...] "
				"[--server URL] [--token TOKEN] [--json]\n");
		json_decref(serials);
		return 2;
	}
	for (int i = 0; i < r->nserials; i++)
		json_array_append_new(serials, json_string(r->serials[i]));
	body = json_pack("{s:s, s:s?, s:s?, s:o}", "name", r->args[1], "hw_version", r->hw, "sw_version", r->sw, "serials",
			 serials);
	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (text == NULL) {
		fprintf(stderr, "faultline cohort: the name, --hw, --sw and --serial take UTF-8 text\n");
		return 2;
	}
	j = post_json(r, "cohorts", text);
	free(text);
	if (j == NULL)
		return 1;
	if (r->json)
		print_json(j);
	else
		printf("cohort %lld: %s\n", (long long)json_integer_value(json_object_get(j, "id")), r->args[1]);
	json_decref(j);
	return 0;
}

static int cohorts(const struct remote *r)
{
	json_t *j, *c;
	size_t i;

	if ((j = get_json(r, "cohorts")) == NULL)
		return 1;
	if (r->json)
		print_json(j);
	else {
		printf("%-4s %-20s %-12s %-12s %s\n", "ID", "NAME", "HARDWARE", "VERSION", "SERIALS");
		json_array_foreach(json_object_get(j, "cohorts"), i, c) {
			const char *hw = json_string_value(json_object_get(c, "hw_version"));
			const char *sw = json_string_value(json_object_get(c, "sw_version"));
			long long n = (long long)json_integer_value(json_object_get(c, "serials"));

			printf("%-4lld %-20.20s %-12.12s %-12.12s ", (long long)json_integer_value(json_object_get(c, "id")),
			       json_string_value(json_object_get(c, "name")), hw != NULL ? hw : "any", sw != NULL ? sw : "any");
			if (n > 0)
				printf("%lld listed\n", n);
			else
				printf("any\n");
		}
	}
	json_decref(j);
	return 0;
}

/* deploy RELEASE_ID --cohort NAME [--percent P] */
static int deploy(const struct remote *r)
{
	char body[400];
	json_t *j, *name;
	char *cohort;

	if (r->nargs != 1 || id_arg(r->args[0]) == 0 || r->cohort == NULL) {
		fprintf(stderr, "usage: faultline deploy RELEASE_ID --cohort NAME [--percent P] [--server URL] [--token "
				"TOKEN] [--json]\n");
		return 2;
	}
	name = json_string(r->cohort);
	cohort = name != NULL ? json_dumps(name, JSON_ENCODE_ANY) : NULL;
	json_decref(name);
	if (cohort == NULL || strlen(cohort) > 300) {
		free(cohort);
		fprintf(stderr, "faultline deploy: --cohort takes a cohort's name\n");
		return 2;
	}
	snprintf(body, sizeof(body), "{\"release\": %lld, \"cohort\": %s, \"percent\": %d}", id_arg(r->args[0]), cohort,
		 r->percent != 0 ? r->percent : 100);
	free(cohort);
	if ((j = post_json(r, "deployments", body)) == NULL)
		return 1;
	if (r->json)
		print_json(j);
	else
		printf("deployment %lld: release %lld offered to %d%% of cohort %s (%lld of its devices checked in so far)\n",
		       (long long)json_integer_value(json_object_get(j, "id")), id_arg(r->args[0]),
		       r->percent != 0 ? r->percent : 100, r->cohort,
		       (long long)json_integer_value(json_object_get(j, "devices_checked_in")));
	json_decref(j);
	return 0;
}

static void print_deployment(const json_t *d)
{
	const json_t *at = json_object_get(d, "devices_at");

	printf("deployment %lld: release %lld (%s) to %lld%% of cohort %s%s\n  devices:",
	       (long long)json_integer_value(json_object_get(d, "id")),
	       (long long)json_integer_value(json_object_get(d, "release")), json_string_value(json_object_get(d, "version")),
	       (long long)json_integer_value(json_object_get(d, "percent")), json_string_value(json_object_get(d, "cohort")),
	       json_is_true(json_object_get(d, "stopped")) ? " (stopped)" : "");
	for (size_t i = 0; i < FF_UPDATE_STEPS; i++)
		printf(" %s %lld", ff_update_step_names[i],
		       (long long)json_integer_value(json_object_get(at, ff_update_step_names[i])));
	printf("\n");
}

/* deployments | deployment ID */
static int deployments(const struct remote *r)
{
	char path[64];
	json_t *j, *d;
	size_t i;

	if (strcmp(r->cmd, "deployment") == 0 && (r->nargs != 1 || id_arg(r->args[0]) == 0)) {
		fprintf(stderr, "usage: faultline deployment ID [--percent P] [--server URL] [--token TOKEN] [--json]\n");
		return 2;
	}
	if (strcmp(r->cmd, "deployment") == 0 && r->percent != 0) { /* grown (or shrunk) to a percent */
		char body[64];

		snprintf(path, sizeof(path), "deployments/%lld", id_arg(r->args[0]));
		snprintf(body, sizeof(body), "{\"percent\": %d}", r->percent);
		if ((j = post_json(r, path, body)) == NULL)
			return 1;
		json_decref(j);
		printf("deployment %lld: now offered to %d%% of its cohort (the devices already in stay in)\n",
		       id_arg(r->args[0]), r->percent);
		return 0;
	}
	if (strcmp(r->cmd, "deployment") == 0)
		snprintf(path, sizeof(path), "deployments/%lld", id_arg(r->args[0]));
	else
		snprintf(path, sizeof(path), "deployments");
	if ((j = get_json(r, path)) == NULL)
		return 1;
	if (r->json) {
		print_json(j);
	} else if (strcmp(r->cmd, "deployments") == 0) {
		json_array_foreach(json_object_get(j, "deployments"), i, d)
			print_deployment(d);
		if (json_array_size(json_object_get(j, "deployments")) == 0)
			printf("(no deployment: faultline deploy RELEASE_ID --cohort NAME)\n");
	} else {
		print_deployment(j);
		printf("\n%-24s %-12s %10s  %-20s %s\n", "DEVICE", "STEP", "OFFSET", "AT (UTC)", "WHY");
		json_array_foreach(json_object_get(j, "devices"), i, d) {
			char when[32];
			time_t t = (time_t)json_integer_value(json_object_get(d, "at"));
			const char *why = json_string_value(json_object_get(d, "why"));

			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime(&t));
			printf("%-24.24s %-12s %10lld  %-20s %s\n", json_string_value(json_object_get(d, "device")),
			       json_string_value(json_object_get(d, "step")),
			       (long long)json_integer_value(json_object_get(d, "offset")), when, why != NULL ? why : "");
		}
		printf("\nsteps reported:\n");
		json_array_foreach(json_object_get(j, "steps"), i, d) {
			const char *why = json_string_value(json_object_get(d, "why"));

			printf("  %-24.24s %-12s %10lld %s\n", json_string_value(json_object_get(d, "device")),
			       json_string_value(json_object_get(d, "step")),
			       (long long)json_integer_value(json_object_get(d, "offset")), why != NULL ? why : "");
		}
	}
	json_decref(j);
	return 0;
}

/* text as a query argument's value: bytes other than unreserved ones (RFC 3986) %-escaped ('+' is a space there). */
static void escape(char *out, size_t cap, const char *text)
{
	size_t n = 0;

	for (; *text != '\0' && n + 4 < cap; text++) {
		unsigned char c = (unsigned char)*text;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~", c))
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, cap - n, "%%%02X", c);
	}
	out[n] = '\0';
}

/* GET path, printed as JSON or by print. */
static int show(const struct remote *r, const char *path, void (*print)(const json_t *j))
{
	json_t *j = get_json(r, path);

	if (j == NULL)
		return 1;
	if (r->json)
		print_json(j);
	else
		print(j);
	json_decref(j);
	return 0;
}

/* versions [--days N] [--by-hw]; compare V1 V2 [--days N]; metrics KEY [--version V] */
static int health(const struct remote *r)
{
	char path[600], a[200], b[200], days[220] = "";

	if (r->days != NULL) {
		escape(a, sizeof(a), r->days);
		snprintf(days, sizeof(days), "days=%s", a);
	}
	if (strcmp(r->cmd, "versions") == 0) {
		if (r->nargs != 0)
			return 2;
		snprintf(path, sizeof(path), "versions?%s%s", days, r->by_hw ? "&by=hw" : "");
		return show(r, path, cli_print_versions);
	}
	if (strcmp(r->cmd, "compare") == 0) {
		if (r->nargs != 2)
			return 2;
		escape(a, sizeof(a), r->args[0]);
		escape(b, sizeof(b), r->args[1]);
		snprintf(path, sizeof(path), "compare?a=%s&b=%s&%s", a, b, days);
		return show(r, path, cli_print_compare);
	}
	if (r->nargs != 1)
		return 2;
	escape(a, sizeof(a), r->args[0]);
	if (r->version != NULL)
		escape(b, sizeof(b), r->version);
	snprintf(path, sizeof(path), "metrics?key=%s%s%s", a, r->version != NULL ? "&version=" : "",
		 r->version != NULL ? b : "");
	return show(r, path, cli_print_metric);
}

int cli_remote(int argc, char **argv)
{
	struct remote r = {.cmd = argv[0], .server = getenv("FAULTLINE_SERVER"), .token = getenv("FAULTLINE_TOKEN")};
	int status;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--server") == 0 && i + 1 < argc)
			r.server = argv[++i];
		else if (strcmp(argv[i], "--token") == 0 && i + 1 < argc)
			r.token = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			r.json = true;
		else if (strcmp(r.cmd, "issues") == 0 && strcmp(argv[i], "--all") == 0)
			r.all = true;
		else if (strcmp(r.cmd, "issues") == 0 && strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);

			if (*argv[i] == '\0' || *end != '\0' || n < 1 || n > PAGE_MAX) {
				fprintf(stderr, "faultline issues: --limit takes 1..%d, not '%s'\n", PAGE_MAX, argv[i]);
				return 2;
			}
			r.limit = (int)n;
		}
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			r.out = argv[++i];
		else if ((strcmp(r.cmd, "versions") == 0 || strcmp(r.cmd, "compare") == 0) &&
			 strcmp(argv[i], "--days") == 0 && i + 1 < argc)
			r.days = argv[++i];
		else if (strcmp(r.cmd, "versions") == 0 && strcmp(argv[i], "--by-hw") == 0)
			r.by_hw = true;
		else if (strcmp(r.cmd, "metrics") == 0 && strcmp(argv[i], "--version") == 0 && i + 1 < argc)
			r.version = argv[++i];
		else if (strcmp(r.cmd, "resolve") == 0 && strcmp(argv[i], "--in") == 0 && i + 1 < argc)
			r.version = argv[++i];
		else if (strcmp(r.cmd, "keys") == 0 && strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			r.name = argv[++i];
		else if (strcmp(r.cmd, "release") == 0 && strcmp(argv[i], "--elf") == 0 && i + 1 < argc)
			r.elf = argv[++i];
		else if (strcmp(r.cmd, "cohort") == 0 && strcmp(argv[i], "--hw") == 0 && i + 1 < argc)
			r.hw = argv[++i];
		else if (strcmp(r.cmd, "cohort") == 0 && strcmp(argv[i], "--sw") == 0 && i + 1 < argc)
			r.sw = argv[++i];
		else if (strcmp(r.cmd, "cohort") == 0 && strcmp(argv[i], "--serial") == 0 && i + 1 < argc && r.nserials < 64)
			r.serials[r.nserials++] = argv[++i];
		else if (strcmp(r.cmd, "deploy") == 0 && strcmp(argv[i], "--cohort") == 0 && i + 1 < argc)
			r.cohort = argv[++i];
		else if ((strcmp(r.cmd, "deploy") == 0 || strcmp(r.cmd, "deployment") == 0) &&
			 strcmp(argv[i], "--percent") == 0 && i + 1 < argc) {
			char *end;
			long p = strtol(argv[++i], &end, 10);

			if (*argv[i] == '\0' || *end != '\0' || p < 1 || p > 100) {
				fprintf(stderr, "faultline deploy: --percent takes 1..100, not '%s'\n", argv[i]);
				return 2;
			}
			r.percent = (int)p;
		}
		else if (argv[i][0] != '-' && r.nargs < 2)
			r.args[r.nargs++] = argv[i];
		else {
			fprintf(stderr, "faultline %s: unknown or incomplete argument '%s'\n", r.cmd, argv[i]);
			return 2;
		}
	}
	if (r.server == NULL || r.server[0] == '\0')
		r.server = DEFAULT_SERVER;
	if (r.token == NULL || r.token[0] == '\0') {
		fprintf(stderr, "faultline %s: no admin token: pass --token TOKEN or set FAULTLINE_TOKEN (faultline-server "
				"prints it at its first start; `faultline-server --data DIR rotate-keys` makes a new one)\n",
			r.cmd);
		return 2;
	}
	if (strlen(r.server) > 1500 || strlen(r.token) > 500) {
		fprintf(stderr, "faultline %s: --server or --token is too long\n", r.cmd);
		return 2;
	}
	if (cli_http_init(r.cmd) != 0)
		return 1;
	if (strcmp(r.cmd, "symbols") == 0)
		status = symbols_upload(&r);
	else if (strcmp(r.cmd, "issues") == 0)
		status = r.nargs == 0 ? issues(&r) : 2;
	else if (strcmp(r.cmd, "devices") == 0)
		status = r.nargs == 0 ? devices(&r) : 2;
	else if (strcmp(r.cmd, "quarantine") == 0)
		status = r.nargs == 0 ? quarantine(&r) : 2;
	else if (strcmp(r.cmd, "issue") == 0)
		status = issue(&r);
	else if (strcmp(r.cmd, "device") == 0)
		status = device(&r);
	else if (strcmp(r.cmd, "trace") == 0)
		status = trace(&r);
	else if (strcmp(r.cmd, "versions") == 0 || strcmp(r.cmd, "compare") == 0 || strcmp(r.cmd, "metrics") == 0)
		status = health(&r);
	else if (strcmp(r.cmd, "resolve") == 0 || strcmp(r.cmd, "mute") == 0 || strcmp(r.cmd, "reopen") == 0)
		status = change(&r);
	else if (strcmp(r.cmd, "keys") == 0)
		status = signing_keys(&r);
	else if (strcmp(r.cmd, "release") == 0)
		status = release_upload(&r);
	else if (strcmp(r.cmd, "releases") == 0)
		status = releases(&r);
	else if (strcmp(r.cmd, "cohort") == 0)
		status = cohort_create(&r);
	else if (strcmp(r.cmd, "cohorts") == 0)
		status = cohorts(&r);
	else if (strcmp(r.cmd, "deploy") == 0)
		status = deploy(&r);
	else if (strcmp(r.cmd, "deployments") == 0 || strcmp(r.cmd, "deployment") == 0)
		status = deployments(&r);
	else
		status = core(&r);
	if (status == 2 && strcmp(r.cmd, "versions") == 0)
		fprintf(stderr, "usage: faultline versions [--days N] [--by-hw] [--json]\n");
	else if (status == 2 && strcmp(r.cmd, "compare") == 0)
		fprintf(stderr, "usage: faultline compare VERSION_A VERSION_B [--days N] [--json]: B against A\n");
	else if (status == 2 && strcmp(r.cmd, "metrics") == 0)
		fprintf(stderr, "usage: faultline metrics KEY [--version V] [--json]\n");
	else if (status == 2 && r.nargs > 0 &&
	    (strcmp(r.cmd, "issues") == 0 || strcmp(r.cmd, "devices") == 0 || strcmp(r.cmd, "quarantine") == 0))
		fprintf(stderr, "usage: faultline %s [--server URL] [--token TOKEN] [--json]%s\n", r.cmd,
			strcmp(r.cmd, "issues") == 0 ? " [--all | --limit N]" : "");
	cli_http_fini();
	return status;
}
