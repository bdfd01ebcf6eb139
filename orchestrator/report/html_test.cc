#include "orchestrator/report/html.h"

#include <gtest/gtest.h>

#include "orchestrator/report/timeline_data.h"

namespace orchestrator::report {
namespace {

TEST(EscapeHtml, EscapesMarkupAndQuotes) {
  EXPECT_EQ(EscapeHtml("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
}

TEST(EscapeHtml, ReplacesInvalidUtf8) {
  EXPECT_EQ(EscapeHtml("a\xff"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(EscapeHtml("\xC3\xA9"), "\xC3\xA9");                 // é stays
  EXPECT_EQ(ValidUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut short
}

TEST(JsonForScript, CannotCloseTheScriptBlock) {
  const std::string text = JsonForScript({{"v", "</script><!-- & >"}});
  EXPECT_EQ(text, R"({"v":"\u003c/script\u003e\u003c!-- \u0026 \u003e"})");
  EXPECT_EQ(nlohmann::json::parse(text)["v"], "</script><!-- & >");
}

TEST(EscapeUrlPath, EncodesEverythingButPlainPathCharacters) {
  EXPECT_EQ(EscapeUrlPath("t/20261126T000000Z/report.html"), "t/20261126T000000Z/report.html");
  EXPECT_EQ(EscapeUrlPath("javascript:alert(1)#?\" "), "javascript%3Aalert%281%29%23%3F%22%20");
}

TEST(ShellQuote, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(ShellCommand({"splitbrain", "run", "--nemesis", "kill,pause", "--name", "a b",
                          "--store", "it's"}),
            "splitbrain run --nemesis kill,pause --name 'a b' --store 'it'\\''s'");
  EXPECT_EQ(ShellQuote(""), "''");
}

TEST(NiceBinWidth, CutsTheSpanIntoAtMostMaxBins) {
  EXPECT_DOUBLE_EQ(NiceBinWidth(15.2, 200), 0.1);
  EXPECT_DOUBLE_EQ(NiceBinWidth(153, 25), 10);
  EXPECT_DOUBLE_EQ(NiceBinWidth(0, 10), 1);
}

}  // namespace
}  // namespace orchestrator::report
