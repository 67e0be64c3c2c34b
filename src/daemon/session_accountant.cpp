#include "daemon/session_accountant.h"

#include "common/log.h"
#include "ppp/radius_files.h"

#include <algorithm>

namespace l2tpsec {

uint32_t terminateCauseOf(l2tp::EndCause cause)
{
	switch (cause) {
	case l2tp::EndCause::PeerRequest: return radius::kTerminateUserRequest;
	case l2tp::EndCause::PeerLost: return radius::kTerminateLostCarrier;
	case l2tp::EndCause::Admin: return radius::kTerminateAdminReset;
	case l2tp::EndCause::SessionTimeout: return radius::kTerminateSessionTimeout;
	case l2tp::EndCause::IdleTimeout: return radius::kTerminateIdleTimeout;
	// RFC 2866 §5.10: Admin-Reboot is an administrator ending service on
	// the NAS; NAS-Reboot a non-administrative end (a crash), which only
	// the next Accounting-On can report.
	case l2tp::EndCause::Shutdown: return radius::kTerminateAdminReboot;
	case l2tp::EndCause::Error: break;
	}
	return radius::kTerminateNasError;
}

SessionAccountant::SessionAccountant(EventLoop &loop, uint64_t bootId, ReadCounters counters)
    : loop_(loop), bootId_(bootId), counters_(std::move(counters))
{
}

SessionAccountant::~SessionAccountant()
{
	for (auto &[key, open] : open_)
		if (open.interim)
			loop_.cancelTimer(*open.interim);
	if (reapTimer_)
		loop_.cancelTimer(*reapTimer_);
}

void SessionAccountant::configure(const std::optional<RadiusConfig> &radius)
{
	if (radius && !radius->accountingServers.empty())
		radius_ = radius;
	else
		radius_.reset();
}

void SessionAccountant::start(uint16_t tunnelId, uint16_t sessionId, Facts facts)
{
	if (!radius_)
		return;
	Key key{tunnelId, sessionId};
	auto [it, fresh] = open_.try_emplace(key);
	if (!fresh)
		return;
	Open &open = it->second;
	open.facts = std::move(facts);
	open.sessionId = radius::acctSessionId(bootId_, nextCounter_++);
	open.started = std::chrono::system_clock::now();
	send(open, radius::kAcctStart, {}, 0);
	armInterim(key, open);
}

void SessionAccountant::armInterim(const Key &key, Open &open)
{
	if (!radius_ || radius_->interimInterval.count() <= 0)
		return;
	open.interim = loop_.addTimer(radius_->interimInterval, [this, key] { onInterim(key); });
}

void SessionAccountant::onInterim(const Key &key)
{
	auto it = open_.find(key);
	if (it == open_.end())
		return;
	it->second.interim.reset();
	if (auto counters = counters_(key.first, key.second))
		send(it->second, radius::kAcctInterimUpdate, *counters, 0);
	armInterim(key, it->second);
}

void SessionAccountant::stop(uint16_t tunnelId, uint16_t sessionId, const radius::SessionCounters &counters,
                             uint32_t terminateCause)
{
	auto it = open_.find({tunnelId, sessionId});
	if (it == open_.end())
		return;
	if (it->second.interim)
		loop_.cancelTimer(*it->second.interim);
	send(it->second, radius::kAcctStop, counters, terminateCause);
	open_.erase(it);
}

std::optional<std::string> SessionAccountant::sessionIdOf(uint16_t tunnelId, uint16_t sessionId) const
{
	auto it = open_.find({tunnelId, sessionId});
	if (it == open_.end())
		return std::nullopt;
	return it->second.sessionId;
}

void SessionAccountant::send(const Open &open, uint32_t statusType, const radius::SessionCounters &counters,
                             uint32_t cause)
{
	if (!radius_)
		return;
	auto now = std::chrono::system_clock::now();
	radius::SessionAccountingRequest r;
	r.statusType = statusType;
	r.user = open.facts.user;
	r.nasIdentifier = ppp::nasIdentifierOf(*radius_);
	r.nasIpAddress = radius_->nasIpAddress;
	r.nasPortId = open.facts.nasPortId;
	r.sessionId = open.sessionId;
	r.framedIpAddress = open.facts.framedIpAddress;
	r.callingStationId = open.facts.callingStationId;
	r.calledStationId = open.facts.calledStationId;
	r.eventTimestamp =
	        static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
	r.sessionTimeSeconds = static_cast<uint32_t>(
	        std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(now - open.started).count()));
	r.counters = counters;
	r.terminateCause = cause;

	std::string secret = radius_->secret ? radius_->secret->value : std::string();
	AccountingRequestSpec spec;
	spec.what = std::string(radius::statusTypeName(statusType)) + " of " + open.facts.nasPortId + " (" +
	            open.facts.user + ", Acct-Session-Id " + open.sessionId +
	            (statusType == radius::kAcctStop ? ", " + radius::terminateCauseName(cause) : std::string()) + ")";
	spec.identifier = static_cast<uint8_t>(r.eventTimestamp); // (each sender has its own socket)
	spec.logAcknowledged = statusType != radius::kAcctInterimUpdate;
	spec.build = [r, secret](uint8_t identifier, uint32_t delay) {
		radius::SessionAccountingRequest req = r;
		req.identifier = identifier;
		req.delaySeconds = delay;
		return radius::sessionAccountingDatagram(req, secret);
	};
	senders_.push_back(std::make_unique<AccountingSender>(
	        loop_, radius_->accountingServers, secret, std::move(spec), radius_->timeout, radius_->retries,
	        [this](const std::optional<RadiusServer> &) {
		        // Not from inside the sender's own call.
		        if (!reapTimer_)
			        reapTimer_ = loop_.addTimer(std::chrono::milliseconds(0), [this] {
				        reapTimer_.reset();
				        reap();
			        });
	        }));
	senders_.back()->start();
}

void SessionAccountant::reap()
{
	std::erase_if(senders_, [](const std::unique_ptr<AccountingSender> &s) { return s->finished(); });
	if (!senders_.empty() || idleWaiters_.empty())
		return;
	auto waiters = std::move(idleWaiters_);
	idleWaiters_.clear();
	for (auto &w : waiters)
		w();
}

size_t SessionAccountant::pending() const
{
	size_t n = 0;
	for (const auto &s : senders_)
		n += s->finished() ? 0 : 1;
	return n;
}

void SessionAccountant::whenIdle(std::function<void()> done)
{
	if (pending() == 0) {
		done();
		return;
	}
	idleWaiters_.push_back(std::move(done));
}

} // namespace l2tpsec
