/* SPDX-License-Identifier: Apache-2.0 */
/* The server's storage, behind one narrow interface: every SQL statement lives in a backend (store_sqlite.c now,
 * PostgreSQL later); the rest of the server calls these operations only. */
#ifndef SRV_STORE_H
#define SRV_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/message.h"
#include "ff/metrics.h"
#include "ff/reasm.h"

struct srv_store;

/* Message states (messages.state). */
enum srv_msg_state {
	SRV_MSG_QUEUED = 0,
	SRV_MSG_PROCESSING = 1,
	SRV_MSG_DONE = 2,
	SRV_MSG_SYMBOLS_MISSING = 3,
	SRV_MSG_FAILED = 4,
	SRV_MSG_QUARANTINED = 5, /* its analysis died failures_max times: waits for a new symbol file of its build */
	SRV_MSG_EXPIRED = 6,     /* waited for symbols (or was quarantined) longer than the retention period: its
				  * bytes were dropped (srv_store_ops.retention), so it can no longer be processed */
	SRV_MSG_REPROCESS = 7,   /* its trace is of an older analysis: queued again, taken after every queued message
				  * (docs/ANALYSIS.md, When fingerprints change) */
};

/* A claimed job: a delivered message to process. bytes are malloc'd; the caller frees them. failures: how often
 * its analysis died before. reprocess: it was queued for reprocessing (SRV_MSG_REPROCESS). */
struct srv_job {
	int64_t id, device, received;
	int failures;
	bool reprocess;
	uint8_t *bytes;
	size_t len;
};

/* What processing a coredump produced. */
struct srv_trace {
	int64_t message, device, captured;
	const char *fingerprint, *kind, *title, *sw_version;
	const char *hw_version; /* "" when the device sends none (NULL counts as "") */
	const char *report; /* the report as JSON (fa_report_json), the only form of it kept */
	int analysis;       /* the analysis version that made it (FA_ANALYSIS_VERSION) */
};

/* Rows of the read API. Their pointers point into the store and are valid during the callback only. */

/* A device. */
struct srv_device {
	const char *serial;
	int64_t first_seen, last_seen; /* Unix seconds */
	int64_t messages;
};

/* Where an issue stands (docs/API.md, Issue workflow): a resolved issue reopens by itself when a new trace comes
 * from a version later than the one with its fix; a muted one never does. Stored as these numbers. */
enum srv_issue_state { SRV_ISSUE_OPEN = 0, SRV_ISSUE_RESOLVED = 1, SRV_ISSUE_MUTED = 2 };

/* An issue, with what its traces add up to. The aggregates are stored with the issue and kept up by trace_put,
 * each message counted once, in the issue its trace is in now: they still count the traces retention deleted
 * since, and no longer a trace that reprocessing moved to another issue. */
struct srv_issue {
	int64_t id;
	const char *fingerprint, *kind, *title;
	int64_t count, devices;          /* its messages, and the devices they came from */
	int64_t first_seen, last_seen;   /* Unix seconds, when the server received the first and the last of them */
	int64_t latest_trace;            /* its newest trace (retention keeps it); 0 in the rare case it has none left */
	const char *const *versions;     /* the sw_versions of its messages, each once, in string order */
	size_t nversions;
	const int64_t *merged;           /* the issues merged into it (docs/ANALYSIS.md, When fingerprints change), by
					  * id: their ids lead here */
	size_t nmerged;
	int64_t split_from;              /* the issue whose traces it was made of when they split, 0 when none */
	enum srv_issue_state state;
	const char *resolved_in;         /* RESOLVED: the version with the fix; else NULL */
	const char *state_why;           /* why it is in its state when it went there by itself (a reopen), else NULL */
	int64_t state_at;                /* when it went into its state, 0 when it never left OPEN */
};

/* Which issues a listing shows, in which order, which page (srv_store_ops.issue_list). */
enum srv_issue_sort {
	SRV_SORT_ID,        /* oldest first */
	SRV_SORT_DEVICES,   /* most devices first; then the newest issue first, for each of these */
	SRV_SORT_COUNT,     /* most messages first */
	SRV_SORT_LAST_SEEN, /* the latest seen first */
};
struct srv_issue_filter {
	int state;              /* an enum srv_issue_state, or -1: any */
	const char *sw_version; /* NULL: any; else the issues with a message of this software version */
	const char *hw_version; /* NULL: any; else ... of this hardware version ("": none named) */
	enum srv_issue_sort sort;
	int64_t offset;         /* issues of the order skipped */
	int limit;              /* at most this many */
};

/* An uploaded symbol file (srv_store_ops.symbols_list), and a build whose messages wait for one. */
struct srv_symbol_file {
	const char *build_id; /* hex */
	int64_t size, uploaded;
};
struct srv_symbol_wait {
	const char *build_id;
	int64_t messages, devices, since; /* since: when the oldest of them was received */
};

/* A release signing key (srv_store_ops.signing_keys). */
struct srv_signing_key {
	int64_t id, added, releases; /* releases: how many it signed */
	const uint8_t *public_key;   /* 32 bytes */
	const char *name;
};

