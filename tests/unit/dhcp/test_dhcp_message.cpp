// The DHCP message codec: the fixed header, the cookie, options with Pad,
// End and RFC 3396 concatenation, and every way a datagram can be cut short.
#include "dhcp/dhcp_message.h"
#include "dhcp_bytes.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::dhcp;
using l2tpsec::test::dhcpBytes;
using l2tpsec::test::hex;

namespace {

// A request from 192.0.2.10, xid 0x11223344, chaddr 02:00:00:00:00:01.
std::vector<uint8_t> withOptions(const char *options)
{
	return dhcpBytes("01 01 06 00  11223344  0000 0000  c000020a 00000000 00000000 00000000 020000000001", options);
}

void refuses(const std::vector<uint8_t> &bytes, const char *message)
{
	auto m = parseMessage(bytes);
	REQUIRE_FALSE(m.ok());
	CHECK(m.error().code == EBADMSG);
	CHECK(m.error().message == message);
}

} // namespace

TEST_CASE("dhcp message: the header fields and options of a request")
{
	auto m = parseMessage(withOptions("35 01 08  00 00  37 03 01 79 f9  ff"));
	REQUIRE(m.ok());
	CHECK(m->op == kBootRequest);
	CHECK(m->htype == 1);
	CHECK(m->hlen == 6);
	CHECK(m->xid == 0x11223344);
	CHECK(m->ciaddr == 0xc000020a);
	CHECK(m->yiaddr == 0);
	CHECK(m->chaddr[0] == 0x02);
	CHECK(m->chaddr[5] == 0x01);
	CHECK(m->type() == MessageType::Inform);
	REQUIRE(m->options.size() == 2);
	CHECK(m->options[1] == Option{option::kParameterList, {1, 121, 249}});
	CHECK(m->find(option::kServerId) == nullptr);
}

TEST_CASE("dhcp message: what follows End is padding, not options")
{
	auto m = parseMessage(withOptions("35 01 08 ff 36 04 01020304 00 00 17"));
	REQUIRE(m.ok());
	CHECK(m->options.size() == 1);
}

TEST_CASE("dhcp message: a repeated option is one option, its parts joined (RFC 3396)")
{
	auto m = parseMessage(withOptions("0f 03 6c6162 35 01 08 0f 00 0f 08 2e6578616d706c65 ff"));
	REQUIRE(m.ok());
	REQUIRE(m->options.size() == 2);
	const Option *domain = m->find(option::kDomainName);
	REQUIRE(domain != nullptr);
	CHECK(std::string(domain->value.begin(), domain->value.end()) == "lab.example");
}

TEST_CASE("dhcp message: an overload option is kept, sname and file are not read")
{
	std::vector<uint8_t> b = withOptions("35 01 08 34 01 03 ff");
	b[44] = 0x35; // sname would hold options: not followed
	auto m = parseMessage(b);
	REQUIRE(m.ok());
	CHECK(m->options.size() == 2);
	CHECK(m->find(option::kOverload)->value == std::vector<uint8_t>{3});
}

TEST_CASE("dhcp message: option 53 is a type only with exactly one octet")
{
	auto m = parseMessage(withOptions("35 02 08 08 ff"));
	REQUIRE(m.ok());
	CHECK_FALSE(m->type().has_value());
}

TEST_CASE("dhcp message: refused when cut short or malformed")
{
	std::vector<uint8_t> whole = withOptions("35 01 08 ff");
	refuses(std::vector<uint8_t>(whole.begin(), whole.begin() + 239),
	        "DHCP: 239 octets, shorter than the 240 of a header and cookie");
	refuses({}, "DHCP: 0 octets, shorter than the 240 of a header and cookie");
	std::vector<uint8_t> bootp = whole;
	bootp[236] = 0;
	refuses(bootp, "DHCP: no magic cookie (a BOOTP message?)");
	refuses(withOptions(""), "DHCP: options end without an End option");
	refuses(withOptions("35 01 08"), "DHCP: options end without an End option");
	refuses(withOptions("35 01 08 00 00"), "DHCP: options end without an End option");
	refuses(withOptions("35"), "DHCP: option 53 has no length octet");
	refuses(withOptions("35 01 08 0f 05 6c6162 ff"), "DHCP: option 15 says 5 octets, 4 left");
}

TEST_CASE("dhcp message: built messages parse back the same")
{
	Message m;
	m.op = kBootReply;
	m.xid = 0xdeadbeef;
	m.flags = 0x8000;
	m.ciaddr = 0xc000020a;
	m.giaddr = 0x0a000001;
	m.chaddr = {2, 0, 0, 0, 0, 1};
	m.options.push_back(Option{option::kMessageType, {5}});
	m.options.push_back(Option{option::kDomainName, {}});
	m.options.push_back(Option{option::kClasslessRoutes, std::vector<uint8_t>(600, 0x20)});
	std::vector<uint8_t> b = buildMessage(m);
	// 240 + 3 + 2 + (2 + 255) * 2 + 2 + 90 + 1
	CHECK(b.size() == 852);
	CHECK(b[243] == option::kDomainName);
	CHECK(b[244] == 0);
	CHECK(b[245] == option::kClasslessRoutes);
	CHECK(b[246] == 255);
	auto again = parseMessage(b);
	REQUIRE(again.ok());
	CHECK(*again == m);
}

TEST_CASE("dhcp message: a short message is padded to 300 octets after End")
{
	Message m;
	m.options.push_back(Option{option::kMessageType, {8}});
	std::vector<uint8_t> b = buildMessage(m);
	CHECK(b.size() == kMinimumBuiltSize);
	CHECK(std::vector<uint8_t>(b.begin() + 236, b.begin() + 244) == hex("63825363 350108 ff"));
	CHECK(b.back() == option::kPad);
}
