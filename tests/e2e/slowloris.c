/* SPDX-License-Identifier: Apache-2.0 */
/* slowloris PORT N ADDRESSES SECONDS: N connections to 127.0.0.1:PORT from the source addresses 127.0.0.2 ..
 * 127.0.0.(1 + ADDRESSES), round robin, each sending a request's headers one byte a second, for SECONDS. Prints
 * "opened O refused R cut C open S": connections made, closed by the server at once (a limit), closed by it later
 * (a deadline), still open at the end. Test helper: the attacker of server-slow.sh. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX 8192

int main(int argc, char **argv)
{
	static const char k_request[] = "GET /api/v1/issues HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaa";
	static int fd[MAX];
	static size_t sent[MAX];
	static char state[MAX]; /* 'o' open, 'r' refused at once, 'c' cut later */
	struct rlimit lim;
	unsigned port, n, addresses, seconds, opened = 0, refused = 0, cut = 0, open = 0;

	if (argc != 5 || (port = (unsigned)atoi(argv[1])) == 0 || (n = (unsigned)atoi(argv[2])) == 0 || n > MAX ||
	    (addresses = (unsigned)atoi(argv[3])) == 0 || addresses > 250 || (seconds = (unsigned)atoi(argv[4])) == 0)
		return fprintf(stderr, "usage: slowloris PORT N(1..%d) ADDRESSES(1..250) SECONDS\n", MAX), 2;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
	}
	for (unsigned i = 0; i < n; i++) {
		struct sockaddr_in from = {.sin_family = AF_INET}, to = {.sin_family = AF_INET, .sin_port = htons(port)};

		from.sin_addr.s_addr = htonl(0x7f000002u + i % addresses);
		to.sin_addr.s_addr = htonl(0x7f000001u);
		fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fd[i] < 0 || bind(fd[i], (struct sockaddr *)&from, sizeof(from)) != 0 ||
		    connect(fd[i], (struct sockaddr *)&to, sizeof(to)) != 0) {
			perror("slowloris: socket");
			return 1;
		}
		state[i] = 'o';
		opened++;
	}
	for (unsigned s = 0; s <= seconds; s++) {
		for (unsigned i = 0; i < n; i++) {
			struct pollfd p = {.fd = fd[i], .events = POLLIN};
			char b[256];

			if (state[i] != 'o')
				continue;
			if (poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) && read(fd[i], b, sizeof(b)) <= 0) {
				state[i] = sent[i] <= 1 ? 'r' : 'c'; /* closed before any byte was taken: a limit */
				close(fd[i]);
				continue;
			}
			if (sent[i] < sizeof(k_request) - 1 &&
			    send(fd[i], k_request + sent[i], 1, MSG_NOSIGNAL) == 1)
				sent[i]++;
		}
		if (s < seconds)
			sleep(1);
	}
	for (unsigned i = 0; i < n; i++) {
		refused += state[i] == 'r';
		cut += state[i] == 'c';
		open += state[i] == 'o';
	}
	printf("opened %u refused %u cut %u open %u\n", opened, refused, cut, open);
	return 0;
}