/* A release: a signed MCUboot image (docs/OTA.md) and the build it was made from. */
struct srv_release {
	int64_t id, uploaded, key_id, img_size, size; /* img_size: the header's; size: the file's */
	const char *sw_version; /* its MCUboot version as text (fo_version_text) */
	uint8_t major, minor;
	uint16_t revision;
	uint32_t build;
	bool has_security_counter;
	uint32_t security_counter;
	const uint8_t *sha256; /* 32 bytes: the image's SHA-256 TLV */
	const char *build_id;  /* hex: the ELF it was built from, found in the image */
};

/* A cohort: named devices, by serial (when it lists any) and by attribute (NULL: any). */
struct srv_cohort {
	int64_t id, created, serials; /* serials: how many it lists (0: any device of its attributes) */
	const char *name, *hw_version, *sw_version;
};

/* The steps of an update on a device (docs/OTA.md, Deployments), as stored. */
enum srv_update_step {
	SRV_STEP_OFFERED, SRV_STEP_DOWNLOADING, SRV_STEP_DOWNLOADED, SRV_STEP_VERIFIED, SRV_STEP_INSTALLED,
	SRV_STEP_CONFIRMED, SRV_STEP_REVERTED, SRV_STEP_FAILED, SRV_STEPS
};

/* A deployment: a release offered to a cohort's devices (percent of them, chosen by serial hash), with how many
 * devices are at each step. */
struct srv_deployment {
	int64_t id, release_id, cohort_id, created;
	int percent;
	bool stopped;
	const char *cohort, *version;
	int64_t at_step[SRV_STEPS];
};

/* What a device (or its gateway) says it runs when it checks in for updates. */
struct srv_checkin {
	const char *sw_version, *build_id, *hw_version; /* as its messages say; build_id hex */
	uint8_t major, minor;                           /* the MCUboot version of the image it runs */
	uint16_t revision;
	uint32_t build, security_counter;
	int64_t slot_size; /* bytes of its secondary slot */
};

#define SRV_UPDATE_STEPS_MAX 1000 /* steps kept of one device in one deployment */

/* An offer to a device: a deployment's release. */
struct srv_offer {
	int64_t deployment, release, size;
	char sha256[65];  /* hex */
	char version[32]; /* its MCUboot version as text */
};

/* A device's update in a deployment, or one step it reported. */
struct srv_update_row {
	const char *serial;
	enum srv_update_step step;
	int64_t offset, at;
	const char *why; /* NULL: none */
};

/* A trace in an issue's list of them (srv_store_ops.issue_traces). */
struct srv_issue_trace {
	int64_t id, received;
	const char *device, *sw_version, *hw_version;
};

/* A device an issue's traces came from, with how many (srv_store_ops.issue_devices). */
struct srv_issue_device {
	const char *serial;
	int64_t messages;
};

/* A trace. */
struct srv_trace_row {
	int64_t id, issue, message, received;
	const char *device; /* its serial */
	const char *report; /* the report JSON as it was stored (untrusted: the caller checks what it relies on) */
};

/* What a device went through: its boots (why each previous one ended), its traces, the builds it waits for. */
struct srv_reboot {
	int64_t boot_id;
	int reason;
	int64_t received;
};
struct srv_device_trace {
	int64_t id, issue, received;
	const char *sw_version;
};
struct srv_device_visit {
	void (*device)(const struct srv_device *d, void *ctx);
	void (*reboot)(const struct srv_reboot *r, void *ctx);        /* newest first, 100 at most */
	void (*trace)(const struct srv_device_trace *t, void *ctx);   /* newest first, 100 at most */
	void (*waiting)(const char *build_id, void *ctx);             /* in string order */
	void *ctx;
};

/* A quarantined message (srv_store_ops.quarantined). */
struct srv_quarantined {
	int64_t id, received;
	const char *device;   /* its serial */
	const char *build_id; /* hex: the build whose symbol file the analysis died on */
	int failures;
	const char *reason;
};

/* What one call of srv_store_ops.retention did, added to what the calls before it in the run did (zero it at the
 * start of a run). The cursor is where the next call goes on from: the (received, id) of the last message looked
 * at. */
struct srv_retention {
	int64_t after_received, after_id; /* in/out: the cursor */
	int64_t messages;                 /* out: messages whose bytes were dropped (expired included) */
	int64_t expired;                  /* out: of those, waiting for symbols or quarantined, now SRV_MSG_EXPIRED */
	int64_t traces;                   /* out: traces deleted */
	int64_t reboots;                  /* out: reboot events deleted */
	int64_t heartbeats;               /* out: heartbeats deleted (of boots gone quiet before the cutoff) */
};

/* Traces an issue keeps whatever their age (srv_store_ops.retention): its first (received first: it shows
 * first_seen), its latest (the newest trace, latest_trace), and a sample, the first trace of each of its
 * SRV_RETENTION_VERSIONS newest software versions (newest: whose first trace in the issue is newest). */
#define SRV_RETENTION_VERSIONS 32

/* Fleet health (docs/HEALTH.md). */

/* A firmware: what a boot ran. Pointers are the caller's (in) or the store's during a callback (out). */
struct srv_identity {
	const char *build_id;   /* hex */
	const char *sw_version;
	const char *hw_version; /* "" when the device sends none */
};

