#pragma once
// SecretBytes: a byte vector for keys, shared secrets and DH private values.
// Its memory is wiped before it goes back to the heap (on destruction and on
// every reallocation), so a secret does not linger in freed memory.
//
// It is a std::vector with a wiping allocator rather than Botan's
// secure_vector so that code outside src/crypto/ never needs Botan's headers.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace l2tpsec::crypto {

/// Overwrites n bytes at p in a way the compiler may not optimise away.
void secureWipe(void *p, size_t n);

template <typename T>
struct WipingAllocator {
	using value_type = T;

	WipingAllocator() = default;
	template <typename U>
	WipingAllocator(const WipingAllocator<U> &) noexcept
	{
	}

	T *allocate(size_t n) { return std::allocator<T>{}.allocate(n); }
	void deallocate(T *p, size_t n) noexcept
	{
		secureWipe(p, n * sizeof(T));
		std::allocator<T>{}.deallocate(p, n);
	}

	template <typename U>
	friend bool operator==(const WipingAllocator &, const WipingAllocator<U> &) noexcept
	{
		return true;
	}
};

using SecretBytes = std::vector<uint8_t, WipingAllocator<uint8_t>>;

/// A copy of bytes in wiped memory.
inline SecretBytes toSecret(std::span<const uint8_t> bytes)
{
	return SecretBytes(bytes.begin(), bytes.end());
}

/// A plain copy, for values that stop being secret (a MAC sent on the wire).
inline std::vector<uint8_t> toPublic(std::span<const uint8_t> bytes)
{
	return {bytes.begin(), bytes.end()};
}

} // namespace l2tpsec::crypto
