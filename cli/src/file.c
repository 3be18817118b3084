/* SPDX-License-Identifier: Apache-2.0 */
/* Files the commands read whole (cli.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

uint8_t *cli_read_file(const char *cmd, const char *path, size_t max, size_t *out_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0;

	if (f == NULL) {
		fprintf(stderr, "faultline %s: cannot open %s: %s\n", cmd, path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *grown = cap < max ? realloc(buf, cap == 0 ? 65536 : cap * 2) : NULL;

			if (grown == NULL) {
				fprintf(stderr, "faultline %s: %s is larger than %zu bytes\n", cmd, path, max);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
			cap = cap == 0 ? 65536 : cap * 2;
		}
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "faultline %s: reading %s: %s\n", cmd, path, strerror(errno));
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*out_len = len;
	return buf;
}
