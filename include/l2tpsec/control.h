#pragma once
// The l2tpsecd control protocol, shared by the daemon and l2tpctl.
//
// Transport: a UNIX stream socket (default /run/l2tpsec/control, mode 0600).
// Framing: one JSON object per line, each way. The client sends a request,
// the daemon answers with exactly one response line, in order; a client may
// send several requests on one connection.
//
//   request:  {"cmd": "<name>", ...arguments}
//   success:  {"ok": true, "data": {...}}
//   failure:  {"ok": false, "error": "<one line for a human>"}
//
// Commands (this version):
//   status   {}  => {version, pid, started, uptime_seconds, config_file,
//                    config_loaded, reloads, reload_failures, listen[],
//                    control_socket, lac_profiles[]}
//   version  {}  => {version, protocol}
//   reload   {}  => {config_file} or an error listing the config's problems
//   tunnels  {}  => {tunnels: [{tunnel, peer_tunnel, role, local, peer, state,
//                    peer_host, peer_vendor, sessions, profile, uptime_seconds,
//                    control_sent, control_retransmitted, control_received}]}
//   sessions {}  => {sessions: [{tunnel, session, peer_tunnel, peer_session,
//                    peer, role, state, user, address, profile?, uptime_seconds?,
//                    rx_bytes, tx_bytes, rx_packets, tx_packets}]}
//   show     {id: "TUNNEL" | "TUNNEL/SESSION"} => {tunnel, sessions} | {session}
//   connect  {profile: NAME}  => {profile, tunnel, state}
//   call     {profile: NAME}  => {profile, tunnel}: one more session in its tunnel
//   disconnect {target: PROFILE | TUNNEL/SESSION | TUNNEL | USER}
//                 => {profile, disconnected} | {sessions: [...]} | {tunnels: [...]}
//   sas      {}  => {isakmp: [{id, role, state, local, peer, peer_id, nat_local,
//                    nat_peer, suite, dpd, vendor_ids, lifetime_seconds,
//                    age_seconds, expires_in_seconds?}],
//                    ipsec: [{isakmp, local, peer, in_spi, out_spi, reqid, suite,
//                    mode, nat_t, flow, nat_oa, lifetime_seconds,
//                    expires_in_seconds, in_bytes, in_packets, out_bytes,
//                    out_packets}]}   (SPIs as "0x%08x"; counters null when
//                    the dataplane cannot tell; with [l2tp] ipsec = "off"
//                    both lists are empty and "ike" says why)
//   blocked  {}  => {blocked: [{source, failures, blocked_seconds,
//                    remaining_seconds}], counting: [{source, failures}],
//                    settings: {enabled, failures, window_seconds,
//                    block_seconds, exempt[]}, dropped_tunnels,
//                    ike: {responder_dh, refused_blocked} | null}
//   unblock  {address: ADDR} => {source, failures, blocked_seconds}, or an
//                    error when ADDR is not an address or not blocked
//
// A request line longer than kMaxRequestBytes closes the connection.

#include <cstddef>

namespace l2tpsec::control {

inline constexpr const char *kDefaultSocket = "/run/l2tpsec/control";
inline constexpr int kProtocolVersion = 1;
inline constexpr std::size_t kMaxRequestBytes = 64 * 1024;

namespace cmd {
inline constexpr const char *kStatus = "status";
inline constexpr const char *kVersion = "version";
inline constexpr const char *kReload = "reload";
inline constexpr const char *kTunnels = "tunnels";
inline constexpr const char *kSessions = "sessions";
inline constexpr const char *kShow = "show";
inline constexpr const char *kConnect = "connect";
inline constexpr const char *kCall = "call";
inline constexpr const char *kDisconnect = "disconnect";
inline constexpr const char *kSas = "sas";
inline constexpr const char *kBlocked = "blocked";
inline constexpr const char *kUnblock = "unblock";
} // namespace cmd

} // namespace l2tpsec::control
