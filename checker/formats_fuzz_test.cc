// Deterministic fuzzing of every history reader: random byte strings and random mutations of
// valid samples must give either a history or an error whose message starts with the source
// name, and never crash, hang or overflow the stack (run it under the asan preset).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "checker/edn.h"
#include "checker/formats.h"
#include "checker/text_util.h"
#include "common/rng.h"

namespace checker {
namespace {

constexpr char kSource[] = "fuzz.input";

const std::vector<std::string>& Samples() {
  static const std::vector<std::string> samples = {
      "{\"index\":0,\"process\":1,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"k\","
      "\"value\":[1,2]}\n{\"index\":1,\"process\":1,\"type\":\"ok\",\"f\":\"cas\","
      "\"value\":[1,2]}\n",
      "[{:process 0, :type :invoke, :f :write, :value 1}\n"
      " {:process 0, :type :ok, :f :write, :value 1, :time 12}\n"
      " {:process :nemesis, :type :info, :f :start, :value #{\"n1\" \"n2\"}}]\n",
      "{:type :invoke, :f :cas, :value [:k [1 2]], :process 0, :index 0}\n"
      "{:type :ok, :f :cas, :value [:k [1 2]], :process 0, :index 1, :x #inst \"2020\"}\n"
      "#jepsen.history.Op{:type :invoke, :f :read, :value [:k nil], :process 1, :index 2}\n",
      "; comment\n{:a \"s\\n\\u00e9\" :b \\newline :c 1/2 :d 1.5M :e 99999999999999999999999N "
      "#_ :f :g ^:m [1 (2 3)]}\n",
      "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 0\t:ok\t:read\t3\n"
      "INFO  jepsen.util - 2   :invoke :cas    [3 4]\n"
      "INFO  jepsen.util - 2   :fail   :cas    [3 4]\n"
      "INFO  jepsen.util - 4\t:info\t:write\t:timed-out\n"
      "INFO  jepsen.util - 17  :fail   :read   :timed-out\n",
      "{:process 0, :type :invoke, :f :put, :key \"9\", :value \"x 0 9 y\"}\n"
      "{:process 0, :type :ok, :f :put, :key \"9\", :value \"x 0 9 y\"}\n"
      "{:process 1, :type :invoke, :f :get, :key \"9\", :value nil}\n"
      "{:process 1, :type :ok, :f :get, :key \"9\", :value \"x 0 9 y\"}\n",
  };
  return samples;
}

using Reader = std::function<Status(std::string_view)>;

template <typename T>
Status StatusOf(const Result<T>& result) {
  return result.ok() ? Status::Ok() : result.status();
}

std::vector<std::pair<std::string, Reader>> Readers() {
  return {
      {"edn", [](std::string_view t) { return StatusOf(ParseEdn(t, kSource)); }},
      {"jsonl", [](std::string_view t) { return StatusOf(ParseJsonl(t, kSource)); }},
      {"jepsen-edn", [](std::string_view t) { return StatusOf(ParseJepsenEdn(t, kSource)); }},
      {"porcupine-etcd",
       [](std::string_view t) { return StatusOf(ParsePorcupineEtcd(t, kSource)); }},
      {"porcupine-kv", [](std::string_view t) { return StatusOf(ParsePorcupineKv(t, kSource)); }},
      {"auto",
       [](std::string_view t) { return StatusOf(ParseHistory(t, Format::kAuto, kSource)); }},
  };
}

char RandomByte(common::Rng& rng) {
  // Mostly the characters the grammars care about, so inputs get past the first token.
  static constexpr std::string_view kAlphabet =
      "{}[]()#_^:;\\\"', \t\n\r0123456789-+./eENMnil truefalse:process:type:invoke:ok"
      "INFO jepsen.util:read:cas:timed-out\xc3\xa9\xff";
  if (rng.Chance(1, 4)) return static_cast<char>(rng.Uniform(256));
  return kAlphabet[rng.Uniform(kAlphabet.size())];
}

std::string RandomBytes(common::Rng& rng) {
  std::string text(rng.Uniform(200), '\0');
  for (char& c : text) c = RandomByte(rng);
  return text;
}

std::string DeepNesting(common::Rng& rng) {
  static constexpr std::string_view kOpeners[] = {"[",    "{",   "(",        "#{",  "#_",
                                                  "^:m ", "#t ", "{\"a\":[", "{:a "};
  const std::string_view opener = kOpeners[rng.Uniform(std::size(kOpeners))];
  std::string text;
  const size_t count = rng.Chance(1, 2) ? 100000 : 600;
  text.reserve(opener.size() * count);
  for (size_t i = 0; i < count; ++i) text += opener;
  return text;
}

void Mutate(common::Rng& rng, std::string& text) {
  const size_t size = text.size();
  const size_t at = rng.Uniform(size + 1);
  switch (rng.Uniform(6)) {
    case 0:  // flip a byte
      if (size > 0) text[at % size] = static_cast<char>(text[at % size] ^ (1 << rng.Uniform(8)));
      break;
    case 1:  // insert bytes
      text.insert(at, 1 + rng.Uniform(3), RandomByte(rng));
      break;
    case 2:  // delete a range
      text.erase(at, rng.Uniform(8));
      break;
    case 3:  // truncate
      text.resize(at);
      break;
    case 4: {  // duplicate a slice somewhere else
      const std::string slice = text.substr(at, rng.Uniform(40));
      text.insert(rng.Uniform(text.size() + 1), slice);
      break;
    }
    default:  // splice in deep nesting, rarely: it is large
      if (rng.Chance(1, 50)) text.insert(at, DeepNesting(rng));
      break;
  }
}

void ExpectOkOrLocatedError(const std::pair<std::string, Reader>& reader, std::string_view text) {
  const Status status = reader.second(text);
  if (status.ok()) return;
  ASSERT_EQ(status.message().rfind(kSource, 0), 0u)
      << reader.first << " on \"" << text::Excerpt(text, 200) << "\": " << status.message();
}

TEST(FormatsFuzz, RandomBytesNeverCrashAnyReader) {
  common::Rng rng(20240601);
  const auto readers = Readers();
  for (int i = 0; i < 3000; ++i) {
    const std::string text = RandomBytes(rng);
    for (const auto& reader : readers)
      ASSERT_NO_FATAL_FAILURE(ExpectOkOrLocatedError(reader, text));
  }
}

TEST(FormatsFuzz, MutatedSamplesNeverCrashAnyReader) {
  common::Rng rng(77);
  const auto readers = Readers();
  for (int i = 0; i < 6000; ++i) {
    std::string text = Samples()[rng.Uniform(Samples().size())];
    const uint64_t mutations = 1 + rng.Uniform(4);
    for (uint64_t m = 0; m < mutations; ++m) Mutate(rng, text);
    for (const auto& reader : readers)
      ASSERT_NO_FATAL_FAILURE(ExpectOkOrLocatedError(reader, text));
  }
}

TEST(FormatsFuzz, DeepNestingIsAnErrorNotAStackOverflow) {
  common::Rng rng(5);
  const auto readers = Readers();
  for (int i = 0; i < 40; ++i) {
    const std::string text = DeepNesting(rng);
    for (const auto& reader : readers)
      ASSERT_NO_FATAL_FAILURE(ExpectOkOrLocatedError(reader, text));
  }
}

TEST(FormatsFuzz, ValidSamplesParse) {
  EXPECT_TRUE(ParseJsonl(Samples()[0], kSource).ok());
  EXPECT_TRUE(ParseJepsenEdn(Samples()[1], kSource).ok());
  EXPECT_TRUE(ParseJepsenEdn(Samples()[2], kSource).ok());
  EXPECT_TRUE(ParseEdn(Samples()[3], kSource).ok());
  EXPECT_TRUE(ParsePorcupineEtcd(Samples()[4], kSource).ok());
  EXPECT_TRUE(ParsePorcupineKv(Samples()[5], kSource).ok());
  for (const std::string& sample : Samples()) {
    auto history = ParseHistory(sample, Format::kAuto, kSource);
    if (sample.starts_with(";")) continue;  // an EDN map that is not an op
    EXPECT_TRUE(history.ok()) << history.status().message();
  }
}

}  // namespace
}  // namespace checker