/* A heartbeat to keep (heartbeat_put), decoded: its built-ins checked to fit 32 bits. */
struct srv_heartbeat {
	int64_t device, received;
	uint32_t boot_id;
	const struct srv_identity *identity; /* a full heartbeat's own identity; NULL for a compact one */
	uint32_t builtin[FF_HB_BUILTINS];
	const uint64_t *values; /* the application's values as sent */
	size_t nvalues;
};

/* What became of a heartbeat. */
enum srv_hb_outcome {
	SRV_HB_COUNTED,   /* counted in its device's and firmware's health */
	SRV_HB_WAITING,   /* its boot's identity is not known yet: kept, counted when it arrives (boot_put) */
	SRV_HB_DUPLICATE, /* the boot already has a heartbeat at that uptime (with the same values, or other ones: the
			   * first stands) */
};

/* What a crash is, for health: an unexpected reboot (a reboot event's reason of 0x8000 and above) or a coredump. */
enum srv_crash_kind { SRV_CRASH_REBOOT = 1, SRV_CRASH_COREDUMP = 2 };

/* One version's health over a window (srv_store_ops.versions). Rates are the caller's: counts and exposure here. */
struct srv_version_health {
	const char *sw_version;
	const char *hw_version; /* NULL: every hardware version together */
	int64_t seconds;        /* device-seconds of exposure in the window */
	int64_t reboots;        /* unexpected reboots in the window */
	int64_t coredumps;
	int64_t crashed_hours;  /* device-hours in which an unexpected reboot fell */
	int64_t devices;        /* devices with exposure in the window */
	int64_t crashed_devices; /* of those, devices with an unexpected reboot in the window */
	int64_t active_24h, active_7d; /* devices with exposure in the 24 hours / 7 days before now */
	int64_t current;        /* devices active in the last 7 days whose latest heartbeat is of this version */
	int64_t first_seen;     /* the first hour with exposure of the version (and hardware version) ever, Unix seconds */
};

/* One hour of one version (srv_store_ops.version_hours). */
struct srv_health_hour {
	int64_t hour; /* its first second / 3600 */
	int64_t seconds, reboots, coredumps, crashed_hours;
};

/* One device's value of a metric on one version (srv_store_ops.metric_devices): a gauge's mean, a counter's or
 * timer's growth per hour of exposure, per the key's kind. */
struct srv_metric_device {
	const char *serial, *sw_version;
	enum ff_metric_kind kind;
	double value;
	double seconds; /* the device's exposure on the version */
	int64_t min, max; /* a gauge's extremes */
};

/* One day of one version (srv_store_ops.version_days): the devices with exposure or a crash on it that day, and of
 * those the ones with an unexpected reboot that day. */
struct srv_health_day {
	int64_t day; /* Unix seconds / 86400 (UTC) */
	int64_t devices, crashed_devices;
};

/* One of a version's issues (srv_store_ops.version_issues). */
struct srv_version_issue {
	int64_t id;
	const char *title;
	int64_t devices;  /* devices with a trace of the issue on the version (of the traces retention kept) */
	int64_t messages; /* its messages from the version (all of them: retention does not change it) */
};

/* A stored heartbeat (srv_store_ops.device_heartbeats). */
struct srv_heartbeat_row {
	uint32_t boot_id, uptime_s;
	int64_t received, at; /* at: where it was placed on the server's clock; 0 while waiting for its boot */
	const char *sw_version; /* NULL while waiting */
	const uint32_t *builtin;
	const uint64_t *values;
	size_t nvalues;
	const struct ff_metric_table *table; /* its build's, NULL when not known */
};

/* Reprocessing when the analysis changed (docs/ANALYSIS.md, When fingerprints change): every stored trace is
 * analysed again, then each issue made before it is carried over to its new fingerprint. */
enum srv_reprocess_phase {
	SRV_REPROCESS_NONE = 0,  /* every trace is grouped by the analysis `to` (== from) */
	SRV_REPROCESS_ANALYSING, /* the traces of an older analysis are queued again (SRV_MSG_REPROCESS) and analysed;
				  * each stays in its issue meanwhile */
	SRV_REPROCESS_HEIRS,     /* the old issues, by id: each takes the new fingerprint most of its traces have, or
				  * merges with the older issue that took it */
	SRV_REPROCESS_SPLITS,    /* the old issues, by id: their traces of another new fingerprint move to its issue */
};

/* Where reprocessing stands, and what it did. */
struct srv_reprocessing {
	int from, to;                 /* the analysis stored traces were grouped by, and the one they are brought to */
	enum srv_reprocess_phase phase;
	int64_t total;                /* traces of an older analysis when it started */
	int64_t done;                 /* of those, analysed again since */
	int64_t stale;                /* (from the heirs on) those that could not be (symbols missing, refused): they
				       * keep their old report and fingerprint, in their issue */
	int64_t kept, merged, split;  /* issues that kept their id under a new fingerprint; merged into an older one;
				       * made of the traces split from one */
	int64_t started;              /* when it started (the server's clock) */
	int64_t queued;               /* out of a step: messages it queued again */
};

/* What a lookup returns when there is nothing: every operation returns 0 (found, done), SRV_NONE (nothing
 * found), or -1 (failed: srv_store_error() says why, to the thread that called). */
#define SRV_NONE 1
#define SRV_FULL 2 /* a documented limit of the store reached (the operation says which) */

