#include "orchestrator/run/backend/docker/log_demuxer.h"

#include <algorithm>

namespace orchestrator::docker {

using common::Status;

Status LogDemuxer::ParseHeader() {
  if (header_[0] > 2 || header_[1] != 0 || header_[2] != 0 || header_[3] != 0) {
    return Status::InvalidArgument("docker logs: not a multiplexed stream (frame header " +
                                   std::to_string(header_[0]) + " " + std::to_string(header_[1]) +
                                   " ...)");
  }
  stream_ = static_cast<LogStream>(header_[0]);
  payload_left_ = (uint32_t{header_[4]} << 24) | (uint32_t{header_[5]} << 16) |
                  (uint32_t{header_[6]} << 8) | uint32_t{header_[7]};
  return Status::Ok();
}

Status LogDemuxer::Feed(std::string_view chunk) {
  if (!error_.ok()) return error_;
  while (!chunk.empty()) {
    if (payload_left_ == 0 && header_bytes_ < kHeaderSize) {
      const size_t take = std::min(kHeaderSize - header_bytes_, chunk.size());
      std::copy_n(chunk.begin(), take, header_.begin() + static_cast<ptrdiff_t>(header_bytes_));
      header_bytes_ += take;
      chunk.remove_prefix(take);
      if (header_bytes_ < kHeaderSize) break;
      error_ = ParseHeader();
      if (!error_.ok()) return error_;
    }
    const size_t take = std::min<size_t>(payload_left_, chunk.size());
    if (take > 0) sink_(stream_, chunk.substr(0, take));
    payload_left_ -= static_cast<uint32_t>(take);
    chunk.remove_prefix(take);
    if (payload_left_ == 0) header_bytes_ = 0;  // the frame is complete
  }
  return Status::Ok();
}

Status LogDemuxer::Finish() const {
  if (!error_.ok()) return error_;
  if (header_bytes_ != 0 || payload_left_ != 0) {
    return Status::InvalidArgument("docker logs: the stream ended inside a frame");
  }
  return Status::Ok();
}

}  // namespace orchestrator::docker
