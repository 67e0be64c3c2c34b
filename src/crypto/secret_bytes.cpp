#include "crypto/secret_bytes.h"

#include <botan/mem_ops.h>

namespace l2tpsec::crypto {

void secureWipe(void *p, size_t n)
{
	// Botan's scrub uses explicit_bzero/memset_s where the platform has them,
	// else a volatile loop; either way the store is not elided.
	if (p != nullptr && n != 0)
		Botan::secure_scrub_memory(p, n);
}

} // namespace l2tpsec::crypto
