#include "checker/edn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace checker {
namespace {

Json Parse(std::string_view text) {
  auto value = ParseEdn(text, "t.edn");
  EXPECT_TRUE(value.ok()) << value.status().message();
  return value.ok() ? *value : Json();
}

std::string EdnError(std::string_view text) {
  auto value = ParseEdn(text, "t.edn");
  EXPECT_FALSE(value.ok()) << "parsed: " << (value.ok() ? value->dump() : "");
  return value.ok() ? "" : value.status().message();
}

TEST(Edn, ParsesScalars) {
  EXPECT_EQ(Parse("nil"), Json(nullptr));
  EXPECT_EQ(Parse("true"), Json(true));
  EXPECT_EQ(Parse("false"), Json(false));
  EXPECT_EQ(Parse("42"), Json(42));
  EXPECT_EQ(Parse("-7"), Json(-7));
  EXPECT_EQ(Parse("+7"), Json(7));
  EXPECT_EQ(Parse("42N"), Json(42));
  EXPECT_EQ(Parse("1.5"), Json(1.5));
  EXPECT_EQ(Parse("-1e3"), Json(-1000.0));
  EXPECT_EQ(Parse("2.5M"), Json(2.5));
  EXPECT_EQ(Parse("1/4"), Json(0.25));
  EXPECT_EQ(Parse(":read"), Json("read"));
  EXPECT_EQ(Parse(":jepsen/op"), Json("jepsen/op"));
  EXPECT_EQ(Parse("foo.bar/baz"), Json("foo.bar/baz"));
  EXPECT_EQ(Parse("-"), Json("-"));
  EXPECT_EQ(Parse("->x"), Json("->x"));
}

TEST(Edn, KeepsIntegersBeyondInt64Exactly) {
  EXPECT_EQ(Parse("9223372036854775807"), Json(INT64_MAX));
  EXPECT_EQ(Parse("18446744073709551615"), Json(UINT64_MAX));
  EXPECT_EQ(Parse("123456789012345678901234567890N"), Json("123456789012345678901234567890"));
  EXPECT_EQ(Parse("-9223372036854775809"), Json("-9223372036854775809"));
}

TEST(Edn, ParsesStringsWithEscapes) {
  EXPECT_EQ(Parse(R"("a\nb\tc\rd\"e\\f")"), Json("a\nb\tc\rd\"e\\f"));
  EXPECT_EQ(Parse(R"("\u00e9\u20AC")"), Json("\xc3\xa9\xe2\x82\xac"));
  EXPECT_EQ(Parse(R"("\ud83d\ude00")"), Json("\xf0\x9f\x98\x80"));
  EXPECT_EQ(Parse("\"two\nlines\""), Json("two\nlines"));
}

TEST(Edn, ParsesCharacters) {
  EXPECT_EQ(Parse("[\\a \\newline \\space \\tab \\u00e9 \\( \\\xc3\xa9]"),
            Json::array({"a", "\n", " ", "\t", "\xc3\xa9", "(", "\xc3\xa9"}));
}

TEST(Edn, ParsesNestedCollections) {
  EXPECT_EQ(Parse("[1 (2 3) #{4} {:a [5]}]"), Json::parse(R"([1, [2, 3], [4], {"a": [5]}])"));
  EXPECT_EQ(Parse("{:type :ok, :value [1 nil]}"),
            Json::parse(R"({"type": "ok", "value": [1, null]})"));
}

