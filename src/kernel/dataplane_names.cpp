#include "algorithms/algorithm_table.h"
#include "kernel/ipsec_dataplane.h"

namespace l2tpsec::kernel {

std::string_view modeName(IpsecMode mode)
{
	switch (mode) {
	case IpsecMode::Transport: return "transport";
	case IpsecMode::Tunnel: return "tunnel";
	}
	return "?";
}

std::string_view cipherName(EspCipher c)
{
	const algorithms::CipherRow *row = algorithms::cipherByEsp(c);
	return row ? row->xfrm : "";
}

std::string_view integrityName(EspIntegrity i)
{
	const algorithms::IntegrityRow *row = algorithms::integrityByEsp(i);
	return row ? row->xfrm : "";
}

unsigned integrityTruncationBits(EspIntegrity i)
{
	const algorithms::IntegrityRow *row = algorithms::integrityByEsp(i);
	return row ? row->truncBits : 0;
}

} // namespace l2tpsec::kernel
