/* SPDX-License-Identifier: Apache-2.0 */
/* Credentials: a project key for devices (they may only send data) and an admin token for people and the CLI.
 * Each is shown once, when it is made; the database keeps only its SHA-256. */
#ifndef SRV_KEYS_H
#define SRV_KEYS_H

#include <stdbool.h>
#include <stdio.h>

#include "store.h"

enum srv_role {
	SRV_ROLE_NONE,
	SRV_ROLE_DEVICE, /* the project key: X-Faultline-Key */
	SRV_ROLE_ADMIN,  /* the admin token: Authorization: Bearer */
};

/* Make both credentials if the database has none, printing them to show. Returns 1 when made, 0 when they
 * already existed, -1 on a store error. */
int srv_keys_ensure(struct srv_store *s, FILE *show);

/* Replace both credentials, printing the new ones, and end every dashboard session. The old ones stop working (a
 * running server notices within a second; a session at once). Returns 0 or -1 on a store error. */
int srv_keys_rotate(struct srv_store *s, FILE *show);

/* Does presented (NUL-terminated, untrusted) match the credential of role? Constant-time in the credential.
 * Thread-safe; re-reads the hashes from the store at most once a second. */
bool srv_keys_check(struct srv_store *s, enum srv_role role, const char *presented);

#endif
