#!/usr/bin/python3
"""splitbrain client for etcd (docs/client-protocol.md) over etcd's v3 JSON gateway.

usage: client.py HOST:PORT[,HOST:PORT...]

Python 3 standard library only. One JSON request per line on stdin, one JSON reply per line
on stdout; diagnostics on stderr. Keys and values travel base64-encoded, as the gateway wants.

  read        POST /v3/kv/range, linearizable; a member that cannot answer -> the next one
  write       POST /v3/kv/put
  cas         POST /v3/kv/txn: compare VALUE == from (from null: CREATE revision == 0), then
              put; "succeeded" comes back only when true (proto3 JSON omits false)
  read_local  POST /v3/kv/range with serializable true on that one member, no retry

Every request carries gRPC metadata hasleader=true (header Grpc-Metadata-Hasleader), so a
member that knows no leader refuses it at once ("etcdserver: no leader") instead of queueing.

Classification (as workloads/etcd_db.h): ok when etcd answered. fail when the request was
certainly not applied: no connection could be made (refused, connect timeout), "no leader",
"not capable", too many requests (HTTP 429), a bad request (HTTP 400); a write then moves on to
the next member. info when a write was sent and no answer came (timeout, connection broken,
"request timed out", "leader changed", anything else). Reads that do not return are fail.
Each connection is fresh, so "could not connect" always means "nothing was sent".
"""

import base64
import http.client
import json
import os
import signal
import socket
import sys
import time

# Answer within the harness's per-operation deadline (SPLITBRAIN_DEADLINE_MS; it kills a client
# that misses it by 0.5 s), keeping a tenth of it for this process; SB_ETCD_BUDGET_S overrides.
BUDGET_S = float(os.environ.get("SB_ETCD_BUDGET_S") or
                 0.9 * float(os.environ.get("SPLITBRAIN_DEADLINE_MS", "1000")) / 1000)
CONNECT_TIMEOUT_S = 0.25
DEFINITE_MESSAGES = ("no leader", "not capable", "too many requests")


def log(msg):
    sys.stderr.write("%s etcd-client[%d] %s\n" % (time.strftime("%H:%M:%S"), os.getpid(), msg))
    sys.stderr.flush()


class NotSent(Exception):
    """Certainly not applied (never sent, or refused before any proposal)."""


class MaybeApplied(Exception):
    """Sent; no definite answer."""


def b64(s):
    return base64.b64encode(s.encode("utf-8")).decode("ascii")


def unb64(s):
    return base64.b64decode(s).decode("utf-8", "replace")


def post(member, path, body, timeout):
    """One POST on a fresh connection; returns the decoded JSON answer of a 2xx."""
    host, port = member.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=min(timeout, CONNECT_TIMEOUT_S))
    try:
        try:
            conn.connect()
        except (OSError, socket.timeout) as e:
            raise NotSent("%s: connect: %s" % (member, e))
        conn.sock.settimeout(max(timeout, 0.01))
        data = json.dumps(body).encode()
        try:
            conn.request("POST", path, body=data, headers={
                "Content-Type": "application/json", "Grpc-Metadata-Hasleader": "true"})
            resp = conn.getresponse()
            raw = resp.read()
        except (OSError, socket.timeout, http.client.HTTPException) as e:
            raise MaybeApplied("%s: %s: %s" % (member, type(e).__name__, e))
    finally:
        conn.close()
    try:
        answer = json.loads(raw) if raw else {}
    except ValueError:
        answer = {"error": raw[:200].decode("utf-8", "replace")}
    if 200 <= resp.status < 300 and "error" not in answer:
        return answer
    msg = answer.get("error") or answer.get("message") or ""
    text = "%s: HTTP %d: %s" % (member, resp.status, msg)
    if resp.status in (400, 429) or any(m in msg for m in DEFINITE_MESSAGES):
        raise NotSent(text)
    raise MaybeApplied(text)


