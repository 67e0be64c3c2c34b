#include "config/toml_reader.h"

#include <fmt/format.h>

#include <charconv>
#include <map>

namespace l2tpsec::toml {

std::string Value::describe() const
{
	switch (kind) {
	case Kind::String: return fmt::format("\"{}\"", text);
	case Kind::Integer: return std::to_string(integer);
	case Kind::Float: return text;
	case Kind::Boolean: return boolean ? "true" : "false";
	case Kind::Array: return "an array";
	}
	return "?";
}

namespace {

// Arrays inside arrays deeper than this are refused rather than recursed into.
constexpr int kMaxArrayDepth = 8;

struct Failure {
	ParseError error;
};

class Reader {
public:
	explicit Reader(std::string_view text) : s_(text) {}

	Document document()
	{
		Document doc;
		std::vector<KeyValue> *entries = &doc.root;
		std::map<std::string, int> tableLines; // [name] or [[name]] -> first line
		std::map<std::string, bool> tableIsArray;
		while (!atEnd()) {
			skipSpace();
			if (atEnd())
				break;
			char c = peek();
			if (c == '\n' || c == '\r' || c == '#') {
				endOfLine("");
				continue;
			}
			if (c == '[') {
				Table t = header();
				auto seen = tableLines.find(t.name);
				if (seen != tableLines.end()) {
					if (tableIsArray[t.name] != t.arrayElement)
						fail(t.line,
						     fmt::format(
						             "'{}' is written both [{}] and [[{}]] (first at line {})",
						             t.name, t.name, t.name, seen->second));
					if (!t.arrayElement)
						fail(t.line, fmt::format("[{}] is already defined at line {}", t.name,
						                         seen->second));
				} else {
					tableLines[t.name] = t.line;
					tableIsArray[t.name] = t.arrayElement;
				}
				doc.tables.push_back(std::move(t));
				entries = &doc.tables.back().entries;
				continue;
			}
			KeyValue kv = keyValue();
			for (auto &e : *entries)
				if (e.key == kv.key)
					fail(kv.line,
					     fmt::format("key '{}' is already set at line {}", kv.key, e.line));
			entries->push_back(std::move(kv));
		}
		return doc;
	}

private:
	[[noreturn]] void fail(int line, std::string message) { throw Failure{{line, std::move(message)}}; }
	[[noreturn]] void fail(std::string message) { fail(line_, std::move(message)); }

	bool atEnd() const { return pos_ >= s_.size(); }
	char peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
	bool lookingAt(std::string_view w) const { return s_.substr(pos_, w.size()) == w; }

	void skipSpace()
	{
		while (peek() == ' ' || peek() == '\t')
			pos_++;
	}

	// Whitespace, an optional comment, then a newline or the end of the text.
	void endOfLine(std::string_view after)
	{
		skipSpace();
		if (peek() == '#') {
			while (!atEnd() && peek() != '\n')
				pos_++;
		}
		if (peek() == '\r' && peek(1) == '\n')
			pos_++;
		if (atEnd())
			return;
		if (peek() != '\n')
			fail(fmt::format("expected the end of the line after {}, found '{}'", after, rest()));
		pos_++;
		line_++;
	}

	// What is left of this line, for messages.
	std::string rest() const
	{
		size_t end = s_.find('\n', pos_);
		std::string_view r =
		        s_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_);
		if (!r.empty() && r.back() == '\r')
			r.remove_suffix(1);
		if (r.size() > 40)
			return std::string(r.substr(0, 40)) + "...";
		return std::string(r);
	}

	static bool isBareKeyChar(char c)
	{
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		       c == '-';
	}

	std::string key()
	{
		std::string k;
		if (peek() == '"') {
			if (lookingAt("\"\"\""))
				fail("multi-line strings cannot be keys");
			k = basicString();
		} else if (peek() == '\'') {
			if (lookingAt("'''"))
				fail("multi-line strings cannot be keys");
			k = literalString();
		} else {
			while (isBareKeyChar(peek()))
				k += s_[pos_++];
			if (k.empty())
				fail(fmt::format("expected a key or a [section] header, found '{}'", rest()));
		}
		skipSpace();
		if (peek() == '.') {
			std::string next;
			for (size_t i = 1; isBareKeyChar(peek(i)); i++)
				next += peek(i);
			fail(fmt::format("dotted keys such as '{}.{}' are not used in l2tpsec.conf; write a [section]",
			                 k, next));
		}
		return k;
	}

