/* SPDX-License-Identifier: Apache-2.0 */
/* Error recording for the analysis library. */
#include <stdarg.h>
#include <stdio.h>

#include "fa/error.h"

int fa_error_set(struct fa_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

const char *fa_error_name(int code)
{
	switch (code) {
	case FA_ERR_MALFORMED:
		return "malformed";
	case FA_ERR_UNSUPPORTED:
		return "unsupported";
	case FA_ERR_TOO_LARGE:
		return "too_large";
	case FA_ERR_NOMEM:
		return "out_of_memory";
	case FA_ERR_IO:
		return "io";
	default:
		return "unknown";
	}
}
