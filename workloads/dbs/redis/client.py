#!/usr/bin/python3
"""splitbrain client for Redis + Sentinel (docs/client-protocol.md).

    client.py IP:6379,IP:6379,...      serve JSON-lines requests on stdin
    client.py --ready IP N             exit 0 when node IP is ready (see below)

The primary is found through the Sentinels (port 26379 on every node address) and cached;
a connection error, a timeout or a READONLY reply forgets it, and the next request asks the
Sentinels again. Classification:
  - nothing sent (no primary known, connection refused or not established) -> fail
  - a Redis error reply (READONLY, LOADING, MASTERDOWN, ...): the command did not run -> fail
  - sent, then a timeout or a dropped connection -> info (a read: fail)
Every answer comes within about 1.2 s. Diagnostics go to stderr only.
"""

import json
import os
import sys
import threading
import time

from redis.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import BusyLoadingError, ReadOnlyError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

MASTER_NAME = "m"
SENTINEL_PORT = 26379
CONNECT_TIMEOUT = 0.3   # s, TCP connect to a server or a Sentinel
OP_TIMEOUT = 0.8        # s, waiting for a reply to a command we sent
SENTINEL_TIMEOUT = 0.3  # s, whole Sentinel round (all Sentinels asked in parallel)
# s, a request's answer is written by then: the harness's per-operation deadline
# (SPLITBRAIN_DEADLINE_MS) plus a little of its 0.5 s grace.
BUDGET = float(os.environ.get("SPLITBRAIN_DEADLINE_MS", "1000")) / 1000 + 0.2

# GET, compare, SET, atomically. ARGV[1] = "1" when "from" is null (only if absent).
# The shebang makes Redis 7 treat the script as a write up front: a replica refuses it
# with READONLY even when the compare fails (no "succeeded": false from a stale replica).
CAS_SCRIPT = """#!lua
local v = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if v then return 0 end
elseif v ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1
"""


def log(msg):
    sys.stderr.write("%.3f redis-client: %s\n" % (time.time(), msg))
    sys.stderr.flush()


class NotSent(Exception):
    """The command certainly did not reach the server."""


class Unknown(Exception):
    """The command was sent; whether it ran is unknown (timeout, dropped connection)."""


class Rejected(Exception):
    """The server answered with an error: the command did not run. not_primary: the
    error says this server is not (or not yet) a usable primary."""

    def __init__(self, msg, not_primary):
        super().__init__(msg)
        self.not_primary = not_primary


def split_addr(addr, default_port):
    host, _, port = addr.rpartition(":")
    if not host:
        return addr, default_port
    return host, int(port)


def new_conn(host, port, op_timeout=OP_TIMEOUT):
    return Connection(host=host, port=port, socket_connect_timeout=CONNECT_TIMEOUT,
                      socket_timeout=op_timeout)


def call(conn, deadline, *args, master=False):
    """Runs one command on conn; raises NotSent, Unknown or Rejected. master: on a new
    connection, check first (ROLE) that the server is a primary."""
    # A cached connection the server has since closed (Sentinel kills clients on
    # failover): find out before sending, so that its loss is a fail and not an info.
    if conn._sock is not None:
        try:
            if conn.can_read(timeout=0):
                log("unexpected data on idle connection to %s:%d" % (conn.host, conn.port))
                conn.disconnect()
        except Exception as e:  # EOF or reset
            log("idle connection to %s:%d closed: %s" % (conn.host, conn.port, e))
            conn.disconnect()
    fresh = conn._sock is None
    try:
        conn.connect()
        if fresh and master:
            conn.send_command("ROLE")
            wait = max(0.01, min(0.5, deadline - time.monotonic()))
            if not conn.can_read(timeout=wait):
                raise RedisTimeoutError("no answer to ROLE within %.2f s" % wait)
            role = conn.read_response()
            if not role or role[0] != b"master":
                conn.disconnect()
                raise Rejected("%s:%d: ROLE says %r" % (
                    conn.host, conn.port, role[0] if role else role), True)
    except Rejected:
        raise
    except Exception as e:
        conn.disconnect()
        raise NotSent("connect %s:%d: %s" % (conn.host, conn.port, e))
    if deadline - time.monotonic() < 0.1:
        raise NotSent("no time left to send to %s:%d" % (conn.host, conn.port))
    try:
        conn.send_command(*args)
    except Exception as e:
        conn.disconnect()
        raise Unknown("send to %s:%d: %s" % (conn.host, conn.port, e))
    try:
        wait = max(0.01, min(OP_TIMEOUT, deadline - time.monotonic()))
        if not conn.can_read(timeout=wait):
            conn.disconnect()
            raise Unknown("timeout after %.2f s from %s:%d" % (wait, conn.host, conn.port))
        return conn.read_response()
    except ResponseError as e:
        # redis-py strips the code of the errors it maps to a class (READONLY, LOADING)
        not_primary = isinstance(e, (ReadOnlyError, BusyLoadingError)) \
            or str(e).startswith("MASTERDOWN")
        raise Rejected("%s:%d: %s: %s" % (conn.host, conn.port, type(e).__name__, e),
                       not_primary)
    except Unknown:
        raise
    except (RedisConnectionError, RedisTimeoutError, OSError) as e:
        conn.disconnect()
        raise Unknown("reply from %s:%d: %s" % (conn.host, conn.port, e))


