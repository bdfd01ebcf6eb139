// TLS for refdb's one port (clients and peers share it): LoadTls reads and checks the three
// PEM files of `--tls-ca/--tls-cert/--tls-key` (each parses, the key belongs to the
// certificate, the certificate is signed by the CA), so a bad file stops the node at start
// with a message naming the flag. With TLS, the server demands a client certificate signed by
// the CA on every connection (mutual TLS for peers and clients alike: a connection without
// one, or with one from another CA, fails its handshake), and every channel a node opens (peer
// senders, the etcd forwarder) presents the node's certificate and verifies the server's
// against the CA and the address it dials (the certificate's IP or DNS SAN).
// Without TLS (nullopt) both are gRPC's insecure credentials.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>

#include "common/status.h"
#include "common/tls.h"

namespace refdb::server {

common::Result<common::TlsPem> LoadTls(const common::TlsFiles& files);

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(
    const std::optional<common::TlsPem>& tls);
std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(
    const std::optional<common::TlsPem>& tls);

}  // namespace refdb::server
