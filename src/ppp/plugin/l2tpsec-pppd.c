/*
 * l2tpsec-pppd.so: a pppd plugin that tells l2tpsecd what happens on a
 * session's link, so that pppd needs no `debug` for it. Without this plugin
 * l2tpsecd read the authenticated user's name from pppd's packet trace,
 * which carries the MS-CHAPv2 challenge and response (enough to crack the
 * password offline) into the daemon's log.
 *
 * l2tpsecd starts pppd with `plugin PATH/l2tpsec-pppd.so l2tpsec_fd N`: N is
 * one end of a socket pair the daemon reads on its event loop. The plugin
 * sends, one datagram each (l2tpsec_pppd_wire.h): a hello with its protocol
 * version as soon as it has the descriptor, the name the peer authenticated
 * as, IP up and IP down (both addresses, the interface, and at IP down the
 * link's statistics), and pppd's exit status; and when a plugin that checks
 * PAP passwords (pppd's radius plugin) refuses one, the name the peer gave
 * and what the server said (its Reply-Message), which tells l2tpsecd the
 * factor that failed (examples/freeradius-totp).
 *
 * At IP up, before it reports IP up, it sends what the peer chose in LCP and
 * IPCP (its MRU, ACCM, field compressions, magic number, VJ compression, the
 * authentication it passed) and the option types of its first
 * Configure-Request of LCP, IPCP and CCP, which it watches pppd receive:
 * pppd keeps no record of the options it refused or of a request for DNS
 * and WINS addresses, which tell Windows, Apple, Android and pppd apart.
 *
 * When pppd's radius plugin (radius.so, pppd-radius(8)) is loaded, before
 * this one (l2tpsecd puts it first on pppd's command line), this plugin also
 * sends the Framed-Route attributes of each RADIUS Access-Accept, which
 * l2tpsecd tells the client as split-tunnel routes (DHCPINFORM); and it
 * turns radius.so's accounting off: l2tpsecd sends the session's
 * Accounting-Requests itself (radius.so's have 32-bit counters, an
 * Acct-Session-Id two servers can share and a cause from pppd's exit status).
 *
 * It never blocks pppd: a send that cannot complete at once is dropped with a
 * warning in pppd's log (which l2tpsecd reads too).
 *
 * `l2tpsec_wait` (last on the command line of a pppd an LNS starts before
 * its session) makes pppd wait, once its libraries, plugins and
 * /etc/ppp/options are loaded, for l2tpsecd's SESSION message: the session's
 * options and its PPPoL2TP socket. It reads them as if they had been on its
 * command line, and pppd goes on. While it waits its name (comm) is
 * "pppd-idle"; it exits quietly when l2tpsecd closes the socket.
 *
 * `l2tpsec_listen MS` (the LNS's pppd, started at the peer's ICRQ before the
 * peer's own pppd runs) makes LCP wait up to MS milliseconds for the peer's
 * first packet before sending its own Configure-Request, as pppd's
 * connect-delay does after a connect script: a request sent into a peer
 * not yet listening is lost and costs a 3 s restart timer.
 */
/* RTLD_DEFAULT */
#define _GNU_SOURCE
#include "l2tpsec_pppd_wire.h"

#include <pppd/pppd.h>
/* After pppd.h, which defines the types they use. */
#include <pppd/fsm.h>
#include <pppd/ipcp.h>
#include <pppd/lcp.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>

char pppd_version[] = VERSION;

static int report_fd = -1;
static int listen_ms = 0;

static int set_report_fd(char **argv);
static int wait_for_session(char **argv);

static option_t l2tpsec_options[] = {
        {
                .name = "l2tpsec_fd",
                .type = o_special,
                .addr = (void *)set_report_fd,
                .description = "descriptor on which to report to l2tpsecd",
                .flags = OPT_PRIV,
        },
        {
                .name = "l2tpsec_listen",
                .type = o_int,
                .addr = &listen_ms,
                .description = "milliseconds LCP waits for the peer before it speaks",
                .flags = OPT_PRIV | OPT_LLIMIT | OPT_ULIMIT,
                .upper_limit = 60000,
                .lower_limit = 0,
        },
        {
                .name = "l2tpsec_wait",
                .type = o_special_noarg,
                .addr = (void *)wait_for_session,
                .description = "wait for l2tpsecd's session (prestarted pppd)",
                .flags = OPT_PRIV,
        },
        {.name = NULL},
};

/* One message being built; a string that does not fit is cut to its limit. */
struct message {
	unsigned char bytes[L2TPSEC_PPPD_MAX_MESSAGE];
	size_t len;
};