def ask_sentinel(ip, out, i):
    """out[i] = (config_epoch, "ip:port") from the Sentinel at ip, or None."""
    conn = new_conn(ip, SENTINEL_PORT, op_timeout=SENTINEL_TIMEOUT)
    try:
        conn.connect()
        conn.send_packed_command(conn.pack_commands([
            ("SENTINEL", "get-master-addr-by-name", MASTER_NAME),
            ("SENTINEL", "master", MASTER_NAME)]))
        addr = conn.read_response()
        info = conn.read_response()
        fields = dict(zip(info[0::2], info[1::2])) if isinstance(info, list) else {}
        epoch = int(fields.get(b"config-epoch", b"0"))
        if addr:
            out[i] = (epoch, "%s:%s" % (addr[0].decode(), addr[1].decode()))
    except Exception as e:
        log("sentinel %s:%d: %s" % (ip, SENTINEL_PORT, e))
    finally:
        conn.disconnect()


def pick(answers):
    """The newest answer: the highest config-epoch, then the most Sentinels."""
    counts = {}
    for a in answers:
        counts[a] = counts.get(a, 0) + 1
    return max(counts.items(), key=lambda kv: (kv[0][0], kv[1]))[0]


def discover(sentinel_ips):
    """The primary's "ip:port" as the Sentinels tell within SENTINEL_TIMEOUT; all are
    asked in parallel, and a majority that agree is not kept waiting for the rest (a
    paused Sentinel). None when none answers."""
    out = [None] * len(sentinel_ips)
    threads = [threading.Thread(target=ask_sentinel, args=(ip, out, i), daemon=True)
               for i, ip in enumerate(sentinel_ips)]
    end = time.monotonic() + SENTINEL_TIMEOUT + 0.05
    for t in threads:
        t.start()
    majority = len(sentinel_ips) // 2 + 1
    while time.monotonic() < end and any(t.is_alive() for t in threads):
        answers = [a for a in list(out) if a]
        if answers and answers.count(pick(answers)) >= majority:
            break
        time.sleep(0.002)
    answers = [a for a in list(out) if a]
    if not answers:
        return None
    return pick(answers)[1]


