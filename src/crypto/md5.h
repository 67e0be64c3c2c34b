#pragma once
// MD5, for the two places RFC 2661 needs it: tunnel authentication (the
// Challenge Response, §4.2/§5.1.1) and hidden AVPs (§4.3). Nothing else
// should use it.
//
// The implementation is Botan's; its headers stay in src/crypto/ (the state
// is behind a pointer), so users of this header do not need Botan.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace l2tpsec::crypto {

inline constexpr size_t kMd5Size = 16;
using Md5Digest = std::array<uint8_t, kMd5Size>;

/// An incremental MD5: update() any number of times, then finish(), which
/// also resets the hasher for the next message. A moved-from Md5 may only be
/// destroyed or assigned to.
class Md5 {
public:
	Md5();
	~Md5();
	Md5(Md5 &&) noexcept;
	Md5 &operator=(Md5 &&) noexcept;
	Md5(const Md5 &) = delete;
	Md5 &operator=(const Md5 &) = delete;

	void update(std::span<const uint8_t> bytes);
	void update(std::string_view bytes);
	void update(uint8_t byte);
	Md5Digest finish();

private:
	struct State;
	std::unique_ptr<State> state_;
};

/// MD5 of one buffer.
Md5Digest md5(std::span<const uint8_t> bytes);

} // namespace l2tpsec::crypto
