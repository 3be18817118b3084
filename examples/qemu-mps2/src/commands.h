/* SPDX-License-Identifier: Apache-2.0 */
/* The command shell: a line ("name args...") dispatched through a table of callbacks. */
#ifndef COMMANDS_H
#define COMMANDS_H

#include <stddef.h>

#include "faultline/port.h"

/* Run one command line. Returns 0, or -1 for an unknown command (logged). */
int commands_run(const char *line);

/* The last command line as a coredump region (fl_port_coredump_regions). Returns 1. */
size_t commands_region(struct fl_region *out);

#endif
