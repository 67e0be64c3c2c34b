#pragma once
// The PPP part of a client's fingerprint (`l2tpctl sessions --json`,
// fingerprint.ppp): what its pppd plugin reported of the peer's LCP and IPCP
// (ppp/plugin_message.h), with the option types of its first requests named.
// Clients differ there: Windows asks for DNS and WINS servers and offers
// MPPE, pppd asks for VJ compression unless told not to, and so on. Like the
// client kind it is a hint for the operator, never used to decide anything.

#include "l2tpsec/control_views.h"
#include "ppp/plugin_message.h"

#include <cstdint>
#include <string>

namespace l2tpsec {

/// The name of a configuration option of LCP (RFC 1661 §6, RFC 1570, RFC
/// 1990), IPCP (RFC 1332, RFC 1877) or CCP (RFC 1962, RFC 3078):
/// "magic-number", "dns1", "mppe"; one not named here as its number, "42".
std::string lcpOptionName(uint8_t type);
std::string ipcpOptionName(uint8_t type);
std::string ccpOptionName(uint8_t type);

control::PppFingerprintView pppFingerprint(const ppp::PluginPeerOptions &options);

} // namespace l2tpsec
