// l2tpsec-dp "l2tp ..." and "ppp ...": the L2TP dataplane (NetlinkL2tpDataplane)
// from the command line, without L2TP control messages: static tunnels (the
// kernel owns the UDP socket), managed ones (this process owns it and stays
// up until killed, like the daemon would), PPP sessions, show with stats,
// flush, and pppd started on a PPPoL2TP socket made by this code.

#include "kernel/l2tp/l2tp_msg.h"
#include "kernel/l2tp/l2tp_netlink.h"
#include "tools/dp/commands.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace l2tpsec::dp {

namespace {

using namespace l2tpsec::kernel;

struct Options {
	uint32_t tid = 0, peerTid = 0, sid = 0, peerSid = 0;
	unsigned version = 2;
	std::string local, peer;
	uint16_t sport = 1701, dport = 1701;
	bool managed = false;
	bool lns = false, sendSeq = false, recvSeq = false;
	uint32_t reorderMs = 0;
	bool json = false;
	uint32_t onlyTid = 0, onlySid = 0;
	uint32_t ownedFirst = OwnedTunnelIds{}.first, ownedLast = OwnedTunnelIds{}.last;
	std::string pppd = "pppd";
	std::vector<std::string> pppdArgs;
};

void fail(Outcome &out, const std::string &message)
{
	std::fprintf(stderr, "l2tpsec-dp: %s\n", message.c_str());
	out.code = 1;
}

std::unique_ptr<NetlinkL2tpDataplane> openDataplane(Outcome &out, OwnedTunnelIds owned = {})
{
	auto dp = NetlinkL2tpDataplane::open(owned);
	if (!dp) {
		fail(out, dp.error().message);
		return nullptr;
	}
	return std::move(*dp);
}

SessionParams sessionParams(const Options &o)
{
	SessionParams s;
	s.tunnelId = o.tid;
	s.sessionId = o.sid;
	s.peerSessionId = o.peerSid;
	s.lnsMode = o.lns;
	s.sendSeq = o.sendSeq;
	s.recvSeq = o.recvSeq;
	s.reorderTimeoutMs = o.reorderMs;
	return s;
}

// The daemon's per-tunnel socket (src/daemon/udp_tunnel_sockets.cpp):
// SO_REUSEADDR, bound to local:sport, connected to peer:dport, close-on-exec;
// the kernel tunnel takes it over as its UDP encapsulation socket.
Result<UniqueFd> openTunnelSocket(const IpAddress &local, uint16_t sport, const IpAddress &peer, uint16_t dport)
{
	int family = local.isV4() ? AF_INET : AF_INET6;
	UniqueFd fd(socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP));
	if (!fd)
		return sysError("socket(UDP)");
	int one = 1;
	if (setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
		return sysError("setsockopt SO_REUSEADDR");
	sockaddr_storage ss{};
	auto fill = [&ss](const IpAddress &a, uint16_t port) -> socklen_t {
		ss = {};
		if (a.isV4()) {
			auto *sin = reinterpret_cast<sockaddr_in *>(&ss);
			sin->sin_family = AF_INET;
			sin->sin_port = htons(port);
			std::memcpy(&sin->sin_addr, a.bytes().data(), 4);
			return sizeof *sin;
		}
		auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		std::memcpy(&sin6->sin6_addr, a.bytes().data(), 16);
		return sizeof *sin6;
	};
	socklen_t len = fill(local, sport);
	if (bind(fd.get(), reinterpret_cast<sockaddr *>(&ss), len) != 0)
		return sysError(fmt::format("bind {}:{}", local.str(), sport));
	len = fill(peer, dport);
	if (connect(fd.get(), reinterpret_cast<sockaddr *>(&ss), len) != 0)
		return sysError(fmt::format("connect {}:{}", peer.str(), dport));
	return fd;
}

// Blocks until SIGTERM, SIGINT or SIGHUP; the caller then just exits, and the
// kernel removes the managed tunnel when its socket closes.
void waitForSignal()
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, nullptr);
	int sig = 0;
	sigwait(&set, &sig);
}

