#pragma once
// The error codes of the ISAKMP codec. Error::code tells the engine which
// notify (if any) to answer with; Error::message names the field that failed.

#include "common/result.h"

#include <cerrno>
#include <string>
#include <string_view>

namespace l2tpsec::ike {

/// Truncated, overlong or otherwise invalid bytes (PAYLOAD-MALFORMED,
/// BAD-PROPOSAL-SYNTAX and friends).
inline constexpr int kErrMalformed = EBADMSG;
/// An ISAKMP major version other than 1 (INVALID-MAJOR-VERSION; an IKEv2
/// packet on the IKEv1 port lands here).
inline constexpr int kErrVersion = EPROTONOSUPPORT;
/// Well-formed, but a DOI or situation this codec cannot lay out
/// (DOI-NOT-SUPPORTED, SITUATION-NOT-SUPPORTED).
inline constexpr int kErrUnsupported = ENOTSUP;
/// A builder was handed a field that does not fit its length field.
inline constexpr int kErrTooLarge = EMSGSIZE;

inline Error malformed(std::string what)
{
	return Error{kErrMalformed, "malformed ISAKMP data: " + std::move(what)};
}

/// An error from a nested parser with the enclosing field named in front:
/// "malformed ISAKMP data: proposal 0 transform 1: attribute 2 ...".
inline Error withContext(Error e, const std::string &what)
{
	static constexpr std::string_view kPrefix = "malformed ISAKMP data: ";
	size_t at = e.message.starts_with(kPrefix) ? kPrefix.size() : 0;
	e.message.insert(at, what + ": ");
	return e;
}

inline Error tooLarge(std::string what)
{
	return Error{kErrTooLarge, "ISAKMP field too large: " + std::move(what)};
}

} // namespace l2tpsec::ike