	Table header()
	{
		Table t;
		t.line = line_;
		pos_++; // '['
		if (peek() == '[') {
			t.arrayElement = true;
			pos_++;
		}
		skipSpace();
		t.name = key();
		skipSpace();
		std::string_view close = t.arrayElement ? "]]" : "]";
		if (!lookingAt(close))
			fail(fmt::format("expected '{}' to close the header, found '{}'", close, rest()));
		pos_ += close.size();
		endOfLine(t.arrayElement ? "a [[table]] header" : "a [table] header");
		return t;
	}

	KeyValue keyValue()
	{
		KeyValue kv;
		kv.line = line_;
		kv.key = key();
		skipSpace();
		if (peek() != '=')
			fail(fmt::format("expected '=' after key '{}', found '{}'", kv.key, rest()));
		pos_++;
		skipSpace();
		kv.value = value(0);
		endOfLine("the value");
		return kv;
	}

	Value value(int depth)
	{
		Value v;
		v.line = line_;
		char c = peek();
		if (atEnd() || c == '\n' || c == '\r' || c == '#')
			fail("expected a value after '='");
		if (c == '"') {
			if (lookingAt("\"\"\""))
				fail("multi-line strings (\"\"\") are not used in l2tpsec.conf");
			v.kind = Value::Kind::String;
			v.text = basicString();
		} else if (c == '\'') {
			if (lookingAt("'''"))
				fail("multi-line strings (''') are not used in l2tpsec.conf");
			v.kind = Value::Kind::String;
			v.text = literalString();
		} else if (c == '[') {
			v = array(depth + 1);
		} else if (c == '{') {
			fail("inline tables ({...}) are not used in l2tpsec.conf; write a [section]");
		} else if (lookingAt("true") && !isBareKeyChar(peek(4))) {
			v.kind = Value::Kind::Boolean;
			v.boolean = true;
			pos_ += 4;
		} else if (lookingAt("false") && !isBareKeyChar(peek(5))) {
			v.kind = Value::Kind::Boolean;
			pos_ += 5;
		} else {
			v = number();
		}
		return v;
	}

	Value array(int depth)
	{
		if (depth > kMaxArrayDepth)
			fail(fmt::format("arrays nested deeper than {} levels", kMaxArrayDepth));
		Value v;
		v.kind = Value::Kind::Array;
		v.line = line_;
		pos_++; // '['
		while (true) {
			skipArrayFiller();
			if (peek() == ']') {
				pos_++;
				return v;
			}
			if (atEnd())
				fail(v.line, "the array opened here is never closed with ']'");
			v.items.push_back(value(depth));
			skipArrayFiller();
			if (peek() == ',') {
				pos_++;
				continue;
			}
			if (peek() == ']') {
				pos_++;
				return v;
			}
			if (atEnd())
				fail(v.line, "the array opened here is never closed with ']'");
			fail(fmt::format("expected ',' or ']' in the array, found '{}'", rest()));
		}
	}

	// Inside arrays: whitespace, newlines and comments.
	void skipArrayFiller()
	{
		while (true) {
			skipSpace();
			if (peek() == '#') {
				while (!atEnd() && peek() != '\n')
					pos_++;
			} else if (peek() == '\r' && peek(1) == '\n') {
				pos_++;
			} else if (peek() == '\n') {
				pos_++;
				line_++;
			} else {
				return;
			}
		}
	}

