// libFuzzer: any datagram is refused with EBADMSG and a reason or parsed; a
// parsed packet builds back to its Length octets; the authenticator checks
// and a Disconnect-Request's and a CoA-Request's reading never fail on it (a
// CoA selector comes with a Session-Timeout of at least 1 s); and the signed
// answer parses, keeps the Identifier and passes its own Message-Authenticator
// check; any datagram can be looked at as the Accounting-Response to an
// Accounting-Off or to a session's Stop (never true for a wrong Identifier or
// code). abort() marks a broken promise.
#include "parse_check.h"
#include "radius/accounting_onoff.h"
#include "radius/das_request.h"
#include "radius/radius_authenticator.h"
#include "radius/radius_packet.h"
#include "radius/session_accounting.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

using namespace l2tpsec;
using namespace l2tpsec::radius;

namespace {

constexpr std::string_view kSecret = "fuzz-secret";

void check(bool ok)
{
	if (!ok)
		std::abort();
}

void checkPacket(const Packet &p, std::span<const uint8_t> bytes)
{
	std::vector<uint8_t> again = buildPacket(p);
	check(again.size() <= bytes.size() && std::equal(again.begin(), again.end(), bytes.begin()));
	(void)requestAuthenticatorValid(again, kSecret);
	(void)messageAuthenticatorValid(again, kSecret, true);
	NasIdentity nas{"vpn-gw1", {IpAddress::v4(0xc0000201)}};
	DasVerdict v = readDisconnectRequest(p, nas);
	check(v.selector || !v.why.empty());
	check(!v.sessionTimeout);
	DasVerdict c = readCoaRequest(p, nas);
	check(c.selector ? c.sessionTimeout && c.sessionTimeout->count() > 0 : !c.why.empty() && !c.sessionTimeout);
	bool mac = p.find(attr::kMessageAuthenticator) != nullptr;
	auto answer =
	        signResponse(answerTo(p, v.selector.has_value(), v.selector ? std::nullopt : std::optional(v.cause)),
	                     p.authenticator, kSecret, mac);
	auto parsed = parsePacket(answer);
	check(parsed.ok() && parsed->identifier == p.identifier);
	std::vector<uint8_t> asSent = answer;
	std::copy(p.authenticator.begin(), p.authenticator.end(), asSent.begin() + kAuthenticatorOffset);
	check(messageAuthenticatorValid(asSent, kSecret, false));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::span<const uint8_t> bytes(data, size);
	fuzz::check(parsePacket(bytes), [&](const Packet &p) { checkPacket(p, bytes); });
	OnOffRequest off;
	off.on = false;
	off.identifier = 8;
	off.nasIdentifier = "vpn-gw1";
	off.sessionId = "l2tpsec-off-1";
	std::vector<uint8_t> request = onOffDatagram(off, kSecret);
	if (isAccountingResponseTo(bytes, request, kSecret))
		check(bytes[0] == code::kAccountingResponse && bytes[1] == off.identifier);
	SessionAccountingRequest stop;
	stop.statusType = kAcctStop;
	stop.identifier = 9;
	stop.sessionId = "0123456789abcdef-0000002a";
	stop.counters.inputOctets = 5000000000;
	std::vector<uint8_t> stopRequest = sessionAccountingDatagram(stop, kSecret);
	if (isAccountingResponseTo(bytes, stopRequest, kSecret))
		check(bytes[0] == code::kAccountingResponse && bytes[1] == stop.identifier);
	return 0;
}
