/* SPDX-License-Identifier: Apache-2.0 */
/* log2msgs OUTDIR LOG...: every message of the logs (any form faultline decode reads) as a file of OUTDIR, the
 * seeds of fuzz_analysis. Test helper, built by the host build. */
#include <stdio.h>
#include <stdlib.h>

#include "ff/input.h"

int main(int argc, char **argv)
{
	size_t written = 0;

	if (argc < 3)
		return fprintf(stderr, "usage: log2msgs OUTDIR LOG...\n"), 2;
	for (int i = 2; i < argc; i++) {
		struct ff_input in;
		uint8_t *data;
		long len;
		FILE *f = fopen(argv[i], "rb");

		if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
			return fprintf(stderr, "log2msgs: cannot read %s\n", argv[i]), 1;
		data = malloc((size_t)len + 1);
		if (data == NULL || fread(data, 1, (size_t)len, f) != (size_t)len)
			return fprintf(stderr, "log2msgs: cannot read %s\n", argv[i]), 1;
		fclose(f);
		if (ff_input_read(&in, data, (size_t)len, NULL) == 0)
			for (size_t k = 0; k < in.n; k++) {
				char path[4096];
				FILE *out;

				snprintf(path, sizeof(path), "%s/msg-%zu", argv[1], written++);
				out = fopen(path, "wb");
				if (out == NULL || fwrite(in.msgs[k].bytes, 1, in.msgs[k].len, out) != in.msgs[k].len ||
				    fclose(out) != 0)
					return fprintf(stderr, "log2msgs: cannot write %s\n", path), 1;
			}
		ff_input_free(&in);
		free(data);
	}
	printf("log2msgs: %zu message(s)\n", written);
	return written > 0 ? 0 : 1;
}
