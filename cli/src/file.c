/* SPDX-License-Identifier: Apache-2.0 */
/* Files the commands read or write whole (cli.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int cli_write_file(const char *cmd, const char *path, const void *bytes, size_t len, int mode, bool exclusive)
{
	int fd = open(path, O_WRONLY | O_CREAT | (exclusive ? O_EXCL : O_TRUNC), mode);
	size_t done = 0;

	if (fd < 0) {
		fprintf(stderr, "faultline %s: cannot create %s: %s%s\n", cmd, path, strerror(errno),
			errno == EEXIST ? " (it is never overwritten: remove it first)" : "");
		return 1;
	}
	while (done < len) {
		ssize_t n = write(fd, (const char *)bytes + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "faultline %s: writing %s: %s\n", cmd, path, strerror(errno));
			close(fd);
			unlink(path);
			return 1;
		}
		done += (size_t)n;
	}
	if (close(fd) != 0) {
		fprintf(stderr, "faultline %s: writing %s: %s\n", cmd, path, strerror(errno));
		unlink(path);
		return 1;
	}
	return 0;
}
