#pragma once
// Result<T>: a value or an Error, the return type of every fallible API.
//
// This is a small stand-in for std::expected. GCC 12 has std::expected, but the
// fuzz targets are built with Debian's clang 14, whose concepts level makes
// libstdc++ 12 hide <expected>; one portable type keeps every module fuzzable.

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace l2tpsec {

/// What went wrong: an errno-style code (0 when none applies) and a message
/// that names what failed, e.g. "XFRM_MSG_NEWSA spi 0x1234: File exists".
struct Error {
	int code = 0;
	std::string message;
};

/// An Error with strerror(code) appended: "bind 0.0.0.0:1701: Address in use".
inline Error errnoError(int code, std::string context)
{
	context += ": ";
	context += std::strerror(code);
	return Error{code, std::move(context)};
}

/// errnoError() for the current errno.
inline Error sysError(std::string context)
{
	return errnoError(errno, std::move(context));
}

template <typename T>
class [[nodiscard]] Result {
public:
	Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
	Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

	bool ok() const { return v_.index() == 0; }
	explicit operator bool() const { return ok(); }

	T &value() & { return std::get<0>(v_); }
	const T &value() const & { return std::get<0>(v_); }
	T &&value() && { return std::get<0>(std::move(v_)); }
	T &operator*() & { return value(); }
	const T &operator*() const & { return value(); }
	T *operator->() { return &value(); }
	const T *operator->() const { return &value(); }

	const Error &error() const & { return std::get<1>(v_); }
	Error &&error() && { return std::get<1>(std::move(v_)); }

private:
	std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
	Result() = default;
	Result(Error error) : error_(std::move(error)) {}

	bool ok() const { return !error_; }
	explicit operator bool() const { return ok(); }

	const Error &error() const & { return *error_; }
	Error &&error() && { return std::move(*error_); }

private:
	std::optional<Error> error_;
};

} // namespace l2tpsec

/// Returns the error of a failed Result from the enclosing function.
#define L2S_TRY(expr)                                                                                                  \
	do {                                                                                                           \
		auto l2sTryResult_ = (expr);                                                                           \
		if (!l2sTryResult_)                                                                                    \
			return std::move(l2sTryResult_).error();                                                       \
	} while (0)
