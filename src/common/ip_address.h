#pragma once
// IpAddress: an IPv4 or IPv6 address as it appears in configs and on the wire.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace l2tpsec {

class IpAddress {
public:
	enum class Family : uint8_t { V4, V6 };

	IpAddress() = default;
	static IpAddress v4(uint32_t hostOrder);
	/// Parses dotted IPv4 or textual IPv6 ("192.0.2.1", "2001:db8::1").
	static std::optional<IpAddress> parse(std::string_view text);

	Family family() const { return family_; }
	bool isV4() const { return family_ == Family::V4; }
	/// IPv4 only: the address as a host-order integer.
	uint32_t v4HostOrder() const;
	/// Network-order bytes; 4 significant for IPv4, 16 for IPv6.
	const std::array<uint8_t, 16> &bytes() const { return bytes_; }
	bool isUnspecified() const;
	std::string str() const;

	friend bool operator==(const IpAddress &, const IpAddress &) = default;
	// clang-tidy 14 mistakes the defaulted <=> for a literal 0 compared to a pointer.
	friend auto operator<=>(const IpAddress &, const IpAddress &) = default; // NOLINT(modernize-use-nullptr)

private:
	Family family_ = Family::V4;
	std::array<uint8_t, 16> bytes_{};
};

} // namespace l2tpsec
