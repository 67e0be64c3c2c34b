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
// Commands (this version), with their arguments and the view of the "data"
// they answer with (control_views.h: the structs, and in control_views.cpp
// the one list of each reply's keys, pinned by tests/unit/test_control_views.cpp):
//   status     {}                 => StatusView
//   version    {}                 => VersionView
//   reload     {}                 => ReloadView, or an error listing the config's problems
//   tunnels    {}                 => TunnelsView {tunnels: [TunnelView]}
//   sessions   {}                 => SessionsView {sessions: [SessionView]}
//   show       {id: "TUNNEL" | "TUNNEL/SESSION"}
//                                 => ShowView: {tunnel, sessions} | {session}
//   connect    {profile: NAME}    => ConnectView
//   call       {profile: NAME}    => CallView: one more session in its tunnel
//   disconnect {target: PROFILE | TUNNEL/SESSION | TUNNEL | USER}
//                                 => DisconnectView: {profile, disconnected} |
//                                    {sessions: [...]} | {tunnels: [...]}
//   sas        {}                 => SasView {isakmp: [IsakmpSaView], ipsec:
//                                    [IpsecSaView]} (SPIs as "0x%08x"; counters
//                                    null when the dataplane cannot tell; with
//                                    [l2tp] ipsec = "off" both lists are empty
//                                    and "ike" says why)
//   blocked    {}                 => BlockedView ("ike" null without IKE)
//   unblock    {address: ADDR}    => UnblockView, or an error when ADDR is not
//                                    an address or not blocked
//   profiles   {}                 => ProfilesView {profiles: [ProfileView]}: each
//                                    [[lac]] profile's state and last error
//   metrics    {}                 => MetricsView {text: the Prometheus text
//                                    exposition, format 0.0.4}
//
// A reply's view refuses unknown and missing keys: a client and a daemon of
// different versions fail with one line naming the key, rather than silently
// showing half of what the other meant.
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
inline constexpr const char *kProfiles = "profiles";
inline constexpr const char *kMetrics = "metrics";
} // namespace cmd

} // namespace l2tpsec::control
