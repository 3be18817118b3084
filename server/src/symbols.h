/* SPDX-License-Identifier: Apache-2.0 */
/* Symbol files: the one place that knows where they live (DATA/symbols/<build-id in hex>.elf), taking an upload
 * (streamed to disk up to a limit, checked as a usable ELF, kept by its build-id, the messages waiting for it
 * queued again), and opening one for a dump. No HTTP here: http.c maps the outcomes to answers. */
#ifndef SRV_SYMBOLS_H
#define SRV_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include "analyst.h"
#include "fa/elf.h"
#include "ff/message.h"
#include "store.h"
#include "upload.h"

/*
 * The path of build_hex's symbol file in data_dir. out/cap: the caller's buffer. Returns 0, or -1 when it does not
 * fit (nothing usable is written).
 */
int srv_symbols_path(char *out, size_t cap, const char *data_dir, const char *build_hex);

/*
 * Open the symbol file of m's build and check it is the firmware that made m.
 * out: the handle (fa_elf_close() it).  data_dir: the server's data folder.  m: the dump.  err: why not.
 * Returns 0; an error of fa_elf_open() (FF_ERR_IO when there is no such file) or of fa_elf_check_build_id().
 */
int srv_symbols_open(struct fa_elf **out, const char *data_dir, const struct ff_message *m, struct ff_error *err);

struct srv_upload_result {
	enum srv_upload_outcome outcome;
	char build_id[130]; /* SRV_UPLOAD_STORED: hex */
	int64_t size;       /* bytes received */
	int64_t requeued;   /* SRV_UPLOAD_STORED: messages that waited for these symbols, queued again */
	struct srv_elf_metrics metrics; /* SRV_UPLOAD_STORED: its metric key table, or why it has no usable one */
	char why[1024];     /* every other outcome: for people */
};

/*
 * At start: remove the temporary files of uploads that a stopped server (kill -9, a crash) left half written.
 * data_dir: the server's data folder.  Returns how many were removed (0 when there is no symbols folder yet).
 */
int srv_symbols_sweep(const char *data_dir);

/* A symbol upload begun: srv_upload_begin into DATA/symbols, the limit named --symbols-max-mb. */
int srv_symbols_upload_begin(struct srv_upload **out, const char *data_dir, size_t max, char *why, size_t cap);

/*
 * The body is complete: close the file, check the ELF (in an analyst process of its own), keep it by build-id and
 * queue the messages waiting for it, or quarantined on the build's last file (recorded and queued under one store
 * lock: a worker checks and marks under it too). Frees u.
 * out: the outcome.  st: the store.  analysis: how the checking analyst runs.
 */
void srv_symbols_finish(struct srv_upload *u, struct srv_store *st, const struct srv_analyst_config *analysis,
			struct srv_upload_result *out);

#endif
