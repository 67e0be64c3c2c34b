#pragma once
// Pure helpers between the IKE engine's reports and the rest of the daemon:
// whether a child SA protects an L2TP peer's flow (what [l2tp] ipsec =
// "required" admits on), and the views of `l2tpctl sas`.

#include "common/ip_address.h"
#include "ike/ike_context.h"
#include "ike/ike_engine.h"
#include "kernel/ipsec_dataplane.h"
#include "l2tpsec/control_views.h"

#include <optional>

namespace l2tpsec {

/// Whether `child` covers L2TP from peer address:port (0: the port is not
/// known yet). The child's flow is our side's view, local:1701 -> peer:port,
/// a port of 0 meaning any; behind a NAT the L2TP packets come from the
/// NAT's address, which is the IKE peer address, while the flow may name
/// the client's own (NAT-OA), so either matches. The engine's flow index
/// (src/ike/child_flow_index.h) answers the same question for every pair at
/// once; a change here changes it there too (test_flow_index.cpp checks
/// that the two agree).
bool childProtects(const ike::ChildSaInfo &child, const IpAddress &peer, uint16_t peerPort, uint32_t mark = 0);

/// One ISAKMP SA for `l2tpctl sas`.
control::IsakmpSaView ikeSaView(const ike::IkeSaInfo &sa, ike::TimePoint now);
/// One IPsec SA pair; byte counters when the dataplane could tell.
control::IpsecSaView childSaView(const ike::ChildSaInfo &child, ike::TimePoint now,
                                 const std::optional<kernel::SaState> &inbound,
                                 const std::optional<kernel::SaState> &outbound);
/// "0x0000c001", as ip xfrm shows SPIs.
std::string spiText(uint32_t spi);

/// The SAs that protect one L2TP flow (`l2tpctl sessions` and `show`).
struct FlowSas {
	ike::ChildSaInfo child;
	std::optional<ike::IkeSaInfo> isakmp; ///< its ISAKMP SA, while there is one
};

/// The SAs that protect L2TP from peer:port in `engine` (its flow index,
/// no walk), with the ISAKMP SA only if `isakmp`: what IkeService answers
/// IpsecAdmission, and scale_bench without an IkeService.
std::optional<FlowSas> flowSasOf(const ike::IkeEngine &engine, const Endpoint &peer, bool isakmp);

} // namespace l2tpsec
