// RFC 3947 §3.2 NAT-D hashes against the strongSwan capture: charon logged
// (ike = 4) each "natd_chunk" (CKY-I | CKY-R | IP | port) and its
// "natd_hash" for the initiator 127.0.0.1:10500 and responder 127.0.0.2:500;
// both also appear as NAT-D payloads in Main Mode 3 and 4. And which Quick
// Mode 2 identities answer ours through a NAT (strongSwan's, in the lab VM).

#include "hex.h"
#include "ike/codec/header.h"
#include "ike/codec/id_payload.h"
#include "ike/codec/payload_chain.h"
#include "ike/nat_detection.h"
#include "strongswan_capture.h"

#include <doctest.h>

using namespace l2tpsec::ike;
using l2tpsec::IpAddress;
using l2tpsec::crypto::HashAlgorithm;
using l2tpsec::ike::test::hex;
namespace cap = l2tpsec::ike::capture;

TEST_CASE("nat-d: strongSwan's hashes of both ends")
{
	const auto initiator = natDetectionHash(HashAlgorithm::Sha1, cap::kCkyI, cap::kCkyR,
	                                        IpAddress::parse("127.0.0.1").value(), 10500);
	const auto responder = natDetectionHash(HashAlgorithm::Sha1, cap::kCkyI, cap::kCkyR,
	                                        IpAddress::parse("127.0.0.2").value(), 500);
	CHECK(initiator == hex("700dc0fcb79fcf77146e5eb7db09a367aa96e312"));
	CHECK(responder == hex("9bd79249838948bfe25f42933434e7dafe359ffa"));

	// Main Mode 3 (initiator): NAT-D of the peer (responder) first, then its own.
	auto m = parseMessage(cap::kMainMode3);
	REQUIRE(m);
	auto chain = parsePayloadChain(m->header.nextPayload, m->body);
	REQUIRE(chain);
	REQUIRE(chain->size() == 4);
	CHECK(chain->at(2).type == PayloadType::NatD);
	CHECK(std::vector<uint8_t>(chain->at(2).body.begin(), chain->at(2).body.end()) == responder);
	CHECK(std::vector<uint8_t>(chain->at(3).body.begin(), chain->at(3).body.end()) == initiator);
}

TEST_CASE("nat-d: IPv6 hashes all 16 bytes (python)")
{
	// hashlib.sha256(cky_i + cky_r + ipaddress.ip_address("2001:db8::1").packed
	//                + (4500).to_bytes(2, "big")).hexdigest()
	const auto h = natDetectionHash(HashAlgorithm::Sha256, cap::kCkyI, cap::kCkyR,
	                                IpAddress::parse("2001:db8::1").value(), 4500);
	CHECK(h == hex("ba469fc1f9bcdb63bcfcfe342ba145b252a82bd30bdc81633c960f262f9bb07f"));
}

TEST_CASE("quick mode ids: strongSwan's QM2 through a NAT names the NAT's address, which answers only in NAT-T")
{
	auto id = [](const char *a, uint8_t proto = 17, uint16_t port = 1701) {
		return buildId(IdPayload::address(IpAddress::parse(a).value(), proto, port));
	};
	// charon (responder) behind 198.51.100.1, our initiator at 10.77.0.2 behind
	// a NAT showing 198.51.100.2: "changing received traffic selectors
	// 10.77.0.2/32[udp/l2f]=== 198.51.100.1/32[udp/l2f] due to NAT", and QM2
	// carries IDci 198.51.100.2 udp/1701, IDcr 198.51.100.1 udp/1701.
	const auto sentI = id("10.77.0.2"), sentR = id("198.51.100.1");
	const auto gotI = id("198.51.100.2");
	CHECK(quickModeIdAnswers(sentI, sentI, false));
	CHECK(quickModeIdAnswers(sentR, sentR, true));
	CHECK(quickModeIdAnswers(sentI, gotI, true));
	CHECK_FALSE(quickModeIdAnswers(sentI, gotI, false));
	// Only the address may differ.
	CHECK_FALSE(quickModeIdAnswers(sentI, id("198.51.100.2", 17, 0), true));
	CHECK_FALSE(quickModeIdAnswers(sentI, id("198.51.100.2", 6, 1701), true));
	CHECK_FALSE(quickModeIdAnswers(sentI, id("2001:db8::2"), true));
	CHECK_FALSE(quickModeIdAnswers(sentI, buildId(IdPayload::text(IdType::Fqdn, "client.example")), true));
	CHECK_FALSE(quickModeIdAnswers(sentI, std::vector<uint8_t>{1, 17, 6}, true));
}
