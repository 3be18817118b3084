/* SPDX-License-Identifier: Apache-2.0 */
/* faultline-server: command line. The HTTP service, storage and workers arrive with the server issue. */
#include <stdio.h>
#include <string.h>

#include "faultline/version.h"
#include "listen.h"

static void usage(FILE *to)
{
	fprintf(to, "usage: faultline-server --data DIR [--listen HOST:PORT]\n"
		    "       faultline-server --version | --help\n"
		    "  --data DIR          where the server keeps its database and symbol files\n"
		    "  --listen HOST:PORT  address to serve on (default " SRV_LISTEN_DEFAULT "; port 0 picks a free one)\n");
}

int main(int argc, char **argv)
{
	struct srv_listen listen;
	const char *data = NULL, *listen_spec = SRV_LISTEN_DEFAULT;
	char err[320];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("faultline-server %s\n", FL_VERSION_STRING);
			return 0;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			data = argv[++i];
		} else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			listen_spec = argv[++i];
		} else {
			fprintf(stderr, "faultline-server: unknown or incomplete argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (data == NULL) {
		fprintf(stderr, "faultline-server: --data DIR is required\n");
		usage(stderr);
		return 2;
	}
	if (srv_listen_parse(&listen, listen_spec, err, sizeof(err)) != 0) {
		fprintf(stderr, "faultline-server: %s\n", err);
		return 2;
	}
	fprintf(stderr, "faultline-server %s: this build has no HTTP service yet (would serve %s:%u from %s)\n",
		FL_VERSION_STRING, listen.host, listen.port, data);
	return 1;
}