/* The operations a backend implements. Each returns 0 or -1 with a message in the store (srv_store_error()). */
struct srv_store_ops {
	void (*close)(struct srv_store *s);
	/* A value of the key-value table (keys' hashes, counters): 0 found (copied into out, cap bytes), SRV_NONE. */
	int (*meta_get)(struct srv_store *s, const char *key, char *out, size_t cap);
	int (*meta_set)(struct srv_store *s, const char *key, const char *value);

	/* A write transaction: begin, then commit, or rollback on any error (used by the group commit of store.c and by
	 * operations that make their own, slots_expire). */
	int (*begin)(struct srv_store *s);
	int (*commit)(struct srv_store *s);
	void (*rollback)(struct srv_store *s);
	/* A request's part of a group transaction (srv_store_group_run): mark, then unmark (keep its writes) or
	 * undo (forget them, and only them; -1 when that failed and the whole transaction must be rolled back). */
	int (*mark)(struct srv_store *s);
	int (*unmark)(struct srv_store *s);
	int (*undo)(struct srv_store *s);

	/* The device's id (0), made on first sight when may_create (out_created, optional, says so), else SRV_NONE;
	 * last_seen set to now. */
	int (*device)(struct srv_store *s, const char *serial, int64_t now, bool may_create, int64_t *out_id,
		      bool *out_created);
	/* The receiver's slots of a device (docs/FORMAT.md §4), the store of format/'s one receiver (ff/reasm.h, whose
	 * struct ff_slot_store_ops says what each does; ingest.c adapts them). A slot's bytes are kept as the chunks
	 * brought them, one row per run of fresh bytes, so a chunk writes its own bytes, not its message's; they are
	 * joined when the message completes. slot_load: 0 found, SRV_NONE when the tag holds none. The pending bytes
	 * are running totals, per device and overall, moved by slot_save's delta (no scan of the fleet). */
	int (*slot_load)(struct srv_store *s, int64_t device, unsigned tag, struct ff_slot *out);
	int (*slot_held)(struct srv_store *s, int64_t device, unsigned tag, uint32_t off, uint32_t len, uint8_t *buf,
			 uint8_t *held);
	int (*slot_put)(struct srv_store *s, int64_t device, unsigned tag, uint32_t off, const uint8_t *data,
			uint32_t len);
	int (*slot_read)(struct srv_store *s, int64_t device, unsigned tag, uint8_t *buf, uint32_t len);
	int (*slot_drop)(struct srv_store *s, int64_t device, unsigned tag);
	/* slot NULL: only the delta (the slot was dropped). now: when it was last added to (for expiry). */
	int (*slot_save)(struct srv_store *s, int64_t device, unsigned tag, const struct ff_slot *slot,
			 int64_t pending_delta, int64_t now);
	int (*pending)(struct srv_store *s, int64_t device, uint64_t *out_device, uint64_t *out_total);
	/* Keep a delivered message, once per device and content (a message sent again is the same message).
	 * out_id: its id; out_new: false when it was already there. */
	int (*message_add)(struct srv_store *s, int64_t device, const uint8_t *msg, size_t len, int64_t now,
			   int64_t *out_id, bool *out_new);
	/* Record an uploaded symbol file (its build-id in hex, its size): a new upload of the same build replaces. */
	int (*symbols_add)(struct srv_store *s, const char *build_id, int64_t size, int64_t now);
	/* Processing. job_claim: the queued message that failed least often, oldest first, now marked processing (0),
	 * or SRV_NONE when none; never one whose bytes retention dropped; when none is queued and reprocess is set,
	 * one queued for reprocessing the same way (out->reprocess says which). job_finish: its new state, with the build-id
	 * it waits for (symbols missing) or why it failed; -1 for a message whose bytes were dropped and state queued
	 * or processing (the store refuses it: nothing could process it). job_failed: its analysis died: one more
	 * failure counted, its new state (queued or quarantined), the build whose symbol file it died on, and why. */
	int (*job_claim)(struct srv_store *s, bool reprocess, struct srv_job *out);
	int (*job_finish)(struct srv_store *s, int64_t id, enum srv_msg_state state, const char *detail);
	int (*job_failed)(struct srv_store *s, int64_t id, enum srv_msg_state state, const char *build_id,
			  const char *detail);
	/* Abandon partial messages (docs/FORMAT.md §4 rule 5) not added to since before: their slots are deleted and
	 * counted in the meta key "partials_abandoned". Forget delivered and failed slots not touched since
	 * prune_before (kept until then to recognize late duplicates, §4). out_count: partial messages abandoned now;
	 * out_pruned: slots forgotten. */
	int (*slots_expire)(struct srv_store *s, int64_t before, int64_t prune_before, int64_t *out_count,
			    int64_t *out_pruned);
	/* At start: messages left "processing" by a stopped server are queued again (for reprocessing, those whose
	 * trace is of the older analysis reprocessing analyses again). */
	int (*jobs_recover)(struct srv_store *s);
	/* Messages waiting for build_id's symbols, and those quarantined on its last symbol file, are queued again
	 * (their failures forgotten: a new file is a new chance). out_count: how many. */
	int (*symbols_arrived)(struct srv_store *s, const char *build_id, int64_t *out_count);
	/* 0 when symbols for build_id were uploaded, SRV_NONE when not. */
	int (*symbols_known)(struct srv_store *s, const char *build_id);
	/* Retention, one bounded step of a run (docs/API.md, Retention): among the messages received before `before`,
	 * at most limit of them, in (received, id) order after io's cursor, and only until bytes_max bytes were dropped
	 * (freeing their pages is what takes the time; the cursor stops there): a message with a trace the issue keeps
	 * (SRV_RETENTION_VERSIONS) keeps its bytes; any other trace is deleted and the message's bytes dropped (its row
	 * and digest stay, so message_add still recognizes it when sent again), a message waiting for symbols or
	 * quarantined becoming SRV_MSG_EXPIRED with why; queued and processing messages are left alone (the next run
	 * sees them done). Then at most limit reboot events received before `before` are deleted, and the heartbeats of
	 * at most limit boots none came for since `before` (docs/HEALTH.md). now: when (the
	 * messages' dropped time). Issue aggregates do not change. Its own transaction (call it under srv_store_lock);
	 * what it did is added to io and to the meta keys retention_messages, retention_expired, retention_traces and
	 * retention_reboots and retention_heartbeats. out_more: whether a next step has anything left to look at. */
	int (*retention)(struct srv_store *s, int64_t before, int64_t now, int limit, int64_t bytes_max,
			 struct srv_retention *io, bool *out_more);
	/* Keep a coredump's trace, attached to the issue of its fingerprint (made when new), and count it in the
	 * issue's aggregates. Processing the same message again replaces its trace and counts nothing twice; when its
	 * fingerprint changed (the unwinder improved), the message moves: the old issue counts it no longer (its
	 * device and version too when no other message of it has them; first/last seen recomputed from its traces left
	 * when the message held one of them), the new issue counts it once (an issue made so is split from the old).
	 * While reprocessing has not carried an issue over (docs/ANALYSIS.md, When fingerprints change), a trace of
	 * it analysed again stays in it, and a new one whose fingerprint no issue has joins the oldest such issue with
	 * a trace of that fingerprint; an issue without a fingerprint of t->analysis that gets a trace of it is carried
	 * over at once. An issue is found by every fingerprint it was known by, of t->analysis or newer. A message
	 * processed for the first time whose issue is resolved in a version earlier than its sw_version (ff/version.h)
	 * reopens the issue, saying why; processing a message again never does. */
	int (*trace_put)(struct srv_store *s, const struct srv_trace *t, int64_t *out_trace, int64_t *out_issue);
	/* Set issue id's state (docs/API.md, Issue workflow), by a person: resolved_in, the version with the fix, for
	 * SRV_ISSUE_RESOLVED (NULL for the others); now: when. A merged issue's id sets the issue it was merged into.
	 * 0 done, SRV_NONE when no such issue. */
	int (*issue_state)(struct srv_store *s, int64_t id, enum srv_issue_state state, const char *resolved_in,
			   int64_t now);
	/* The dashboard's reads of issues (docs/DASHBOARD.md). issue_list: the issues f selects, in its order, its page,
	 * to each(); out_total: how many f selects in all. issue_days: issue's messages per day (UTC: Unix seconds /
	 * 86400) from from_day on, oldest first, only days with any. issue_traces: the issue's traces (retention kept),
	 * newest first, those of an id below before when it is not 0 (a page that follows one: no rows skipped), after
	 * skipping offset, at most limit; issue_devices: the devices its messages came from, most
	 * messages first; out_total: how many in all. A merged issue's id reads nothing (the caller reads the issue
	 * first: it gives the id leads to). */
	int (*issue_list)(struct srv_store *s, const struct srv_issue_filter *f,
			  void (*each)(const struct srv_issue *i, void *ctx), void *ctx, int64_t *out_total);
	int (*issue_days)(struct srv_store *s, int64_t issue, int64_t from_day,
			  void (*each)(int64_t day, int64_t messages, void *ctx), void *ctx);
	int (*issue_traces)(struct srv_store *s, int64_t issue, int64_t before, int64_t offset, int limit,
			    void (*each)(const struct srv_issue_trace *t, void *ctx), void *ctx, int64_t *out_total);
	int (*issue_devices)(struct srv_store *s, int64_t issue, int64_t offset, int limit,
			     void (*each)(const struct srv_issue_device *d, void *ctx), void *ctx, int64_t *out_total);
	/* The symbols page: the uploaded files, newest first, and the builds messages wait for, most messages first;
	 * at most limit of each. */
	int (*symbols_list)(struct srv_store *s, int limit, void (*file)(const struct srv_symbol_file *f, void *ctx),
			    void (*wait)(const struct srv_symbol_wait *w, void *ctx), void *ctx);
	/* The dashboard's login sessions (session.h), by the SHA-256 of their cookie. session_put: a new one, with its
	 * CSRF token (NUL-terminated) and its times; sessions expired before created go. session_get: the CSRF token of
	 * the session (copied into out, cap bytes) when it expires after now: 0, SRV_NONE when none (unknown, expired,
	 * ended). session_delete: one ends (0 whether or not it was there). sessions_clear: all end (rotate-keys). */
	int (*session_put)(struct srv_store *s, const uint8_t hash[32], const char *csrf, int64_t created,
			   int64_t expires);
	int (*session_get)(struct srv_store *s, const uint8_t hash[32], int64_t now, char *out, size_t cap);
	int (*session_delete)(struct srv_store *s, const uint8_t hash[32]);
	int (*sessions_clear)(struct srv_store *s);
	/* Keep a reboot event (once per message). */
	int (*reboot_put)(struct srv_store *s, int64_t message, int64_t device, int64_t boot_id, int reason,
			  int64_t received);
	/* Read API: rows to each() (the caller shapes the answer). issues: ordered by id, after `after`, at most limit;
	 * out_more: whether more follow. issue, trace: 0 found (each() called once), SRV_NONE; the id of an issue
	 * merged into another gives that one (each() sees its id). device_history: the device to v->device, then its
	 * history; 0 found, SRV_NONE. */
	int (*issues)(struct srv_store *s, int64_t after, int limit, void (*each)(const struct srv_issue *i, void *ctx),
		      void *ctx, bool *out_more);
	int (*issue)(struct srv_store *s, int64_t id, void (*each)(const struct srv_issue *i, void *ctx), void *ctx);
	int (*trace)(struct srv_store *s, int64_t id, void (*each)(const struct srv_trace_row *t, void *ctx),
		     void *ctx);
	int (*device_history)(struct srv_store *s, const char *serial, const struct srv_device_visit *v);
	/* The message bytes behind a trace (for its ELF core), malloc'd: 0 found, SRV_NONE (no such trace, or its
	 * bytes were dropped). */
	int (*trace_message)(struct srv_store *s, int64_t trace, uint8_t **out, size_t *out_len);
	/* Quarantined messages ordered by id, after `after`, at most limit, to each(); out_more: whether more follow. */
	int (*quarantined)(struct srv_store *s, int64_t after, int limit,
			   void (*each)(const struct srv_quarantined *q, void *ctx), void *ctx, bool *out_more);
	/* Fleet health (docs/HEALTH.md: each rule is there).
	 * heartbeat_put: keep a heartbeat and count it (a full one first records its boot's identity, as boot_put);
	 * out: what became of it.
	 * boot_put: a boot's identity, from a message that carries it (a reboot event: its own boot; a coredump: the
	 * boot that crashed); the boot's heartbeats that waited for it are counted now, out_counted says how many
	 * (optional). A boot's identity, once known, stays; but a second, different reboot event (reboot_message:
	 * its id, 0 for other messages) with a known boot id is a new boot that reuses the id (a boot counter that
	 * restarted, 16 random bits that repeated): the old boot and its heartbeats move aside, the new one starts.
	 * crash_put: count a crash once per message (processing it again counts nothing), against the firmware of
	 * boot_id (the boot that ended or crashed) when known, else `fallback` (the message's own); placed at uptime_s
	 * after that boot's start when known (has_uptime), else at the start of the boot that reported it
	 * (report_boot) when known, else at received.
	 * metric_table_put: a build's metric key table (after an upload; t NULL with `problem` when the ELF has none
	 * usable: its application values then stay unnamed); heartbeats of the build counted before are completed by
	 * metrics_backfill.
	 * metrics_backfill: at most limit heartbeats whose build's table arrived after they were counted get their
	 * application values counted; out_more: whether more wait. */
	int (*heartbeat_put)(struct srv_store *s, const struct srv_heartbeat *hb, enum srv_hb_outcome *out);
	int (*boot_put)(struct srv_store *s, int64_t device, uint32_t boot_id, const struct srv_identity *id,
			int64_t received, int64_t reboot_message, int64_t *out_counted);
	int (*crash_put)(struct srv_store *s, int64_t message, int64_t device, enum srv_crash_kind kind,
			 uint32_t boot_id, uint32_t report_boot, const struct srv_identity *fallback, bool has_uptime,
			 uint32_t uptime_s, int64_t received);
	int (*metric_table_put)(struct srv_store *s, const char *build_hex, const struct ff_metric_table *t,
				const char *problem);
	int (*metrics_backfill)(struct srv_store *s, int limit, int64_t *out_done, bool *out_more);
	/* Health reads. versions: every version (and hardware version, by_hw) with exposure or crashes in [from, now),
	 * to each(), in the order of docs/HEALTH.md (ff_version_sort). version_hours: the hours of sw_version (hw: NULL
	 * for all) in [from, to), oldest first; SRV_NONE when the version is not known. metric_devices: each device's
	 * value of key (a built-in's or an application key's name) on sw_version (NULL: every version), one per device
	 * and firmware, by version (a version's rows one after the other), at most limit (out_truncated says when more
	 * were left); SRV_NONE when no build names such a key. device_heartbeats: the device's newest heartbeats, at most
	 * limit, newest first; SRV_NONE when no such device. */
	int (*versions)(struct srv_store *s, int64_t now, int64_t from, bool by_hw,
			void (*each)(const struct srv_version_health *v, void *ctx), void *ctx);
	int (*version_hours)(struct srv_store *s, const char *sw_version, const char *hw_version, int64_t from,
			     int64_t to, void (*each)(const struct srv_health_hour *h, void *ctx), void *ctx);
	/* version_days: the days of sw_version (hw: NULL for all) from from_day to to_day, oldest first, only days with
	 * any device. */
	int (*version_days)(struct srv_store *s, const char *sw_version, const char *hw_version, int64_t from_day,
			    int64_t to_day, void (*each)(const struct srv_health_day *d, void *ctx), void *ctx);
	int (*metric_devices)(struct srv_store *s, const char *key, const char *sw_version, int limit,
			      void (*each)(const struct srv_metric_device *d, void *ctx), void *ctx, bool *out_truncated);
	int (*device_heartbeats)(struct srv_store *s, const char *serial, int limit,
				 void (*each)(const struct srv_heartbeat_row *h, void *ctx), void *ctx);
	/* version_issues: the issues of sw_version's traces by devices affected, most first, at most limit. */
	int (*version_issues)(struct srv_store *s, const char *sw_version, int limit,
			      void (*each)(const struct srv_version_issue *i, void *ctx), void *ctx);
	/* Devices ordered by serial, after `after` (NULL: from the start), at most limit, to each(). */
	int (*devices)(struct srv_store *s, const char *after, int limit,
		       void (*each)(const struct srv_device *d, void *ctx), void *ctx);
	/* Reprocessing (docs/ANALYSIS.md, When fingerprints change). reprocess_begin: at start, with the server's
	 * analysis version: when stored traces are of an older one, reprocessing to it starts (or goes on where a
	 * stopped server left it); out: where it stands (phase SRV_REPROCESS_NONE: nothing to do). -1 when the database
	 * was processed by a newer analysis than version (it is not touched). now: when (started).
	 * reprocess_step: one bounded step, in the caller's transaction (a group commit's part): queue again at most
	 * limit traces' messages (SRV_MSG_REPROCESS), or, once none of them waits to be analysed, carry over at most
	 * limit issues; then done (phase NONE). out: where it stands after, with what the step queued; out_more:
	 * whether a next step has something to do now (false while analyses are awaited, or when done).
	 * reprocess_status: where it stands. */
	int (*reprocess_begin)(struct srv_store *s, int version, int64_t now, struct srv_reprocessing *out);
	int (*reprocess_step)(struct srv_store *s, int limit, struct srv_reprocessing *out, bool *out_more);
	int (*reprocess_status)(struct srv_store *s, struct srv_reprocessing *out);
	/* Updates (docs/OTA.md). signing_key_add: a public key the project's releases may be signed with, by name;
	 * out_id: its id; out_new: false when it was there already (a removed one is back, named anew).
	 * signing_keys: the keys not removed, oldest first. signing_key_remove: key id no longer accepted for new
	 * releases (kept for those it signed): 0, SRV_NONE when no such key (or removed already). */
	int (*signing_key_add)(struct srv_store *s, const uint8_t public_key[32], const char *name, int64_t now,
			       int64_t *out_id, bool *out_new);
	int (*signing_keys)(struct srv_store *s, void (*each)(const struct srv_signing_key *k, void *ctx), void *ctx);
	int (*signing_key_remove)(struct srv_store *s, int64_t id, int64_t now);
	/* release_add: a release checked by releases.c (r->id and r->uploaded are ignored; now is when); out_id: its id;
	 * out_new: false when the same image (by SHA-256) was there (nothing changes). releases: release id (0: all,
	 * newest first) to each(): 0, SRV_NONE when id names none. */
	int (*release_add)(struct srv_store *s, const struct srv_release *r, int64_t now, int64_t *out_id, bool *out_new);
	int (*releases)(struct srv_store *s, int64_t id, void (*each)(const struct srv_release *r, void *ctx), void *ctx);
	/* cohort_add: a cohort of the devices listed (n serials, none: any) that have hw_version and run sw_version
	 * (NULL: any); out_id: its id; SRV_NONE when the name is taken. cohorts: all, by name, to each(); the cohort named
	 * name (NULL: all): SRV_NONE when there is none. */
	int (*cohort_add)(struct srv_store *s, const char *name, const char *hw_version, const char *sw_version,
			  const char *const *serials, size_t n, int64_t now, int64_t *out_id);
	int (*cohorts)(struct srv_store *s, const char *name, void (*each)(const struct srv_cohort *c, void *ctx),
		       void *ctx);
	/* cohort_reach: what the cohort's devices that checked in report: how many, the latest MCUboot version (out_max,
	 * 4 numbers: major, minor, revision, build) and security counter they run, the smallest slot. */
	int (*cohort_reach)(struct srv_store *s, int64_t cohort, int64_t *out_devices, int64_t out_max[4],
			    int64_t *out_counter, int64_t *out_slot);
	/* deployment_add: release offered to cohort's devices, percent (1..100) of them; out_id. deployments: id (0:
	 * all, newest first) to each(): SRV_NONE when id names none. deployment_devices: its devices' updates, by serial.
	 * deployment_events: every step its devices reported, oldest first (serial NULL: all devices'). */
	int (*deployment_add)(struct srv_store *s, int64_t release, int64_t cohort, int percent, int64_t now,
			      int64_t *out_id);
	int (*deployments)(struct srv_store *s, int64_t id, void (*each)(const struct srv_deployment *d, void *ctx),
			   void *ctx);
	/* deployment_percent: deployment id offered to percent (1..100) of its cohort from now on (the devices of a
	 * smaller percent stay in a larger one: docs/OTA.md): 0, SRV_NONE when no such deployment. */
	int (*deployment_percent)(struct srv_store *s, int64_t id, int percent);
	int (*deployment_devices)(struct srv_store *s, int64_t deployment,
				  void (*each)(const struct srv_update_row *u, void *ctx), void *ctx);
	int (*deployment_events)(struct srv_store *s, int64_t deployment, const char *serial,
				 void (*each)(const struct srv_update_row *u, void *ctx), void *ctx);
	/* checkin: device (serial) checks in with what it runs, kept; out: the offer, the newest release later than
	 * what it runs among the deployments it is in (cohort and percent) and did not revert or fail, fitting its
	 * slot, its security counter not below the device's: 0 (the offer recorded as a step when new), SRV_NONE when
	 * there is none. In the caller's transaction. */
	int (*checkin)(struct srv_store *s, int64_t device, const char *serial, const struct srv_checkin *c, int64_t now,
		       struct srv_offer *out);
	/* update_report: device's step in deployment, at offset (downloading), why (failed, reverted; NULL none):
	 * 0, SRV_NONE when the device was not offered that deployment, SRV_FULL when it reported SRV_UPDATE_STEPS_MAX
	 * steps of it already (no more are kept). device_release: the release the device may
	 * download (one it was offered): 0 with its SHA-256 in hex (65 bytes) and size, SRV_NONE. */
	int (*update_report)(struct srv_store *s, int64_t device, int64_t deployment, enum srv_update_step step,
			     int64_t offset, const char *why, int64_t now);
	int (*device_release)(struct srv_store *s, int64_t device, int64_t release, char *out_sha256, int64_t *out_size);
};

