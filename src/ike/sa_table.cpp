// The engine's SAs and their indexes, half-open counts and deadlines
// (sa_table.h).
#include "ike/sa_table.h"

#include <cstring>

namespace l2tpsec::ike {

namespace {

bool noCookie(const Cookie &c)
{
	return c == Cookie{};
}

} // namespace

size_t SaTable::OurCookieHash::operator()(const Cookie &c) const
{
	uint64_t h = 0;
	std::memcpy(&h, c.data(), sizeof h);
	return static_cast<size_t>(h);
}

IkeSa &SaTable::add(std::unique_ptr<IkeSa> sa, bool reauthenticate)
{
	const SaIdentity &who = sa->identity();
	const Endpoint &peer = sa->path().original;
	uint64_t id = who.id;
	meta_[id] = Meta{peer.address, true, !who.initiator, reauthenticate};
	halfOpen_++;
	halfOpenPerAddress_[peer.address]++;
	byAddress_[peer.address].insert(id);
	if (who.initiator) {
		ourInitiators_[who.ckyI] = id;
	} else {
		byCookies_[{who.ckyI, who.ckyR}] = id;
		byMm1_[{who.ckyI, peer}] = id;
	}
	IkeSa &ref = *sas_.emplace(id, std::move(sa)).first->second;
	byId_[id] = &ref;
	return ref;
}

bool SaTable::update(IkeSa &sa)
{
	const SaIdentity &who = sa.identity();
	Meta &m = meta_.at(who.id);
	if (!m.cookiesFiled && !noCookie(who.ckyR)) {
		byCookies_[{who.ckyI, who.ckyR}] = who.id;
		m.cookiesFiled = true;
	}
	if (!m.halfOpen || !(sa.established() || sa.dead()))
		return false;
	m.halfOpen = false;
	halfOpen_--;
	if (--halfOpenPerAddress_[m.peerAddress] == 0)
		halfOpenPerAddress_.erase(m.peerAddress);
	return true;
}

void SaTable::erase(uint64_t id)
{
	auto it = sas_.find(id);
	if (it == sas_.end())
		return;
	const IkeSa &sa = *it->second;
	Meta m = meta_.at(id);
	if (m.halfOpen) {
		halfOpen_--;
		if (--halfOpenPerAddress_[m.peerAddress] == 0)
			halfOpenPerAddress_.erase(m.peerAddress);
	}
	if (auto a = byAddress_.find(m.peerAddress); a != byAddress_.end()) {
		a->second.erase(id);
		if (a->second.empty())
			byAddress_.erase(a);
	}
	auto eraseIf = [id](auto &map, const auto &key) {
		if (auto e = map.find(key); e != map.end() && e->second == id)
			map.erase(e);
	};
	const SaIdentity &who = sa.identity();
	eraseIf(byCookies_, std::make_pair(who.ckyI, who.ckyR));
	eraseIf(ourInitiators_, who.ckyI);
	eraseIf(byMm1_, std::make_pair(who.ckyI, sa.path().original));
	forgetDeadline(id);
	meta_.erase(id);
	byId_.erase(id);
	sas_.erase(it);
}

IkeSa *SaTable::find(uint64_t id) const
{
	auto it = byId_.find(id);
	return it == byId_.end() ? nullptr : it->second;
}

IkeSa *SaTable::route(const Header &h, const Endpoint &from) const
{
	auto find = [&](uint64_t id) { return sas_.at(id).get(); };
	if (!noCookie(h.responderCookie)) {
		if (auto it = byCookies_.find({h.initiatorCookie, h.responderCookie}); it != byCookies_.end())
			return find(it->second);
	}
	if (auto it = ourInitiators_.find(h.initiatorCookie); it != ourInitiators_.end()) {
		IkeSa *sa = find(it->second);
		const Cookie &ckyR = sa->identity().ckyR;
		if (noCookie(ckyR) || ckyR == h.responderCookie)
			return sa;
	}
	if (noCookie(h.responderCookie)) {
		if (auto it = byMm1_.find({h.initiatorCookie, from}); it != byMm1_.end())
			return find(it->second);
	}
	return nullptr;
}

std::vector<IkeSa *> SaTable::peerSas(const IkeSa &sa, bool sameId) const
{
	std::vector<IkeSa *> out;
	uint64_t self = sa.identity().id;
	auto ids = byAddress_.find(meta_.at(self).peerAddress);
	if (ids == byAddress_.end())
		return out;
	for (uint64_t id : ids->second) {
		IkeSa *other = sas_.at(id).get();
		if (id == self || other->dead())
			continue;
		if (sameId && other->identity().peerIdBody != sa.identity().peerIdBody)
			continue;
		out.push_back(other);
	}
	return out;
}

std::set<uint64_t> SaTable::idsAt(const IpAddress &a) const
{
	auto it = byAddress_.find(a);
	return it == byAddress_.end() ? std::set<uint64_t>{} : it->second;
}

size_t SaTable::countAt(const IpAddress &a) const
{
	auto it = byAddress_.find(a);
	return it == byAddress_.end() ? size_t{0} : it->second.size();
}

size_t SaTable::halfOpenAt(const IpAddress &a) const
{
	auto it = halfOpenPerAddress_.find(a);
	return it == halfOpenPerAddress_.end() ? size_t{0} : it->second;
}

void SaTable::rearm(uint64_t id)
{
	auto it = sas_.find(id);
	if (it == sas_.end())
		return;
	forgetDeadline(id);
	if (auto d = it->second->nextDeadline()) {
		deadlines_.insert({*d, id});
		deadlineOf_[id] = *d;
	}
}

void SaTable::forgetDeadline(uint64_t id)
{
	if (auto old = deadlineOf_.find(id); old != deadlineOf_.end()) {
		deadlines_.erase({old->second, id});
		deadlineOf_.erase(old);
	}
}

std::optional<TimePoint> SaTable::nextDeadline() const
{
	if (deadlines_.empty())
		return std::nullopt;
	return deadlines_.begin()->first;
}

std::vector<uint64_t> SaTable::due(TimePoint now) const
{
	std::vector<uint64_t> out;
	for (const auto &[t, id] : deadlines_) {
		if (t > now)
			break;
		out.push_back(id);
	}
	return out;
}

} // namespace l2tpsec::ike
