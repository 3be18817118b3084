/* SPDX-License-Identifier: Apache-2.0 */
/* faultline: the command-line tool. Commands join the table as they land (decode, symbols, issues, bridge...). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "faultline/version.h"

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("faultline %s\n", FL_VERSION_STRING);
	return 0;
}

static const struct command k_commands[] = {
	{"decode", "report a coredump offline: --elf FIRMWARE.elf INPUT [--json] [--core FILE] [--no-variables]",
	 cli_decode},
	{"symbols", "upload a firmware ELF to the server: symbols upload FIRMWARE.elf", cli_remote},
	{"issues", "list the server's issues: the first 100 [--limit N (1..500) | --all]", cli_remote},
	{"issue", "one issue with its latest trace: issue ID", cli_remote},
	{"resolve", "an issue fixed in a version; it reopens on a later one: resolve ID --in VERSION", cli_remote},
	{"mute", "an issue that never reopens by itself: mute ID", cli_remote},
	{"reopen", "an issue resolved or muted, open again: reopen ID", cli_remote},
	{"trace", "one trace, the report of `decode`: trace ID", cli_remote},
	{"core", "a trace's ELF core file for GDB: core TRACE_ID -o core.elf", cli_remote},
	{"devices", "list the devices that sent data", cli_remote},
	{"device", "one device: its reboots and their reasons, traces and heartbeats: device SERIAL", cli_remote},
	{"versions", "fleet health per version: devices, crash rates, crash-free hours [--days N] [--by-hw]", cli_remote},
	{"compare", "is version B worse than A: compare A B [--days N]", cli_remote},
	{"metrics", "a metric's p50/p95 across devices per version: metrics KEY [--version V]", cli_remote},
	{"quarantine", "the messages whose analysis died again and again, and why", cli_remote},
	{"release", "an MCUboot-format release image: release sign|verify (offline), release upload", cli_release},
	{"releases", "list the server's releases", cli_remote},
	{"cohort", "a named group of devices: cohort create NAME [--hw HW] [--sw V] [--serial S ...]", cli_remote},
	{"cohorts", "list the cohorts", cli_remote},
	{"deploy", "offer a release to a cohort: deploy RELEASE_ID --cohort NAME [--percent P]", cli_remote},
	{"deployments", "list the deployments, with how many devices are at each step", cli_remote},
	{"deployment", "one deployment: each device's step, every step reported: deployment ID [--percent P]",
	 cli_remote},
	{"keys", "release signing keys: keys generate|public (offline), keys add|list|remove (server)", cli_keys},
	{"bridge", "forward a device's serial output to the server: bridge [INPUT|tcp:HOST:PORT] --key KEY", cli_bridge},
	{"version", "print the version", cmd_version},
};

static void usage(FILE *to)
{
	fprintf(to, "usage: faultline COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(k_commands) / sizeof(k_commands[0]); i++)
		fprintf(to, "  %-10s %s\n", k_commands[i].name, k_commands[i].summary);
	fprintf(to, "\nThe server commands take --server URL (or FAULTLINE_SERVER; default " "http://127.0.0.1:8080)\n"
		    "and --token TOKEN (or FAULTLINE_TOKEN: the admin token); the listings and reports take --json.\n"
		    "bridge takes the project key instead: --key KEY (or FAULTLINE_KEY).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(k_commands) / sizeof(k_commands[0]); i++) {
		if (strcmp(argv[1], k_commands[i].name) == 0)
			return k_commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "faultline: unknown command '%s' (try 'faultline --help')\n", argv[1]);
	return 2;
}
