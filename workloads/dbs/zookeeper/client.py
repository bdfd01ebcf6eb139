#!/usr/bin/python3
"""splitbrain client for ZooKeeper (docs/client-protocol.md), using kazoo.

usage: client.py HOST:PORT[,HOST:PORT...]

One JSON request per line on stdin, one JSON reply per line on stdout. Keys are znodes
/sb/<key> (the key percent-encoded). Diagnostics go to stderr only.

  read        get; absent -> value null (ZooKeeper reads are sequentially consistent only:
              served by whichever server the session is on)
  write       set; NoNode -> create; NodeExists -> set again (until it lands or time runs out)
  cas         get (data, stat); data != from -> fail "compare mismatch" (the read may be stale,
              so it is no linearizable observation, and nothing was written); else
              set(version=stat.version): ok succeeded true, BadVersion -> fail.
              from null -> create: ok succeeded true, NodeExists -> fail
  read_local  get through a session to that one server only (one cached client per server)

Classification: a request is only issued while the session is connected. Not connected
within the budget -> fail (nothing was sent). Once issued, ZooKeeper's own definite answers
(NoNode, NodeExists, BadVersion) mean that step did not apply; anything else (connection
loss, session expiry, no answer within the budget) -> info, because the request may have
reached the leader. Reads that do not return are fail.
"""

import json
import logging
import os
import signal
import sys
import threading
import time
import urllib.parse

from kazoo.client import KazooClient
from kazoo.exceptions import (BadVersionError, NodeExistsError, NoNodeError,
                              ZookeeperError)
from kazoo.retry import KazooRetry

ROOT = "/sb"
# Answer within the harness's per-operation deadline (SPLITBRAIN_DEADLINE_MS; it kills a client
# that misses it by 0.5 s), keeping a tenth of it for this process; SB_ZK_BUDGET_S overrides.
BUDGET_S = float(os.environ.get("SB_ZK_BUDGET_S") or
                 0.9 * float(os.environ.get("SPLITBRAIN_DEADLINE_MS", "1000")) / 1000)
SESSION_TIMEOUT_S = 2.0  # the servers clamp it to [2, 20] x tickTime = [0.4, 4] s

log = logging.getLogger("sb-zk-client")


class NotConnected(Exception):
    """Raised before anything was sent: the session is not connected."""


class Deadline(Exception):
    """Raised when the budget ran out after a request was issued."""


def make_client(hosts):
    retry = KazooRetry(max_tries=-1, delay=0.05, backoff=1.5, max_jitter=0.2, max_delay=0.5)
    zk = KazooClient(hosts=hosts, timeout=SESSION_TIMEOUT_S, connection_retry=retry,
                     command_retry=None, randomize_hosts=True)
    zk.start_async()
    return zk


class Session:
    """A KazooClient started lazily, with the /sb parent created once per connection."""

    def __init__(self, hosts):
        self.hosts = hosts
        self.zk = None
        self.root_ok = False
        self.lock = threading.Lock()

    def _listener(self, state):
        log.warning("%s: session %s", self.hosts, state)

    def client(self, deadline):
        if self.zk is None:
            self.zk = make_client(self.hosts)
            self.zk.add_listener(self._listener)
        # Wait for the session to be connected, but only until the deadline: a request queued
        # while disconnected could be sent later, so it must not be issued at all.
        while not self.zk.connected:
            if time.monotonic() >= deadline:
                raise NotConnected("not connected to %s" % self.hosts)
            time.sleep(0.01)
        return self.zk

    def call(self, deadline, method, *args, **kwargs):
        """Issues one kazoo async call and waits for it until the deadline."""
        zk = self.client(deadline)
        result = getattr(zk, method + "_async")(*args, **kwargs)
        remaining = deadline - time.monotonic()
        if not result.wait(max(remaining, 0.0)):
            raise Deadline("no answer from %s within the budget" % self.hosts)
        return result.get_nowait()


def path_of(key):
    name = urllib.parse.quote(key, safe="")
    if name in ("", ".", ".."):
        name = "%" + name  # not a valid znode name as is; '%' alone never comes from quote
    return ROOT + "/" + name


