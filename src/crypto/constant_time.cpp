#include "crypto/constant_time.h"

#include <botan/mem_ops.h>

namespace l2tpsec::crypto {

bool constantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b)
{
	if (a.size() != b.size())
		return false;
	if (a.empty())
		return true;
	return Botan::constant_time_compare(a.data(), b.data(), a.size());
}

} // namespace l2tpsec::crypto
