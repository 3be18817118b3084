/* SPDX-License-Identifier: Apache-2.0 */
/* The faultline CLI's commands: each takes its own argv (argv[0] is the command's name) and returns the exit
 * status (0 success, 1 failure, 2 usage error). */
#ifndef CLI_H
#define CLI_H

int cli_decode(int argc, char **argv);

/* symbols, issues, issue, trace, core, devices, device: the server's read API and symbol upload (remote.c), by argv[0]. */
int cli_remote(int argc, char **argv);

/* bridge: a device's serial console to the server (bridge.c). */
int cli_bridge(int argc, char **argv);

#endif
