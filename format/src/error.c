/* SPDX-License-Identifier: Apache-2.0 */
/* Error recording for the analysis library. */
#include <stdarg.h>
#include <stdio.h>

#include "ff/error.h"

int ff_error_set(struct ff_error *err, int code, const char *fmt, ...)
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

const char *ff_error_name(int code)
{
	switch (code) {
	case FF_ERR_MALFORMED:
		return "malformed";
	case FF_ERR_UNSUPPORTED:
		return "unsupported";
	case FF_ERR_TOO_LARGE:
		return "too_large";
	case FF_ERR_NOMEM:
		return "out_of_memory";
	case FF_ERR_IO:
		return "io";
	default:
		return "unknown";
	}
}
