// Brute-force blocking as the IKE engine sees it: a failed authentication
// reaches the observer with the peer's address, and a blocked source's new
// exchange (or its Main Mode 3 of one begun before the block) is dropped
// unanswered, with no Diffie-Hellman computed (IkeEngineStats::responderDh).
#include "ike_lab.h"

#include <doctest.h>

#include <memory>
#include <set>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using namespace l2tpsec::ike::test;

namespace {

/// A client config whose pre-shared key the test can change.
IkeEngineConfig clientWithKey(std::shared_ptr<std::string> key)
{
	IkeEngineConfig c = labConfig();
	c.psk = [key](const IpAddress &) -> std::optional<crypto::SecretBytes> {
		return crypto::toSecret(std::span(reinterpret_cast<const uint8_t *>(key->data()), key->size()));
	};
	return c;
}

} // namespace

TEST_CASE("a blocked source gets no answer and costs no DH; unblocked, the right key connects")
{
	auto blocked = std::make_shared<std::set<IpAddress>>();
	IkeEngineConfig serverCfg = labConfig();
	serverCfg.blocked = [blocked](const IpAddress &a) { return blocked->contains(a); };
	auto key = std::make_shared<std::string>("a wrong key, but long enough");
	Pair p(std::move(serverCfg), clientWithKey(key));
	LogCapture logs;
	IkeEngine &server = p.server->engine;

	// A wrong key: MM5 does not verify, the observer hears of it.
	p.connect();
	p.lab.advance(60s);
	CHECK(p.server->observer.authFailures ==
	      std::vector<std::string>{"192.0.2.2: Main Mode 5: pre-shared key mismatch?"});
	CHECK(server.stats().responderDh == 1);
	CHECK(server.stats().refusedBlocked == 0);

	// Blocked: MM1 is dropped before an SA, a cookie or a DH.
	blocked->insert(ip("192.0.2.2"));
	size_t wireBefore = p.lab.wire.size();
	p.connect();
	CHECK(server.saCount() == 0);
	CHECK(server.stats().refusedBlocked == 1);
	CHECK(server.stats().responderDh == 1);
	for (size_t i = wireBefore; i < p.lab.wire.size(); i++)
		CHECK_MESSAGE(!p.lab.wire[i].starts_with("192.0.2.1:"), "the server answered: " << p.lab.wire[i]);
	p.lab.advance(60s);                        // the client gives up
	CHECK(server.stats().refusedBlocked == 5); // MM1 and its 4 retransmissions
	CHECK(server.stats().responderDh == 1);
	CHECK(p.client->engine.saCount() == 0);

	// Unblocked, with the right key: up, one more DH.
	blocked->clear();
	*key = kPsk;
	p.connect();
	CHECK(p.client->observer.events.back().starts_with("child-up"));
	CHECK(server.stats().responderDh == 2);
	CHECK(p.server->observer.authFailures.size() == 1);
}

TEST_CASE("a block that starts mid-exchange drops the source's Main Mode 3 before its DH")
{
	auto blocked = std::make_shared<std::set<IpAddress>>();
	IkeEngineConfig serverCfg = labConfig();
	serverCfg.blocked = [blocked](const IpAddress &a) { return blocked->contains(a); };
	Pair p(std::move(serverCfg));
	// The block starts while MM3 is on its way (another exchange of the
	// source failed meanwhile).
	p.lab.tamper = [&](FakeIkeNetwork::Datagram &) {
		if (p.lab.wire.back() == "192.0.2.2:500>192.0.2.1:500 MM-KE")
			blocked->insert(ip("192.0.2.2"));
		return false;
	};
	p.connect();
	IkeEngine &server = p.server->engine;
	CHECK(server.stats().responderDh == 0);
	CHECK(server.stats().refusedBlocked == 1);
	CHECK(server.saCount() == 0);
	CHECK(p.lab.count("192.0.2.1:500>192.0.2.2:500 MM-KE") == 0);
	CHECK(p.server->observer.events.empty());
}
