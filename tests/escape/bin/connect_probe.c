// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * connect_probe ROUTE PORT: reach an outside listener on 127.0.0.1:PORT by one route, send
 * "hello", and wait for its answer (tests/escape/connect_routes.c). Escaped (0) when the
 * answer came: the connection was made and used both ways. Libc only.
 *
 *   connect            connect(2), then send (the route Landlock's CONNECT_TCP sits on)
 *   sendto-fastopen    sendto(MSG_FASTOPEN) with the address: TCP Fast Open connects in
 *                      the send (tcp_sendmsg_fastopen -> __inet_stream_connect)
 *   sendmsg-fastopen   the same through sendmsg's msg_name and its flags argument
 *   sendmmsg-fastopen  the same through sendmmsg (one message; the call's flags argument)
 *   fastopen-connect   setsockopt(TCP_FASTOPEN_CONNECT), connect(2), then write
 *   udp-sendto         a UDP datagram with an explicit destination
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_status.h"

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif
#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT 30
#endif

static const char hello[] = "hello\n";

static int verdict(int status, const char *route, const char *what, int err)
{
	static const char *const names[] = { [PROBE_ESCAPED] = "ESCAPED",
					     [PROBE_REFUSED] = "REFUSED",
					     [PROBE_UNSUPPORTED] = "UNSUPPORTED",
					     [PROBE_SETUP] = "SETUP" };

	printf("connect-probe: %s: %s: %s%s%s\n", names[status], route, what, err ? ": " : "",
	       err ? strerror(err) : "");
	return status;
}

/* A refusal, or the kernel without the mechanism (TFO's client bit off: EOPNOTSUPP). */
static int failed(const char *route, const char *what)
{
	int err = errno;

	return verdict(err == EOPNOTSUPP ? PROBE_UNSUPPORTED : PROBE_REFUSED, route, what, err);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct iovec iov = { .iov_base = (void *)hello, .iov_len = sizeof(hello) - 1 };
	struct msghdr m = {
		.msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov, .msg_iovlen = 1
	};
	struct mmsghdr mm = { .msg_hdr = m };
	const char *route;
	char reply[64];
	ssize_t n = -1;
	int fd, one = 1;
	bool udp;

	if (argc != 3) {
		fprintf(stderr, "usage: connect_probe ROUTE PORT\n");
		return PROBE_SETUP;
	}
	route = argv[1];
	udp = !strcmp(route, "udp-sendto");
	a.sin_port = htons((uint16_t)atoi(argv[2]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return failed(route,
			      udp ? "socket(AF_INET, SOCK_DGRAM)" : "socket(AF_INET, SOCK_STREAM)");
	if (!strcmp(route, "connect")) {
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return failed(route, "connect");
		n = send(fd, hello, sizeof(hello) - 1, 0);
	} else if (!strcmp(route, "sendto-fastopen")) {
		n = sendto(fd, hello, sizeof(hello) - 1, MSG_FASTOPEN, (struct sockaddr *)&a,
			   sizeof(a));
	} else if (!strcmp(route, "sendmsg-fastopen")) {
		n = sendmsg(fd, &m, MSG_FASTOPEN);
	} else if (!strcmp(route, "sendmmsg-fastopen")) {
		n = sendmmsg(fd, &mm, 1, MSG_FASTOPEN) == 1 ? (ssize_t)mm.msg_len : -1;
	} else if (!strcmp(route, "fastopen-connect")) {
		if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof(one)))
			return failed(route, "setsockopt(TCP_FASTOPEN_CONNECT)");
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return failed(route, "connect");
		n = write(fd, hello, sizeof(hello) - 1);
	} else if (udp) {
		n = sendto(fd, hello, sizeof(hello) - 1, 0, (struct sockaddr *)&a, sizeof(a));
	} else {
		fprintf(stderr, "connect_probe: unknown route %s\n", route);
		return PROBE_SETUP;
	}
	if (n != (ssize_t)sizeof(hello) - 1)
		return n < 0 ? failed(route, "send") : verdict(PROBE_SETUP, route, "short send", 0);
	n = recv(fd, reply, sizeof(reply) - 1, 0);
	if (n <= 0)
		return verdict(PROBE_SETUP, route, "no answer", n < 0 ? errno : 0);
	reply[n] = '\0';
	return verdict(PROBE_ESCAPED, route, "sent, and the listener answered", 0);
}
