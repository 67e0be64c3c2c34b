#pragma once
// A strict reader for the subset of TOML 1.0 that l2tpsec.conf uses:
// comments, [table] and [[array-of-tables]] headers, key = value with basic
// and literal strings, integers, floats, booleans and arrays (over several
// lines, with comments and a trailing comma). Inline tables, dotted keys,
// multi-line strings and dates are refused with a message saying so.
//
// Why not toml++: Debian 12's toml++ 3.3 reaches __builtin_unreachable() on
// ordinary non-ASCII text such as "ü" outside strings (is_non_ascii_horizontal_
// whitespace for U+00A1..U+0499) and asserts on "[[[x]"; both were found by
// tests/fuzz/fuzz_config within seconds. A config parser has to be boring.
//
// Pure: text in, a document or the first error (with its line) out.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::toml {

struct Value {
	enum class Kind { String, Integer, Float, Boolean, Array };
	Kind kind = Kind::String;
	int line = 0;
	std::string text; ///< String: the decoded value; Float: as written
	int64_t integer = 0;
	bool boolean = false;
	std::vector<Value> items; ///< Array elements

	/// The value as written in an error message: "abc" quoted, 12, true, an array.
	std::string describe() const;
};

struct KeyValue {
	std::string key;
	int line = 0;
	Value value;
};

struct Table {
	std::string name;
	bool arrayElement = false; ///< written [[name]]
	int line = 0;
	std::vector<KeyValue> entries;
};

struct Document {
	std::vector<KeyValue> root; ///< keys before the first header
	std::vector<Table> tables;  ///< in file order
};

struct ParseError {
	int line = 0;
	std::string message;
};

struct ReadResult {
	std::optional<Document> document;
	ParseError error; ///< meaningful when !document
};

/// Text must already be valid UTF-8 (the loader checks that first).
ReadResult read(std::string_view text);

} // namespace l2tpsec::toml
