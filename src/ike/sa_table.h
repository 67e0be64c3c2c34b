#pragma once
// SaTable: the ISAKMP SAs of one engine and how they are found. It owns
// them, files them by cookie pair (RFC 2408 §2.5.3), by our initiator
// cookie until MM2 or AM2 brings the responder's, by (CKY-I, peer) for a
// responder's Main Mode 1 retransmits, and by the peer's first address;
// it counts the half-open ones and keeps each SA's next deadline in order
// (which SA holds an SPI is ChildSpiIndex's, child_spi_index.h). IkeEngine decides what happens
// (admission, hand-overs, re-authentication); this is its bookkeeping.
// Internal to src/ike/.

#include "common/ip_address.h"
#include "ike/codec/header.h"
#include "ike/ike_sa.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

namespace l2tpsec::ike {

class SaTable {
public:
	using Sas = std::map<uint64_t, std::unique_ptr<IkeSa>>;

	/// Files a new SA, half-open, under its peer's first address: a
	/// responder by its cookie pair and for its Main Mode 1's
	/// retransmits, an initiator by its cookie. `reauthenticate`: it was
	/// started to take over the peer's older ISAKMP SAs.
	IkeSa &add(std::unique_ptr<IkeSa> sa, bool reauthenticate);
	/// After a state change of `sa`: its cookie pair filed once known.
	/// True when it has just stopped being half-open (up or dead).
	bool update(IkeSa &sa);
	/// Removes the SA, its index entries and its deadline.
	void erase(uint64_t id);

	IkeSa *find(uint64_t id) const;
	/// The SA a message with this header from `from` is for, if any.
	IkeSa *route(const Header &h, const Endpoint &from) const;
	/// The other live SAs with the peer of `sa` (its first address), and
	/// with `sameId` only those with the same phase-1 ID.
	std::vector<IkeSa *> peerSas(const IkeSa &sa, bool sameId) const;
	/// Whether SA `id` was started as a re-authentication.
	bool reauthenticating(uint64_t id) const { return meta_.at(id).reauthenticate; }

	const Sas &all() const { return sas_; }
	size_t size() const { return sas_.size(); }
	/// The ids of the SAs filed under this peer address.
	std::set<uint64_t> idsAt(const IpAddress &a) const;
	size_t countAt(const IpAddress &a) const;
	size_t halfOpen() const { return halfOpen_; }
	size_t halfOpenAt(const IpAddress &a) const;

	/// Files SA `id`'s next deadline again (after anything touched it).
	void rearm(uint64_t id);
	std::optional<TimePoint> nextDeadline() const;
	/// The SAs whose deadline is at or before `now`, earliest first.
	std::vector<uint64_t> due(TimePoint now) const;

private:
	struct Meta {
		IpAddress peerAddress;
		bool halfOpen = true;
		bool cookiesFiled = false;
		bool reauthenticate = false;
	};
	void forgetDeadline(uint64_t id);

	Sas sas_;
	/// The same SAs by id in a hash: find() runs for every SPI and flow
	/// lookup, and a tree's walk grows with the SAs (scale_bench).
	std::unordered_map<uint64_t, IkeSa *> byId_;
	std::unordered_map<uint64_t, Meta> meta_;
	/// A cookie that one of our engines made (random): its first 8 bytes
	/// are a hash no peer can aim at one bucket.
	struct OurCookieHash {
		size_t operator()(const Cookie &c) const;
		size_t operator()(const std::pair<Cookie, Cookie> &pair) const { return (*this)(pair.second); }
	};
	/// Routing: SAs whose two cookies are known, hashed by CKY-R (random
	/// from our responder; a client's CKY-I could be picked to collide;
	/// as initiator the server we dial picks it); our initiator SAs by our
	/// CKY-I (MM2 brings CKY-R); responder SAs by (CKY-I, peer) for MM1
	/// retransmits, in a tree, since the peer picks both.
	std::unordered_map<std::pair<Cookie, Cookie>, uint64_t, OurCookieHash> byCookies_;
	std::unordered_map<Cookie, uint64_t, OurCookieHash> ourInitiators_;
	std::map<std::pair<Cookie, Endpoint>, uint64_t> byMm1_;
	/// Every SA by its peer's (first) address, and the half-open ones'
	/// count: trees, as the peer picks the address (a spoofed MM1 too).
	std::map<IpAddress, std::set<uint64_t>> byAddress_;
	std::map<IpAddress, size_t> halfOpenPerAddress_;
	size_t halfOpen_ = 0;
	std::set<std::pair<TimePoint, uint64_t>> deadlines_;
	std::unordered_map<uint64_t, TimePoint> deadlineOf_;
};

} // namespace l2tpsec::ike
