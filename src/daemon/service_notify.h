#pragma once
// The service manager's readiness protocol (sd_notify(3)) for Type=notify:
// READY=1 once the sockets are bound and the kernel state recovered,
// RELOADING=1 then READY=1 around a reload, STOPPING=1 on a graceful stop,
// and STATUS= lines that `systemctl status` shows. Without NOTIFY_SOCKET in
// the environment (not started by systemd) every call does nothing.

#include <string_view>

namespace l2tpsec::service {

/// Whether a service manager listens (NOTIFY_SOCKET is set).
bool notifyEnabled();

/// Each sends its state with an optional STATUS= line (left out when empty).
/// They return whether the message was delivered: false without
/// NOTIFY_SOCKET or when sending failed (logged at debug level; the daemon
/// runs on either way).
bool notifyReady(std::string_view status = {});
bool notifyReloading(std::string_view status = {});
bool notifyStopping(std::string_view status = {});
bool notifyStatus(std::string_view status);

} // namespace l2tpsec::service
