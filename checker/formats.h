// Readers of the history formats splitbrain checks, and format detection.
//
// - jsonl:          our own format (history.h), one JSON object per line;
// - jepsen-edn:     a Jepsen store's history.edn (one EDN map per line) or a Knossos-style file
//                   (one EDN vector of maps), with Jepsen's semantics (edn.h, jepsen_edn.cc);
// - porcupine-etcd: Porcupine's etcd Jepsen logs ("INFO jepsen.util - 3 :invoke :read nil");
// - porcupine-kv:   Porcupine's kv logs ({:process 0, :type :invoke, :f :get, :key "9", ...}).
//
// Every reader returns a History of Events; malformed input gives an InvalidArgument status whose
// message starts with "SOURCE:LINE: " and says what is wrong. Readers never crash or hang on any
// input (fuzzed by formats_fuzz_test.cc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "checker/history.h"

namespace checker {

enum class Format { kAuto, kJsonl, kJepsenEdn, kPorcupineEtcd, kPorcupineKv };

std::string_view FormatName(Format format);
Result<Format> ParseFormatName(std::string_view name);
std::vector<std::string> FormatNames();

// Guesses the format from the first non-blank lines of `text`.
Result<Format> DetectFormat(std::string_view text, const std::string& source);

// The model a format implies when the user names none: porcupine-etcd -> cas-register,
// porcupine-kv -> kv, jsonl and jepsen-edn -> cas-register.
std::string_view DefaultModelFor(Format format);

Result<History> ParseJsonl(std::string_view text, const std::string& source);
Result<History> ParseJepsenEdn(std::string_view text, const std::string& source);
Result<History> ParsePorcupineEtcd(std::string_view text, const std::string& source);
Result<History> ParsePorcupineKv(std::string_view text, const std::string& source);

// Parses `text` in `format` (kAuto detects it first).
Result<History> ParseHistory(std::string_view text, Format format, const std::string& source);
// Reads the file at `path` and parses it; the source in messages is the path.
Result<History> ReadHistoryFile(const std::string& path, Format format);

}  // namespace checker
