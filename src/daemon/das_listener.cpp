#include "daemon/das_listener.h"

#include "common/log.h"
#include "daemon/udp_io.h"
#include "ppp/radius_files.h"
#include "radius/radius_authenticator.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>

namespace l2tpsec {

namespace {

constexpr std::string_view kDasLog = "das";

bool listed(const std::vector<IpAddress> &list, const IpAddress &a)
{
	return std::find(list.begin(), list.end(), a) != list.end();
}

} // namespace

DasSettings dasSettings(const Config &config)
{
	DasSettings s;
	const RadiusConfig &r = *config.ppp.radius;
	s.listen = r.dasListen;
	s.port = r.dasPort;
	s.clients = r.dasClients;
	s.secret = r.dasSecret ? r.dasSecret->value : r.secret ? r.secret->value : std::string();
	s.nas.identifier = ppp::nasIdentifierOf(r);
	s.nas.addresses = r.dasListen;
	for (const IpAddress &a : config.server.listen)
		if (!listed(s.nas.addresses, a))
			s.nas.addresses.push_back(a);
	return s;
}

bool dasSelects(const radius::SessionSelector &s, const control::SessionView &view)
{
	if (view.role != "lns")
		return false;
	if (s.userName && view.user != *s.userName)
		return false;
	if (s.framedIp && (!view.address || *view.address != s.framedIp->str()))
		return false;
	if (s.nasPortId &&
	    *s.nasPortId != "l2tpsec-" + std::to_string(view.tunnel) + "-" + std::to_string(view.session))
		return false;
	if (s.acctSessionId && view.acctSessionId != *s.acctSessionId)
		return false;
	return true;
}

Result<std::unique_ptr<DasListener>> DasListener::start(EventLoop &loop, DasSettings settings, Disconnect disconnect,
                                                        SetTimeout setTimeout)
{
	std::unique_ptr<DasListener> d(
	        new DasListener(loop, std::move(settings), std::move(disconnect), std::move(setTimeout)));
	for (const IpAddress &a : d->settings_.listen) {
		std::string what = fmt::format("[radius] das_listen {} port {}", a.str(), d->settings_.port);
		L2S_TRY_ASSIGN(UniqueFd fd, udp::socket(what, udp::SocketOptions{.freebind = true}));
		L2S_TRY(udp::bind(fd.get(), a, d->settings_.port, what + ": bind"));
		DasListener *self = d.get();
		int raw = fd.get();
		L2S_TRY(loop.addFd(raw, EPOLLIN, [self, raw](uint32_t) { self->onReadable(raw); }));
		d->fds_.push_back(std::move(fd));
	}
	std::vector<std::string> clients;
	for (const IpAddress &a : d->settings_.clients)
		clients.push_back(a.str());
	std::vector<std::string> listen;
	for (const IpAddress &a : d->settings_.listen)
		listen.push_back(a.str());
	logInfo(kDasLog, "taking Disconnect-Requests on {} port {} from {} (NAS-Identifier {})",
	        fmt::join(listen, ", "), d->port(), fmt::join(clients, ", "), d->settings_.nas.identifier);
	return d;
}

DasListener::DasListener(EventLoop &loop, DasSettings settings, Disconnect disconnect, SetTimeout setTimeout)
    : loop_(loop), settings_(std::move(settings)), disconnect_(std::move(disconnect)),
      setTimeout_(std::move(setTimeout)), buf_(udp::kMaxDatagram)
{
}

DasListener::~DasListener()
{
	for (const UniqueFd &fd : fds_)
		loop_.removeFd(fd.get());
}

uint16_t DasListener::port() const
{
	if (fds_.empty())
		return settings_.port;
	sockaddr_in sa{};
	socklen_t len = sizeof sa;
	if (getsockname(fds_.front().get(), reinterpret_cast<sockaddr *>(&sa), &len) < 0)
		return 0;
	return udp::portOf(sa);
}

void DasListener::onReadable(int fd)
{
	for (int i = 0; i < udp::kReadBudget; i++) {
		auto r = udp::receive(fd, buf_);
		if (!r)
			return;
		IpAddress from = udp::addressOf(r->from);
		uint16_t fromPort = udp::portOf(r->from);
		auto reply = answer(std::span(buf_).first(r->size), from, fromPort, Clock::now());
		if (!reply)
			continue;
		if (auto sent = udp::sendTo(fd, from, fromPort, *reply, std::nullopt, "das answer"); !sent)
			logWarn(kDasLog, "{}", sent.error().message);
	}
}

void DasListener::ignore(const std::string &why, Clock::time_point now)
{
	ignored_++;
	if (now - minute_ >= std::chrono::minutes(1)) {
		if (unlogged_ > 0)
			logWarn(kDasLog, "{} more requests ignored in the last minute without a log line", unlogged_);
		minute_ = now;
		linesInMinute_ = 0;
		unlogged_ = 0;
	}
	if (linesInMinute_ >= kLogLines) {
		unlogged_++;
		return;
	}
	linesInMinute_++;
	logWarn(kDasLog, "{}", why);
}

std::optional<std::vector<uint8_t>> DasListener::answer(std::span<const uint8_t> datagram, const IpAddress &from,
                                                        uint16_t fromPort, Clock::time_point now)
{
	std::string source = from.str() + ":" + std::to_string(fromPort);
	if (!listed(settings_.clients, from)) {
		ignore(fmt::format("ignored a request from {}: not in [radius] das_clients", source), now);
		return std::nullopt;
	}
	auto request = radius::parsePacket(datagram);
	if (!request) {
		ignore(fmt::format("ignored a request from {}: {}", source, request.error().message), now);
		return std::nullopt;
	}
	if (request->code != radius::code::kDisconnectRequest && request->code != radius::code::kCoaRequest) {
		ignore(fmt::format("ignored a {} from {}: only Disconnect-Request and CoA-Request are taken",
		                   radius::codeName(request->code), source),
		       now);
		return std::nullopt;
	}
	// Only its Length octets count (the rest is padding, RFC 2865 §3).
	auto bytes = datagram.first(uint16_t(datagram[2] << 8 | datagram[3]));
	if (!radius::requestAuthenticatorValid(bytes, settings_.secret) ||
	    !radius::messageAuthenticatorValid(bytes, settings_.secret, true)) {
		ignore(fmt::format("ignored a {} from {} (Identifier {}): wrong authenticator, not signed with the "
		                   "das secret",
		                   radius::codeName(request->code), source, request->identifier),
		       now);
		return std::nullopt;
	}
	Source key{from, fromPort, request->identifier};
	if (auto it = remembered_.find(key); it != remembered_.end() && now - it->second.at < kDuplicateWindow &&
	                                     it->second.authenticator == request->authenticator) {
		logInfo(kDasLog, "{} from {} (Identifier {}) again: answered as before",
		        radius::codeName(request->code), source, request->identifier);
		answered_++;
		return it->second.answer;
	}
	std::vector<uint8_t> reply = handle(*request, from);
	// Forget what is too old to be a retransmission; keep the memory bounded.
	std::erase_if(remembered_, [&](const auto &e) { return now - e.second.at >= kDuplicateWindow; });
	if (remembered_.size() >= kMaxRemembered)
		remembered_.erase(
		        std::min_element(remembered_.begin(), remembered_.end(),
		                         [](const auto &a, const auto &b) { return a.second.at < b.second.at; }));
	remembered_[key] = Remembered{request->authenticator, reply, now};
	answered_++;
	return reply;
}

std::vector<uint8_t> DasListener::handle(const radius::Packet &request, const IpAddress &from)
{
	bool withMac = request.find(radius::attr::kMessageAuthenticator) != nullptr;
	auto nak = [&](radius::ErrorCause cause, const std::string &why) {
		logInfo(kDasLog, "{} from {} (Identifier {}): NAK, Error-Cause {}: {}", radius::codeName(request.code),
		        from.str(), request.identifier, static_cast<uint32_t>(cause), why);
		return radius::signResponse(radius::answerTo(request, false, cause), request.authenticator,
		                            settings_.secret, withMac);
	};
	auto ack = [&] {
		return radius::signResponse(radius::answerTo(request, true), request.authenticator, settings_.secret,
		                            withMac);
	};
	if (request.code == radius::code::kCoaRequest) {
		radius::DasVerdict v = radius::readCoaRequest(request, settings_.nas);
		if (!v.selector)
			return nak(v.cause, v.why);
		std::vector<std::string> limited = setTimeout_(*v.selector, *v.sessionTimeout);
		if (limited.empty())
			return nak(radius::ErrorCause::SessionContextNotFound, "no session of " + v.selector->str());
		logInfo(kDasLog, "CoA-Request from {} (Identifier {}) for {}: Session-Timeout {}s set on session {}",
		        from.str(), request.identifier, v.selector->str(), v.sessionTimeout->count(),
		        fmt::join(limited, ", "));
		return ack();
	}
	radius::DasVerdict v = radius::readDisconnectRequest(request, settings_.nas);
	if (!v.selector)
		return nak(v.cause, v.why);
	std::vector<std::string> ended = disconnect_(*v.selector);
	if (ended.empty())
		return nak(radius::ErrorCause::SessionContextNotFound, "no session of " + v.selector->str());
	logInfo(kDasLog, "Disconnect-Request from {} (Identifier {}) for {}: ended session {}", from.str(),
	        request.identifier, v.selector->str(), fmt::join(ended, ", "));
	return ack();
}

} // namespace l2tpsec