void addTunnel(const Options &o, Outcome &out)
{
	TunnelParams p;
	p.tunnelId = o.tid;
	p.peerTunnelId = o.peerTid;
	p.version = static_cast<uint8_t>(o.version);
	p.localPort = o.sport;
	p.peerPort = o.dport;
	auto local = IpAddress::parse(o.local);
	auto peer = IpAddress::parse(o.peer);
	if (!local || !peer)
		return fail(out, fmt::format("not an IP address: '{}'", local ? o.peer : o.local));
	p.localAddress = *local;
	p.peerAddress = *peer;

	// Checked here too, so that a bad request says so even where the kernel
	// has no L2TP support.
	if (auto valid = l2tpgenl::validateTunnelParams(p); !valid)
		return fail(out, valid.error().message);
	UniqueFd udp;
	if (o.managed) {
		auto sock = openTunnelSocket(*local, o.sport, *peer, o.dport);
		if (!sock)
			return fail(out, sock.error().message);
		udp = std::move(*sock);
		p.udpFd = udp.get();
	}
	auto dp = openDataplane(out);
	if (!dp)
		return;
	if (auto r = dp->createTunnel(p); !r)
		return fail(out, r.error().message);
	if (!o.managed)
		return;
	std::printf("managed tunnel %u: %s:%u -> %s:%u, pid %d; kill it to remove the tunnel\n", p.tunnelId,
	            local->str().c_str(), o.sport, peer->str().c_str(), o.dport, getpid());
	std::fflush(stdout);
	waitForSignal();
}

void delTunnel(const Options &o, Outcome &out)
{
	auto dp = openDataplane(out);
	if (!dp)
		return;
	if (auto r = dp->deleteTunnel(o.tid); !r)
		fail(out, r.error().message);
}

void addSession(const Options &o, Outcome &out)
{
	auto dp = openDataplane(out);
	if (!dp)
		return;
	if (auto r = dp->createSession(sessionParams(o)); !r)
		fail(out, r.error().message);
}

void delSession(const Options &o, Outcome &out)
{
	auto dp = openDataplane(out);
	if (!dp)
		return;
	if (auto r = dp->deleteSession(o.tid, o.sid); !r)
		fail(out, r.error().message);
}

std::string jsonString(const std::string &s)
{
	std::string q = "\"";
	for (char c : s) {
		if (c == '"' || c == '\\')
			q += fmt::format("\\{}", c);
		else if (static_cast<unsigned char>(c) < 0x20)
			q += fmt::format("\\u{:04x}", c);
		else
			q += c;
	}
	return q + "\"";
}

std::string statsJson(const L2tpStats &s)
{
	return fmt::format("{{\"tx_packets\": {}, \"tx_bytes\": {}, \"tx_errors\": {}, \"rx_packets\": {}, "
	                   "\"rx_bytes\": {}, \"rx_errors\": {}, \"rx_seq_discards\": {}, \"rx_oos_packets\": {}}}",
	                   s.txPackets, s.txBytes, s.txErrors, s.rxPackets, s.rxBytes, s.rxErrors, s.rxSeqDiscards,
	                   s.rxOosPackets);
}

std::string statsText(const L2tpStats &s)
{
	return fmt::format("tx {} packets {} bytes {} errors; rx {} packets {} bytes {} errors", s.txPackets, s.txBytes,
	                   s.txErrors, s.rxPackets, s.rxBytes, s.rxErrors);
}

std::string sessionJson(const SessionState &s)
{
	return fmt::format("{{\"tunnel_id\": {}, \"session_id\": {}, \"peer_session_id\": {}, \"lns_mode\": {}, "
	                   "\"send_seq\": {}, \"recv_seq\": {}, \"reorder_timeout_ms\": {}, \"using_ipsec\": {}, "
	                   "\"ifname\": {}, \"stats\": {}}}",
	                   s.tunnelId, s.sessionId, s.peerSessionId, s.lnsMode, s.sendSeq, s.recvSeq,
	                   s.reorderTimeoutMs, s.usingIpsec, jsonString(s.ifname), statsJson(s.stats));
}

// What `show` prints: everything from the dumps, or with --tid (and --sid)
// the answers to TUNNEL_GET (and SESSION_GET) for just that object.
Result<std::pair<std::vector<TunnelState>, std::vector<SessionState>>> collect(const Options &o, L2tpDataplane &dp)
{
	std::vector<TunnelState> tunnels;
	std::vector<SessionState> sessions;
	if (o.onlyTid) {
		L2S_TRY_ASSIGN(auto t, dp.getTunnel(o.onlyTid));
		tunnels.push_back(t);
	} else {
		L2S_TRY_ASSIGN(tunnels, dp.listTunnels());
	}
	if (o.onlyTid && o.onlySid) {
		L2S_TRY_ASSIGN(auto s, dp.getSession(o.onlyTid, o.onlySid));
		sessions.push_back(std::move(s));
	} else {
		L2S_TRY_ASSIGN(sessions, dp.listSessions());
	}
	return std::pair{std::move(tunnels), std::move(sessions)};
}

