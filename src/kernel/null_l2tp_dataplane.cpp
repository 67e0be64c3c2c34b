#include "kernel/null_l2tp_dataplane.h"

namespace l2tpsec::kernel {

Result<void> NullL2tpDataplane::createTunnel(const TunnelParams &)
{
	counts_.tunnelsCreated++;
	return {};
}

Result<void> NullL2tpDataplane::deleteTunnel(uint32_t)
{
	counts_.tunnelsDeleted++;
	return {};
}

Result<TunnelState> NullL2tpDataplane::getTunnel(uint32_t tunnelId)
{
	TunnelState st;
	st.tunnelId = tunnelId;
	return st;
}

Result<std::vector<TunnelState>> NullL2tpDataplane::listTunnels()
{
	return std::vector<TunnelState>{};
}

Result<void> NullL2tpDataplane::createSession(const SessionParams &)
{
	counts_.sessionsCreated++;
	return {};
}

Result<void> NullL2tpDataplane::deleteSession(uint32_t, uint32_t)
{
	counts_.sessionsDeleted++;
	return {};
}

Result<SessionState> NullL2tpDataplane::getSession(uint32_t tunnelId, uint32_t sessionId)
{
	SessionState st;
	st.tunnelId = tunnelId;
	st.sessionId = sessionId;
	return st;
}

Result<std::vector<SessionState>> NullL2tpDataplane::listSessions()
{
	return std::vector<SessionState>{};
}

Result<UniqueFd> NullL2tpDataplane::openPppSocket(const SessionParams &, uint32_t, int)
{
	counts_.pppSockets++;
	return UniqueFd();
}

Result<void> NullL2tpDataplane::setSendSequence(const SessionParams &, int)
{
	return {};
}

Result<size_t> NullL2tpDataplane::flush()
{
	return size_t{0};
}

} // namespace l2tpsec::kernel