static void put_u8(struct message *m, unsigned v)
{
	if (m->len < sizeof m->bytes)
		m->bytes[m->len++] = (unsigned char)v;
}

static void put_u16(struct message *m, unsigned v)
{
	put_u8(m, (v >> 8) & 0xff);
	put_u8(m, v & 0xff);
}

static void put_u32(struct message *m, uint32_t v)
{
	put_u16(m, (v >> 16) & 0xffff);
	put_u16(m, v & 0xffff);
}

static void put_str(struct message *m, const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	put_u16(m, (unsigned)n);
	for (size_t i = 0; i < n; ++i)
		put_u8(m, (unsigned char)s[i]);
}

static void send_message(const struct message *m)
{
	if (report_fd < 0)
		return;
	/* MSG_NOSIGNAL: a daemon that is gone must not kill pppd with SIGPIPE. */
	ssize_t sent = send(report_fd, m->bytes, m->len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (sent != (ssize_t)m->len)
		warn("l2tpsec: cannot report to l2tpsecd (message %u): %m", m->bytes[0]);
}

static void put_link(struct message *m)
{
	put_u32(m, ntohl(ipcp_gotoptions[0].ouraddr));
	put_u32(m, ntohl(ipcp_hisoptions[0].hisaddr));
	put_str(m, ifname, L2TPSEC_PPPD_MAX_IFNAME);
}

static void on_auth_up(void *arg, int unused)
{
	(void)arg;
	(void)unused;
	/* pppd 2.4.9 also notifies when it authenticated only itself (a LAC,
	 * with noauth): then the peer has no name to report. */
	if (auth_done[0] == 0)
		return;
	struct message m = {.len = 0};
	put_u8(&m, L2TPSEC_PPPD_AUTH_UP);
	put_str(&m, peer_authname, L2TPSEC_PPPD_MAX_NAME);
	send_message(&m);
}

/* The option types of the peer's first Configure-Request of one control
 * protocol, in its order; `seen` once there was one. */
struct first_request {
	int seen;
	size_t count;
	unsigned char types[L2TPSEC_PPPD_MAX_OPTIONS];
};

static struct first_request lcp_request, ipcp_request, ccp_request;

/* `p` is a control protocol packet of `len` bytes (RFC 1661 §5: code, id,
 * 16-bit length, options of type, length, data). Anything malformed is left
 * for pppd to refuse; a request that is not the first is not looked at. */
static void note_request(struct first_request *r, const unsigned char *p, size_t len)
{
	if (r->seen || len < 4 || p[0] != CONFREQ)
		return;
	size_t plen = (size_t)p[2] << 8 | p[3];
	if (plen < 4 || plen > len)
		return;
	r->seen = 1;
	for (size_t at = 4; at + 2 <= plen && r->count < L2TPSEC_PPPD_MAX_OPTIONS;) {
		size_t olen = p[at + 1];
		if (olen < 2 || olen > plen - at)
			break;
		r->types[r->count++] = p[at];
		at += olen;
	}
}

/* Whoever had the hook before us (another plugin), called after us. */
static void (*previous_snoop_recv)(unsigned char *p, int len) = NULL;

/* pppd calls this with each packet it receives, before it handles it: the
 * address and control bytes, the 16-bit protocol, the packet. */
static void on_packet_received(unsigned char *p, int len)
{
	if (len > PPP_HDRLEN) {
		unsigned protocol = (unsigned)p[2] << 8 | p[3];
		const unsigned char *packet = p + PPP_HDRLEN;
		size_t n = (size_t)len - PPP_HDRLEN;
		if (protocol == PPP_LCP)
			note_request(&lcp_request, packet, n);
		else if (protocol == PPP_IPCP)
			note_request(&ipcp_request, packet, n);
		else if (protocol == PPP_CCP)
			note_request(&ccp_request, packet, n);
	}
	if (previous_snoop_recv != NULL)
		previous_snoop_recv(p, len);
}

static void put_types(struct message *m, const struct first_request *r)
{
	put_u8(m, (unsigned)r->count);
	for (size_t i = 0; i < r->count; ++i)
		put_u8(m, r->types[i]);
}

/* How the peer authenticated to us: auth_done's bits for the peer (a CHAP
 * success also names its digest). */
static unsigned peer_auth(void)
{
	int done = auth_done[0];
	if (done & EAP_PEER)
		return L2TPSEC_PPPD_AUTH_EAP;
	if (done & CHAP_MS2_PEER)
		return L2TPSEC_PPPD_AUTH_MSCHAP_V2;
	if (done & CHAP_MS_PEER)
		return L2TPSEC_PPPD_AUTH_MSCHAP;
	if (done & CHAP_PEER)
		return L2TPSEC_PPPD_AUTH_CHAP_MD5;
	if (done & PAP_PEER)
		return L2TPSEC_PPPD_AUTH_PAP;
	return L2TPSEC_PPPD_AUTH_NONE;
}

static void send_peer_options(void)
{
	/* LCP is open (IPCP runs on it): lcp_hisoptions holds what the peer
	 * asked for and we acknowledged; ipcp_hisoptions likewise. */
	const lcp_options *lcp = &lcp_hisoptions[0];
	const ipcp_options *ipcp = &ipcp_hisoptions[0];
	unsigned flags = 0;
	/* (pppd acknowledges an MRU of 128 or more, read as 16 bits.) */
	int mru_ok = lcp->neg_mru && lcp->mru > 0 && lcp->mru <= 0xffff;
	if (mru_ok)
		flags |= L2TPSEC_PPPD_PEER_MRU;
	if (lcp->neg_asyncmap)
		flags |= L2TPSEC_PPPD_PEER_ACCM;
	if (lcp->neg_magicnumber)
		flags |= L2TPSEC_PPPD_PEER_MAGIC;
	if (lcp->neg_pcompression)
		flags |= L2TPSEC_PPPD_PEER_PFC;
	if (lcp->neg_accompression)
		flags |= L2TPSEC_PPPD_PEER_ACFC;
	if (ipcp->neg_vj)
		flags |= L2TPSEC_PPPD_PEER_VJ;
	if (ccp_request.seen)
		flags |= L2TPSEC_PPPD_PEER_CCP;
	struct message m = {.len = 0};
	put_u8(&m, L2TPSEC_PPPD_PEER_OPTIONS);
	put_u8(&m, flags);
	put_u16(&m, mru_ok ? (unsigned)lcp->mru : 0);
	put_u32(&m, lcp->neg_asyncmap ? lcp->asyncmap : 0);
	put_u8(&m, peer_auth());
	put_types(&m, &lcp_request);
	put_types(&m, &ipcp_request);
	put_types(&m, &ccp_request);
	send_message(&m);
}

static void on_ip_up(void *arg, int unused)
{
	(void)arg;
	(void)unused;
	send_peer_options();
	struct message m = {.len = 0};
	put_u8(&m, L2TPSEC_PPPD_IP_UP);
	put_link(&m);
	send_message(&m);
}

static void on_ip_down(void *arg, int unused)
{
	(void)arg;
	(void)unused;
	/* ipcp_down() has just read the counters (update_link_stats). */
	struct message m = {.len = 0};
	put_u8(&m, L2TPSEC_PPPD_IP_DOWN);
	put_link(&m);
	/* Without valid statistics the numbers are all 0. */
	int valid = link_stats_valid != 0;
	put_u8(&m, valid);
	put_u32(&m, valid ? link_stats.bytes_in : 0);
	put_u32(&m, valid ? link_stats.bytes_out : 0);
	put_u32(&m, valid ? link_stats.pkts_in : 0);
	put_u32(&m, valid ? link_stats.pkts_out : 0);
	put_u32(&m, valid ? link_connect_time : 0);
	send_message(&m);
}

static void on_exit_notify(void *arg, int exit_status)
{
	(void)arg;
	struct message m = {.len = 0};
	put_u8(&m, L2TPSEC_PPPD_EXIT);
	put_u32(&m, exit_status < 0 ? 0 : (uint32_t)exit_status);
	send_message(&m);
}

/* The PAP check of the plugin loaded before us (pppd's radius plugin). */
static int (*next_pap_auth)(char *user, char *passwd, char **msgp, struct wordlist **paddrs, struct wordlist **popts);

/* A refusal of l2tpsec's RADIUS site says which factor failed in a
 * Reply-Message "l2tpsec-stage: code". It is for l2tpsecd's audit, not for
 * the client: an attacker must not learn that a password was right. */
static const char stage_tag[] = "l2tpsec-stage:";
static char plain_refusal[] = "Login incorrect";

static int report_pap_auth(char *user, char *passwd, char **msgp, struct wordlist **paddrs, struct wordlist **popts)
{
	int ret = next_pap_auth(user, passwd, msgp, paddrs, popts);
	if (ret != 0) /* accepted, or left to pppd's pap-secrets (-1) */
		return ret;
	const char *said = msgp && *msgp ? *msgp : "";
	struct message m = {.len = 0};
	put_u8(&m, L2TPSEC_PPPD_AUTH_FAILED);
	put_str(&m, user, L2TPSEC_PPPD_MAX_NAME);
	put_str(&m, said, L2TPSEC_PPPD_MAX_SAID);
	send_message(&m);
	if (msgp && strstr(said, stage_tag))
		*msgp = plain_refusal;
	return ret;
}

static int set_report_fd(char **argv)
{
	char *end = NULL;
	errno = 0;
	long fd = strtol(*argv, &end, 10);
	if (errno != 0 || end == *argv || *end != '\0' || fd < 3 || fd > INT_MAX) {
		option_error("l2tpsec_fd: expected a descriptor number of 3 or more, got '%s'", *argv);
		return 0;
	}
	/* Not for the scripts and programs pppd runs. */
	if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0) {
		option_error("l2tpsec_fd %ld: %m", fd);
		return 0;
	}
	report_fd = (int)fd;
	struct message m = {.len = 0};
	put_u8(&m, L2TPSEC_PPPD_HELLO);
	put_u16(&m, L2TPSEC_PPPD_PROTOCOL);
	put_str(&m, VERSION, L2TPSEC_PPPD_MAX_VERSION);
	send_message(&m);
	return 1;
}

