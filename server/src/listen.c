/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing of the server's listen address. */
#include <stdio.h>
#include <string.h>

#include "listen.h"

int srv_listen_parse(struct srv_listen *out, const char *spec, char *errbuf, size_t errlen)
{
	const char *colon, *host = spec, *p;
	size_t host_len;
	unsigned long port = 0;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':') {
			snprintf(errbuf, errlen, "listen address '%s': expected [IPV6]:PORT", spec);
			return -1;
		}
		host = spec + 1;
		host_len = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL || memchr(spec, ':', (size_t)(colon - spec)) != NULL) {
			snprintf(errbuf, errlen, "listen address '%s': expected HOST:PORT (IPv6 in brackets)", spec);
			return -1;
		}
		host_len = (size_t)(colon - spec);
	}
	if (host_len == 0 || host_len >= sizeof(out->host)) {
		snprintf(errbuf, errlen, "listen address '%s': host must be 1..%zu characters", spec,
			 sizeof(out->host) - 1);
		return -1;
	}
	for (p = colon + 1; *p >= '0' && *p <= '9' && port <= 65535; p++)
		port = port * 10 + (unsigned long)(*p - '0');
	if (p == colon + 1 || *p != '\0' || port > 65535) {
		snprintf(errbuf, errlen, "listen address '%s': port must be a number 0..65535", spec);
		return -1;
	}
	memcpy(out->host, host, host_len);
	out->host[host_len] = '\0';
	out->port = (uint16_t)port;
	return 0;
}
