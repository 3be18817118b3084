/* SPDX-License-Identifier: Apache-2.0 */
/* Errors of the analysis library: a negative code plus a message that names the field and the problem. */
#ifndef FA_ERROR_H
#define FA_ERROR_H

/* Every fallible fa_ function returns 0 (or a documented non-negative count) on success, else one of these. */
enum fa_err {
	FA_ERR_MALFORMED = -1,   /* the bytes break the format: a field is out of range, truncated or invalid */
	FA_ERR_UNSUPPORTED = -2, /* a version or feature this decoder does not know */
	FA_ERR_TOO_LARGE = -3,   /* a size above a documented limit */
	FA_ERR_NOMEM = -4,       /* an allocation failed */
	FA_ERR_IO = -5,          /* reading or writing a file failed */
};

/* Filled by a failing call when the caller passes one; msg is always NUL-terminated. */
struct fa_error {
	int code;
	char msg[256];
};

/*
 * Record an error. err may be NULL (then only the code is returned). fmt is printf-style.
 * Returns code, so callers write `return fa_error_set(err, FA_ERR_MALFORMED, "...")`.
 */
int fa_error_set(struct fa_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A short lowercase name for a code ("malformed", "unsupported", ...); "unknown" for others. */
const char *fa_error_name(int code);

#endif
