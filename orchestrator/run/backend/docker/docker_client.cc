#include "orchestrator/run/backend/docker/docker_client.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

namespace orchestrator::docker {

constexpr std::chrono::milliseconds kPingTimeout{1000};

namespace {

using common::Result;
using common::Status;

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string UnreachableMessage(std::string_view socket_path, std::string_view cause) {
  return "cannot reach the Docker daemon at " + std::string(socket_path) + " (" +
         std::string(cause) +
         "): run ci/setup.sh (installs docker.io and starts dockerd), or use --backend netns";
}

bool IsConnectFailure(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST;
}

struct TransferState {
  CURL* curl = nullptr;
  std::string* body = nullptr;
  const BodySink* sink = nullptr;
};

// An error answer's body always goes to the response (it holds Docker's message), so a sink
// only ever sees a successful answer's body.
bool IsSuccess(CURL* curl) {
  long http_status = 0;  // NOLINT(google-runtime-int): curl's type
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
  return http_status >= 200 && http_status < 300;
}

size_t WriteCallback(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  const size_t length = size * count;
  if (state->sink != nullptr && *state->sink && IsSuccess(state->curl)) {
    return (*state->sink)(std::string_view(data, length)) ? length : 0;
  }
  state->body->append(data, length);
  return length;
}

}  // namespace

struct DockerClient::CurlHandle {
  CURL* handle = nullptr;
  ~CurlHandle() {
    if (handle != nullptr) curl_easy_cleanup(handle);
  }
};

Result<std::unique_ptr<DockerClient>> DockerClient::Create(DockerClientOptions options) {
  InitCurlOnce();
  auto curl = std::make_unique<CurlHandle>();
  curl->handle = curl_easy_init();
  if (curl->handle == nullptr) return Status::Internal("docker client: curl_easy_init failed");
  return std::unique_ptr<DockerClient>(new DockerClient(std::move(options), std::move(curl)));
}

DockerClient::DockerClient(DockerClientOptions options, std::unique_ptr<CurlHandle> curl)
    : options_(std::move(options)), curl_(std::move(curl)) {}

DockerClient::~DockerClient() = default;

Result<DockerResponse> DockerClient::Call(const DockerRequest& request) {
  CURL* c = curl_->handle;
  curl_easy_reset(c);
  const std::string url = "http://localhost/" + std::string(kDockerApiVersion) + request.path;
  const std::string method(request.method);
  const std::string content_type = "Content-Type: " + std::string(request.content_type);
  const auto timeout = request.timeout.count() > 0 ? request.timeout : options_.request_timeout;

  DockerResponse response;
  TransferState state{.curl = c, .body = &response.body, .sink = &request.sink};
  curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, options_.socket_path.c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteCallback);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &state);

  curl_slist* headers = nullptr;
  if (method == "POST") {
    headers = curl_slist_append(headers, content_type.c_str());
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    // Never NULL: a NULL body makes curl read the body from its read callback (stdin).
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  // "Expect: 100-continue" would stall large uploads for a second waiting on the daemon.
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  const CURLcode code = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (IsConnectFailure(code)) {
    return Status::Unavailable(UnreachableMessage(options_.socket_path, curl_easy_strerror(code)));
  }
  if (code != CURLE_OK) {
    return Status::Unavailable("docker " + method + " " + request.path + ": " +
                               curl_easy_strerror(code));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.http_status);
  return response;
}

Result<std::string> DockerClient::Get(const std::string& path) {
  ASSIGN_OR_RETURN(DockerResponse response, Call({.method = "GET", .path = path}));
  if (!response.ok()) return HttpError("GET", path, response);
  return std::move(response.body);
}

Result<std::string> DockerClient::Post(const std::string& path, std::string_view json_body,
                                       std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(DockerResponse response,
                   Call({.method = "POST", .path = path, .body = json_body, .timeout = timeout}));
  if (!response.ok()) return HttpError("POST", path, response);
  return std::move(response.body);
}

Result<std::string> DockerClient::Delete(const std::string& path) {
  ASSIGN_OR_RETURN(DockerResponse response, Call({.method = "DELETE", .path = path}));
  if (!response.ok()) return HttpError("DELETE", path, response);
  return std::move(response.body);
}

Status DockerClient::Ping() {
  ASSIGN_OR_RETURN(DockerResponse response,
                   Call({.method = "GET", .path = "/_ping", .timeout = kPingTimeout}));
  if (!response.ok() || response.body != "OK") {
    return Status::Unavailable(UnreachableMessage(
        options_.socket_path, "GET /_ping: HTTP " + std::to_string(response.http_status)));
  }
  return Status::Ok();
}

Status HttpError(std::string_view method, std::string_view path, const DockerResponse& response) {
  std::string message = std::string(method) + " " + std::string(path) + ": HTTP " +
                        std::to_string(response.http_status) + ": " + DockerMessage(response.body);
  if (response.http_status == 404) return Status::NotFound(std::move(message));
  if (response.http_status >= 400 && response.http_status < 500) {
    return Status::InvalidArgument(std::move(message));
  }
  return Status::Internal(std::move(message));
}

std::string DockerMessage(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object() && json.contains("message") && json["message"].is_string()) {
    return json["message"].get<std::string>();
  }
  std::string text(body);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text.empty() ? "(empty body)" : text;
}

std::string UrlEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : value) {
    const auto byte = static_cast<unsigned char>(ch);
    if (std::isalnum(byte) != 0 || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  return out;
}

}  // namespace orchestrator::docker

namespace orchestrator {

bool DockerAvailable(std::string_view socket_path) {
  using docker::DockerClient;
  auto client = DockerClient::Create({.socket_path = std::string(socket_path),
                                      .connect_timeout = docker::kPingTimeout,
                                      .request_timeout = docker::kPingTimeout});
  return client.ok() && (*client)->Ping().ok();
}

}  // namespace orchestrator
