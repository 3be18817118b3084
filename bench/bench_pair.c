/* SPDX-License-Identifier: Apache-2.0 */
/* bench_pair N A -- B: run the shell commands A and B alternately, N times each (A, B, A, B...), after one
 * untimed run of each, and print the median wall time of each and the median of the N ratios B/A taken pair by
 * pair (a machine that changes speed meanwhile moves both sides of a pair). Times are taken around fork and wait
 * only, with CLOCK_MONOTONIC: nothing else runs inside the timed part. Output goes to /dev/null. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS_MAX 1000

/* Seconds one run of the shell command cmd took; negative when it could not be run. */
static double run(const char *cmd)
{
	struct timespec t0, t1;
	int status;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static double a[RUNS_MAX], b[RUNS_MAX], ratio[RUNS_MAX];
	int n = argc == 5 ? atoi(argv[1]) : 0;

	if (n < 1 || n > RUNS_MAX || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "usage: bench_pair N COMMAND_A -- COMMAND_B (N 1..%d)\n", RUNS_MAX);
		return 2;
	}
	if (run(argv[2]) < 0 || run(argv[4]) < 0) { /* warm-up: page cache, dynamic linking */
		fprintf(stderr, "bench_pair: cannot run the commands\n");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		a[i] = run(argv[2]);
		b[i] = run(argv[4]);
		if (a[i] <= 0 || b[i] <= 0) {
			fprintf(stderr, "bench_pair: a run failed\n");
			return 1;
		}
		ratio[i] = b[i] / a[i];
	}
	printf("A %.2f ms  B %.2f ms  B/A %.2f  (medians of %d alternating runs each)\n", 1e3 * median(a, n),
	       1e3 * median(b, n), median(ratio, n), n);
	return 0;
}
