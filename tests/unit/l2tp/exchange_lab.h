#pragma once
// Two (or more) L2TP engines of this code on an in-memory network, each with a
// fake kernel and a fake pppd launcher, and a clock the test moves.

#include "../../support/settle.h"
#include "l2tp/codec/control_message.h"
#include "l2tp/codec/l2tp_header.h"
#include "l2tp/engine.h"
#include "l2tp/fake_ports.h"
#include "tests/support/fake_l2tp_dataplane.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace l2tpsec::l2tp::test {

inline IpAddress ip(const char *s)
{
	return *IpAddress::parse(s);
}

/// What an observer saw, as lines: "up 16400/1234", "down 16400/1234: reason".
struct RecordingObserver final : EngineObserver {
	std::vector<std::string> events;
	std::vector<SessionEnd> ends;
	void tunnelUp(const TunnelInfo &t) override { events.push_back("tunnel-up " + std::to_string(t.tunnelId)); }
	void tunnelDown(const TunnelInfo &t, const std::string &reason) override
	{
		events.push_back("tunnel-down " + std::to_string(t.tunnelId) + ": " + reason);
	}
	void sessionUp(const SessionInfo &s) override
	{
		events.push_back("session-up " + std::to_string(s.tunnelId) + "/" + std::to_string(s.sessionId));
	}
	void sessionDown(const SessionEnd &e) override
	{
		events.push_back("session-down " + std::to_string(e.session.tunnelId) + "/" +
		                 std::to_string(e.session.sessionId) + ": " + e.reason);
		ends.push_back(e);
	}
};

struct Host {
	FakeTunnelSockets sockets;
	kernel::FakeL2tpDataplane kernel;
	FakePppLauncher ppp;
	RecordingObserver observer;
	L2tpEngine engine;
	/// Every control message this host put on the wire, decoded: "SCCRQ", "ZLB", ...
	std::vector<std::string> sent;

	Host(FakeNetwork &net, const char *address, EngineConfig config)
	    : sockets(net, ip(address)), engine(config, kernel, sockets, ppp, &observer)
	{
		net.attach(sockets, engine);
	}
};

inline std::string typeOf(const std::vector<uint8_t> &datagram, const std::string &secret = "")
{
	auto p = parsePacket(datagram);
	if (!p)
		return "?";
	auto m = decodeControlMessage(*p, DecodeOptions{secret});
	if (!m)
		return "undecodable";
	return messageTypeName(m->type);
}

struct Lab {
	FakeNetwork net;
	TimePoint now{};
	std::vector<Host *> hosts;
	/// Every datagram delivered, "FROM>TO TYPE", in order (ZLBs included).
	std::vector<std::string> wire;

	Lab()
	{
		net.dropIf = [this](const FakeNetwork::Datagram &d) {
			wire.push_back(d.from.address.str() + ">" + d.to.address.str() + " " + typeOf(d.bytes, secret));
			return drop && drop(d);
		};
	}
	std::function<bool(const FakeNetwork::Datagram &)> drop;
	std::string secret; ///< to decode hidden AVPs in the wire log

	std::unique_ptr<Host> host(const char *address, EngineConfig config)
	{
		auto h = std::make_unique<Host>(net, address, config);
		hosts.push_back(h.get());
		return h;
	}

	/// The host stops: it neither receives nor sends nor runs timers.
	void kill(Host &h)
	{
		net.detach(h.sockets.address());
		hosts.erase(std::remove(hosts.begin(), hosts.end(), &h), hosts.end());
	}

	/// Delivers until the wire is quiet and fires every timer due by now;
	/// fails the test when that never happens.
	void settle() { l2tpsec::test::settleLab(*this, "the L2TP lab (wire and timers)"); }

	/// Moves the clock forward by `d`, stopping at every deadline on the way.
	void advance(std::chrono::milliseconds d)
	{
		l2tpsec::test::advanceLab(*this, "the L2TP lab (wire and timers)", d);
	}
};

inline EngineConfig lnsConfig()
{
	EngineConfig c;
	c.hostName = "lns";
	c.seed = 7;
	c.pool = std::make_pair(ip("10.99.0.10"), ip("10.99.0.19"));
	c.helloInterval = std::chrono::seconds(60);
	return c;
}

inline EngineConfig lacConfig()
{
	EngineConfig c;
	c.hostName = "lac";
	c.seed = 11;
	c.acceptTunnels = false;
	return c;
}

inline LacRequest lacRequest(const char *server = "192.0.2.1", uint16_t localPort = 1701)
{
	return LacRequest{"office", Endpoint{ip("192.0.2.2"), localPort}, Endpoint{ip(server), 1701}};
}

} // namespace l2tpsec::l2tp::test
