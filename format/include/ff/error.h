/* SPDX-License-Identifier: Apache-2.0 */
/* Errors of the format and analysis libraries: a negative code plus a message that names the field and the problem. */
#ifndef FF_ERROR_H
#define FF_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Every fallible ff_ (format) and fa_ (analysis) function returns 0, or a documented non-negative count, on
 * success, else one of these. */
enum ff_err {
	FF_ERR_MALFORMED = -1,   /* the bytes break the format: a field is out of range, truncated or invalid */
	FF_ERR_UNSUPPORTED = -2, /* a version or feature this decoder does not know */
	FF_ERR_TOO_LARGE = -3,   /* a size above a documented limit */
	FF_ERR_NOMEM = -4,       /* an allocation failed */
	FF_ERR_IO = -5,          /* reading or writing a file failed */
};

/* Filled by a failing call when the caller passes one; msg is always NUL-terminated. */
struct ff_error {
	int code;
	char msg[256];
};

/*
 * Record an error.
 * err: (out, optional) filled with code and the formatted message (cut to fit); NULL: only the code is returned.
 * code: (in) an FF_ERR_*.  fmt, ...: (in) printf-style.
 * Returns code, so callers write `return ff_error_set(err, FF_ERR_MALFORMED, "...")`.
 */
int ff_error_set(struct ff_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * A code's name.
 * code: (in) an FF_ERR_*.
 * Returns a short lowercase static string ("malformed", "unsupported"...); "unknown" for other values.
 */
const char *ff_error_name(int code);

#ifdef __cplusplus
}
#endif
#endif
