#include "daemon/accounting_onoff_sender.h"

#include "common/log.h"
#include "daemon/udp_io.h"
#include "ppp/radius_files.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>

namespace l2tpsec {

namespace {
constexpr const char *kLog = "radius";
}

AccountingOnOffSender::AccountingOnOffSender(EventLoop &loop, std::vector<RadiusServer> servers, std::string secret,
                                             radius::OnOffRequest request, std::chrono::milliseconds timeout,
                                             uint32_t tries, Done done)
    : loop_(loop), servers_(std::move(servers)), secret_(std::move(secret)), request_(std::move(request)),
      timeout_(timeout), tries_(tries == 0 ? 1 : tries), done_(std::move(done))
{
}

AccountingOnOffSender::~AccountingOnOffSender()
{
	closeSocket();
}

void AccountingOnOffSender::start()
{
	openServer();
}

void AccountingOnOffSender::closeSocket()
{
	if (timer_)
		loop_.cancelTimer(*timer_);
	timer_.reset();
	if (fd_) {
		loop_.removeFd(fd_.get());
		fd_.reset();
	}
}

void AccountingOnOffSender::openServer()
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
		tried_ = 0;
		// A new Identifier per server: its answer cannot be taken for
		// another's.
		request_.identifier = static_cast<uint8_t>(request_.identifier + 1);
		datagram_ = radius::onOffDatagram(request_, secret_);
		sendTry();
		return;
	}
	logWarn(kLog, "{}: cannot open a socket: {}", what, fd ? std::string(strerror(errno)) : fd.error().message);
	nextServer();
}

void AccountingOnOffSender::sendTry()
{
	tried_++;
	if (::send(fd_.get(), datagram_.data(), datagram_.size(), 0) < 0 && errno == ECONNREFUSED) {
		logWarn(kLog, "{}: {} refused (ICMP port unreachable)",
		        request_.on ? "Accounting-On" : "Accounting-Off", servers_[server_].str());
		nextServer();
		return;
	}
	timer_ = loop_.addTimer(timeout_, [this] {
		timer_.reset();
		onTimeout();
	});
}

void AccountingOnOffSender::onTimeout()
{
	if (tried_ < tries_) {
		sendTry();
		return;
	}
	logWarn(kLog, "{}: no answer from {} after {} tries", request_.on ? "Accounting-On" : "Accounting-Off",
	        servers_[server_].str(), tried_);
	nextServer();
}

void AccountingOnOffSender::onReadable()
{
	uint8_t buf[radius::kMaxPacketSize];
	for (int i = 0; i < udp::kReadBudget; i++) {
		ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
		if (n < 0 && errno == ECONNREFUSED) {
			logWarn(kLog, "{}: {} refused (ICMP port unreachable)",
			        request_.on ? "Accounting-On" : "Accounting-Off", servers_[server_].str());
			nextServer();
			return;
		}
		if (n < 0)
			return;
		if (radius::isAccountingResponseTo(std::span<const uint8_t>(buf, static_cast<size_t>(n)), datagram_,
		                                   secret_)) {
			finish(servers_[server_]);
			return;
		}
		logWarn(kLog, "{}: a datagram from {} that is not its Accounting-Response (wrong secret?); ignored",
		        request_.on ? "Accounting-On" : "Accounting-Off", servers_[server_].str());
	}
}

void AccountingOnOffSender::nextServer()
{
	closeSocket();
	server_++;
	openServer();
}

void AccountingOnOffSender::finish(std::optional<RadiusServer> answered)
{
	closeSocket();
	if (finished_)
		return;
	finished_ = true;
	const char *what = request_.on ? "Accounting-On" : "Accounting-Off";
	if (answered)
		logInfo(kLog, "{} (NAS-Identifier {}) acknowledged by {}", what, request_.nasIdentifier,
		        answered->str());
	else
		logWarn(kLog, "{} (NAS-Identifier {}): no accounting server answered", what, request_.nasIdentifier);
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

} // namespace l2tpsec
