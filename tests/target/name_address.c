/* SPDX-License-Identifier: Apache-2.0 */
/* name_address ELF ADDRESS...: print, one line per address (hex, 0x optional), the name fa_data_name() gives it,
 * or "-" when it is in no object. For tests/target/data-names.sh, which compares with GDB's addresses of the
 * same names. Exits 0; 2 on bad arguments or an ELF that does not open; 1 when a lookup fails. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "data.h"
#include "fa/elf.h"

int main(int argc, char **argv)
{
	struct ff_error err = {0};
	struct fa_elf *e = NULL;
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: name_address ELF ADDRESS...\n");
		return 2;
	}
	if (fa_elf_open(&e, argv[1], &err) != 0) {
		fprintf(stderr, "name_address: %s\n", err.msg);
		return 2;
	}
	for (int i = 2; i < argc && status == 0; i++) {
		char name[FA_DATA_NAME_MAX], *end;
		uint64_t addr;
		int rc;

		errno = 0;
		addr = strtoull(argv[i], &end, 16);
		if (errno != 0 || end == argv[i] || *end != '\0') {
			fprintf(stderr, "name_address: '%s' is not a hex address\n", argv[i]);
			status = 2;
			break;
		}
		rc = fa_data_name(e, addr, NULL, name, sizeof(name));
		if (rc < 0) {
			fprintf(stderr, "name_address: 0x%" PRIx64 ": %s\n", addr, ff_error_name(rc));
			status = 1;
		}
		printf("%s\n", rc == 0 ? name : "-");
	}
	fa_elf_close(e);
	return status;
}
