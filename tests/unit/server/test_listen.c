/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/listen.c: the --listen argument. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "listen.h"

static void good(void **state)
{
	static const struct {
		const char *spec, *host;
		uint16_t port;
	} cases[] = {
		{"127.0.0.1:0", "127.0.0.1", 0},
		{"localhost:8080", "localhost", 8080},
		{"[::1]:65535", "::1", 65535},
		{"0.0.0.0:00443", "0.0.0.0", 443},
		{SRV_LISTEN_DEFAULT, "127.0.0.1", 8080},
	};
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct srv_listen l;

		if (srv_listen_parse(&l, cases[i].spec, err, sizeof(err)) != 0)
			fail_msg("%s: %s", cases[i].spec, err);
		assert_string_equal(l.host, cases[i].host);
		assert_int_equal(l.port, cases[i].port);
	}
}

static void bad(void **state)
{
	static const struct {
		const char *spec, *needle;
	} cases[] = {
		{"127.0.0.1", "expected HOST:PORT"},
		{":8080", "host must be"},
		{"host:", "port must be"},
		{"host:65536", "port must be"},
		{"host:99999999999999999999", "port must be"},
		{"host:80x", "port must be"},
		{"host:-1", "port must be"},
		{"::1:80", "IPv6 in brackets"},
		{"[::1]80", "expected [IPV6]:PORT"},
		{"[::1", "expected [IPV6]:PORT"},
		{"[]:80", "host must be"},
	};
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct srv_listen l;

		err[0] = '\0';
		if (srv_listen_parse(&l, cases[i].spec, err, sizeof(err)) != -1 || strstr(err, cases[i].needle) == NULL)
			fail_msg("%s: accepted or wrong message '%s'", cases[i].spec, err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good),
		cmocka_unit_test(bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
