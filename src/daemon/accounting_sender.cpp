#include "daemon/accounting_sender.h"

#include "common/log.h"
#include "daemon/udp_io.h"
#include "ppp/radius_files.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>

namespace l2tpsec {

namespace {
constexpr const char *kAccountingLog = "radius";
}

AccountingSender::AccountingSender(EventLoop &loop, std::vector<RadiusServer> servers, std::string secret,
                                   AccountingRequestSpec request, std::chrono::milliseconds timeout, uint32_t tries,
                                   Done done)
    : loop_(loop), servers_(std::move(servers)), secret_(std::move(secret)), request_(std::move(request)),
      timeout_(timeout), tries_(tries == 0 ? 1 : tries), done_(std::move(done)), identifier_(request_.identifier)
{
}

AccountingSender::~AccountingSender()
{
	closeSocket();
}

void AccountingSender::start()
{
	openServer();
}

void AccountingSender::closeSocket()
{
	if (timer_)
		loop_.cancelTimer(*timer_);
	timer_.reset();
	if (fd_) {
		loop_.removeFd(fd_.get());
		fd_.reset();
	}
	sent_.clear();
}

void AccountingSender::openServer()
{
	if (server_ >= servers_.size()) {
		finish(std::nullopt);
		return;
	}
	const RadiusServer &srv = servers_[server_];
	std::string what = "Accounting-Request to " + srv.str();
	auto fd = udp::socket(what);
	sockaddr_in sa = udp::toSockaddr(srv.address, srv.port);
	if (fd && ::connect(fd->get(), reinterpret_cast<const sockaddr *>(&sa), sizeof sa) == 0 &&
	    loop_.addFd(fd->get(), EPOLLIN, [this](uint32_t) { onReadable(); })) {
		fd_ = std::move(*fd);
		sendTry();
		return;
	}
	logWarn(kAccountingLog, "{}: cannot open a socket: {}", what,
	        fd ? std::string(strerror(errno)) : fd.error().message);
	nextServer();
}

void AccountingSender::sendTry()
{
	auto waited = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - created_);
	// A new Identifier per try: each try is a request of its own (its
	// Acct-Delay-Time differs), and no answer is taken for another's.
	sent_.push_back(request_.build(identifier_, static_cast<uint32_t>(waited.count())));
	identifier_ = static_cast<uint8_t>(identifier_ + 1);
	const std::vector<uint8_t> &datagram = sent_.back();
	if (::send(fd_.get(), datagram.data(), datagram.size(), 0) < 0 && errno == ECONNREFUSED) {
		logWarn(kAccountingLog, "{}: {} refused (ICMP port unreachable)", request_.what,
		        servers_[server_].str());
		nextServer();
		return;
	}
	timer_ = loop_.addTimer(timeout_, [this] {
		timer_.reset();
		onTimeout();
	});
}

void AccountingSender::onTimeout()
{
	if (sent_.size() < tries_) {
		sendTry();
		return;
	}
	logWarn(kAccountingLog, "{}: no answer from {} after {} tries", request_.what, servers_[server_].str(),
	        sent_.size());
	nextServer();
}

void AccountingSender::onReadable()
{
	uint8_t buf[radius::kMaxPacketSize];
	for (int i = 0; i < udp::kReadBudget; i++) {
		ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
		if (n < 0 && errno == ECONNREFUSED) {
			logWarn(kAccountingLog, "{}: {} refused (ICMP port unreachable)", request_.what,
			        servers_[server_].str());
			nextServer();
			return;
		}
		if (n < 0)
			return;
		std::span<const uint8_t> got(buf, static_cast<size_t>(n));
		for (const std::vector<uint8_t> &request : sent_) {
			if (radius::isAccountingResponseTo(got, request, secret_)) {
				finish(servers_[server_]);
				return;
			}
		}
		logWarn(kAccountingLog,
		        "{}: a datagram from {} that is not its Accounting-Response (wrong secret?); ignored",
		        request_.what, servers_[server_].str());
	}
}

void AccountingSender::nextServer()
{
	closeSocket();
	server_++;
	openServer();
}

void AccountingSender::finish(std::optional<RadiusServer> answered)
{
	closeSocket();
	if (finished_)
		return;
	finished_ = true;
	if (answered && request_.logAcknowledged)
		logInfo(kAccountingLog, "{} acknowledged by {}", request_.what, answered->str());
	else if (answered)
		logDebug(kAccountingLog, "{} acknowledged by {}", request_.what, answered->str());
	else
		logWarn(kAccountingLog, "{}: no accounting server answered", request_.what);
	if (done_)
		done_(answered);
}

radius::OnOffRequest onOffRequestOf(const RadiusConfig &radius, bool on, std::chrono::system_clock::time_point now)
{
	radius::OnOffRequest r;
	r.on = on;
	r.nasIdentifier = ppp::nasIdentifierOf(radius);
	r.nasIpAddress = radius.nasIpAddress;
	r.eventTimestamp =
	        static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
	r.sessionId = (on ? "l2tpsec-on-" : "l2tpsec-off-") + std::to_string(r.eventTimestamp);
	r.identifier = static_cast<uint8_t>(r.eventTimestamp);
	return r;
}

AccountingRequestSpec onOffSpec(const radius::OnOffRequest &request, const std::string &secret)
{
	AccountingRequestSpec spec;
	spec.what = std::string(request.on ? "Accounting-On" : "Accounting-Off") + " (NAS-Identifier " +
	            request.nasIdentifier + ")";
	spec.identifier = request.identifier;
	spec.build = [request, secret](uint8_t identifier, uint32_t) {
		radius::OnOffRequest r = request;
		r.identifier = identifier;
		return radius::onOffDatagram(r, secret);
	};
	return spec;
}

} // namespace l2tpsec
