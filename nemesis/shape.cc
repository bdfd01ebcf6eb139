#include "nemesis/shape.h"

#include <cstdio>

namespace nemesis {
namespace {

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

common::Status InRange(double value, double lo, double hi, const char* field) {
  if (value >= lo && value <= hi) return common::Status::Ok();
  return common::Status::InvalidArgument(std::string(field) + " " + Number(value) + " is not in [" +
                                         Number(lo) + ", " + Number(hi) + "]");
}

}  // namespace

common::Status ValidateShape(const Shape& shape) {
  RETURN_IF_ERROR(InRange(shape.delay_ms, 0, 60000, "delay (ms)"));
  RETURN_IF_ERROR(InRange(shape.jitter_ms, 0, 60000, "jitter (ms)"));
  RETURN_IF_ERROR(InRange(shape.loss, 0, 1, "loss"));
  RETURN_IF_ERROR(InRange(shape.loss_correlation, 0, 1, "correlation"));
  RETURN_IF_ERROR(InRange(shape.duplicate, 0, 1, "duplicate"));
  RETURN_IF_ERROR(InRange(shape.rate_kbit, 0, 100e6, "rate (kbit/s)"));
  if (shape == Shape{} || (shape.delay_ms == 0 && shape.jitter_ms == 0 && shape.loss == 0 &&
                           shape.duplicate == 0 && shape.rate_kbit == 0)) {
    return common::Status::InvalidArgument(
        "the shape does nothing: give a delay, jitter, loss, duplicate or rate");
  }
  return common::Status::Ok();
}

std::string DescribeShape(const Shape& shape) {
  std::string text;
  auto add = [&text](const std::string& part) { text += (text.empty() ? "" : " ") + part; };
  if (shape.delay_ms > 0) add("delay " + Number(shape.delay_ms) + "ms");
  if (shape.jitter_ms > 0) add("jitter " + Number(shape.jitter_ms) + "ms");
  if (shape.loss > 0) {
    add("loss " + Number(shape.loss * 100) + "%");
    if (shape.loss_correlation > 0)
      add("(correlation " + Number(shape.loss_correlation * 100) + "%)");
  }
  if (shape.duplicate > 0) add("duplicate " + Number(shape.duplicate * 100) + "%");
  if (shape.rate_kbit > 0) add("rate " + Number(shape.rate_kbit) + "kbit");
  return text.empty() ? "nothing" : text;
}

}  // namespace nemesis
