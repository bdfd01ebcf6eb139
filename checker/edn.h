// EdnReader: reads EDN (extensible data notation, https://github.com/edn-format/edn), the text
// form of Clojure data that Jepsen and Knossos write histories in, into nlohmann JSON values.
//
// Mapping, chosen so that Jepsen histories become the JSON our checker already understands:
//
//   nil, true, false        null, true, false
//   "text"                  string; escapes \n \t \r \b \f \" \\ \uXXXX (surrogate pairs joined)
//   :read  :foo/bar         "read", "foo/bar": keywords lose their colon ("::x" gives ":x")
//   symbol  foo/bar         "symbol", "foo/bar"
//   \a \newline \u00e9      a one-character string ("a", "\n", "é")
//   42  -7  42N             integer. Beyond int64: uint64 if it fits, else a string of the
//                           digits ("123456789012345678901234"), so equal values stay equal
//                           (a double would merge distinct big numbers)
//   1.5  1e3  1.5M  1/3     double (M decimals and ratios are approximated)
//   ##Inf ##-Inf ##NaN      double infinity and NaN
//   [..] (..) #{..}         array (a set keeps the written order)
//   {k v ..}                object, when every key is a string, keyword or symbol;
//                           otherwise {"#edn/map": [[k, v], ..]}: an object with the single key
//                           "#edn/map" holding the pairs in written order (a JSON object cannot
//                           have non-string keys; the tag keeps it distinct from a plain vector)
//   #inst "..", #uuid ".."  the tagged value: tags are dropped (records such as
//   #jepsen.history.Op{..}  #jepsen.history.Op{...} become their map)
//   #"regex"                string
//   #_ form                 discarded;  ^meta form: the metadata is discarded
//   ; comment, commas       whitespace
//
// Duplicate keys in one map are an error, including keys that collide after the mapping
// (:a and "a"). Not supported (an error): #:ns{} namespaced maps, #() and other reader macros,
// radix and hex integers. Strings, symbols and keywords must be valid UTF-8.
//
// Guarantees: never crashes, hangs or overflows the stack on any input; nesting deeper than
// `max_depth` (collections, tags, #_ and ^ all count) is an error. Errors are InvalidArgument
// "SOURCE:LINE: reason", with LINE the 1-based line where the offending form starts. Runs in
// time linear in the input. Not thread-safe; a reader is cheap, use one per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/history.h"

namespace checker {

enum class EdnKind : uint8_t { kScalar, kMap, kVector, kList, kSet };

// One top-level form.
struct EdnForm {
  Json value;
  EdnKind kind = EdnKind::kScalar;
  int64_t line = 0;  // where the form starts
  // For a top-level vector, list or set: the line where each element starts (Knossos files
  // hold one vector of ops, and errors about an op should name the op's own line).
  std::vector<int64_t> element_lines;
};

struct EdnOptions {
  int max_depth = 512;
};

// The character classes of EDN, shared by the reader's two files (edn.cc, edn_atoms.cc).
namespace edn {
inline bool IsWhitespace(char c) {
  return c == ' ' || c == ',' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}
// A character that ends a token: a bracket, a quote, a comment, a backslash or whitespace.
inline bool IsDelimiter(char c) {
  switch (c) {
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case '"':
    case ';':
    case '\\':
      return true;
    default:
      return IsWhitespace(c);
  }
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
}  // namespace edn

class EdnReader {
 public:
  // `text` must outlive the reader; `source` names it in messages.
  EdnReader(std::string_view text, std::string source, EdnOptions options = {});

  // The next top-level form, or std::nullopt at the end of the input.
  Result<std::optional<EdnForm>> Next();

 private:
  // edn.cc: forms, collections, maps, dispatch.
  void SkipWhitespace();
  Status Error(int64_t line, std::string_view reason) const;
  Status ReadForm(int depth, Json* out, bool* produced, EdnKind* kind,
                  std::vector<int64_t>* element_lines);
  Status ReadRequired(int depth, std::string_view what, int64_t what_line, Json* out,
                      EdnKind* kind = nullptr, std::vector<int64_t>* element_lines = nullptr);
  Status ReadCollection(char close, int depth, std::vector<Json>* items,
                        std::vector<int64_t>* element_lines);
  Status ReadMap(int depth, Json* out);
  Status ReadDispatch(int depth, Json* out, bool* produced, EdnKind* kind,
                      std::vector<int64_t>* element_lines);
  // edn_atoms.cc: strings, characters, tokens, numbers.
  Status ReadString(Json* out);
  Status ReadStringBody(std::string* out);
  Status ReadEscape(std::string* out);
  Status ReadCharacter(Json* out);
  Status ReadAtom(Json* out);
  Status ReadNumber(std::string_view token, Json* out) const;
  std::string_view ReadToken();

  std::string_view text_;
  std::string source_;
  EdnOptions options_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

// Parses a text holding exactly one EDN form.
Result<Json> ParseEdn(std::string_view text, const std::string& source);

}  // namespace checker
