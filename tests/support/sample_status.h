#pragma once
// The counts of one busy `status` reply, shared by the tests of its JSON
// (test_control_views.cpp), its text (l2tpctl/test_human_format.cpp) and
// the metrics built from it (test_metrics_text.cpp).

#include "l2tpsec/control_views.h"

namespace l2tpsec::test {

inline void setSampleCounts(control::StatusView &s)
{
	s.isakmpEstablished = 2;
	s.isakmpConnecting = 1;
	s.ipsecSaPairs = 2;
	s.tunnels = 2;
	s.sessions = 3;
	s.poolUsed = 3;
	s.poolSize = 254;
	s.blockedSources = 1;
	s.ipsec = "required";
	s.dataplane = "kernel";
}

} // namespace l2tpsec::test