def ensure_root(session, deadline):
    """Creates the parent znode once; any failure here means the key was not touched."""
    if session.root_ok:
        return
    try:
        session.call(deadline, "create", ROOT, b"")
    except NodeExistsError:
        pass
    except Exception as e:
        raise NotConnected("creating %s: %s" % (ROOT, describe(e)))
    session.root_ok = True


def encode(value):
    return value.encode("utf-8")


def decode(data):
    return None if data is None else data.decode("utf-8", "replace")


class Handler:
    def __init__(self, endpoints):
        self.main = Session(endpoints)
        self.local = {}  # node -> Session

    def read(self, req, deadline):
        try:
            data, _ = self.main.call(deadline, "get", path_of(req["key"]))
        except NoNodeError:
            return {"type": "ok", "value": None}
        return {"type": "ok", "value": decode(data)}

    def read_local(self, req, deadline):
        node = req["node"]
        session = self.local.get(node)
        if session is None:
            session = self.local[node] = Session(node)
        try:
            data, _ = session.call(deadline, "get", path_of(req["key"]))
        except NoNodeError:
            return {"type": "ok", "value": None}
        return {"type": "ok", "value": decode(data)}

    def write(self, req, deadline):
        path, value = path_of(req["key"]), encode(req["value"])
        ensure_root(self.main, deadline)
        # Every step that ends in NoNode/NodeExists was refused by ZooKeeper: nothing applied.
        while True:
            try:
                self.main.call(deadline, "set", path, value)
                return {"type": "ok"}
            except NoNodeError:
                pass
            try:
                self.main.call(deadline, "create", path, value)
                return {"type": "ok"}
            except NodeExistsError:
                pass
            except NoNodeError:  # the parent went missing (cannot happen unless deleted)
                self.main.root_ok = False
                ensure_root(self.main, deadline)
            if time.monotonic() >= deadline:
                raise NotConnected("set/create kept losing races")  # every step was refused

    def cas(self, req, deadline):
        path, to = path_of(req["key"]), encode(req["to"])
        ensure_root(self.main, deadline)
        if req["from"] is None:
            try:
                self.main.call(deadline, "create", path, to)
            except NodeExistsError:
                return {"type": "fail", "error": "node exists"}
            return {"type": "ok", "succeeded": True}
        try:
            data, stat = self.main.call(deadline, "get", path)
        except NoNodeError:
            return {"type": "fail", "error": "compare mismatch (absent)"}
        except Exception as e:  # nothing was written yet
            return {"type": "fail", "error": "read before compare: %s" % describe(e)}
        if decode(data) != req["from"]:
            return {"type": "fail", "error": "compare mismatch"}
        try:
            self.main.call(deadline, "set", path, to, version=stat.version)
        except (BadVersionError, NoNodeError):
            return {"type": "fail", "error": "version changed"}
        return {"type": "ok", "succeeded": True}


def describe(e):
    return "%s: %s" % (type(e).__name__, e) if str(e) else type(e).__name__


def serve(endpoints):
    handler = Handler(endpoints)
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        f = req.get("f")
        deadline = time.monotonic() + BUDGET_S
        try:
            reply = getattr(handler, f)(req, deadline) if f in (
                "read", "write", "cas", "read_local") else {
                    "type": "fail", "error": "unknown f %r" % f}
        except NotConnected as e:
            reply = {"type": "fail", "error": str(e)}
        except (NoNodeError, NodeExistsError, BadVersionError) as e:
            reply = {"type": "fail", "error": describe(e)}  # a definite refusal
        except Exception as e:  # issued, no definite answer: may have been applied
            if f in ("read", "read_local"):
                reply = {"type": "fail", "error": describe(e)}
            else:
                log.warning("id %s: %s", req.get("id"), describe(e))
                reply = {"type": "info", "error": describe(e)}
        reply["id"] = req.get("id")
        out.write(json.dumps(reply) + "\n")
        out.flush()


def main():
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="%(asctime)s zk-client[%(process)d] %(levelname)s %(message)s")
    if len(sys.argv) != 2:
        sys.stderr.write("usage: client.py HOST:PORT[,HOST:PORT...]\n")
        return 2
    # Exit at once on SIGTERM: stopping kazoo cleanly can take a session timeout.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    try:
        serve(sys.argv[1])
    except KeyboardInterrupt:
        pass
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
