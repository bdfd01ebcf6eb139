// LogDemuxer: splits the multiplexed stream the Docker Engine sends for the logs (and attach)
// of a container without a TTY into its payloads.
//
// Stream format: a sequence of frames, each an 8-byte header followed by a payload:
//   byte 0     stream: 0 stdin, 1 stdout, 2 stderr
//   bytes 1-3  zero
//   bytes 4-7  payload length, big-endian uint32
// Frames arrive split across network chunks at any byte; Feed takes chunks as they come and
// passes each payload piece to the sink in stream order (stdout and stderr interleaved as the
// container wrote them). Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace orchestrator::docker {

enum class LogStream : uint8_t { kStdin = 0, kStdout = 1, kStderr = 2 };

class LogDemuxer {
 public:
  using Sink = std::function<void(LogStream stream, std::string_view payload)>;

  explicit LogDemuxer(Sink sink) : sink_(std::move(sink)) {}

  // InvalidArgument when a header names an unknown stream or has non-zero padding (the data is
  // not a multiplexed stream, e.g. a TTY container's raw output); later calls fail too.
  common::Status Feed(std::string_view chunk);

  // Call at the end of the stream: InvalidArgument when it stopped inside a frame.
  common::Status Finish() const;

 private:
  static constexpr size_t kHeaderSize = 8;

  common::Status ParseHeader();

  Sink sink_;
  std::array<unsigned char, kHeaderSize> header_{};
  size_t header_bytes_ = 0;    // header bytes of the current frame received so far
  uint32_t payload_left_ = 0;  // payload bytes of the current frame still to come
  LogStream stream_ = LogStream::kStdout;
  common::Status error_;
};

}  // namespace orchestrator::docker
