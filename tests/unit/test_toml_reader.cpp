// The TOML-subset reader behind l2tpsec.conf: what it accepts, what it
// refuses and the exact line and words of each refusal.

#include "config/toml_reader.h"

#include <doctest.h>

using namespace l2tpsec;
using Kind = toml::Value::Kind;

namespace {
toml::Document ok(std::string_view text)
{
	auto r = toml::read(text);
	if (!r.document)
		FAIL(r.error.line << ": " << r.error.message);
	return *r.document;
}

std::string err(std::string_view text)
{
	auto r = toml::read(text);
	REQUIRE(!r.document);
	return std::to_string(r.error.line) + ": " + r.error.message;
}
} // namespace

TEST_CASE("tables, keys and every value kind")
{
	auto d = ok("# comment\n\n[server] # trailing\nname = \"a\\tb\\u00e9\\U0001F600\\\\\\\"\"\n"
	            "lit = 'C:\\path'\nn = -42\nbig = 1_000_000\nf = 12.5\ne = 1e3\nyes = true\nno = false\n"
	            "\"quoted key\" = 1\n[[lac]]\nx = [\n  1, # one\n  2,\n]\n[[lac]]\nempty = []\nnested = [[1], "
	            "['a']]\n");
	CHECK(d.root.empty());
	REQUIRE(d.tables.size() == 3);
	auto &s = d.tables[0];
	CHECK(s.name == "server");
	CHECK(!s.arrayElement);
	CHECK(s.line == 3);
	REQUIRE(s.entries.size() == 9);
	CHECK(s.entries[0].key == "name");
	CHECK(s.entries[0].line == 4);
	CHECK(s.entries[0].value.text == "a\tb\xc3\xa9\xf0\x9f\x98\x80\\\"");
	CHECK(s.entries[1].value.text == "C:\\path");
	CHECK(s.entries[2].value.kind == Kind::Integer);
	CHECK(s.entries[2].value.integer == -42);
	CHECK(s.entries[3].value.integer == 1000000);
	CHECK(s.entries[4].value.kind == Kind::Float);
	CHECK(s.entries[4].value.describe() == "12.5");
	CHECK(s.entries[5].value.kind == Kind::Float);
	CHECK(s.entries[6].value.boolean);
	CHECK(s.entries[7].value.kind == Kind::Boolean);
	CHECK(!s.entries[7].value.boolean);
	CHECK(s.entries[8].key == "quoted key");
	CHECK(d.tables[1].arrayElement);
	auto &arr = d.tables[1].entries[0].value;
	CHECK(arr.kind == Kind::Array);
	CHECK(arr.line == 14);
	REQUIRE(arr.items.size() == 2);
	CHECK(arr.items[1].integer == 2);
	CHECK(arr.items[1].line == 16);
	CHECK(d.tables[2].entries[0].value.items.empty());
	CHECK(d.tables[2].entries[1].value.items[1].items[0].text == "a");
}

TEST_CASE("CRLF line endings and a missing final newline")
{
	auto d = ok("[a]\r\nx = 1\r\ny = \"z\"");
	REQUIRE(d.tables[0].entries.size() == 2);
	CHECK(d.tables[0].entries[1].line == 3);
}

TEST_CASE("keys before any header land in root")
{
	auto d = ok("x = 1\n[a]\n");
	REQUIRE(d.root.size() == 1);
	CHECK(d.root[0].key == "x");
}

TEST_CASE("refusals name the line and the problem")
{
	CHECK(err("[a]\nx = 1\nx = 2\n") == "3: key 'x' is already set at line 2");
	CHECK(err("[a]\n[b]\n[a]\n") == "3: [a] is already defined at line 1");
	CHECK(err("[a\n") == "1: expected ']' to close the header, found ''");
	CHECK(err("[[a]\n") == "1: expected ']]' to close the header, found ']'");
	CHECK(err("[a] x\n") == "1: expected the end of the line after a [table] header, found 'x'");
	CHECK(err("[a.b]\n") == "1: dotted keys such as 'a.b' are not used in l2tpsec.conf; write a [section]");
	CHECK(err("a.b = 1\n") == "1: dotted keys such as 'a.b' are not used in l2tpsec.conf; write a [section]");
	CHECK(err("x 1\n") == "1: expected '=' after key 'x', found '1'");
	CHECK(err("x =\n") == "1: expected a value after '='");
	CHECK(err("x = # c\n") == "1: expected a value after '='");
	CHECK(err("x = 1 2\n") == "1: expected the end of the line after the value, found '2'");
	CHECK(err("x = \"abc\n") == "1: the string is not closed with '\"' on its line");
	CHECK(err("x = 'abc\n") == "1: the string is not closed with \"'\" on its line");
	CHECK(err("x = \"\\q\"\n") == "1: unknown escape '\\q' in a string");
	CHECK(err("x = \"\\u12\"\n") == "1: \\u needs 4 hex digits");
	CHECK(err("x = \"\\ud800\"\n") == "1: \\u escape names no Unicode character");
	CHECK(err("x = \"\"\"a\"\"\"\n") == "1: multi-line strings (\"\"\") are not used in l2tpsec.conf");
	CHECK(err("x = '''a'''\n") == "1: multi-line strings (''') are not used in l2tpsec.conf");
	CHECK(err("x = {a = 1}\n") == "1: inline tables ({...}) are not used in l2tpsec.conf; write a [section]");
	CHECK(err("x = 1979-05-27\n") == "1: dates and times are not used in l2tpsec.conf");
	CHECK(err("x = 07:32:00\n") == "1: dates and times are not used in l2tpsec.conf");
	CHECK(err("x = yes\n") == "1: 'yes' is not a number, a string (quote it) or true/false");
	CHECK(err("x = 1__0\n") == "1: '1__0' is not a number");
	CHECK(err("x = 10_\n") == "1: '10_' is not a number, a string (quote it) or true/false");
	CHECK(err("x = 007\n") == "1: '007': integers may not have leading zeros");
	CHECK(err("x = 99999999999999999999\n") == "1: '99999999999999999999' is out of range for an integer");
	CHECK(err("x = 1.\n") == "1: '1.' is not a number, a string (quote it) or true/false");
	CHECK(err("x = [1,\n2\n") == "1: the array opened here is never closed with ']'");
	CHECK(err("x = [1 2]\n") == "1: expected ',' or ']' in the array, found '2]'");
	CHECK(err("x = [[[[[[[[[1]]]]]]]]]\n") == "1: arrays nested deeper than 8 levels");
	CHECK(err("= 1\n") == "1: expected a key or a [section] header, found '= 1'");
}

TEST_CASE("deep nesting is refused without deep recursion")
{
	std::string deep = "x = " + std::string(100000, '[');
	CHECK(err(deep) == "1: arrays nested deeper than 8 levels");
}
