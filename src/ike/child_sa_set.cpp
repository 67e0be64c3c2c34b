// The SA pairs of one ISAKMP SA: removal, lookups, hand-over and NAT-port
// moves (child_sa_set.h).
#include "ike/child_sa_set.h"

#include "common/log.h"
#include "ike/ike_log.h"

#include <algorithm>

namespace l2tpsec::ike {

ChildSaSet::~ChildSaSet()
{
	for (size_t i = 0; i < children_.size(); i++)
		unfile(i);
}

void ChildSaSet::file(size_t index)
{
	ctx_.spis.file(children_[index].spec().inboundSpi, children_[index].spec().outboundSpi, owner_);
	ctx_.l2tpFlows.file(infos_[index], ChildFlowIndex::Place{owner_, places_[index]});
}

void ChildSaSet::unfile(size_t index)
{
	ctx_.spis.unfile(children_[index].spec().inboundSpi, children_[index].spec().outboundSpi, owner_);
	ctx_.l2tpFlows.unfile(infos_[index], ChildFlowIndex::Place{owner_, places_[index]});
}

void ChildSaSet::add(ChildSa child, const ChildSaInfo &info)
{
	children_.push_back(std::move(child));
	infos_.push_back(info);
	places_.push_back(ctx_.l2tpFlows.nextSeq());
	file(children_.size() - 1);
}

void ChildSaSet::remove(size_t index, const std::string &reason)
{
	unfile(index);
	children_[index].remove(ctx_.dataplane, ctx_.flows);
	ChildSaInfo info = infos_[index];
	children_.erase(children_.begin() + static_cast<ptrdiff_t>(index));
	infos_.erase(infos_.begin() + static_cast<ptrdiff_t>(index));
	places_.erase(places_.begin() + static_cast<ptrdiff_t>(index));
	logInfo(kLog, "peer {}: IPsec SA in 0x{:08x} out 0x{:08x} down: {}", info.peer.str(), info.inboundSpi,
	        info.outboundSpi, reason);
	if (ctx_.observer)
		ctx_.observer->childSaDown(info, reason);
}

bool ChildSaSet::removeBySpi(uint32_t spi, const std::string &reason)
{
	std::optional<size_t> i = indexOf(spi);
	if (!i)
		return false;
	remove(*i, reason);
	return true;
}

std::optional<size_t> ChildSaSet::indexOf(uint32_t spi) const
{
	for (size_t i = 0; i < children_.size(); i++)
		if (children_[i].spec().inboundSpi == spi || children_[i].spec().outboundSpi == spi)
			return i;
	return std::nullopt;
}

bool ChildSaSet::inKernel(size_t index, uint32_t spi) const
{
	const ChildSa &c = children_[index];
	return ctx_.dataplane.querySa(c.spec().inboundSpi == spi ? c.inboundId() : c.outboundId()).ok();
}

const ChildSaInfo *ChildSaSet::atPlace(uint64_t seq) const
{
	// Places grow with the order the pairs came in.
	auto it = std::lower_bound(places_.begin(), places_.end(), seq);
	if (it == places_.end() || *it != seq)
		return nullptr;
	return &infos_[static_cast<size_t>(it - places_.begin())];
}

bool ChildSaSet::hasInboundSpi(uint32_t spi) const
{
	return std::any_of(children_.begin(), children_.end(),
	                   [spi](const ChildSa &c) { return c.spec().inboundSpi == spi; });
}

bool ChildSaSet::hasNewerPair(size_t index) const
{
	for (size_t j = 0; j < children_.size(); j++)
		if (j != index && children_[j].spec().flow == children_[index].spec().flow &&
		    infos_[j].established > infos_[index].established)
			return true;
	return false;
}

void ChildSaSet::adopt(ChildSaSet &from)
{
	for (size_t i = 0; i < from.children_.size(); i++) {
		from.unfile(i);
		children_.push_back(std::move(from.children_[i]));
		ChildSaInfo info = from.infos_[i];
		info.ikeSaId = owner_;
		infos_.push_back(info);
		// After this set's own pairs, as the walk over the set lists them.
		places_.push_back(ctx_.l2tpFlows.nextSeq());
		file(children_.size() - 1);
	}
	from.children_.clear();
	from.infos_.clear();
	from.places_.clear();
}

size_t ChildSaSet::follow(const Endpoint &to)
{
	size_t complete = 0;
	for (size_t i = 0; i < children_.size(); i++) {
		ChildSa &c = children_[i];
		if (c.spec().peer.address != to.address)
			continue; // a pair left at an address the peer had before
		Endpoint was = c.spec().peer;
		size_t updated = c.followPeer(ctx_.dataplane, to);
		if (!c.spec().udpEncap || updated == 2)
			complete++;
		ctx_.flows.moveHolder(c.spec().flow, was, to);
		// Same address, another port: filed again all the same, so the
		// index never depends on which of the view's fields it reads.
		ctx_.l2tpFlows.unfile(infos_[i], ChildFlowIndex::Place{owner_, places_[i]});
		infos_[i].peer = to;
		ctx_.l2tpFlows.file(infos_[i], ChildFlowIndex::Place{owner_, places_[i]});
	}
	return complete;
}

} // namespace l2tpsec::ike
