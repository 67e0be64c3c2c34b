#pragma once
// [ike] bind_ppp_user: the PPP user name that authenticated inside a tunnel
// must be one the device certificate of the tunnel's IKE peer is bound to,
// so that a stolen password alone, or one user's device with another's
// password, is refused (something you have and something you know, from
// the same person). Pure: the daemon asks when pppd's plugin reports the
// name (L2tpService), and acts on the answer.

#include "config/config.h"
#include "ike/cert_auth.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec {

/// The PPP user names `cert` may sign in as: its commonNames ("cn"), its
/// email or DNS subjectAltNames ("email", "dns"), or what the table gives
/// any of those identities; none when the binding is off.
std::vector<std::string> boundUsers(const PppUserBindingConfig &binding, const ike::PeerCertificate &cert);

/// Whether `user` is one of boundUsers(): exactly for a commonName or a
/// table's user, without case for a mail address or a DNS name.
bool userBound(const PppUserBindingConfig &binding, const ike::PeerCertificate &cert, std::string_view user);

/// The certificate as the binding sees it: "CN=alice", "email
/// alice@example.com", "DNS laptop.example.com", all of them for a table;
/// the subject when it has none of the kind.
std::string boundIdentityText(const PppUserBindingConfig &binding, const ike::PeerCertificate &cert);

/// Why `user`, who authenticated to PPP in a tunnel from `peer` whose IKE
/// peer presented `cert` (none: a pre-shared key, or no IPsec), may not go
/// on: one line for the log, naming the peer, the certificate and the user.
/// nullopt when the binding is off or the user is bound.
std::optional<std::string> bindingRefusal(const PppUserBindingConfig &binding,
                                          const std::optional<ike::PeerCertificate> &cert, std::string_view user,
                                          std::string_view peer);

} // namespace l2tpsec