struct srv_store_item;

/* The connection belongs to one thread, the store's writer (store.c): every use of it reaches that thread, or
 * parks it. */
struct srv_store {
	const struct srv_store_ops *ops;
	pthread_t writer;
	pthread_mutex_t lock;       /* the queue and the flags below */
	pthread_cond_t work;        /* an idle writer waits for items */
	pthread_cond_t released;    /* the writer, parked by srv_store_lock, waits for srv_store_unlock */
	struct srv_store_item *head, *tail;
	bool stop, unlocked, started, idle;
};

/* Set up and tear down the writer and its queue (by the backend's open and close; fini with no user left). */
void srv_store_init(struct srv_store *s);
void srv_store_fini(struct srv_store *s);

/* Use the connection on the calling thread, alone, for reads and for operations that make their own transaction
 * (slots_expire, key rotation): srv_store_lock first has the writer commit what its group holds and park, so what
 * the holder reads and writes is on its own; srv_store_unlock lets the writer go on. Not from inside fn of
 * srv_store_group_run (that would wait for itself). */
void srv_store_lock(struct srv_store *s);
void srv_store_unlock(struct srv_store *s);

/*
 * Group commit: fn(s, ctx) runs on the store's writer thread inside a write transaction that it shares with the
 * other requests queued meanwhile (up to 64), each in a part of its own (mark/unmark, or undo when it fails), and
 * one commit for all. A commit writes every page it touched to the WAL, so per-request commits cap ingestion far
 * below what the disk can take; a writer that takes whatever queued while it committed, with warm statements and
 * no hand-over of the connection per request, batches without waiting for anyone.
 * fn: uses s->ops only (not srv_store_lock); returns 0 to keep its writes, anything else to undo them (and only
 * them); it may record why with srv_store_fail().  ctx: fn's.
 * Returns 0 when fn returned 0 and the commit that holds its writes succeeded: they are durable, the request can be
 * answered; -1 when nothing of it is stored (fn failed, or the transaction did): srv_store_error() on the calling
 * thread says why.
 */