/* A SESSION message's words, NUL-terminated, kept for pppd's lifetime
 * (pppd keeps pointers into its options' words). NULL when malformed. */
static char **free_words(char **words)
{
	for (size_t i = 0; words != NULL && words[i] != NULL; ++i)
		free(words[i]);
	free(words);
	return NULL;
}

static char **session_words(const unsigned char *p, size_t len, int socket_fd, int *count)
{
	if (len < 3 || p[0] != L2TPSEC_PPPD_SESSION)
		return NULL;
	size_t n = ((size_t)p[1] << 8) | p[2], at = 3;
	char **words = calloc(n + 1, sizeof *words);
	if (words == NULL)
		return NULL;
	for (size_t i = 0; i < n; ++i) {
		if (len - at < 2)
			return free_words(words);
		size_t w = ((size_t)p[at] << 8) | p[at + 1];
		at += 2;
		if (w > L2TPSEC_PPPD_MAX_WORD || len - at < w || memchr(p + at, '\0', w) != NULL)
			return free_words(words);
		if (w == strlen(L2TPSEC_PPPD_SOCKET_WORD) && memcmp(p + at, L2TPSEC_PPPD_SOCKET_WORD, w) == 0) {
			words[i] = malloc(16);
			if (words[i] != NULL)
				snprintf(words[i], 16, "%d", socket_fd);
		} else {
			words[i] = strndup((const char *)p + at, w);
		}
		if (words[i] == NULL)
			return free_words(words);
		at += w;
	}
	if (at != len)
		return free_words(words);
	*count = (int)n;
	return words;
}

