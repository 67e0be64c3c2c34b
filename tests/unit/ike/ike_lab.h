#pragma once
// Two (or more) IKE engines of this code on an in-memory network, each with a
// fake kernel and a seeded random source, and a clock the test moves.

#include "../../support/settle.h"
#include "common/log.h"
#include "ike/codec/header.h"
#include "ike/codec/message_builder.h"
#include "ike/codec/names.h"
#include "ike/codec/notify_payload.h"
#include "ike/codec/payload_chain.h"
#include "ike/codec/vendor_ids.h"
#include "ike/fake_ike_ports.h"
#include "ike/ike_engine.h"
#include "tests/support/fake_ipsec_dataplane.h"

#include <fmt/format.h>

#include <doctest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// Readable failures for the vectors the tests compare.
namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
	static String convert(const std::vector<std::string> &v)
	{
		std::string s = "{";
		for (const std::string &x : v)
			s += "\n  \"" + x + "\"";
		return String((s + "}").c_str());
	}
};
template <>
struct StringMaker<std::vector<uint32_t>> {
	static String convert(const std::vector<uint32_t> &v)
	{
		std::string s = "{";
		for (uint32_t x : v)
			s += fmt::format(" 0x{:08x}", x);
		return String((s + " }").c_str());
	}
};
} // namespace doctest

namespace l2tpsec::ike::test {

using namespace std::chrono_literals;

inline IpAddress ip(const char *s)
{
	return *IpAddress::parse(s);
}

inline const char *kPsk = "l2tpsec-test-psk";

/// What an observer saw, as lines: "ike-up 1", "child-up in=0x.. out=0x..", ...
struct RecordingObserver final : IkeObserver {
	std::vector<std::string> events;
	std::vector<IkeSaInfo> ikeUps;
	std::vector<ChildSaInfo> childUps;
	void ikeSaUp(const IkeSaInfo &i) override
	{
		events.push_back("ike-up " + std::to_string(i.id));
		ikeUps.push_back(i);
	}
	void ikeSaDown(const IkeSaInfo &i, const std::string &reason) override
	{
		events.push_back("ike-down " + std::to_string(i.id) + ": " + reason);
	}
	void childSaUp(const ChildSaInfo &c) override
	{
		events.push_back(fmt::format("child-up in=0x{:08x} out=0x{:08x}", c.inboundSpi, c.outboundSpi));
		childUps.push_back(c);
	}
	void childSaDown(const ChildSaInfo &c, const std::string &reason) override
	{
		events.push_back(fmt::format("child-down in=0x{:08x}: {}", c.inboundSpi, reason));
	}
	void childSaFailed(uint64_t id, const std::string &reason) override
	{
		events.push_back("child-failed " + std::to_string(id) + ": " + reason);
	}
	/// Apart from `events`: "ADDRESS: reason", what brute-force blocking counts.
	std::vector<std::string> authFailures;
	void authenticationFailed(const IpAddress &peer, const std::string &reason) override
	{
		authFailures.push_back(peer.str() + ": " + reason);
	}
	/// Apart from `events` too: "STEP ADDRESS: reason; offered OFFER".
	std::vector<std::string> refusals;
	void negotiationRefused(const IkeRefusal &r) override
	{
		static constexpr const char *kSteps[] = {"phase1-proposal", "phase1-authentication", "phase1-timeout",
		                                         "quick-mode-proposal"};
		refusals.push_back(fmt::format("{} {}: {}; offered {}", kSteps[static_cast<int>(r.step)], r.peer.str(),
		                               r.reason, r.offered));
	}
};

struct Host {
	IpAddress address;
	FakeIkeSockets sockets;
	kernel::FakeIpsecDataplane kernel;
	FakeIkeRandom random;
	RecordingObserver observer;
	IkeEngine engine; ///< last: goes first, before the fakes it uses

	Host(FakeIkeNetwork &net, const char *addr, IkeEngineConfig config, uint64_t seed)
	    : address(ip(addr)), sockets(net), random(seed),
	      engine(std::move(config), sockets, kernel, random, &observer)
	{
		net.attach(address, engine);
	}
};

/// A short name for a datagram: "MM-SA", "MM-KE", "MM*" (encrypted), "AM-SA", "AM*", "QM*",
/// "INFO*", "INFO(NO-PROPOSAL-CHOSEN)" (cleartext), "keepalive".
inline std::string describe(const FakeIkeNetwork::Datagram &d, uint16_t natTPort = 4500)
{
	std::span<const uint8_t> b = d.bytes;
	if (b.size() == 1 && b[0] == 0xff)
		return "keepalive";
	if (d.to.port == natTPort || d.from.port == natTPort) {
		if (b.size() < 4)
			return "?";
		b = b.subspan(4);
	}
	auto m = parseMessage(b);
	if (!m)
		return "?";
	const Header &h = m->header;
	std::string x = h.exchange == ExchangeType::IdentityProtection ? "MM"
	                : h.exchange == ExchangeType::Aggressive       ? "AM"
	                : h.exchange == ExchangeType::QuickMode        ? "QM"
	                : h.exchange == ExchangeType::Informational    ? "INFO"
	                                                               : exchangeTypeName(h.exchange);
	if (h.encrypted())
		return x + "*";
	auto chain = parsePayloadChain(h.nextPayload, m->body);
	if (!chain || chain->empty())
		return x + "?";
	PayloadType first = chain->front().type;
	if (first == PayloadType::SecurityAssociation)
		return x + "-SA";
	if (first == PayloadType::KeyExchange)
		return x + "-KE";
	if (first == PayloadType::Notification) {
		auto n = parseNotify(chain->front().body);
		return x + "(" + (n ? notifyTypeName(n->type) : "?") + ")";
	}
	return x + "-" + payloadTypeName(first);
}

struct Lab {
	FakeIkeNetwork net;
	TimePoint now{};
	std::vector<Host *> hosts;
	/// Every datagram delivered, "FROM>TO NAME", in order.
	std::vector<std::string> wire;
	/// And the datagrams themselves.
	std::vector<FakeIkeNetwork::Datagram> datagrams;
	/// Return true to drop; may change the datagram.
	std::function<bool(FakeIkeNetwork::Datagram &)> tamper;

