#include "orchestrator/run/backend/docker/log_demuxer.h"

#include <gtest/gtest.h>

#include <string>

namespace orchestrator::docker {
namespace {

std::string Frame(uint8_t stream, std::string_view payload) {
  const auto size = static_cast<uint32_t>(payload.size());
  std::string frame = {static_cast<char>(stream),
                       0,
                       0,
                       0,
                       static_cast<char>(size >> 24),
                       static_cast<char>(size >> 16),
                       static_cast<char>(size >> 8),
                       static_cast<char>(size)};
  return frame + std::string(payload);
}

// Collects what the demuxer passes on, tagging stderr pieces.
class LogDemuxerTest : public ::testing::Test {
 protected:
  LogDemuxer demuxer_{[this](LogStream stream, std::string_view payload) {
    output_ += stream == LogStream::kStderr ? "[err]" : "";
    output_ += payload;
  }};
  std::string output_;
};

TEST_F(LogDemuxerTest, WholeFramesInOneChunk) {
  ASSERT_TRUE(demuxer_.Feed(Frame(1, "out\n") + Frame(2, "bad\n") + Frame(1, "more\n")).ok());
  EXPECT_TRUE(demuxer_.Finish().ok());
  EXPECT_EQ(output_, "out\n[err]bad\nmore\n");
}

TEST_F(LogDemuxerTest, FramesSplitAtEveryByte) {
  const std::string stream = Frame(1, "hello ") + Frame(1, "world");
  for (const char byte : stream) ASSERT_TRUE(demuxer_.Feed(std::string(1, byte)).ok());
  EXPECT_TRUE(demuxer_.Finish().ok());
  EXPECT_EQ(output_, "hello world");
}

TEST_F(LogDemuxerTest, EmptyFrameIsSkipped) {
  ASSERT_TRUE(demuxer_.Feed(Frame(1, "") + Frame(1, "x")).ok());
  EXPECT_TRUE(demuxer_.Finish().ok());
  EXPECT_EQ(output_, "x");
}

TEST_F(LogDemuxerTest, LargeFrameLengthIsBigEndian) {
  const std::string payload(70000, 'p');
  ASSERT_TRUE(demuxer_.Feed(Frame(1, payload)).ok());
  EXPECT_TRUE(demuxer_.Finish().ok());
  EXPECT_EQ(output_, payload);
}

TEST_F(LogDemuxerTest, StreamEndingInsideAFrameIsAnError) {
  const std::string frame = Frame(1, "truncated");
  ASSERT_TRUE(demuxer_.Feed(frame.substr(0, frame.size() - 2)).ok());
  EXPECT_EQ(demuxer_.Finish().code(), common::StatusCode::kInvalidArgument);
}

TEST_F(LogDemuxerTest, StreamEndingInsideAHeaderIsAnError) {
  ASSERT_TRUE(demuxer_.Feed(Frame(1, "x").substr(0, 3)).ok());
  EXPECT_EQ(demuxer_.Finish().code(), common::StatusCode::kInvalidArgument);
}

TEST_F(LogDemuxerTest, RawTextIsRejected) {
  EXPECT_EQ(demuxer_.Feed("plain text from a TTY\n").code(), common::StatusCode::kInvalidArgument);
  EXPECT_FALSE(demuxer_.Feed(Frame(1, "x")).ok());  // the error sticks
  EXPECT_EQ(output_, "");
}

}  // namespace
}  // namespace orchestrator::docker
