/* SPDX-License-Identifier: Apache-2.0 */
/* Release images (releases.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "clock.h"
#include "ff/bytes.h"
#include "fo/image.h"
#include "releases.h"

#define KEYS_MAX 64 /* signing keys a release is checked against (a rotation has two or three) */

int srv_release_path(char *out, size_t cap, const char *data_dir, const char *sha256_hex)
{
	int n = snprintf(out, cap, "%s/releases/%s.bin", data_dir, sha256_hex);

	return n > 0 && (size_t)n < cap ? 0 : -1;
}

int srv_release_upload_begin(struct srv_upload **out, const char *data_dir, char *why, size_t cap)
{
	return srv_upload_begin(out, data_dir, "releases", SRV_RELEASE_MAX, "a release image's largest size", why, cap);
}

int srv_releases_sweep(const char *data_dir)
{
	return srv_upload_sweep(data_dir, "releases");
}

struct keys {
	uint8_t pk[KEYS_MAX][32];
	int64_t id[KEYS_MAX];
	size_t n;
};

static void add_key(const struct srv_signing_key *k, void *ctx)
{
	struct keys *keys = ctx;

	if (keys->n < KEYS_MAX) {
		memcpy(keys->pk[keys->n], k->public_key, 32);
		keys->id[keys->n++] = k->id;
	}
}

/* The image's bytes read back from the upload's file (at most SRV_RELEASE_MAX). */
static uint8_t *read_back(const char *path, size_t len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = f != NULL ? srv_malloc(len + 1) : NULL;

	if (b != NULL && fread(b, 1, len, f) != len) {
		free(b);
		b = NULL;
	}
	if (f != NULL)
		fclose(f);
	return b;
}

/* Whether the file at path holds exactly these bytes: 1 yes, 0 it holds others, -1 there is no such file. */
static int same_file(const char *path, const uint8_t *b, size_t len)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[4096];
	size_t at = 0, n;
	int same = 1;

	if (f == NULL)
		return -1;
	while (same && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		same = at + n <= len && memcmp(buf, b + at, n) == 0;
		at += n;
	}
	fclose(f);
	return same && at == len ? 1 : 0;
}

