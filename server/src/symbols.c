/* SPDX-License-Identifier: Apache-2.0 */
/* Symbol files (symbols.h). */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "clock.h"
#include "ff/bytes.h"
#include "symbols.h"

int srv_symbols_path(char *out, size_t cap, const char *data_dir, const char *build_hex)
{
	int n = snprintf(out, cap, "%s/symbols/%s.elf", data_dir, build_hex);

	return n > 0 && (size_t)n < cap ? 0 : -1;
}

int srv_symbols_open(struct fa_elf **out, const char *data_dir, const struct ff_message *m, struct ff_error *err)
{
	char hex[130], path[4200];
	int rc;

	*out = NULL;
	ff_hex(hex, sizeof(hex), m->build_id, m->build_id_len);
	if (srv_symbols_path(path, sizeof(path), data_dir, hex) != 0)
		return ff_error_set(err, FF_ERR_IO, "symbols: the data folder's path is too long");
	rc = fa_elf_open(out, path, err);
	if (rc == 0 && (rc = fa_elf_check_build_id(*out, m->build_id, m->build_id_len, err)) != 0) {
		fa_elf_close(*out);
		*out = NULL;
	}
	return rc;
}

#define SRV_CHECKS_MAX 4 /* uploads checked at once (of the HTTP pool's 16 threads) */

static atomic_int s_checks; /* uploads being checked now */

int srv_symbols_sweep(const char *data_dir)
{
	return srv_upload_sweep(data_dir, "symbols");
}

int srv_symbols_upload_begin(struct srv_upload **out, const char *data_dir, size_t max, char *why, size_t cap)
{
	return srv_upload_begin(out, data_dir, "symbols", max, "faultline-server --symbols-max-mb", why, cap);
}

/* The ELF of a finished upload, checked by an analyst of its own (so that a file that crashes libdw, hangs it or
 * blows its memory ends only the check): its build-id in hex, or the outcome and why not. */
static enum srv_upload_outcome check_elf(struct srv_upload *u, const struct srv_analyst_config *analysis,
					 struct srv_upload_result *out)
{
	struct srv_analyst *a;
	char why[700], prefix[4300];
	size_t plen = (size_t)snprintf(prefix, sizeof(prefix), "elf: %s", srv_upload_path(u));
	enum srv_analysis rc;

	/* each check holds an HTTP thread for up to --analysis-seconds: a few at once, the others told to wait */
	if (atomic_fetch_add(&s_checks, 1) >= SRV_CHECKS_MAX) {
		atomic_fetch_sub(&s_checks, 1);
		snprintf(out->why, sizeof(out->why), "%d symbol files are being checked: send it again in a minute",
			 SRV_CHECKS_MAX);
		return SRV_UPLOAD_UNAVAILABLE;
	}
	if (srv_analyst_start(&a, analysis, out->why, sizeof(out->why)) != 0) {
		atomic_fetch_sub(&s_checks, 1);
		return SRV_UPLOAD_UNAVAILABLE;
	}
	rc = srv_analyst_check(a, srv_upload_path(u), out->build_id, &out->metrics, why, sizeof(why));
	srv_analyst_stop(a);
	atomic_fetch_sub(&s_checks, 1);
	if (rc == SRV_ANALYSIS_OK)
		return SRV_UPLOAD_STORED;
	if (rc == SRV_ANALYSIS_UNAVAILABLE) {
		snprintf(out->why, sizeof(out->why), "%s", why);
		return SRV_UPLOAD_UNAVAILABLE;
	}
	if (rc == SRV_ANALYSIS_DIED)
		snprintf(out->why, sizeof(out->why), "the upload could not be checked: %s", why);
	else if (strncmp(why, prefix, plen) == 0) /* the analysis names the file: "the upload", not a temporary path */
		snprintf(out->why, sizeof(out->why), "the upload%s", why + plen);
	else
		snprintf(out->why, sizeof(out->why), "the upload: %s", why);
	return SRV_UPLOAD_BAD_ELF;
}

void srv_symbols_finish(struct srv_upload *u, struct srv_store *st, const struct srv_analyst_config *analysis,
			struct srv_upload_result *out)
{
	char path[4200];
	int rc;

	memset(out, 0, sizeof(*out));
	out->size = (int64_t)srv_upload_len(u);
	if ((out->outcome = srv_upload_end(u, out->why, sizeof(out->why))) != SRV_UPLOAD_STORED ||
	    (out->outcome = check_elf(u, analysis, out)) != SRV_UPLOAD_STORED) {
		srv_upload_abort(u); /* refused, or not checked */
		return;
	}
	if (srv_symbols_path(path, sizeof(path), srv_upload_data_dir(u), out->build_id) != 0 ||
	    srv_upload_keep(u, path) != 0) {
		out->outcome = SRV_UPLOAD_FAILED;
		snprintf(out->why, sizeof(out->why), "cannot store the symbol file: %s", strerror(errno));
		return;
	}
	srv_store_lock(st);
	rc = st->ops->symbols_add(st, out->build_id, out->size, srv_now());
	if (rc == 0)
		rc = st->ops->metric_table_put(st, out->build_id, out->metrics.has_table ? &out->metrics.table : NULL,
					       out->metrics.problem[0] != '\0' ? out->metrics.problem : NULL);
	if (rc == 0)
		rc = st->ops->symbols_arrived(st, out->build_id, &out->requeued);
	if (rc != 0)
		snprintf(out->why, sizeof(out->why), "the database failed: %s", srv_store_error(st));
	srv_store_unlock(st);
	out->outcome = rc == 0 ? SRV_UPLOAD_STORED : SRV_UPLOAD_FAILED;
}
