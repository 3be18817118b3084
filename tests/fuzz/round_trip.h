/* SPDX-License-Identifier: Apache-2.0 */
/* What the harnesses that build reports check beyond "no crash": a report's JSON, read back, writes the same JSON
 * (so a worker never stores a report the server cannot read back). */
#ifndef FL_FUZZ_ROUND_TRIP_H
#define FL_FUZZ_ROUND_TRIP_H

#include <stdlib.h>
#include <string.h>

#include "fa/report.h"

static inline void fuzz_report_round_trip(const struct fa_report *r)
{
	static struct fa_report again; /* large: not on the stack */
	char *json = fa_report_json(r, FA_JSON_COMPACT), *json_again;

	if (json == NULL || fa_report_from_json(&again, json, strlen(json), NULL) != 0)
		abort();
	json_again = fa_report_json(&again, FA_JSON_COMPACT);
	if (json_again == NULL || strcmp(json, json_again) != 0)
		abort();
	free(json);
	free(json_again);
}

#endif
