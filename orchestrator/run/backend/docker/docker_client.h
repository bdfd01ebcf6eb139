// DockerClient: a small client of the Docker Engine API over its unix socket (libcurl), pinned
// to API v1.41 (Engine 20.10). It speaks plain HTTP requests and JSON; it knows nothing of
// containers or images beyond the paths its callers pass.
//
// Errors: a request that reached the daemon and got a non-2xx answer becomes a Status naming
// the method, the path, the HTTP status and Docker's own message
// ("POST /containers/sb-1-n1/start: HTTP 404: No such container: sb-1-n1"). A daemon that
// cannot be reached gives kUnavailable with the fix in the message (kDaemonFix).
//
// Not thread-safe: one thread uses a client (it keeps one curl handle, so the connection is
// reused between requests). Move-only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orchestrator::docker {

inline constexpr std::string_view kDefaultDockerSocket = "/var/run/docker.sock";
inline constexpr std::string_view kDockerApiVersion = "v1.41";

struct DockerClientOptions {
  std::string socket_path = std::string(kDefaultDockerSocket);
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{60000};  // default for requests without their own
};

// Receives the body in chunks as it arrives; returning false aborts the transfer.
using BodySink = std::function<bool(std::string_view chunk)>;

struct DockerRequest {
  std::string_view method = "GET";  // GET, POST, DELETE
  std::string path;                 // "/containers/json?all=1", without the version
  std::string_view body;            // sent for POST (empty is fine)
  std::string_view content_type = "application/json";
  std::chrono::milliseconds timeout{0};  // 0: the client's request_timeout
  BodySink sink;                         // when set, the body goes here, not into the response
};

struct DockerResponse {
  long http_status = 0;  // NOLINT(google-runtime-int): curl's type
  std::string body;      // empty when the request had a sink

  bool ok() const { return http_status >= 200 && http_status < 300; }
};

class DockerClient {
 public:
  // Creates a client; does not contact the daemon (Ping does).
  static common::Result<std::unique_ptr<DockerClient>> Create(DockerClientOptions options = {});
  ~DockerClient();
  DockerClient(const DockerClient&) = delete;
  DockerClient& operator=(const DockerClient&) = delete;

  // Any HTTP answer is a value; only a transport failure is an error.
  common::Result<DockerResponse> Call(const DockerRequest& request);

  // Call, and turn a non-2xx answer into an error (HttpError). Returns the body.
  common::Result<std::string> Get(const std::string& path);
  common::Result<std::string> Post(const std::string& path, std::string_view json_body = "",
                                   std::chrono::milliseconds timeout = {});
  common::Result<std::string> Delete(const std::string& path);

  // GET /_ping with a short timeout: OK when the daemon answers "OK".
  common::Status Ping();

  const std::string& socket_path() const { return options_.socket_path; }

 private:
  struct CurlHandle;
  DockerClient(DockerClientOptions options, std::unique_ptr<CurlHandle> curl);

  DockerClientOptions options_;
  std::unique_ptr<CurlHandle> curl_;
};

// The error for a non-2xx answer: "METHOD PATH: HTTP 409: <Docker's message>". 404 maps to
// kNotFound, other 4xx to kInvalidArgument, the rest to kInternal.
common::Status HttpError(std::string_view method, std::string_view path,
                         const DockerResponse& response);

// Docker's {"message": ...} from an error body, or the body itself when it is not that JSON.
std::string DockerMessage(std::string_view body);

// Percent-encodes a query parameter value.
std::string UrlEncode(std::string_view value);

}  // namespace orchestrator::docker

namespace orchestrator {

// A fast /_ping of the daemon at `socket_path` (1 s deadline): whether the docker backend can
// be used (`--backend auto`).
bool DockerAvailable(std::string_view socket_path = docker::kDefaultDockerSocket);

}  // namespace orchestrator
