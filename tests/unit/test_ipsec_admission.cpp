// IpsecAdmission: what [l2tp] ipsec admits, which tunnels go with an SA pair,
// and which address brute-force blocking counts, from stubbed IKE answers.

#include "daemon/ipsec_admission.h"

#include <doctest.h>

#include <map>
#include <set>

using namespace l2tpsec;

namespace {

IpAddress ip(const char *s)
{
	return *IpAddress::parse(s);
}

l2tp::Endpoint endpoint(const char *address, uint16_t port = 1701)
{
	return l2tp::Endpoint{ip(address), port};
}

/// IKE as the tests set it: the peers an SA pair protects now, and the NAT
/// that some of them sit behind.
struct StubIke {
	std::set<std::string> protectedPeers; ///< "address:port"
	std::map<std::string, IpAddress> natOf;

	IpsecFlows flows()
	{
		return IpsecFlows{
		        [this](const Endpoint &p) { return protectedPeers.contains(p.str()); },
		        [this](const Endpoint &p) -> std::optional<IpAddress> {
			        auto it = natOf.find(p.str());
			        if (it == natOf.end())
				        return std::nullopt;
			        return it->second;
		        },
		};
	}
};

/// The SA pair protecting L2TP to `peer`:`port` (IKE peer `ikePeer`).
ike::ChildSaInfo child(const char *peer, uint16_t port = 1701, const char *ikePeer = nullptr)
{
	ike::ChildSaInfo c;
	c.ikeSaId = 5;
	c.local = {ip("192.0.2.1"), 500};
	c.peer = {ip(ikePeer ? ikePeer : peer), 500};
	c.flow = kernel::Selector{ip("192.0.2.1"), ip(peer), 32, 32, 17, 1701, port};
	return c;
}

l2tp::TunnelInfo tunnel(uint16_t id, bool lns, const char *peer,
                        l2tp::TunnelStateName state = l2tp::TunnelStateName::Established)
{
	l2tp::TunnelInfo t;
	t.tunnelId = id;
	t.lns = lns;
	t.peer = endpoint(peer);
	t.state = state;
	return t;
}

std::vector<uint16_t> ids(const std::vector<l2tp::TunnelInfo> &tunnels)
{
	std::vector<uint16_t> v;
	for (const auto &t : tunnels)
		v.push_back(t.tunnelId);
	return v;
}

} // namespace

TEST_CASE("without IKE, or with ipsec = \"off\", IPsec is not on and every peer is admitted")
{
	IpsecAdmission noIke(IpsecRequirement::Required, ikeFlows(nullptr));
	CHECK_FALSE(noIke.on());
	CHECK_FALSE(noIke.protects(endpoint("198.51.100.7")));

	StubIke ike;
	ike.protectedPeers.insert("198.51.100.7:1701");
	IpsecAdmission off(IpsecRequirement::Off, ike.flows());
	CHECK_FALSE(off.on());
	CHECK_FALSE(off.admitPeer(IpsecRequirement::Off));
	CHECK_FALSE(off.admitPeer(IpsecRequirement::Optional));
	// Protection is still what IKE says: a LAC need not negotiate again.
	CHECK(off.protects(endpoint("198.51.100.7")));
}

TEST_CASE("ipsec = \"required\" admits a peer only while an SA pair protects its flow")
{
	StubIke ike;
	ike.protectedPeers.insert("198.51.100.7:1701");
	IpsecAdmission admission(IpsecRequirement::Required, ike.flows());
	CHECK(admission.on());
	auto admit = admission.admitPeer(IpsecRequirement::Required);
	REQUIRE(admit);
	CHECK_FALSE(admit(endpoint("198.51.100.7")));
	CHECK(admit(endpoint("198.51.100.7", 40000)) ==
	      "[l2tp] ipsec = \"required\" and no IPsec SA protects 198.51.100.7:40000");
	CHECK(admit(endpoint("198.51.100.8")));
	// The hook asks IKE each time: a pair that comes up admits the peer.
	ike.protectedPeers.insert("198.51.100.8:1701");
	CHECK_FALSE(admit(endpoint("198.51.100.8")));

	// Without IKE every peer is refused rather than served in the clear.
	IpsecAdmission noIke(IpsecRequirement::Required, ikeFlows(nullptr));
	auto refuseAll = noIke.admitPeer(IpsecRequirement::Required);
	REQUIRE(refuseAll);
	CHECK(refuseAll(endpoint("198.51.100.7")));
}

TEST_CASE("blocking counts a peer behind a NAT by the IKE peer's address, only with IPsec on")
{
	StubIke ike;
	ike.natOf.emplace("10.0.0.5:1701", ip("203.0.113.9"));
	IpsecAdmission admission(IpsecRequirement::Optional, ike.flows());
	CHECK(admission.blockingSource(endpoint("10.0.0.5")) == ip("203.0.113.9"));
	CHECK(admission.blockingSource(endpoint("198.51.100.7")) == ip("198.51.100.7"));
	admission.setRequirement(IpsecRequirement::Off);
	CHECK_FALSE(admission.on());
	CHECK(admission.blockingSource(endpoint("10.0.0.5")) == ip("10.0.0.5"));
}

TEST_CASE("the tunnels an SA pair took with it")
{
	StubIke ike;
	std::vector<l2tp::TunnelInfo> tunnels = {
	        tunnel(1, true, "198.51.100.7"),                                 // LNS, that peer
	        tunnel(2, false, "198.51.100.7"),                                // LAC, that peer
	        tunnel(3, true, "198.51.100.8"),                                 // another peer
	        tunnel(4, true, "198.51.100.7", l2tp::TunnelStateName::Closing), // going already
	        tunnel(5, false, "198.51.100.7", l2tp::TunnelStateName::Dead),
	};
	auto gone = child("198.51.100.7");

	SUBCASE("required: every open tunnel it protected")
	{
		IpsecAdmission admission(IpsecRequirement::Required, ike.flows());
		CHECK(ids(admission.tunnelsLosing(gone, tunnels)) == std::vector<uint16_t>{1, 2});
	}
	SUBCASE("optional: the LNS keeps the peer it admitted in the clear anyway")
	{
		IpsecAdmission admission(IpsecRequirement::Optional, ike.flows());
		CHECK(ids(admission.tunnelsLosing(gone, tunnels)) == std::vector<uint16_t>{2});
	}
	SUBCASE("none that another SA pair still protects")
	{
		ike.protectedPeers.insert("198.51.100.7:1701");
		IpsecAdmission admission(IpsecRequirement::Required, ike.flows());
		CHECK(admission.tunnelsLosing(gone, tunnels).empty());
	}
	SUBCASE("behind a NAT: the pair's IKE peer is the NAT, its flow the peer")
	{
		IpsecAdmission admission(IpsecRequirement::Required, ike.flows());
		auto natted = child("10.0.0.5", 1701, "203.0.113.9");
		std::vector<l2tp::TunnelInfo> behindNat = {tunnel(6, true, "10.0.0.5"), tunnel(7, true, "10.0.0.6")};
		CHECK(ids(admission.tunnelsLosing(natted, behindNat)) == std::vector<uint16_t>{6});
	}
	SUBCASE("none with IPsec off, or without IKE")
	{
		IpsecAdmission off(IpsecRequirement::Off, ike.flows());
		CHECK(off.tunnelsLosing(gone, tunnels).empty());
		IpsecAdmission noIke(IpsecRequirement::Required, ikeFlows(nullptr));
		CHECK(noIke.tunnelsLosing(gone, tunnels).empty());
	}
}
