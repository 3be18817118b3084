/* SPDX-License-Identifier: Apache-2.0 */
/* The faultline CLI's commands: each takes its own argv (argv[0] is the command's name) and returns the exit
 * status (0 success, 1 failure, 2 usage error). */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int cli_decode(int argc, char **argv);

/* release sign, release verify: MCUboot-format images (release.c); keys generate: an ED25519 key pair. */
int cli_release(int argc, char **argv);
int cli_keys(int argc, char **argv);

/*
 * A whole file, for command cmd (its name in messages). path: the file. max: the most bytes taken (a larger file
 * is refused). out_len: (out) its length. Returns a malloc'd buffer (the caller frees it) or NULL with the reason
 * printed on stderr.
 */
uint8_t *cli_read_file(const char *cmd, const char *path, size_t max, size_t *out_len);

/*
 * Write len bytes to path, made with mode (exclusive: a file already there is not overwritten, and says so; else
 * it is replaced). A write that fails removes what it made. Returns 0, or 1 with the reason printed on stderr.
 */
int cli_write_file(const char *cmd, const char *path, const void *bytes, size_t len, int mode, bool exclusive);

/* symbols, issues, issue, trace, core, devices, device: the server's read API and symbol upload (remote.c), by argv[0]. */
int cli_remote(int argc, char **argv);

/* bridge: a device's serial console to the server (bridge.c). */
int cli_bridge(int argc, char **argv);

#endif