void show(const Options &o, Outcome &out)
{
	auto dp = openDataplane(out);
	if (!dp)
		return;
	auto found = collect(o, *dp);
	if (!found)
		return fail(out, found.error().message);
	const auto &[tunnels, sessions] = *found;

	std::string text, json = "{\"tunnels\": [";
	bool firstTunnel = true;
	for (const TunnelState &t : tunnels) {
		std::string addr = t.localAddress.isV4() ? "{}:{}" : "[{}]:{}";
		text += fmt::format("tunnel {} peer {} L2TPv{} udp {} -> {}\n  {}\n", t.tunnelId, t.peerTunnelId,
		                    t.version, fmt::format(fmt::runtime(addr), t.localAddress.str(), t.localPort),
		                    fmt::format(fmt::runtime(addr), t.peerAddress.str(), t.peerPort),
		                    statsText(t.stats));
		json += fmt::format(
		        "{}{{\"tunnel_id\": {}, \"peer_tunnel_id\": {}, \"version\": {}, \"local\": {}, "
		        "\"local_port\": {}, \"peer\": {}, \"peer_port\": {}, \"stats\": {}, \"sessions\": [",
		        firstTunnel ? "" : ", ", t.tunnelId, t.peerTunnelId, t.version,
		        jsonString(t.localAddress.str()), t.localPort, jsonString(t.peerAddress.str()), t.peerPort,
		        statsJson(t.stats));
		firstTunnel = false;
		bool firstSession = true;
		for (const SessionState &s : sessions) {
			if (s.tunnelId != t.tunnelId)
				continue;
			text += fmt::format("  session {} peer {}{}{}{}{}\n    {}\n", s.sessionId, s.peerSessionId,
			                    s.lnsMode ? " lns" : " lac", s.sendSeq ? " send-seq" : "",
			                    s.recvSeq ? " recv-seq" : "", s.usingIpsec ? " ipsec" : "",
			                    statsText(s.stats));
			json += fmt::format("{}{}", firstSession ? "" : ", ", sessionJson(s));
			firstSession = false;
		}
		json += "]}";
	}
	json += "]}\n";
	std::fputs(o.json ? json.c_str() : text.c_str(), stdout);
}

void flush(const Options &o, Outcome &out)
{
	auto dp = openDataplane(out, OwnedTunnelIds{o.ownedFirst, o.ownedLast});
	if (!dp)
		return;
	auto n = dp->flush();
	if (!n)
		return fail(out, n.error().message);
	std::printf("flushed %zu tunnel%s\n", *n, *n == 1 ? "" : "s");
}