	Lab()
	{
		// Quiet unless a test captures the log (LogCapture lowers it).
		log::setLevel(LogLevel::Warn);
		net.onWire = [this](FakeIkeNetwork::Datagram &d) {
			wire.push_back(d.from.str() + ">" + d.to.str() + " " + describe(d));
			datagrams.push_back(d);
			return tamper && tamper(d);
		};
	}

	std::unique_ptr<Host> host(const char *address, IkeEngineConfig config, uint64_t seed)
	{
		auto h = std::make_unique<Host>(net, address, std::move(config), seed);
		hosts.push_back(h.get());
		return h;
	}

	/// The host stops: it neither receives nor sends nor runs timers.
	void kill(Host &h)
	{
		net.detach(h.address);
		hosts.erase(std::remove(hosts.begin(), hosts.end(), &h), hosts.end());
	}

	/// Delivers until the wire is quiet and fires every timer due by now.
	void settle() { l2tpsec::test::settleLab(*this, "the IKE lab"); }

	/// Moves the clock forward by `d`, stopping at every deadline on the way.
	void advance(std::chrono::milliseconds d) { l2tpsec::test::advanceLab(*this, "the IKE lab", d); }

	/// The wire entries whose name contains `what`.
	size_t count(const std::string &what) const
	{
		return size_t(std::count_if(wire.begin(), wire.end(),
		                            [&](const std::string &w) { return w.find(what) != std::string::npos; }));
	}
};

/// The datagrams on the wire whose line contains `what`, in order.
inline std::vector<std::vector<uint8_t>> sent(const Lab &lab, const std::string &what)
{
	std::vector<std::vector<uint8_t>> out;
	for (size_t i = 0; i < lab.wire.size(); i++)
		if (lab.wire[i].find(what) != std::string::npos)
			out.push_back(lab.datagrams[i].bytes);
	return out;
}

/// ikeProposals, when given, replace the profile's IKE proposals (a test
/// that needs one group whatever the profile prefers).
inline IkeEngineConfig labConfig(ProposalProfile profile = ProposalProfile::Compat, const char *psk = kPsk,
                                 std::vector<std::string> ikeProposals = {})
{
	IkeConfig ike;
	ike.profile = profile;
	ike.ikeProposals = std::move(ikeProposals);
	auto c = ikeEngineConfig(ike);
	REQUIRE(c);
	std::string key = psk;
	c->psk = [key](const IpAddress &) -> std::optional<crypto::SecretBytes> {
		return crypto::SecretBytes(key.begin(), key.end());
	};
	return std::move(*c);
}

/// Log lines at info or above, collected while it lives.
struct LogCapture {
	std::vector<std::string> lines;
	LogCapture() : saved(log::level())
	{
		log::setLevel(LogLevel::Info);
		log::setSink([this](LogLevel lvl, std::string_view, std::string_view msg) {
			if (lvl >= LogLevel::Info)
				lines.emplace_back(msg);
		});
	}
	~LogCapture()
	{
		log::setSink(nullptr);
		log::setLevel(saved);
	}
	LogLevel saved;
	bool has(const std::string &part) const
	{
		return std::any_of(lines.begin(), lines.end(),
		                   [&](const std::string &l) { return l.find(part) != std::string::npos; });
	}
	size_t countOf(const std::string &part) const
	{
		return size_t(std::count_if(lines.begin(), lines.end(),
		                            [&](const std::string &l) { return l.find(part) != std::string::npos; }));
	}
};

using Op = kernel::FakeIpsecDataplane::Op;

inline std::vector<Op> ops(const kernel::FakeIpsecDataplane &k)
{
	std::vector<Op> out;
	for (const auto &c : k.records())
		out.push_back(c.op);
	return out;
}

inline const kernel::FakeIpsecDataplane::Sa *findSa(const kernel::FakeIpsecDataplane &k, uint32_t spi)
{
	for (const auto &s : k.sas())
		if (s.id.spi == spi)
			return &s;
	return nullptr;
}

/// Moves the fake kernel's SPI cursor on, so that the two ends' SPIs differ.
inline void burnSpi(kernel::FakeIpsecDataplane &k)
{
	auto spi = k.allocSpi(ip("192.0.2.99"), ip("192.0.2.98"), kernel::OwnedReqids{}.first);
	REQUIRE(spi);
	REQUIRE(k.deleteSa(kernel::SaId{ip("192.0.2.99"), ip("192.0.2.98"), *spi, 0, 0}));
	k.clearCalls();
}

/// What Lab::wire records for a Pair's Main Mode + Quick Mode without NAT,
/// whatever authenticates it: six Main Mode messages, three Quick Mode.
inline const std::vector<std::string> kDirectSetupWire{
        "192.0.2.2:500>192.0.2.1:500 MM-SA", "192.0.2.1:500>192.0.2.2:500 MM-SA", "192.0.2.2:500>192.0.2.1:500 MM-KE",
        "192.0.2.1:500>192.0.2.2:500 MM-KE", "192.0.2.2:500>192.0.2.1:500 MM*",   "192.0.2.1:500>192.0.2.2:500 MM*",
        "192.0.2.2:500>192.0.2.1:500 QM*",   "192.0.2.1:500>192.0.2.2:500 QM*",   "192.0.2.2:500>192.0.2.1:500 QM*"};

/// The client's MM1 (the datagram Lab::wire names `mm1`) changes its vendor
/// ids on the way (no hash covers them): `drop` leaves, `add` joins.
inline void rewriteVendorIds(Lab &lab, std::string mm1, std::optional<KnownVendorId> drop,
                             std::optional<KnownVendorId> add)
{
	lab.tamper = [&lab, mm1, drop, add](FakeIkeNetwork::Datagram &d) {
		if (lab.wire.back() != mm1)
			return false;
		auto m = parseMessage(d.bytes);
		REQUIRE(m);
		auto chain = parsePayloadChain(m->header.nextPayload, m->body);
		REQUIRE(chain);
		MessageBuilder b(m->header);
		for (const RawPayload &raw : *chain)
			if (raw.type != PayloadType::VendorId || !drop || recogniseVendorId(raw.body) != drop)
				b.add(raw.type, std::vector<uint8_t>(raw.body.begin(), raw.body.end()));
		if (add)
			b.add(PayloadType::VendorId, vendorIdBytes(*add));
		auto rebuilt = b.build();
		REQUIRE(rebuilt);
		d.bytes = *rebuilt;
		return false;
	};
}

/// MM1 loses its RFC 3947 vendor id: a pre-RFC client, draft NAT-T only.
inline void dropRfc3947VendorId(Lab &lab, std::string mm1)
{
	rewriteVendorIds(lab, std::move(mm1), KnownVendorId::NatTRfc3947, std::nullopt);
}

/// A server (192.0.2.1, answers Main Mode) and a client (initiator only).
struct Pair {
	Lab lab;
	std::unique_ptr<Host> server, client;
	explicit Pair(IkeEngineConfig serverCfg = labConfig(), IkeEngineConfig clientCfg = labConfig(),
	              const char *clientAddress = "192.0.2.2")
	{
		clientCfg.acceptPeers = false;
		server = lab.host("192.0.2.1", std::move(serverCfg), 1);
		client = lab.host(clientAddress, std::move(clientCfg), 2);
		burnSpi(client->kernel);
	}
	uint64_t connect(uint16_t localPort = 1701)
	{
		ChildRequest child;
		child.localPort = localPort;
		return connect(child);
	}
	uint64_t connect(const ChildRequest &child)
	{
		auto id = client->engine.connect(ConnectRequest{client->address, server->address, child}, lab.now);
		REQUIRE(id);
		lab.settle();
		return *id;
	}
};

/// After a set-up by a client at 10.0.0.2 behind the lab's NAT
/// (198.51.100.7, ports from 30000): both ends saw the NAT, the ISAKMP SAs
/// moved to 4500. `seenAt` is the NAT port of the message the server saw
/// the NAT-D of.
inline void checkBehindNat(const Pair &p, const LogCapture &logs, uint16_t seenAt)
{
	CHECK(logs.has(fmt::format("198.51.100.7:{}: NAT detected (the peer is behind one)", seenAt)));
	CHECK(logs.has("192.0.2.1:500: NAT detected (we are behind one)"));
	CHECK(logs.has("peer 198.51.100.7:30000: moved to 198.51.100.7:30001 (NAT-T)"));
	IkeSaInfo s = p.server->engine.ikeSas().at(0);
	CHECK(s.natPeer);
	CHECK_FALSE(s.natLocal);
	CHECK(s.peer == Endpoint{ip("198.51.100.7"), 30001});
	CHECK(s.local == Endpoint{ip("192.0.2.1"), 4500});
	CHECK(s.peerId == "10.0.0.2");
	IkeSaInfo c = p.client->engine.ikeSas().at(0);
	CHECK(c.natLocal);
	CHECK_FALSE(c.natPeer);
	CHECK(c.peer == Endpoint{ip("192.0.2.1"), 4500});
}

} // namespace l2tpsec::ike::test
