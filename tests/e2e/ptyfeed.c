/* SPDX-License-Identifier: Apache-2.0 */
/* ptyfeed FILE SECONDS: a pseudo-terminal standing in for a serial port. Prints the terminal's path, waits until
 * a reader has set it up (raw mode: no echo), writes FILE into it, and keeps it open for SECONDS. */
#define _XOPEN_SOURCE 600
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[4096];
	struct termios t;
	size_t n;
	FILE *in;
	int master, slave;

	if (argc != 3 || (in = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: ptyfeed FILE SECONDS\n");
		return 2;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 || ptsname(master) == NULL) {
		perror("ptyfeed");
		return 1;
	}
	printf("%s\n", ptsname(master));
	fflush(stdout);
	/* the reader's raw mode, seen from this side of the terminal, means it is listening */
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	for (int i = 0; i < 400; i++) {
		if (tcgetattr(slave, &t) == 0 && !(t.c_lflag & ICANON))
			break;
		usleep(50000);
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (write(master, buf, n) != (ssize_t)n) {
			perror("ptyfeed");
			return 1;
		}
	sleep((unsigned)atoi(argv[2]));
	return 0;
}