int srv_store_group_run(struct srv_store *s, int (*fn)(struct srv_store *s, void *ctx), void *ctx);

/*
 * srv_store_group_run() without waiting: returns at once; then(then_ctx, rc, error) is called on the writer thread
 * once the transaction holding fn's writes has committed (rc 0) or nothing of it is stored (rc -1, error says why,
 * valid during the call). ctx and then_ctx must live until then is called; then must not use the store.
 */
void srv_store_group_submit(struct srv_store *s, int (*fn)(struct srv_store *s, void *ctx), void *ctx,
			    void (*then)(void *then_ctx, int rc, const char *error), void *then_ctx);

/* The schema version srv_store_open_sqlite() migrates a database to. */
#define SRV_SQLITE_SCHEMA 19

/*
 * Open (creating when new) the SQLite database DIR/faultline.db: WAL journal, synchronous=NORMAL, a checkpoint
 * every 10,000 WAL pages, the schema migrated to the current version. out: the store, closed with its ops->close.
 * Returns 0, or -1 with err filled (a newer schema than this server knows is refused, not touched).
 */
int srv_store_open_sqlite(struct srv_store **out, const char *dir, char *err, size_t errlen);

/* The last error message of an operation on s that failed on the calling thread: each thread has its own (a
 * message read after the lock is released cannot be another thread's). Valid until the thread's next failure. */
const char *srv_store_error(const struct srv_store *s);

/* Record why an operation failed, for srv_store_error() on this thread (backends and the store's own code).
 * fmt: printf-style. Returns -1, so a failing operation can `return srv_store_fail(s, ...)`. */
int srv_store_fail(struct srv_store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
