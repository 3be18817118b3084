/* SPDX-License-Identifier: Apache-2.0 */
/* bench_report ELF INPUT [ROUNDS]: the warm, in-process cost of one trace with the ELF already open: decode the
 * message, unwind, symbolize, explain, read the frames' variables, fingerprint (fa_report_build), ROUNDS times after
 * one warm-up; and the same without the variables (FA_REPORT_NO_VARIABLES), the two alternating trace by trace so
 * that both see the same machine. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fa/elf.h"
#include "ff/input.h"
#include "ff/message.h"
#include "fa/report.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 20];
	struct fa_report *r = calloc(1, sizeof(*r));
	struct ff_error err = {0};
	struct ff_input in;
	struct fa_elf *e;
	struct ff_message m;
	int rounds = argc > 3 ? atoi(argv[3]) : 2000;
	size_t len, dump = (size_t)-1;
	double t0, t_open, spent[2] = {0, 0};
	size_t nvars = 0;
	FILE *f;

	if (argc < 3 || r == NULL || (f = fopen(argv[2], "rb")) == NULL) {
		fprintf(stderr, "usage: bench_report ELF INPUT [ROUNDS]\n");
		return 2;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	t0 = now_s();
	if (fa_elf_open(&e, argv[1], &err) != 0 || ff_input_read(&in, buf, len, &err) != 0) {
		fprintf(stderr, "bench_report: %s\n", err.msg);
		return 1;
	}
	t_open = now_s() - t0;
	for (size_t i = 0; i < in.n && dump == (size_t)-1; i++) {
		if (ff_message_parse(&m, in.msgs[i].bytes, in.msgs[i].len, NULL) == 0 && m.type == FF_MSG_COREDUMP)
			dump = i;
		ff_message_free(&m);
	}
	if (dump == (size_t)-1) {
		fprintf(stderr, "bench_report: no coredump in %s\n", argv[2]);
		return 1;
	}
	for (int i = -1; i < rounds; i++) { /* round -1 warms libdw's lazily built indexes */
		for (int with = 0; with < 2; with++) {
			double t = now_s();

			ff_message_parse(&m, in.msgs[dump].bytes, in.msgs[dump].len, NULL);
			fa_report_build_options(r, e, &m, with ? 0 : FA_REPORT_NO_VARIABLES, NULL);
			ff_message_free(&m);
			if (i >= 0)
				spent[with] += now_s() - t;
			if (with)
				nvars = r->nvars;
		}
	}
	printf("warm report of %s: %.1f us per trace with variables (%zu frames, %zu variables), %.1f us without: "
	       "%.2fx (%d rounds each, alternating; opening the ELF took %.1f ms)\n",
	       argv[1], spent[1] / rounds * 1e6, r->n, nvars, spent[0] / rounds * 1e6, spent[1] / spent[0], rounds,
	       t_open * 1e3);
	ff_input_free(&in);
	fa_elf_close(e);
	free(r);
	return 0;
}