/* `l2tpsec_wait`: blocks until l2tpsecd sends the session (or closes the
 * socket: this pppd is not needed, and exits). Runs while pppd parses its
 * command line, so the session's words are parsed as the rest of it. */
static int wait_for_session(char **argv)
{
	(void)argv;
	if (report_fd < 0) {
		option_error("l2tpsec_wait: needs l2tpsec_fd before it");
		return 0;
	}
	prctl(PR_SET_NAME, "pppd-idle", 0, 0, 0);
	static unsigned char buf[L2TPSEC_PPPD_MAX_MESSAGE + 1];
	union {
		char bytes[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
	struct msghdr msg = {
	        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes, .msg_controllen = sizeof control.bytes};
	ssize_t n;
	do
		n = recvmsg(report_fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		exit(EXIT_OK);
	if (n < 0) {
		option_error("l2tpsec_wait: reading l2tpsecd's session: %m");
		return 0;
	}
	int socket_fd = -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&socket_fd, CMSG_DATA(c), sizeof socket_fd);
	int count = 0;
	char **words = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || socket_fd < 0
	                       ? NULL
	                       : session_words(buf, (size_t)n, socket_fd, &count);
	if (words == NULL) {
		option_error("l2tpsec_wait: l2tpsecd's session message is malformed");
		return 0;
	}
	prctl(PR_SET_NAME, "pppd", 0, 0, 0);
	return parse_args(count, words);
}

/*
 * pppd's radius plugin has no installed header: this mirrors its VALUE_PAIR
 * as pppd 2.4.9 declares it (pppd/plugins/radius/radiusclient.h, with
 * NAME_LENGTH 32, AUTH_STRING_LEN 253, UINT4 an unsigned int). pppd refuses
 * a plugin built for another version (pppd_version), and radius.so comes
 * with pppd, so the two layouts are the same build's.
 */
struct radius_value_pair {
	char name[32 + 1];
	int attribute;
	int vendorcode;
	int type;
	unsigned int lvalue;             /* a string's length */
	unsigned char strvalue[253 + 1]; /* NUL-terminated */
	struct radius_value_pair *next;
};

#define RADIUS_VENDOR_NONE (-1)
#define RADIUS_FRAMED_ROUTE 22

typedef void (*radius_attributes_fn)(struct radius_value_pair *);

/* Whoever had the hook before us (another plugin), called after us. */
static radius_attributes_fn previous_radius_hook = NULL;

/* radius.so calls this with the attributes of each Access-Accept, before it
 * applies them. */
static void on_radius_attributes(struct radius_value_pair *vp)
{
	struct message m = {.len = 0};
	put_u8(&m, L2TPSEC_PPPD_RADIUS_ROUTES);
	size_t count_at = m.len;
	put_u8(&m, 0);
	unsigned count = 0;
	for (struct radius_value_pair *p = vp; p != NULL; p = p->next) {
		if (p->vendorcode != RADIUS_VENDOR_NONE || p->attribute != RADIUS_FRAMED_ROUTE)
			continue;
		size_t n = strnlen((const char *)p->strvalue, L2TPSEC_PPPD_MAX_ROUTE);
		if (n == 0)
			continue;
		if (count == 255 || m.len + 2 + n > sizeof m.bytes) {
			warn("l2tpsec: more Framed-Route attributes than one report holds; the rest are not sent");
			break;
		}
		put_str(&m, (const char *)p->strvalue, L2TPSEC_PPPD_MAX_ROUTE);
		++count;
	}
	m.bytes[count_at] = (unsigned char)count;
	send_message(&m);
	if (previous_radius_hook != NULL)
		previous_radius_hook(vp);
}

/* Removes from `list` the notifiers whose code is in the object loaded at
 * `base`. radius.so's IP up and down notifiers (radius_ip_up and
 * radius_ip_down, which send its Accounting Start and Stop; the Stop
 * cancels its Interim-Updates, which only a Start arms) are static: they
 * are known by where their code lies. */
static void remove_notifiers_of(struct notifier **list, const void *base)
{
	struct notifier *n = *list;
	while (n != NULL) {
		struct notifier *next = n->next;
		Dl_info where;
		if (dladdr((void *)n->func, &where) != 0 && where.dli_fbase == base)
			remove_notifier(list, n->func, n->arg);
		n = next;
	}
}

/* radius.so's hook, if radius.so is loaded (pppd loads plugins RTLD_GLOBAL,
 * in command-line order, each one's plugin_init right away: radius.so's
 * notifiers are registered by now). */
static void hook_radius(void)
{
	radius_attributes_fn *hook = (radius_attributes_fn *)dlsym(RTLD_DEFAULT, "radius_attributes_hook");
	if (hook == NULL)
		return;
	previous_radius_hook = *hook;
	*hook = on_radius_attributes;
	Dl_info radius;
	if (dladdr((void *)hook, &radius) == 0 || radius.dli_fbase == NULL) {
		warn("l2tpsec: cannot locate radius.so: its accounting stays on beside l2tpsecd's");
		return;
	}
	remove_notifiers_of(&ip_up_notifier, radius.dli_fbase);
	remove_notifiers_of(&ip_down_notifier, radius.dli_fbase);
}

/* pppd's main loop sets listen_time to 0 before each link start and only
 * tty devices set it again; PHASE_ESTABLISH comes right before LCP's lower
 * layer goes up, which is where pppd reads it. */
static void on_phase_change(void *arg, int phase)
{
	(void)arg;
	if (phase == PHASE_ESTABLISH && listen_ms > 0)
		listen_time = listen_ms;
	/* Every plugin has set its hooks by now, whatever their order on the
	 * command line; pppd checks the peer's PAP request after this phase. */
	if (phase == PHASE_AUTHENTICATE && pap_auth_hook && pap_auth_hook != report_pap_auth) {
		next_pap_auth = pap_auth_hook;
		pap_auth_hook = report_pap_auth;
	}
}

void plugin_init(void)
{
	add_options(l2tpsec_options);
	add_notifier(&auth_up_notifier, on_auth_up, NULL);
	add_notifier(&ip_up_notifier, on_ip_up, NULL);
	add_notifier(&ip_down_notifier, on_ip_down, NULL);
	add_notifier(&exitnotify, on_exit_notify, NULL);
	add_notifier(&phasechange, on_phase_change, NULL);
	previous_snoop_recv = snoop_recv_hook;
	snoop_recv_hook = on_packet_received;
	hook_radius();
}
