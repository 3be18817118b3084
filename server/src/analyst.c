/* SPDX-License-Identifier: Apache-2.0 */
/* Analysts (analyst.h): the parent's side (start, jobs with a deadline and a memory watch, stop) and the child's
 * (a loop of jobs on stdin/stdout). A job is one frame each way: a kind byte, a 32-bit little-endian length, the
 * bytes; request kinds 'R' (report: a coredump message) and 'C' (check: a path), answers 'K' (the report JSON, or
 * the build-id in hex) and 'E' (the analysis's message). */
#define _GNU_SOURCE /* close_range */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "analyst.h"
#include "fa/elf.h"
#include "ff/bytes.h"
#include "ff/message.h"
#include "ff/metrics.h"
#include "symbols.h"

extern char **environ;

#define REQUEST_MAX (64u << 20)              /* a message or a path; messages are far smaller (FORMAT.md) */
#define ANSWER_MAX (FA_REPORT_JSON_MAX + 1024) /* the largest report JSON the parent reads back */
#define WATCH_MS 20                          /* how often a running job's memory is looked at */

struct srv_analyst {
	const struct srv_analyst_config *cfg;
	pid_t pid; /* 0: none running */
	int fd;    /* the parent's end of the socket */
};

/* A frame's head: its kind, then its length, 32-bit little-endian. */
static void frame_head(uint8_t head[5], char kind, size_t len)
{
	head[0] = (uint8_t)kind;
	for (int i = 0; i < 4; i++)
		head[1 + i] = (uint8_t)(len >> (8 * i));
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* What ended a child, in words. */
static void describe_exit(int status, char *why, size_t cap)
{
	if (WIFSIGNALED(status))
		snprintf(why, cap, "analysis crashed (signal %d, %s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(why, cap, "analysis exited with status %d", WEXITSTATUS(status));
}

/* The process killed and reaped, its socket closed (nothing when none runs). */
static void end(struct srv_analyst *a)
{
	if (a->pid == 0)
		return;
	kill(a->pid, SIGKILL);
	while (waitpid(a->pid, NULL, 0) < 0 && errno == EINTR)
		;
	close(a->fd);
	a->pid = 0;
	a->fd = -1;
}

/* Has the analyst exited by itself within ms? Then it is reaped (its pid may be another process's from now on),
 * its socket closed, and status (optional) holds its wait status. */
static bool exited(struct srv_analyst *a, int ms, int *status)
{
	for (int waited = 0;; waited += 10) {
		struct timespec t = {0, 10 * 1000 * 1000};
		pid_t p = waitpid(a->pid, status, WNOHANG);

		if (p == a->pid) {
			close(a->fd);
			a->pid = 0;
			a->fd = -1;
			return true;
		}
		if ((p < 0 && errno != EINTR) || waited >= ms)
			return false;
		nanosleep(&t, NULL);
	}
}

/* The analyst closed its end or broke the protocol: why it ended (it is given a second to exit by itself, so that
 * the signal that killed it is the one told). */
static enum srv_analysis died(struct srv_analyst *a, char *why, size_t cap)
{
	int status = 0;

	if (exited(a, 1000, &status)) {
		describe_exit(status, why, cap);
	} else {
		end(a);
		snprintf(why, cap, "analysis broke off its answer");
	}
	return SRV_ANALYSIS_DIED;
}

/* The analyst's peak resident memory in bytes (VmHWM), 0 when it cannot be read. Read line by line: the Groups line
 * before it can be long. */
static uint64_t peak_memory(pid_t pid)
{
	char path[64], line[256];
	uint64_t peak = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0) {
			peak = strtoull(line + 6, NULL, 10) * 1024u;
			break;
		}
	fclose(f);
	return peak;
}

static enum srv_analysis over_memory(struct srv_analyst *a, char *why, size_t cap)
{
	end(a);
	snprintf(why, cap, "analysis used more than %llu MiB of memory (faultline-server --analysis-memory-mb)",
		 (unsigned long long)(a->cfg->memory_max >> 20));
	return SRV_ANALYSIS_DIED;
}

/* A new process for a (none running): its pid and the parent's end of the socket, non-blocking. */
static int spawn(struct srv_analyst *a, char *why, size_t cap)
{
	char *argv[] = {(char *)a->cfg->program, "--analyst", (char *)a->cfg->data_dir, NULL};
	posix_spawn_file_actions_t files;
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(why, cap, "cannot start an analyst: socketpair: %s", strerror(errno));
		return -1;
	}
	/* posix_spawn, not fork: the server has threads, and only async-signal-safe calls may follow a fork. The child
	 * keeps the server's signal mask, SIGINT and SIGTERM blocked: a Ctrl-C in the terminal (its whole process
	 * group) stops the server, which then ends its analysts, rather than killing them under a job. */
	posix_spawn_file_actions_init(&files);
	posix_spawn_file_actions_adddup2(&files, sv[1], 0);
	posix_spawn_file_actions_adddup2(&files, sv[1], 1);
	rc = posix_spawn(&a->pid, a->cfg->program, &files, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&files);
	close(sv[1]);
	if (rc != 0) {
		snprintf(why, cap, "cannot start an analyst (%s): %s", a->cfg->program, strerror(rc));
		close(sv[0]);
		a->pid = 0;
		return -1;
	}
	a->fd = sv[0];
	fcntl(a->fd, F_SETFL, fcntl(a->fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

int srv_analyst_start(struct srv_analyst **out, const struct srv_analyst_config *cfg, char *why, size_t cap)
{
	struct srv_analyst *a = srv_calloc(1, sizeof(*a));

	*out = NULL;
	a->cfg = cfg;
	a->fd = -1;
	if (spawn(a, why, cap) != 0) {
		free(a);
		return -1;
	}
	*out = a;
	return 0;
}

void srv_analyst_stop(struct srv_analyst *a)
{
	if (a == NULL)
		return;
	if (a->pid != 0) {
		shutdown(a->fd, SHUT_WR); /* end of jobs: the analyst exits */
		if (!exited(a, 2000, NULL))
			end(a); /* it did not in 2 s */
	}
	free(a);
}

int srv_analyst_pid(const struct srv_analyst *a)
{
	return a != NULL ? (int)a->pid : 0;
}

/* Until fd is ready for events, the deadline passes, or the analyst's memory is over the limit. */
static enum srv_analysis await(struct srv_analyst *a, short events, int64_t deadline, char *why, size_t cap)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		struct pollfd p = {.fd = a->fd, .events = events};
		int n;

		if (left <= 0) {
			end(a);
			snprintf(why, cap, "analysis took longer than %u s (faultline-server --analysis-seconds)",
				 a->cfg->seconds);
			return SRV_ANALYSIS_DIED;
		}
		n = poll(&p, 1, left < WATCH_MS ? (int)left : WATCH_MS);
		if (n > 0)
			return SRV_ANALYSIS_OK; /* ready, or hung up: the read or write says which */
		if (n < 0 && errno != EINTR) {
			end(a);
			snprintf(why, cap, "analysis: poll: %s", strerror(errno));
			return SRV_ANALYSIS_DIED;
		}
		if (n == 0 && peak_memory(a->pid) > a->cfg->memory_max)
			return over_memory(a, why, cap);
	}
}

/* One job: the request sent, the answer read (answer: malloc'd, NUL-terminated, the caller frees it). */
static enum srv_analysis job(struct srv_analyst *a, char kind, const void *payload, size_t len, char **answer,
			     char *why, size_t cap)
{
	int64_t deadline = now_ms() + (int64_t)a->cfg->seconds * 1000;
	uint8_t head[5];
	size_t done = 0, total = sizeof(head) + len, want = sizeof(head);
	enum srv_analysis rc;
	char *buf = NULL;
	uint64_t peak;
	int status;

	frame_head(head, kind, len);
	*answer = NULL;
	if (len > REQUEST_MAX) {
		snprintf(why, cap, "analysis: a request of %zu bytes is too large", len);
		return SRV_ANALYSIS_REFUSED;
	}
	if (a->pid != 0 && exited(a, 0, &status)) { /* it died between jobs: not this job's */
		describe_exit(status, why, cap);
		fprintf(stderr, "faultline-server: an idle analyst ended (%s); starting another\n", why);
	}
	if (a->pid != 0) { /* bytes waiting before a request: it wrote out of turn, and is not to be trusted again */
		struct pollfd p = {.fd = a->fd, .events = POLLIN};

		if (poll(&p, 1, 0) > 0) {
			fprintf(stderr, "faultline-server: an analyst wrote out of turn; starting another\n");
			end(a);
		}
	}
	if (a->pid == 0 && spawn(a, why, cap) != 0)
		return SRV_ANALYSIS_UNAVAILABLE;
	while (done < total) {
		const uint8_t *from = done < sizeof(head) ? head + done : (const uint8_t *)payload + (done - sizeof(head));
		size_t chunk = done < sizeof(head) ? sizeof(head) - done : total - done;
		ssize_t n;

		if ((rc = await(a, POLLOUT, deadline, why, cap)) != SRV_ANALYSIS_OK)
			return rc;
		n = send(a->fd, from, chunk, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return died(a, why, cap);
		done += (size_t)n;
	}
	/* the answer: its head, then its bytes */
	uint8_t got[5];

	for (done = 0; done < want;) {
		ssize_t n;

		if ((rc = await(a, POLLIN, deadline, why, cap)) != SRV_ANALYSIS_OK) {
			free(buf);
			return rc;
		}
		n = done < sizeof(got) ? recv(a->fd, got + done, sizeof(got) - done, 0)
				       : recv(a->fd, buf + (done - sizeof(got)), want - done, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			free(buf);
			return died(a, why, cap);
		}
		done += (size_t)n;
		if (done == sizeof(got) && buf == NULL) {
			size_t alen = ff_le32(got + 1);

			if ((got[0] != 'K' && got[0] != 'E') || alen > ANSWER_MAX) {
				end(a);
				snprintf(why, cap, "analysis answered something malformed");
				return SRV_ANALYSIS_DIED;
			}
			buf = srv_malloc(alen + 1);
			want = sizeof(got) + alen;
		}
	}
	buf[want - sizeof(got)] = '\0';
	/* a job that went past the memory limit failed, even when it answered in between two looks; an analyst that
	 * grew past half of it (libdw keeps what some failed lookups allocate until the ELF is closed) is replaced
	 * before it gets there, blaming no job */
	peak = peak_memory(a->pid);
	if (peak > a->cfg->memory_max) {
		free(buf);
		return over_memory(a, why, cap);
	}
	if (peak > a->cfg->memory_max / 2) {
		fprintf(stderr, "faultline-server: an analyst grew to %llu MiB, past half its limit: replaced\n",
			(unsigned long long)(peak >> 20));
		end(a);
	}
	if (got[0] == 'E') {
		snprintf(why, cap, "%s", buf);
		free(buf);
		return SRV_ANALYSIS_REFUSED;
	}
	*answer = buf;
	return SRV_ANALYSIS_OK;
}

enum srv_analysis srv_analyst_report(struct srv_analyst *a, const uint8_t *msg, size_t len, struct fa_report *out,
				     char **json, char *why, size_t cap)
{
	struct ff_error err = {0};
	enum srv_analysis rc = job(a, 'R', msg, len, json, why, cap);

	if (rc != SRV_ANALYSIS_OK)
		return rc;
	/* what a process that read hostile bytes wrote is checked as such */
	if (fa_report_from_json(out, *json, strlen(*json), &err) != 0) {
		snprintf(why, cap, "analysis wrote a report that does not read back: %s", err.msg);
		free(*json);
		*json = NULL;
		end(a);
		return SRV_ANALYSIS_DIED;
	}
	return SRV_ANALYSIS_OK;
}

enum srv_analysis srv_analyst_check(struct srv_analyst *a, const char *path, char build_hex[130],
				    struct srv_elf_metrics *metrics, char *why, size_t cap)
{
	static _Thread_local uint8_t table[FF_METRICS_TABLE_MAX];
	char *answer, *rest;
	enum srv_analysis rc = job(a, 'C', path, strlen(path), &answer, why, cap);
	struct ff_error err = {0};
	size_t n, len;

	if (rc != SRV_ANALYSIS_OK)
		return rc;
	/* "BUILD", "BUILD T<table in hex>" or "BUILD !<why the table cannot be read>" */
	n = strcspn(answer, " ");
	rest = answer + n + (answer[n] == ' ');
	if (n < 16 || n > 128 || strspn(answer, "0123456789abcdef") != n ||
	    (rest[0] == 'T' && sodium_hex2bin(table, sizeof(table), rest + 1, strlen(rest + 1), NULL, &len, NULL) != 0)) {
		snprintf(why, cap, "analysis answered a build-id that is not one");
		free(answer);
		end(a);
		return SRV_ANALYSIS_DIED;
	}
	memcpy(build_hex, answer, n);
	build_hex[n] = '\0';
	memset(metrics, 0, sizeof(*metrics));
	if (rest[0] == '!') {
		snprintf(metrics->problem, sizeof(metrics->problem), "%s", rest + 1);
	} else if (rest[0] == 'T') {
		if (ff_metric_table_parse(&metrics->table, table, len, &err) == 0)
			metrics->has_table = true;
		else
			snprintf(metrics->problem, sizeof(metrics->problem), "%s: %s", FF_METRICS_SECTION, err.msg);
	}
	free(answer);
	return SRV_ANALYSIS_OK;
}

/* The child's side. */

/* The last build's ELF, kept open for the next dump of that build; file: the device, inode, size and modification
 * time it was opened with (an upload of the same build replaces the file, a new inode; a file rewritten in place
 * changes its time: either way the next dump opens the new one). */
struct warm {
	struct fa_elf *elf;
	char build_id[130];
	uint64_t file[4];
};

static void file_of(const struct stat *st, uint64_t out[4])
{
	out[0] = (uint64_t)st->st_dev;
	out[1] = (uint64_t)st->st_ino;
	out[2] = (uint64_t)st->st_size;
	out[3] = (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec;
}

static struct fa_elf *elf_for(struct warm *w, const char *data_dir, const char *hex, const struct ff_message *m,
			      struct ff_error *err)
{
	char path[4200];
	struct stat st = {0};
	uint64_t file[4] = {0};

	/* the file it was opened from, still there (a stat: microseconds, beside the milliseconds of an open) */
	if (srv_symbols_path(path, sizeof(path), data_dir, hex) == 0 && stat(path, &st) == 0)
		file_of(&st, file);
	if (st.st_ino != 0 && w->elf != NULL && strcmp(w->build_id, hex) == 0 && memcmp(w->file, file, sizeof(file)) == 0)
		return w->elf;
	fa_elf_close(w->elf);
	w->elf = NULL;
	w->build_id[0] = '\0';
	if (srv_symbols_open(&w->elf, data_dir, m, err) != 0)
		return NULL;
	snprintf(w->build_id, sizeof(w->build_id), "%s", hex);
	memcpy(w->file, file, sizeof(file));
	return w->elf;
}

static bool read_all(int fd, void *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = read(fd, (uint8_t *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

static bool answer(char kind, const char *text)
{
	size_t len = strlen(text);
	uint8_t head[5];

	frame_head(head, kind, len);
	for (size_t done = 0; done < sizeof(head) + len;) {
		const void *from = done < sizeof(head) ? (const void *)(head + done) : text + (done - sizeof(head));
		size_t n = done < sizeof(head) ? sizeof(head) - done : len - (done - sizeof(head));
		ssize_t w = write(1, from, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		done += (size_t)w;
	}
	return true;
}

/* A coredump's report, or why not (the words worker.c stores as the message's detail). */
static bool report(struct warm *w, const char *data_dir, const uint8_t *msg, size_t len)
{
	struct fa_report *r = srv_malloc(sizeof(*r));
	struct ff_message m = {0};
	struct ff_error err = {0};
	char hex[130], why[700];
	struct fa_elf *elf;
	char *json = NULL;
	bool ok;

	if (ff_message_parse(&m, msg, len, &err) != 0) {
		ok = answer('E', err.msg);
		goto done;
	}
	ff_hex(hex, sizeof(hex), m.build_id, m.build_id_len);
	if ((elf = elf_for(w, data_dir, hex, &m, &err)) == NULL) {
		snprintf(why, sizeof(why), "symbols for build %s: %s", hex, err.msg);
		ok = answer('E', why);
	} else if (fa_report_build(r, elf, &m, &err) != 0) {
		ok = answer('E', err.msg);
	} else if ((json = fa_report_json(r, FA_JSON_COMPACT)) == NULL) {
		ok = answer('E', "analysis: out of memory writing the report");
	} else {
		ok = answer('K', json);
	}
done:
	free(json);
	ff_message_free(&m);
	free(r);
	return ok;
}

/* An upload's check: its build-id and its metric key table's bytes (docs/FORMAT.md §8.5), or fa_elf_open()'s
 * message. The table is read here (the ELF is untrusted) and parsed by the parent. */
static bool check(const char *path)
{
	static uint8_t table[FF_METRICS_TABLE_MAX];
	static char text[130 + 2 + 2 * FF_METRICS_TABLE_MAX + 1];
	struct ff_error err = {0};
	struct fa_elf *elf;
	const uint8_t *id;
	size_t n, len = 0;
	int rc;

	if (fa_elf_open(&elf, path, &err) != 0)
		return answer('E', err.msg);
	n = fa_elf_build_id(elf, &id);
	ff_hex(text, 130, id, n);
	rc = fa_elf_section(elf, FF_METRICS_SECTION, table, sizeof(table), &len, &err);
	fa_elf_close(elf);
	n = strlen(text);
	if (rc == 0) {
		memcpy(text + n, " T", 2);
		ff_hex(text + n + 2, sizeof(text) - n - 2, table, len);
	} else if (rc != FA_ELF_NO_SECTION) {
		snprintf(text + n, sizeof(text) - n, " !%s", err.msg);
	}
	return answer('K', text);
}

int srv_analyst_main(const char *data_dir)
{
	const struct rlimit no_core = {0, 0};
	struct warm w = {0};
	uint8_t head[5];
	int status = 0;

	/* nothing of the server's (its database, its sockets) is this process's business */
	if (close_range(3, ~0u, 0) != 0) { /* (a kernel before 5.9) */
		long max = sysconf(_SC_OPEN_MAX);

		for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			close(fd);
	}
	setrlimit(RLIMIT_CORE, &no_core); /* a crash on a hostile file is expected: no core files in the data folder */
	while (read_all(0, head, sizeof(head))) {
		size_t len = ff_le32(head + 1);
		uint8_t *buf;
		bool ok;

		if (len > REQUEST_MAX || (head[0] != 'R' && head[0] != 'C')) {
			status = 3; /* not the server speaking: stop */
			break;
		}
		buf = srv_malloc(len + 1);
		if (!read_all(0, buf, len)) {
			free(buf);
			break;
		}
		buf[len] = '\0';
		ok = head[0] == 'R' ? report(&w, data_dir, buf, len) : check((const char *)buf);
		free(buf);
		if (!ok)
			break;
	}
	fa_elf_close(w.elf);
	return status;
}