void srv_release_finish(struct srv_upload *u, struct srv_store *st, struct srv_release_result *out)
{
	const size_t len = srv_upload_len(u);
	struct keys keys = {.n = 0};
	struct fo_image img;
	uint8_t *b = NULL, build[64];
	char why[600], hex[130], sha[65], path[4200], version[FO_VERSION_TEXT];
	size_t which, nbuild;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((out->outcome = srv_upload_end(u, out->why, sizeof(out->why))) != SRV_UPLOAD_STORED)
		goto refused;
	if ((b = read_back(srv_upload_path(u), len)) == NULL) {
		out->outcome = SRV_UPLOAD_FAILED;
		snprintf(out->why, sizeof(out->why), "cannot read the upload back from disk: %s", strerror(errno));
		goto refused;
	}
	out->outcome = SRV_UPLOAD_REFUSED;
	if (fo_image_parse(&img, b, len, why, sizeof(why)) != 0) {
		snprintf(out->why, sizeof(out->why), "not a signed MCUboot image: %s", why);
		goto refused;
	}
	srv_store_lock(st);
	rc = st->ops->signing_keys(st, add_key, &keys);
	srv_store_unlock(st);
	if (rc != 0) {
		out->outcome = SRV_UPLOAD_FAILED;
		snprintf(out->why, sizeof(out->why), "the database failed: %s", srv_store_error(st));
		goto refused;
	}
	if (keys.n == 0) {
		snprintf(out->why, sizeof(out->why), "the server has no signing key to check it with: add the project's "
						     "public key first (faultline keys add KEY.pub.pem)");
		goto refused;
	}
	if ((rc = fo_image_check(&which, &img, b, (const uint8_t(*)[32])keys.pk, keys.n, why, sizeof(why))) != 0) {
		if (rc == FO_ERR_UNKNOWN_KEY && img.keyhash != NULL) {
			ff_hex(hex, sizeof(hex), img.keyhash, 32);
			snprintf(out->why, sizeof(out->why), "signed by a key the server does not have (key hash %s): add "
							     "its public key (faultline keys add KEY.pub.pem), or sign with "
							     "one it has (faultline keys list)", hex);
		} else {
			snprintf(out->why, sizeof(out->why), "%s", why);
		}
		goto refused;
	}
	if ((nbuild = fo_image_build_id(build, &img, b)) == 0) {
		snprintf(out->why, sizeof(out->why), "the image holds no GNU build-id note: link with -Wl,--build-id and "
						     "keep .note.gnu.build-id in flash (docs/PORTING.md)");
		goto refused;
	}
	ff_hex(hex, sizeof(hex), build, nbuild);
	ff_hex(sha, sizeof(sha), img.sha256, 32);
	srv_store_lock(st);
	rc = st->ops->symbols_known(st, hex);
	srv_store_unlock(st);
	if (rc < 0) {
		out->outcome = SRV_UPLOAD_FAILED;
		snprintf(out->why, sizeof(out->why), "the database failed: %s", srv_store_error(st));
		goto refused;
	}
	if (rc != 0) {
		out->outcome = SRV_UPLOAD_NEEDS_SYMBOLS;
		snprintf(out->why, sizeof(out->why), "the server does not have the ELF this image was built from (build-id "
						     "%s): upload it first (faultline symbols upload FIRMWARE.elf), so that "
						     "its crashes symbolize at once", hex);
		goto refused;
	}
	if (srv_release_path(path, sizeof(path), srv_upload_data_dir(u), sha) != 0) {
		out->outcome = SRV_UPLOAD_FAILED;
		snprintf(out->why, sizeof(out->why), "cannot store the release image: the data folder's path is too long");
		goto refused;
	}
	/* the hash covers the header, the image and the protected TLVs only: an image of that hash already kept must
	 * be these very bytes (not the same firmware signed again, padded or confirmed), or it would be replaced
	 * under its release */
	if ((rc = same_file(path, b, len)) == 0) {
		snprintf(out->why, sizeof(out->why), "a release of this image (SHA-256 %s) is kept with other bytes after "
						     "its protected TLVs (another signature, padding or trailer): it is not "
						     "replaced under its release (give the new one another version)", sha);
		out->outcome = SRV_UPLOAD_EXISTS;
		goto refused;
	}
	if (rc == 1) { /* the same bytes: kept already */
		srv_upload_abort(u);
	} else if (srv_upload_keep(u, path) != 0) {
		u = NULL;
		out->outcome = SRV_UPLOAD_FAILED;
		snprintf(out->why, sizeof(out->why), "cannot store the release image: %s", strerror(errno));
		goto done;
	}
	u = NULL;
	fo_version_text(version, &img.version);
	{
		const struct srv_release r = {.key_id = keys.id[which], .img_size = img.img_size, .size = (int64_t)len,
					      .sw_version = version, .major = img.version.major,
					      .minor = img.version.minor, .revision = img.version.revision,
					      .build = img.version.build, .has_security_counter = img.has_security_counter,
					      .security_counter = img.security_counter, .sha256 = img.sha256,
					      .build_id = hex};

		srv_store_lock(st);
		rc = st->ops->release_add(st, &r, srv_now(), &out->id, &out->fresh);
		if (rc != 0)
			snprintf(out->why, sizeof(out->why), "the database failed: %s", srv_store_error(st));
		srv_store_unlock(st);
	}
	out->outcome = rc == 0 ? SRV_UPLOAD_STORED : SRV_UPLOAD_FAILED;
	goto done;
refused:
	srv_upload_abort(u);
done:
	free(b);
}
