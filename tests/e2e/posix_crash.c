/* SPDX-License-Identifier: Apache-2.0 */
/* posix_crash STORAGE: a Linux program with the SDK's POSIX port that dies of SIGSEGV, leaving a coredump in
 * STORAGE for `faultline decode --elf posix_crash STORAGE`. */
#include <stdint.h>
#include <stdio.h>

#include "faultline/faultline.h"
#include "faultline/posix.h"

static volatile uintptr_t s_bad = 16;

__attribute__((noinline)) static void write_through(volatile int *p)
{
	*p = 42;
}

int main(int argc, char **argv)
{
	static uint8_t events[256];
	struct fl_posix_config cfg = {argc > 1 ? argv[1] : NULL, 0, "linux-e2e", "3.0.0", NULL};
	struct fl_init_params params = {events, sizeof(events)};

	if (fl_posix_install(&cfg) != 0 || fl_init(&params, NULL) != 0) {
		fprintf(stderr, "usage: posix_crash STORAGE\n");
		return 2;
	}
	write_through((volatile int *)s_bad);
	return 0;
}
