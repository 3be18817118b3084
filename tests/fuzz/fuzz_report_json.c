/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: reading a report back from its JSON (analysis/src/report.c, fa_report_from_json) on arbitrary bytes.
 * Beyond "no crash" and no leak: a report read back prints, and writing it and reading that again gives the same
 * text and the same JSON (the reader and the writer agree on every member). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fa/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *print(const struct fa_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		abort();
	fa_report_print(r, f);
	if (fclose(f) != 0)
		abort();
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fa_report first, again;
	char *json, *json_again, *text, *text_again;

	if (fa_report_from_json(&first, (const char *)data, size, NULL) != 0)
		return 0;
	json = fa_report_json(&first, FA_JSON_COMPACT);
	if (json == NULL || fa_report_from_json(&again, json, strlen(json), NULL) != 0)
		abort();
	json_again = fa_report_json(&again, FA_JSON_COMPACT);
	text = print(&first);
	text_again = print(&again);
	if (json_again == NULL || strcmp(json, json_again) != 0 || strcmp(text, text_again) != 0 ||
	    strcmp(first.title, again.title) != 0)
		abort();
	free(json);
	free(json_again);
	free(text);
	free(text_again);
	return 0;
}