class Client:
    def __init__(self, endpoints):
        self.members = [e for e in endpoints.split(",") if e]
        start = os.getpid() % len(self.members)
        self.current = start  # where writes go
        self.next_read = start

    def write_call(self, path, body, deadline):
        """Sends a write to the current member; after a definite failure, to the next one
        (each member at most twice, with a short pause), until time runs out."""
        last = "no member tried"
        for attempt in range(2 * len(self.members)):
            remaining = deadline - time.monotonic()
            if remaining <= 0.02:
                break
            member = self.members[self.current]
            try:
                return post(member, path, body, remaining)
            except NotSent as e:
                last = str(e)
                self.current = (self.current + 1) % len(self.members)
                if attempt + 1 >= len(self.members):
                    time.sleep(min(0.05, max(deadline - time.monotonic(), 0)))
            except MaybeApplied:
                self.current = (self.current + 1) % len(self.members)
                raise
        raise NotSent(last)

    def range(self, member, key, serializable, timeout):
        body = {"key": b64(key)}
        if serializable:
            body["serializable"] = True
        answer = post(member, "/v3/kv/range", body, timeout)
        kvs = answer.get("kvs") or []
        if not kvs:
            return None
        return unb64(kvs[0].get("value", ""))  # proto3 JSON omits an empty value

    def read(self, req, deadline):
        last = ""
        n = len(self.members)
        for t in range(n):
            remaining = deadline - time.monotonic()
            if remaining <= 0.02:
                break
            member = self.members[self.next_read % n]
            self.next_read += 1
            # A member cut off from the leader holds a linearizable read until it times out:
            # leave time for the others.
            timeout = max(remaining / (n - t), min(remaining, 0.3))
            try:
                return {"type": "ok", "value": self.range(member, req["key"], False, timeout)}
            except (NotSent, MaybeApplied) as e:
                last = str(e)
        return {"type": "fail", "error": last or "no time left"}

    def read_local(self, req, deadline):
        try:
            value = self.range(req["node"], req["key"], True, deadline - time.monotonic())
        except (NotSent, MaybeApplied) as e:
            return {"type": "fail", "error": str(e)}
        return {"type": "ok", "value": value}

    def write(self, req, deadline):
        self.write_call("/v3/kv/put", {"key": b64(req["key"]), "value": b64(req["value"])},
                        deadline)
        return {"type": "ok"}

    def cas(self, req, deadline):
        key = b64(req["key"])
        if req["from"] is None:
            compare = {"key": key, "target": "CREATE", "result": "EQUAL", "create_revision": "0"}
        else:
            compare = {"key": key, "target": "VALUE", "result": "EQUAL",
                       "value": b64(req["from"])}
        body = {"compare": [compare],
                "success": [{"request_put": {"key": key, "value": b64(req["to"])}}]}
        answer = self.write_call("/v3/kv/txn", body, deadline)
        return {"type": "ok", "succeeded": bool(answer.get("succeeded", False))}


def serve(endpoints):
    client = Client(endpoints)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        f = req.get("f")
        deadline = time.monotonic() + BUDGET_S
        try:
            if f in ("read", "write", "cas", "read_local"):
                reply = getattr(client, f)(req, deadline)
            else:
                reply = {"type": "fail", "error": "unknown f %r" % f}
        except NotSent as e:
            reply = {"type": "fail", "error": str(e)}
        except MaybeApplied as e:
            log("id %s %s: %s" % (req.get("id"), f, e))
            reply = {"type": "info", "error": str(e)}
        except Exception as e:  # a bug or an answer we cannot read: it may have been applied
            log("id %s %s: unexpected %s: %s" % (req.get("id"), f, type(e).__name__, e))
            reply = {"type": "fail" if f in ("read", "read_local") else "info",
                     "error": "%s: %s" % (type(e).__name__, e)}
        reply["id"] = req.get("id")
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: client.py HOST:PORT[,HOST:PORT...]\n")
        return 2
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    try:
        serve(sys.argv[1])
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
