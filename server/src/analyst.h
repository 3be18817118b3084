/* SPDX-License-Identifier: Apache-2.0 */
/* Analysts: every use of an untrusted symbol file (an upload's check, a coredump's processing, reprocessing when
 * symbols arrive late) runs in a child process of the server, so that a crash inside libdw, a hang or a memory
 * blow-up ends that attempt alone. An analyst is warm: a persistent process that keeps the last build's ELF open
 * for the next dump of that build, one per worker thread. The parent bounds each job's time and watches the
 * child's resident memory (a parent's watch, because RLIMIT_AS cannot bound an ASan build, whose shadow memory
 * alone maps terabytes), and starts a new analyst after one died. */
#ifndef SRV_ANALYST_H
#define SRV_ANALYST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fa/report.h"
#include "ff/metrics.h"

/* How analysts are run; shared read-only by every user, living as long as they do. */
struct srv_analyst_config {
	const char *program;   /* the faultline-server executable, run as `program --analyst DATA_DIR` */
	const char *data_dir;  /* the server's data folder: symbol files are in data_dir/symbols */
	uint64_t memory_max;   /* bytes of resident memory one analyst may reach (its peak, checked after every job
				* and every 20 ms during one); past half of it after a job, it is replaced */
	unsigned seconds;      /* what one job may take, wall clock */
	unsigned failures_max; /* a message whose analysis died this many times is quarantined (worker.c) */
};

/* Defaults of faultline-server's options: a firmware ELF's DWARF takes tens of MiB in libdw, a warm job
 * microseconds, a cold open of a large ELF a second or two. */
#define SRV_ANALYST_MEMORY_MB 1024u
#define SRV_ANALYST_SECONDS 60u
#define SRV_ANALYST_FAILURES 3u

struct srv_analyst; /* one analyst process, used by one thread at a time */

/* How a job ended. */
enum srv_analysis {
	SRV_ANALYSIS_OK = 0,  /* it answered */
	SRV_ANALYSIS_REFUSED, /* the analysis said no (the dump or the ELF is not usable): why says why */
	SRV_ANALYSIS_DIED,    /* the analyst crashed, took too long or used too much memory, and was ended: why says
			       * which ("analysis crashed (signal 11, Segmentation fault)"); the next job starts a new one */
	SRV_ANALYSIS_UNAVAILABLE, /* no analyst could be started (no processes or memory left): nothing was tried */
};

/*
 * Start an analyst (a process: `cfg->program --analyst cfg->data_dir`, its stdin and stdout a socket to the
 * caller, its stderr the server's). out: the analyst, ended by srv_analyst_stop().  cfg: kept by pointer.
 * why/cap: on failure, why. Returns 0, or -1 when the process cannot be started.
 */
int srv_analyst_start(struct srv_analyst **out, const struct srv_analyst_config *cfg, char *why, size_t cap);

/* End the analyst (its process is told to exit, and killed when it does not within a second) and free. NULL is
 * fine. */
void srv_analyst_stop(struct srv_analyst *a);

/* The analyst's process id (tests and logs); 0 while none runs (after it died, until the next job). */
int srv_analyst_pid(const struct srv_analyst *a);

/*
 * The report of a coredump message, analyzed against the uploaded symbol file of its build.
 * a: the analyst (a new process is started first when the last one died).  msg/len: the message's bytes (a
 * coredump).  out: (out) the report, read back from the JSON the analyst wrote (so checked as untrusted input),
 * caller-allocated (large: not on a small stack).  json: (out) that JSON, malloc'd, the caller frees it; NULL
 * unless OK.  why/cap: unless OK, why (for REFUSED, the analysis's message: no such symbol file, not this build's,
 * not a coredump).
 * Returns an enum srv_analysis.
 */
enum srv_analysis srv_analyst_report(struct srv_analyst *a, const uint8_t *msg, size_t len, struct fa_report *out,
				     char **json, char *why, size_t cap);

/* What an upload's ELF says of its metric keys (docs/FORMAT.md §8.5). */
struct srv_elf_metrics {
	bool has_table;               /* it has a usable key table: table */
	struct ff_metric_table table;
	char problem[300];            /* it has one that cannot be used: why (has_table false); "" when it has none */
};

/*
 * Check that the file at path is a usable symbol file (fa_elf_open()'s checks) and give its build-id and metric
 * key table. a: the analyst.  path: the file (an upload's temporary file).  build_hex: (out) its build-id in hex,
 * 130 bytes.  metrics: (out) its key table (read by the analyst, parsed here as untrusted bytes).  why/cap: unless
 * OK, why (for REFUSED, fa_elf_open()'s message, which names path).
 * Returns an enum srv_analysis.
 */
enum srv_analysis srv_analyst_check(struct srv_analyst *a, const char *path, char build_hex[130],
				    struct srv_elf_metrics *metrics, char *why, size_t cap);

/*
 * The analyst's side: serve jobs on stdin/stdout until stdin closes (faultline-server --analyst DATA_DIR).
 * data_dir: the server's data folder. Returns the process's exit status.
 */
int srv_analyst_main(const char *data_dir);

#endif
