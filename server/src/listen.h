/* SPDX-License-Identifier: Apache-2.0 */
/* The --listen HOST:PORT argument of faultline-server. */
#ifndef SRV_LISTEN_H
#define SRV_LISTEN_H

#include <stddef.h>
#include <stdint.h>

#define SRV_LISTEN_DEFAULT "127.0.0.1:8080"

struct srv_listen {
	char host[256]; /* a name, an IPv4 address, or an IPv6 address without its brackets */
	uint16_t port;  /* 0: let the kernel pick a free port (the server prints the one it got) */
};

/*
 * Parse "HOST:PORT", where HOST is a name, an IPv4 address or a bracketed IPv6 address ("[::1]:9000"), and PORT
 * is a decimal number 0..65535.
 * out: filled on success.  spec: the argument.  errbuf/errlen: receives a message naming the problem.
 * Returns 0, or -1 with errbuf filled.
 */
int srv_listen_parse(struct srv_listen *out, const char *spec, char *errbuf, size_t errlen);

#endif
