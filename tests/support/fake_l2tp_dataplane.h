#pragma once
// FakeL2tpDataplane: an in-memory L2tpDataplane that records every call, for
// the protocol engines' tests and for l2tpsecd --fake-dataplane (go-l2tp's
// null dataplane, but one that behaves like the kernel):
//  - the same parameter checks and error texts as NetlinkL2tpDataplane;
//  - EEXIST for a duplicate tunnel id, or a duplicate session id (per tunnel
//    for L2TPv2, per namespace for L2TPv3, as l2tp_session_register() does);
//  - ENODEV for a missing tunnel or session (the kernel's answer, see
//    l2tp_netlink.c), EBADF for a managed tunnel's fd that is not open;
//  - openPppSocket() gives a real descriptor (one end of a socketpair) that
//    can be passed to a child; like the kernel, it attaches to an existing
//    session or creates one, refuses a second socket with EEXIST, fails for a
//    missing tunnel with ENOENT, and when the caller closes the descriptor
//    the session is deleted (seen at the next call).
// Not modelled: a managed tunnel disappearing when its UDP socket closes.

#include "kernel/l2tp_dataplane.h"

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace l2tpsec::kernel {

class FakeL2tpDataplane final : public L2tpDataplane {
public:
	enum class Op {
		CreateTunnel,
		DeleteTunnel,
		GetTunnel,
		ListTunnels,
		CreateSession,
		DeleteSession,
		GetSession,
		ListSessions,
		OpenPppSocket,
		SetSendSequence,
		Flush,
	};

	/// One recorded call. Ids are 0 where the call has none.
	struct Call {
		Op op = Op::CreateTunnel;
		uint32_t tunnelId = 0;
		uint32_t sessionId = 0;
		bool failed = false;
		friend bool operator==(const Call &, const Call &) = default;
	};

	explicit FakeL2tpDataplane(OwnedTunnelIds owned = {}) : owned_(owned) {}

	/// Benchmarks with tens of thousands of sessions: openPppSocket() hands
	/// out no descriptor (an invalid UniqueFd), so a session lives until it is
	/// deleted. Everything else behaves the same.
	void withoutPppDescriptors() { pppDescriptors_ = false; }

	Result<void> createTunnel(const TunnelParams &params) override;
	Result<void> deleteTunnel(uint32_t tunnelId) override;
	Result<TunnelState> getTunnel(uint32_t tunnelId) override;
	Result<std::vector<TunnelState>> listTunnels() override;
	Result<void> createSession(const SessionParams &params) override;
	Result<void> deleteSession(uint32_t tunnelId, uint32_t sessionId) override;
	Result<SessionState> getSession(uint32_t tunnelId, uint32_t sessionId) override;
	Result<std::vector<SessionState>> listSessions() override;
	Result<UniqueFd> openPppSocket(const SessionParams &params, uint32_t peerTunnelId, int tunnelFd) override;
	/// Sets the session's sendSeq (the descriptor is not checked).
	Result<void> setSendSequence(const SessionParams &params, int pppSocketFd) override;
	Result<size_t> flush() override;

	/// The next call (of kind `op`, or of any kind) fails with `error` and
	/// changes nothing. Failures queue up and are used in order.
	void failNext(Error error, std::optional<Op> op = std::nullopt);

	/// Every call so far, in order, failed ones included.
	const std::vector<Call> &calls() const { return calls_; }
	/// The same as text, one line per call, for compact asserts:
	/// "createTunnel 16385", "openPppSocket 16385/1", "flush", "getSession 9/2 failed".
	std::vector<std::string> callLog() const;
	void clearCalls() { calls_.clear(); }

	// State, for asserts and for steering a test.
	bool hasTunnel(uint32_t tunnelId) const { return tunnels_.contains(tunnelId); }
	bool hasSession(uint32_t tunnelId, uint32_t sessionId) const;
	/// The parameters a tunnel or session was created with.
	std::optional<TunnelParams> tunnelParams(uint32_t tunnelId) const;
	std::optional<SessionParams> sessionParams(uint32_t tunnelId, uint32_t sessionId) const;
	/// Whether a PPP socket is attached (and still open) for the session.
	bool pppAttached(uint32_t tunnelId, uint32_t sessionId);
	void setTunnelStats(uint32_t tunnelId, const L2tpStats &stats);
	void setSessionStats(uint32_t tunnelId, uint32_t sessionId, const L2tpStats &stats);
	/// A tunnel that exists without a createTunnel() call: another program's,
	/// or one an earlier run left behind. Not recorded.
	void addExistingTunnel(const TunnelParams &params);

private:
	struct Tunnel {
		TunnelParams params;
		L2tpStats stats;
	};
	struct Session {
		SessionParams params;
		L2tpStats stats;
		UniqueFd pppPeer; ///< our end of the socketpair handed out
	};
	using SessionKey = std::pair<uint32_t, uint32_t>;

	/// Records the call; returns the queued failure for it, if any.
	std::optional<Error> begin(Op op, uint32_t tunnelId = 0, uint32_t sessionId = 0);
	/// The kernel deletes a session when its PPPoL2TP socket is closed.
	void reapClosedPppSockets();
	TunnelState tunnelState(const Tunnel &t) const;
	SessionState sessionState(const Session &s) const;

	OwnedTunnelIds owned_;
	std::map<uint32_t, Tunnel> tunnels_;
	std::map<SessionKey, Session> sessions_;
	std::vector<Call> calls_;
	std::deque<std::pair<std::optional<Op>, Error>> failures_;
	/// Watches our ends of the PPPoL2TP socketpairs for hang-ups, so that
	/// finding the closed ones costs one call, not one poll per session.
	UniqueFd hangups_;
	bool pppDescriptors_ = true;
};

std::string_view opName(FakeL2tpDataplane::Op op);

} // namespace l2tpsec::kernel