// Opens the PPPoL2TP socket and becomes pppd on it, as go-l2tp's kl2tpd does:
// the socket is fd 3 and the only descriptor pppd inherits besides stdio
// (an inherited tunnel socket kept in a child would still receive the
// tunnel's traffic after the daemon closed its own copy).
void runPppd(const Options &o, Outcome &out)
{
	UniqueFd ppp;
	{
		auto dp = openDataplane(out);
		if (!dp)
			return;
		auto fd = dp->openPppSocket(sessionParams(o), o.peerTid, -1);
		if (!fd)
			return fail(out, fd.error().message);
		ppp = std::move(*fd);
	} // the netlink socket closes here
	if (ppp.get() != 3) {
		if (dup2(ppp.get(), 3) < 0) // dup2 leaves fd 3 without FD_CLOEXEC
			return fail(out, sysError("dup2 PPPoL2TP socket to fd 3").message);
	} else if (fcntl(3, F_SETFD, 0) != 0) {
		return fail(out, sysError("fcntl fd 3").message);
	}
	if (close_range(4, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
		return fail(out, sysError("close_range").message);

	std::vector<std::string> args = {o.pppd,
	                                 "plugin",
	                                 "pppol2tp.so",
	                                 "pppol2tp",
	                                 "3",
	                                 "pppol2tp_tunnel_id",
	                                 std::to_string(o.tid),
	                                 "pppol2tp_session_id",
	                                 std::to_string(o.sid),
	                                 "nodetach"};
	if (o.lns)
		args.push_back("pppol2tp_lns_mode");
	if (o.sendSeq)
		args.push_back("pppol2tp_send_seq");
	if (o.recvSeq)
		args.push_back("pppol2tp_recv_seq");
	args.insert(args.end(), o.pppdArgs.begin(), o.pppdArgs.end());
	std::vector<char *> argv;
	argv.reserve(args.size() + 1);
	for (std::string &a : args)
		argv.push_back(a.data());
	argv.push_back(nullptr);
	std::fflush(nullptr);
	execvp(argv[0], argv.data());
	fail(out, sysError(fmt::format("exec {}", o.pppd)).message);
}

void addIds(CLI::App *cmd, Options &o, bool session)
{
	cmd->add_option("--tid", o.tid, "local tunnel id")->required()->check(CLI::Range(1u, 0xffffffffu));
	if (session) {
		cmd->add_option("--sid", o.sid, "local session id")->required()->check(CLI::Range(1u, 0xffffffffu));
	}
}

void addSessionFlags(CLI::App *cmd, Options &o)
{
	cmd->add_flag("--lns", o.lns, "act as the LNS");
	cmd->add_flag("--send-seq", o.sendSeq, "send data sequence numbers");
	cmd->add_flag("--recv-seq", o.recvSeq, "require data sequence numbers");
	cmd->add_option("--reorder-ms", o.reorderMs, "reorder timeout in milliseconds (0: none)");
}

} // namespace

void addL2tpCommands(CLI::App &app, Outcome &out)
{
	auto o = std::make_shared<Options>();
	auto run = [o, &out](void (*fn)(const Options &, Outcome &)) { return [o, &out, fn] { fn(*o, out); }; };

	CLI::App *l2tp = app.add_subcommand("l2tp", "L2TP tunnels and sessions (generic netlink \"l2tp\")");
	l2tp->require_subcommand(1);

	CLI::App *add = l2tp->add_subcommand("add-tunnel", "create a static tunnel, or with --managed one whose "
	                                                   "UDP socket this process owns until it is killed");
	addIds(add, *o, false);
	add->add_option("--peer-tid", o->peerTid, "the peer's tunnel id")->required();
	add->add_option("--local", o->local, "local IP address")->required();
	add->add_option("--peer", o->peer, "peer IP address")->required();
	add->add_option("--sport", o->sport, "local UDP port")->capture_default_str();
	add->add_option("--dport", o->dport, "peer UDP port")->capture_default_str();
	add->add_option("--l2tp-version", o->version, "2 (RFC 2661) or 3 (RFC 3931)")->capture_default_str();
	add->add_flag("--managed", o->managed, "open the UDP socket here and keep running until a signal");
	add->callback(run(addTunnel));

	CLI::App *del = l2tp->add_subcommand("del-tunnel", "delete a tunnel and its sessions");
	addIds(del, *o, false);
	del->callback(run(delTunnel));

	CLI::App *adds = l2tp->add_subcommand("add-session", "create a PPP pseudowire session");
	addIds(adds, *o, true);
	adds->add_option("--peer-sid", o->peerSid, "the peer's session id")->required();
	addSessionFlags(adds, *o);
	adds->callback(run(addSession));

	CLI::App *dels = l2tp->add_subcommand("del-session", "delete a session");
	addIds(dels, *o, true);
	dels->callback(run(delSession));

	CLI::App *sh = l2tp->add_subcommand("show", "list tunnels and their sessions, with statistics");
	sh->add_option("--tid", o->onlyTid, "only this tunnel (L2TP_CMD_TUNNEL_GET instead of a dump)");
	sh->add_option("--sid", o->onlySid, "with --tid: only this session (L2TP_CMD_SESSION_GET)")->needs("--tid");
	sh->add_flag("--json", o->json, "print JSON");
	sh->callback(run(show));

	CLI::App *fl = l2tp->add_subcommand("flush", "delete every tunnel in l2tpsec's id range");
	fl->add_option("--first", o->ownedFirst, "first id of the range")->capture_default_str();
	fl->add_option("--last", o->ownedLast, "last id of the range")->capture_default_str();
	fl->callback(run(flush));

	CLI::App *ppp = app.add_subcommand("ppp", "open a PPPoL2TP socket for a session and exec pppd on it (fd 3)");
	addIds(ppp, *o, true);
	ppp->add_option("--peer-tid", o->peerTid, "the peer's tunnel id")->required();
	ppp->add_option("--peer-sid", o->peerSid, "the peer's session id")->required();
	addSessionFlags(ppp, *o);
	ppp->add_option("--pppd", o->pppd, "the pppd to run")->capture_default_str();
	ppp->add_option("pppd-args", o->pppdArgs, "more pppd options, after --");
	ppp->callback(run(runPppd));
}

} // namespace l2tpsec::dp
