/* SPDX-License-Identifier: Apache-2.0 */
/* Uploads streamed to disk (upload.h). */
#define _GNU_SOURCE /* mkostemp */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "upload.h"

#define UPLOAD_PREFIX "upload-" /* the temporary files' names: upload-XXXXXX (mkostemp) */

struct srv_upload {
	FILE *file;
	char data_dir[4000];
	char path[4200];
	char limit[64];
	size_t max, len;
	int write_errno; /* the first write failure's errno, 0 while all went well */
};

int srv_upload_sweep(const char *data_dir, const char *folder)
{
	char dir[4100], path[4400];
	struct dirent *d;
	DIR *f;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/%s", data_dir, folder);
	if ((f = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(f)) != NULL)
		if (strncmp(d->d_name, UPLOAD_PREFIX, strlen(UPLOAD_PREFIX)) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			n += unlink(path) == 0;
		}
	closedir(f);
	return n;
}

int srv_upload_begin(struct srv_upload **out, const char *data_dir, const char *folder, size_t max, const char *limit,
		     char *why, size_t cap)
{
	struct srv_upload *u = srv_calloc(1, sizeof(*u));
	char dir[4100];
	int fd = -1;

	*out = NULL;
	u->max = max;
	snprintf(u->data_dir, sizeof(u->data_dir), "%s", data_dir);
	snprintf(u->limit, sizeof(u->limit), "%s", limit);
	snprintf(dir, sizeof(dir), "%s/%s", data_dir, folder);
	snprintf(u->path, sizeof(u->path), "%s/" UPLOAD_PREFIX "XXXXXX", dir);
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) || (fd = mkostemp(u->path, O_CLOEXEC)) < 0 ||
	    (u->file = fdopen(fd, "wb")) == NULL) {
		snprintf(why, cap, "cannot make a file for uploads in %s: %s", dir, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(u->path);
		}
		free(u);
		return -1;
	}
	*out = u;
	return 0;
}

void srv_upload_write(struct srv_upload *u, const void *data, size_t len)
{
	if (u->len + len <= u->max && u->write_errno == 0 && fwrite(data, 1, len, u->file) != len)
		u->write_errno = errno != 0 ? errno : EIO;
	u->len += len;
}

enum srv_upload_outcome srv_upload_end(struct srv_upload *u, char *why, size_t cap)
{
	if (fclose(u->file) != 0 && u->write_errno == 0) /* what was still buffered did not reach the disk */
		u->write_errno = errno != 0 ? errno : EIO;
	u->file = NULL;
	if (u->len > u->max) {
		snprintf(why, cap, "the file is larger than the limit of %zu MiB (%s)", u->max >> 20, u->limit);
		return SRV_UPLOAD_TOO_LARGE;
	}
	if (u->write_errno != 0) {
		snprintf(why, cap, "the server could not write the upload to its disk (%s): nothing was stored",
			 strerror(u->write_errno));
		return SRV_UPLOAD_NO_SPACE;
	}
	return SRV_UPLOAD_STORED;
}

const char *srv_upload_path(const struct srv_upload *u)
{
	return u->path;
}

size_t srv_upload_len(const struct srv_upload *u)
{
	return u->len;
}

const char *srv_upload_data_dir(const struct srv_upload *u)
{
	return u->data_dir;
}

int srv_upload_keep(struct srv_upload *u, const char *path)
{
	int rc = rename(u->path, path), saved = errno;

	if (rc != 0)
		unlink(u->path);
	free(u);
	errno = saved;
	return rc;
}

void srv_upload_abort(struct srv_upload *u)
{
	if (u == NULL)
		return;
	if (u->file != NULL)
		fclose(u->file);
	unlink(u->path);
	free(u);
}
