#pragma once
// Internal to src/crypto/: Botan types behind signature.h and x509_trust.h.

#include "common/result.h"
#include "crypto/signature.h"

#include <botan/pk_keys.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec::crypto::detail {

struct KeyAccess {
	/// The IKEv1 kind of a Botan key, nullopt for one IKEv1 cannot use.
	static std::optional<SignatureKind> kindOf(const Botan::Public_Key &key);
	static PublicKey makePublicKey(std::unique_ptr<Botan::Public_Key> key);
};

/// A whole file; errors "cannot read it: ..." or "it is empty".
Result<std::vector<uint8_t>> readFile(const std::string &path);

} // namespace l2tpsec::crypto::detail