class Client:
    def __init__(self, endpoints):
        self.nodes = [split_addr(e.strip(), 6379) for e in endpoints.split(",") if e.strip()]
        self.sentinel_ips = [h for h, _ in self.nodes]
        self.primary = None       # "ip:port"
        self.last_primary = None  # the last one found, for the log
        self.primary_conn = None
        self.local_conns = {}     # "ip:port" -> Connection

    def forget_primary(self):
        if self.primary_conn is not None:
            self.primary_conn.disconnect()
        self.primary = None
        self.primary_conn = None

    def primary_connection(self):
        if self.primary_conn is None:
            addr = discover(self.sentinel_ips)
            if addr is None:
                raise NotSent("no Sentinel answered")
            if addr != self.last_primary:
                log("primary is %s" % addr)
            self.last_primary = addr
            self.primary = addr
            self.primary_conn = new_conn(*split_addr(addr, 6379))
        return self.primary_conn

    def on_primary(self, deadline, *args):
        """Runs a command on the primary. A command that certainly did not run (not sent,
        READONLY) is retried once on a freshly discovered primary if time allows."""
        for attempt in (1, 2):
            try:
                return call(self.primary_connection(), deadline, *args, master=True)
            except Unknown:
                self.forget_primary()
                raise
            except (NotSent, Rejected) as e:
                retry = isinstance(e, NotSent) or e.not_primary
                if retry:
                    self.forget_primary()
                if attempt == 2 or not retry \
                        or deadline - time.monotonic() < SENTINEL_TIMEOUT + 0.5:
                    raise
                log("retrying after: %s" % e)

    def handle(self, req):
        deadline = time.monotonic() + BUDGET
        f = req.get("f")
        key = req.get("key")
        is_read = f in ("read", "read_local")
        try:
            if f == "read":
                v = self.on_primary(deadline, "GET", key)
                return {"type": "ok", "value": None if v is None else v.decode()}
            if f == "write":
                self.on_primary(deadline, "SET", key, req["value"])
                return {"type": "ok"}
            if f == "cas":
                frm = req.get("from")
                r = self.on_primary(deadline, "EVAL", CAS_SCRIPT, 1, key,
                                    "1" if frm is None else "0",
                                    "" if frm is None else frm, req["to"])
                return {"type": "ok", "succeeded": r == 1}
            if f == "read_local":
                node = req["node"]
                conn = self.local_conns.get(node)
                if conn is None:
                    conn = self.local_conns[node] = new_conn(*split_addr(node, 6379))
                v = call(conn, deadline, "GET", key)
                return {"type": "ok", "value": None if v is None else v.decode()}
            return {"type": "fail", "error": "unknown f %r" % f}
        except (NotSent, Rejected) as e:
            log("%s %s: fail: %s" % (f, key, e))
            return {"type": "fail", "error": str(e)}
        except Unknown as e:
            log("%s %s: %s: %s" % (f, key, "fail" if is_read else "info", e))
            return {"type": "fail" if is_read else "info", "error": str(e)}
        except Exception as e:  # a bug here: we cannot tell whether it ran
            log("%s %s: unexpected %r" % (f, key, e))
            return {"type": "fail" if is_read else "info", "error": "client: %r" % e}


def serve(endpoints):
    client = Client(endpoints)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
        except ValueError:
            log("not JSON: %r" % line)
            continue
        reply = client.handle(req)
        reply = dict({"id": req.get("id")}, **reply)
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def ready(ip, n):
    """Exit status 0 when the Sentinel at ip sees N-1 replicas and N-1 other Sentinels
    for master m, and redis at ip answers PING."""
    deadline = time.monotonic() + 1.5
    sentinel = new_conn(ip, SENTINEL_PORT, op_timeout=0.5)
    server = new_conn(ip, 6379, op_timeout=0.5)
    try:
        info = call(sentinel, deadline, "SENTINEL", "master", MASTER_NAME)
        fields = dict(zip(info[0::2], info[1::2]))
        slaves = int(fields.get(b"num-slaves", b"-1"))
        others = int(fields.get(b"num-other-sentinels", b"-1"))
        flags = fields.get(b"flags", b"").decode()
        if slaves != n - 1 or others != n - 1 or flags != "master":
            log("ready %s: sentinel sees num-slaves %d, num-other-sentinels %d, flags %s"
                % (ip, slaves, others, flags))
            return 1
        pong = call(server, deadline, "PING")
        if pong not in (True, b"PONG", "PONG"):
            log("ready %s: PING answered %r" % (ip, pong))
            return 1
        return 0
    except Exception as e:
        log("ready %s: %s" % (ip, e))
        return 1
    finally:
        sentinel.disconnect()
        server.disconnect()


def main(argv):
    if len(argv) == 4 and argv[1] == "--ready":
        return ready(argv[2], int(argv[3]))
    if len(argv) == 2 and not argv[1].startswith("-"):
        serve(argv[1])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
