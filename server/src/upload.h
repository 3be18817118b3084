/* SPDX-License-Identifier: Apache-2.0 */
/* A file uploaded over HTTP, streamed to a temporary file in a folder of the data directory as it comes (never held
 * in memory), up to a limit: symbol files (symbols.c) and release images (releases.c) finish it their own way. */
#ifndef SRV_UPLOAD_H
#define SRV_UPLOAD_H

#include <stddef.h>

/* How an upload ended (each kind's finish adds its own outcomes' meanings). */
enum srv_upload_outcome {
	SRV_UPLOAD_STORED,    /* kept */
	SRV_UPLOAD_TOO_LARGE, /* above the limit: nothing kept */
	SRV_UPLOAD_NO_SPACE,  /* writing it to disk failed (full disk, I/O error): nothing kept; why says how */
	SRV_UPLOAD_BAD_ELF,   /* symbols: not a usable ELF (or its check crashed, hung or blew its memory) */
	SRV_UPLOAD_UNAVAILABLE, /* not checked (too many checks running, or no analyst could be started): try again */
	SRV_UPLOAD_FAILED,    /* the store or a rename failed: nothing kept; why says which */
	SRV_UPLOAD_REFUSED,   /* releases: not a release this server takes (why says what is wrong) */
	SRV_UPLOAD_NEEDS_SYMBOLS, /* releases: the ELF it was built from is not on the server yet (why says which) */
	SRV_UPLOAD_EXISTS,    /* releases: an image of the same hash is kept with other bytes (not replaced) */
};

struct srv_upload;

/*
 * Start an upload of at most max bytes into DATA/folder (made when missing). out: the upload (ended by a finish of
 * its kind, or srv_upload_abort). data_dir: the server's data folder. limit: how a person raises max, for the
 * message when it is passed ("faultline-server --symbols-max-mb"). why/cap: the reason on failure.
 * Returns 0, or -1 when no temporary file can be made.
 */
int srv_upload_begin(struct srv_upload **out, const char *data_dir, const char *folder, size_t max, const char *limit,
		     char *why, size_t cap);

/* Add bytes (data/len, only read). Past the limit, or after a write failed, they are counted and dropped. */
void srv_upload_write(struct srv_upload *u, const void *data, size_t len);

/*
 * The body is complete: close the file. Returns SRV_UPLOAD_STORED when all of it is on disk (in srv_upload_path),
 * else SRV_UPLOAD_TOO_LARGE or SRV_UPLOAD_NO_SPACE with why (cap bytes) saying so; the file stays until
 * srv_upload_abort or srv_upload_keep.
 */
enum srv_upload_outcome srv_upload_end(struct srv_upload *u, char *why, size_t cap);

/* The temporary file's path, the bytes received, the data folder it was begun with. */
const char *srv_upload_path(const struct srv_upload *u);
size_t srv_upload_len(const struct srv_upload *u);
const char *srv_upload_data_dir(const struct srv_upload *u);

/* The file moved to path (rename: the same folder's file system). Returns 0, or -1 with errno. Frees u either way
 * (the temporary file removed when the move failed). */
int srv_upload_keep(struct srv_upload *u, const char *path);

/* The upload was cut short or refused: its file is removed. Frees u (NULL is fine). */
void srv_upload_abort(struct srv_upload *u);

/*
 * At start: remove the temporary files of uploads that a stopped server (kill -9, a crash) left half written in
 * DATA/folder. Returns how many were removed (0 when there is no such folder yet).
 */
int srv_upload_sweep(const char *data_dir, const char *folder);

#endif
