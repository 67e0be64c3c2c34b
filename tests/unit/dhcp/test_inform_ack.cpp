// The answer to a DHCPINFORM: which datagrams are INFORMs, and what the ACK
// carries.
#include "dhcp/inform_ack.h"
#include "dhcp_bytes.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::dhcp;
using l2tpsec::test::dhcpBytes;

namespace {

// A DHCPINFORM as a Windows PPP client sends it, written out by hand after
// the fields RFC 2131 and Microsoft's DHCP documentation give (not a
// capture): from 10.8.0.5, a client identifier and host name, vendor class
// "MSFT 5.0", and a Parameter Request List asking for 1, 15, 3, 6, 44, 46,
// 47, 31, 33, 121, 249, 43 and 252.
std::vector<uint8_t> windowsInform()
{
	return dhcpBytes("01 01 06 00  5a3b1c2d  0000 0000  0a080005 00000000 00000000 00000000 02004c4f4f50",
	                 "35 01 08"
	                 "3d 07 01 02004c4f4f50"
	                 "0c 07 434c49454e5431"
	                 "3c 08 4d53465420352e30"
	                 "37 0d 010f03062c2e2f1f2179f92bfc"
	                 "ff");
}

InformSettings labSettings()
{
	InformSettings s;
	s.serverId = 0x0a080001; // 10.8.0.1
	s.routes = {{0xcb007100, 24, 0x0a080001}, {0xc6336480, 25, 0x0a080001}};
	s.dnsServers = {0x0a080001, 0x08080808};
	s.domain = "lab.example";
	return s;
}

} // namespace

TEST_CASE("inform: a Windows DHCPINFORM is an INFORM from its ciaddr")
{
	auto m = parseInform(windowsInform());
	REQUIRE(m.ok());
	CHECK(m->ciaddr == 0x0a080005);
	CHECK(m->xid == 0x5a3b1c2d);
	CHECK(m->find(option::kParameterList)->value.size() == 13);
}

TEST_CASE("inform: other requests, replies and INFORMs without ciaddr are not answered")
{
	std::vector<uint8_t> b = windowsInform();
	std::vector<uint8_t> request = b;
	request[242] = static_cast<uint8_t>(MessageType::Request);
	CHECK(parseInform(request).error().message == "DHCP: not a DHCPINFORM");
	std::vector<uint8_t> reply = b;
	reply[0] = kBootReply;
	CHECK(parseInform(reply).error().message == "DHCP: not a request");
	std::vector<uint8_t> noCiaddr = b;
	noCiaddr[12] = noCiaddr[13] = noCiaddr[14] = noCiaddr[15] = 0;
	CHECK(parseInform(noCiaddr).error().message == "DHCP: DHCPINFORM without ciaddr");
	std::vector<uint8_t> cut(b.begin(), b.end() - 5);
	CHECK(parseInform(cut).error().code == EBADMSG);
}

TEST_CASE("inform: the ACK to a Windows INFORM, byte for byte")
{
	Message ack = buildInformAck(*parseInform(windowsInform()), labSettings());
	std::vector<uint8_t> expected =
	        dhcpBytes("02 01 06 00  5a3b1c2d  0000 0000  0a080005 00000000 00000000 00000000 02004c4f4f50",
	                  "35 01 05"
	                  "36 04 0a080001"
	                  "79 11 18cb0071 0a080001 19c6336480 0a080001"
	                  "f9 11 18cb0071 0a080001 19c6336480 0a080001"
	                  "06 08 0a080001 08080808"
	                  "0f 0b 6c61622e6578616d706c65"
	                  "ff");
	CHECK(expected.size() > kMinimumBuiltSize); // no padding
	CHECK(buildMessage(ack) == expected);
}

TEST_CASE("inform: the ACK has no yiaddr and no lease time (RFC 2131 section 4.3.5)")
{
	Message ack = buildInformAck(*parseInform(windowsInform()), labSettings());
	CHECK(ack.op == kBootReply);
	CHECK(ack.yiaddr == 0);
	CHECK(ack.type() == MessageType::Ack);
	CHECK(ack.find(51) == nullptr);
	CHECK(ack.find(3) == nullptr);
}

TEST_CASE("inform: only what the client asked for, when it says what it wants")
{
	Message inform = *parseInform(windowsInform());
	for (Option &o : inform.options)
		if (o.code == option::kParameterList)
			o.value = {option::kMsClasslessRoutes, option::kDomainName};
	Message ack = buildInformAck(inform, labSettings());
	CHECK(ack.find(option::kMsClasslessRoutes) != nullptr);
	CHECK(ack.find(option::kClasslessRoutes) == nullptr);
	CHECK(ack.find(option::kDnsServers) == nullptr);
	CHECK(ack.find(option::kDomainName) != nullptr);
	CHECK(ack.find(option::kServerId) != nullptr);

	std::erase_if(inform.options, [](const Option &o) { return o.code == option::kParameterList; });
	ack = buildInformAck(inform, labSettings());
	CHECK(ack.options.size() == 6);
}

TEST_CASE("inform: settings left empty are not sent")
{
	InformSettings s;
	s.serverId = 0x0a080001;
	s.domain = "corp.example";
	Message ack = buildInformAck(*parseInform(windowsInform()), s);
	REQUIRE(ack.options.size() == 3);
	CHECK(ack.options[2].code == option::kDomainName);
}