TEST(Edn, TagsMapsWithNonStringKeys) {
  EXPECT_EQ(Parse("{1 :a, [2] :b}"), Json::parse(R"({"#edn/map": [[1, "a"], [[2], "b"]]})"));
}

TEST(Edn, TreatsCommentsCommasAndDiscardsAsWhitespace) {
  EXPECT_EQ(Parse("; header\n[1,,2 #_ 3 #_#_ 4 5 6] ; tail"), Json::array({1, 2, 6}));
  EXPECT_EQ(Parse("^{:doc \"x\"} [1]"), Json::array({1}));
  EXPECT_EQ(Parse("^:private sym"), Json("sym"));
}

TEST(Edn, DropsTagsAndKeepsTheirValues) {
  EXPECT_EQ(Parse("#inst \"2024-01-02T03:04:05Z\""), Json("2024-01-02T03:04:05Z"));
  EXPECT_EQ(Parse("#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\""),
            Json("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
  EXPECT_EQ(Parse("#jepsen.history.Op{:index 0, :type :invoke}"),
            Json::parse(R"({"index": 0, "type": "invoke"})"));
  EXPECT_EQ(Parse("#my/tag [1]"), Json::array({1}));
}

TEST(Edn, ParsesSymbolicValues) {
  EXPECT_TRUE(std::isinf(Parse("##Inf").get<double>()));
  EXPECT_TRUE(std::isnan(Parse("##NaN").get<double>()));
}

TEST(Edn, ReadsTopLevelFormsWithTheirLines) {
  EdnReader reader("{:a 1}\n\n[{:b 2}\n {:c 3}]\n", "t.edn");
  auto first = reader.Next();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->line, 1);
  EXPECT_EQ((*first)->kind, EdnKind::kMap);
  auto second = reader.Next();
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->line, 3);
  EXPECT_EQ((*second)->kind, EdnKind::kVector);
  EXPECT_EQ((*second)->element_lines, (std::vector<int64_t>{3, 4}));
  auto end = reader.Next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST(Edn, ReportsUnclosedCollectionsAtTheirOpeningLine) {
  EXPECT_EQ(EdnError("\n{:a [1 2]\n:b 3"), "t.edn:2: map or set opened here is never closed");
  EXPECT_EQ(EdnError("[1 2"), "t.edn:1: vector opened here is never closed");
  EXPECT_EQ(EdnError("\"abc"), "t.edn:1: string opened here is never closed");
}

TEST(Edn, ReportsMismatchedAndStrayClosers) {
  EXPECT_EQ(EdnError("[1\n2)"),
            "t.edn:2: unexpected ')': expected ']' to close the vector opened at line 1");
  EXPECT_EQ(EdnError("1 ]"), "t.edn:1: unexpected ']'");
}

TEST(Edn, ReportsMalformedForms) {
  EXPECT_EQ(EdnError("{:a}"), "t.edn:1: map has an odd number of forms (1): a key has no value");
  EXPECT_EQ(EdnError("{:a 1 \"a\" 2}"), "t.edn:1: map has a duplicate key \"a\"");
  EXPECT_EQ(EdnError("1.2.3"), "t.edn:1: invalid number \"1.2.3\"");
  EXPECT_EQ(EdnError("1/0"), "t.edn:1: invalid number \"1/0\"");
  EXPECT_EQ(EdnError("\"\\q\""), "t.edn:1: unknown string escape '\\q'");
  EXPECT_EQ(EdnError("\"\\ud800\""), "t.edn:1: unpaired UTF-16 surrogate in \\u");
  EXPECT_EQ(EdnError("\\bogus"), "t.edn:1: unknown character literal \\bogus");
  EXPECT_EQ(EdnError("[#_]"), "t.edn:1: #_ has no form after it");
  EXPECT_EQ(EdnError("#inst"), "t.edn:1: tag #inst has no form after it");
  EXPECT_EQ(EdnError("#:ns{:a 1}"), "t.edn:1: unsupported dispatch '#:'");
  EXPECT_EQ(EdnError(":"), "t.edn:1: empty keyword ':'");
  EXPECT_EQ(EdnError("\"\xff\""), "t.edn:1: string is not valid UTF-8");
  EXPECT_EQ(EdnError(""), "t.edn:1: no EDN form in the input");
  EXPECT_EQ(EdnError("1\n2"), "t.edn:2: more than one EDN form in the input");
}

TEST(Edn, RejectsNestingBeyondTheDepthLimit) {
  EXPECT_EQ(Parse(std::string(512, '[') + std::string(512, ']')).size(), 1u);
  EXPECT_EQ(EdnError(std::string(100000, '[')), "t.edn:1: nesting deeper than 512 levels");
  EXPECT_EQ(EdnError(std::string(100000, '{')), "t.edn:1: nesting deeper than 512 levels");
  std::string discards;
  for (int i = 0; i < 100000; ++i) discards += "#_";
  EXPECT_EQ(EdnError(discards + "1"), "t.edn:1: nesting deeper than 512 levels");
}

}  // namespace
}  // namespace checker
