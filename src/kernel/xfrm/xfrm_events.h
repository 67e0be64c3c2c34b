#pragma once
// EventSubscription: the kernel's XFRM events for the event loop. A
// NETLINK_XFRM socket joined to XFRMNLGRP_EXPIRE, _ACQUIRE and _MAPPING;
// the loop watches fd() for EPOLLIN and calls readPending().
//
//   auto events = TRY(EventSubscription::open());
//   loop.addFd(events.fd(), EPOLLIN, [&](uint32_t) { for (auto &e : *events.readPending()) ... });

#include "common/result.h"
#include "common/unique_fd.h"
#include "kernel/ipsec_dataplane.h"
#include "kernel/xfrm/xfrm_msg.h"

#include <vector>

namespace l2tpsec::kernel::xfrm {

class EventSubscription {
public:
	static Result<EventSubscription> open(OwnedReqids owned = {});

	/// Readable when events wait; the subscription keeps owning it.
	int fd() const { return fd_.get(); }

	/// Reads every event queued now, without blocking. Only l2tpsec's own
	/// objects (reqid in OwnedReqids) are returned; a message that does not
	/// parse is logged and skipped. When the kernel had to drop events
	/// (ENOBUFS) the list ends with one EventKind::Overflow: the caller then
	/// re-reads the state it cares about (listSas()).
	Result<std::vector<Event>> readPending();

private:
	EventSubscription(UniqueFd fd, OwnedReqids owned) : fd_(std::move(fd)), owned_(owned) {}

	UniqueFd fd_;
	OwnedReqids owned_;
	std::vector<uint64_t> rx_;
};

/// "expire soft spi 0x0000c001 192.0.2.1->192.0.2.2 reqid 0x4c320001", one line per event.
std::string describeEvent(const Event &e);

} // namespace l2tpsec::kernel::xfrm
