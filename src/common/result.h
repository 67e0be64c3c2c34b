#pragma once
// Result<T, E>: a value or an error (an Error unless a module needs more,
// like the L2TP codec's DecodeError), the return type of every fallible API.
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

template <typename T, typename E = Error>
class [[nodiscard]] Result {
public:
	using ValueType = T;
	using ErrorType = E;

	Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
	Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}

	bool ok() const { return v_.index() == 0; }
	explicit operator bool() const { return ok(); }

	T &value() & { return std::get<0>(v_); }
	const T &value() const & { return std::get<0>(v_); }
	T &&value() && { return std::get<0>(std::move(v_)); }
	T &operator*() & { return value(); }
	const T &operator*() const & { return value(); }
	T *operator->() { return &value(); }
	const T *operator->() const { return &value(); }

	const E &error() const & { return std::get<1>(v_); }
	E &&error() && { return std::get<1>(std::move(v_)); }

private:
	std::variant<T, E> v_;
};

template <typename E>
class [[nodiscard]] Result<void, E> {
public:
	using ValueType = void;
	using ErrorType = E;

	Result() = default;
	Result(E error) : error_(std::move(error)) {}

	bool ok() const { return !error_; }
	explicit operator bool() const { return ok(); }

	const E &error() const & { return *error_; }
	E &&error() && { return std::move(*error_); }

private:
	std::optional<E> error_;
};

} // namespace l2tpsec

#define L2S_CONCAT_INNER_(a, b) a##b
#define L2S_CONCAT_(a, b) L2S_CONCAT_INNER_(a, b)

/// Returns the error of a failed Result from the enclosing function.
#define L2S_TRY(expr)                                                                                                  \
	do {                                                                                                           \
		auto l2sTryResult_ = (expr);                                                                           \
		if (!l2sTryResult_)                                                                                    \
			return std::move(l2sTryResult_).error();                                                       \
	} while (0)

/// `L2S_TRY_ASSIGN(auto fd, openSocket());` or `L2S_TRY_ASSIGN(msg.id, parseId(a));`:
/// the value of a Result into a new variable or an existing lvalue, or its
/// error returned from the enclosing function. It expands to several
/// statements (the declaration must stay in the caller's scope), so it is
/// never the lone body of an unbraced if or loop.
/// (`lhs` is a declaration or an lvalue and `tmp` a name, so neither can be
/// parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define L2S_TRY_ASSIGN(lhs, expr) L2S_TRY_ASSIGN_IMPL_(L2S_CONCAT_(l2sTryValue_, __LINE__), lhs, expr)
#define L2S_TRY_ASSIGN_IMPL_(tmp, lhs, expr)                                                                           \
	auto tmp = (expr);                                                                                             \
	if (!tmp)                                                                                                      \
		return std::move(tmp).error();                                                                         \
	lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