	static void appendUtf8(std::string &out, uint32_t cp)
	{
		if (cp < 0x80) {
			out += static_cast<char>(cp);
		} else if (cp < 0x800) {
			out += static_cast<char>(0xc0 | (cp >> 6));
			out += static_cast<char>(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out += static_cast<char>(0xe0 | (cp >> 12));
			out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
			out += static_cast<char>(0x80 | (cp & 0x3f));
		} else {
			out += static_cast<char>(0xf0 | (cp >> 18));
			out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
			out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
			out += static_cast<char>(0x80 | (cp & 0x3f));
		}
	}

	// "..." with TOML's escapes; the text never spans lines.
	std::string basicString()
	{
		pos_++; // '"'
		std::string out;
		while (true) {
			if (atEnd() || peek() == '\n' || peek() == '\r')
				fail("the string is not closed with '\"' on its line");
			char c = s_[pos_++];
			if (c == '"')
				return out;
			if (c != '\\') {
				out += c;
				continue;
			}
			char e = peek();
			pos_++;
			switch (e) {
			case 'b': out += '\b'; break;
			case 't': out += '\t'; break;
			case 'n': out += '\n'; break;
			case 'f': out += '\f'; break;
			case 'r': out += '\r'; break;
			case '"': out += '"'; break;
			case '\\': out += '\\'; break;
			case 'u':
			case 'U': {
				size_t digits = e == 'u' ? 4 : 8;
				uint32_t cp = 0;
				for (size_t i = 0; i < digits; i++) {
					char h = peek();
					int d = h >= '0' && h <= '9'   ? h - '0'
					        : h >= 'a' && h <= 'f' ? h - 'a' + 10
					        : h >= 'A' && h <= 'F' ? h - 'A' + 10
					                               : -1;
					if (d < 0)
						fail(fmt::format("\\{} needs {} hex digits", e, digits));
					cp = cp * 16 + static_cast<uint32_t>(d);
					pos_++;
				}
				if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
					fail(fmt::format("\\{} escape names no Unicode character", e));
				appendUtf8(out, cp);
				break;
			}
			default: fail(fmt::format("unknown escape '\\{}' in a string", e == '\n' ? 'n' : e));
			}
		}
	}

	// '...' taken literally; the text never spans lines.
	std::string literalString()
	{
		pos_++; // '\''
		size_t end = pos_;
		while (end < s_.size() && s_[end] != '\'' && s_[end] != '\n')
			end++;
		if (end >= s_.size() || s_[end] != '\'')
			fail("the string is not closed with \"'\" on its line");
		std::string out(s_.substr(pos_, end - pos_));
		pos_ = end + 1;
		return out;
	}

	Value number()
	{
		Value v;
		v.line = line_;
		size_t start = pos_;
		while (!atEnd() && (isBareKeyChar(peek()) || peek() == '+' || peek() == '.' || peek() == ':'))
			pos_++;
		std::string_view word = s_.substr(start, pos_ - start);
		if (word.empty())
			fail(fmt::format("expected a value, found '{}'", rest()));
		bool dateLike = word.size() >= 5 && word[4] == '-' &&
		                word.substr(0, 4).find_first_not_of("0123456789") == std::string_view::npos;
		if (word.find(':') != std::string_view::npos || dateLike)
			fail("dates and times are not used in l2tpsec.conf");
		// Digits with single underscores between them (TOML 1.0, "Integer").
		std::string digits;
		bool lastUnderscore = true;
		for (char c : word) {
			if (c == '_') {
				if (lastUnderscore)
					fail(fmt::format("'{}' is not a number", word));
				lastUnderscore = true;
				continue;
			}
			lastUnderscore = false;
			digits += c;
		}
		if (lastUnderscore)
			fail(fmt::format("'{}' is not a number, a string (quote it) or true/false", word));
		std::string_view d = digits;
		bool isFloat = d.find_first_of(".eE") != std::string_view::npos || d == "inf" || d == "+inf" ||
		               d == "-inf" || d == "nan" || d == "+nan" || d == "-nan";
		if (isFloat) {
			double f;
			auto [p, ec] = std::from_chars(d.data() + (d[0] == '+'), d.data() + d.size(), f);
			bool ok = (ec == std::errc() || ec == std::errc::result_out_of_range) &&
			          p == d.data() + d.size() && d.back() != '.' &&
			          d.find(".e") == std::string_view::npos && d.find("e.") == std::string_view::npos;
			if (!ok && d.find("inf") == std::string_view::npos && d.find("nan") == std::string_view::npos)
				fail(fmt::format("'{}' is not a number, a string (quote it) or true/false", word));
			v.kind = Value::Kind::Float;
			v.text = std::string(word);
			return v;
		}
		std::string_view body = d;
		if (!body.empty() && (body[0] == '+' || body[0] == '-'))
			body.remove_prefix(1);
		if (body.empty() || body.find_first_not_of("0123456789") != std::string_view::npos)
			fail(fmt::format("'{}' is not a number, a string (quote it) or true/false", word));
		if (body.size() > 1 && body[0] == '0')
			fail(fmt::format("'{}': integers may not have leading zeros", word));
		int64_t n;
		auto [p, ec] = std::from_chars(d.data() + (d[0] == '+'), d.data() + d.size(), n);
		if (ec != std::errc() || p != d.data() + d.size())
			fail(fmt::format("'{}' is out of range for an integer", word));
		v.kind = Value::Kind::Integer;
		v.integer = n;
		return v;
	}

	std::string_view s_;
	size_t pos_ = 0;
	int line_ = 1;
};

} // namespace

ReadResult read(std::string_view text)
{
	ReadResult r;
	// Failure is thrown only inside Reader and caught here: the parser's
	// way of unwinding, never part of its API.
	try {
		r.document = Reader(text).document();
	} catch (const Failure &f) {
		r.error = f.error;
	}
	return r;
}

} // namespace l2tpsec::toml
