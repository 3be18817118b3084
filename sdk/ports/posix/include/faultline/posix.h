/* SPDX-License-Identifier: Apache-2.0 */
/* The POSIX port (Linux): fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) captured into a coredump in a
 * storage file that behaves like flash. It implements the whole port contract of faultline/port.h; configure it
 * with fl_posix_install() before fl_init().
 *
 * Differences from a microcontroller: "reboot" ends the process (a supervisor such as systemd restarts it) by
 * re-raising the fatal signal with its default action, so exit statuses and system core dumps stay as they were;
 * the reboot record lives in process memory, so the reboot event after a restart reports the port's reset cause
 * (FL_REASON_POWER_ON), while the coredump itself carries the crash's reason. Registers are recorded for x86-64,
 * AArch64 and 32-bit ARM Linux (docs/FORMAT.md §8.1); unwinding them is up to the analysis side. */
#ifndef FAULTLINE_POSIX_H
#define FAULTLINE_POSIX_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fl_posix_config {
	const char *storage_path; /* the coredump storage file; created (erased, 0xFF) when missing */
	uint32_t storage_size;    /* bytes; 0: 64 KiB */
	const char *serial;       /* device identity (faultline/port.h's struct fl_device_info); the strings */
	const char *sw_version;   /* must live as long as the process */
	const char *hw_version;
};

/*
 * Open (or create) the storage file, read the executable's GNU build-id, and install handlers for the fatal
 * signals on an alternate signal stack. Call once, before fl_init(). cfg is copied; its strings are kept.
 * Returns 0; FL_ERR_INVALID_ARG for a missing path or serial; FL_ERR_IO when the file cannot be opened, sized or
 * filled, or the handlers cannot be installed (errno tells why).
 */
int fl_posix_install(const struct fl_posix_config *cfg);

#ifdef __cplusplus
}
#endif
#endif
