"""The IMAP loads of the frontend benchmark, each run against one target (a backend directly, or
a frontend in front of it) for a fixed time window.

A load is prepared (connections opened, logged in, mailbox selected: not measured), run (the
window: every connection keeps exactly one command outstanding until the window ends, then
finishes the one in flight) and closed. `run()` returns a `Window`: operations, payload bytes,
wall time and every operation's latency. Responses are checked (tagged OK, literal byte counts),
so a frontend that answers fast but wrong fails instead of winning.

    bulk    `UID FETCH <set> BODY.PEEK[]` on 1 or 16 connections (threads, blocking sockets)
    small   `UID FETCH <uid> (FLAGS)` on 1 or 32 connections (one thread, epoll)
    cycles  connect, LOGIN, SELECT INBOX, LOGOUT in a loop on a few threads
    idle    N connections LOGIN, SELECT INBOX and IDLE, then stay (memory is read meanwhile);
            one selector loop opens them, a bounded number of handshakes in flight
"""

import concurrent.futures
import errno
import os
import select
import selectors
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "backend"))

from imapclient import QUICKACK, Client, IMAPError, quote  # noqa: E402

OPENERS = 16
# A response slower than this fails the round: a stuck frontend must not stall the run.
TIMEOUT = 30.0


class Window:
    def __init__(self, ops, nbytes, wall, latencies, client_cpu):
        self.ops, self.bytes, self.wall, self.latencies, self.client_cpu = ops, nbytes, wall, latencies, client_cpu


def _connect(target, user, password, bufsize):
    c = Client(target.host, target.port, timeout=TIMEOUT, bufsize=bufsize)
    c.login(user, password)
    return c


def _open_many(target, logins, bufsize, then=None):
    """Opens one logged-in connection per (user, password), OPENERS at a time; `then(c)` runs on
    each. On any failure every connection opened so far is closed and the error raised."""
    opened = []
    lock = threading.Lock()

    def one(login):
        c = _connect(target, *login, bufsize)
        with lock:
            opened.append(c)
        if then is not None:
            then(c)
        return c

    try:
        with concurrent.futures.ThreadPoolExecutor(min(OPENERS, len(logins))) as pool:
            return list(pool.map(one, logins))
    except BaseException:
        for c in opened:
            c.close()
        raise


def _logout_all(conns):
    for c in conns:
        try:
            c.send(b"z LOGOUT\r\n")
        except OSError:
            pass
    for c in conns:
        c.close()


class BulkFetch:
    """Each connection EXAMINEs `mailbox` and sends `commands[i]` (cycling, each connection from
    its own offset), checking that each returns `expected[i]` literal bytes."""

    def __init__(self, target, login, mailbox, commands, expected, conns, seconds):
        self.target, self.login, self.mailbox = target, login, mailbox
        self.commands, self.expected, self.nconns, self.seconds = commands, expected, conns, seconds
        self.conns = []

    def prepare(self):
        self.conns = _open_many(self.target, [self.login] * self.nconns, 1 << 20,
                                lambda c: c.command(f"EXAMINE {quote(self.mailbox)}").check("EXAMINE"))

    def run(self):
        gate = threading.Barrier(self.nconns + 1)
        results = [None] * self.nconns
        errors = []
        deadline = [0.0]

        def work(i):
            c = self.conns[i]
            ops = nbytes = 0
            lat = []
            k = i * len(self.commands) // self.nconns
            try:
                gate.wait()
                while time.perf_counter() < deadline[0]:
                    j = k % len(self.commands)
                    t0 = time.perf_counter()
                    r = c.command(self.commands[j]).check("FETCH")
                    lat.append(time.perf_counter() - t0)
                    if r.literal_bytes != self.expected[j]:
                        raise IMAPError(f"{self.commands[j]}: {r.literal_bytes} bytes, expected {self.expected[j]}")
                    ops += 1
                    nbytes += r.literal_bytes
                    k += 1
            except Exception as e:  # reported after the window
                errors.append(e)
            results[i] = (ops, nbytes, lat, time.perf_counter())

        threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(self.nconns)]
        for t in threads:
            t.start()
        c0 = time.process_time()
        t0 = time.perf_counter()
        deadline[0] = t0 + self.seconds
        gate.wait()
        for t in threads:
            t.join()
        cpu = time.process_time() - c0
        if errors:
            raise errors[0]
        end = max(r[3] for r in results)
        return Window(sum(r[0] for r in results), sum(r[1] for r in results), end - t0,
                      [x for r in results for x in r[2]], cpu)

    def close(self):
        _logout_all(self.conns)
        self.conns = []


class SmallCommands:
    """Each connection SELECTs its user's INBOX, then sends `UID FETCH <uid> (FLAGS)` (uid
    cycling through 1..uids) one at a time; all connections are driven by one epoll loop."""

    def __init__(self, target, logins, uids, conns, seconds):
        self.target, self.logins, self.uids, self.nconns, self.seconds = target, logins, uids, conns, seconds
        self.conns = []

    def prepare(self):
        logins = [self.logins[i % len(self.logins)] for i in range(self.nconns)]
        self.conns = _open_many(self.target, logins, 1 << 16,
                                lambda c: c.command("SELECT INBOX").check("SELECT"))

    def run(self):
        ep = select.epoll()
        state = {}
        for i, c in enumerate(self.conns):
            c.sock.setblocking(False)
            # [client, tag bytes, sent at, buffer, next uid, done]
            state[c.sock.fileno()] = [c, b"", 0.0, bytearray(), i % self.uids, False]
            ep.register(c.sock.fileno(), select.EPOLLIN)
        lat = []
        ops = 0
        counter = 0

        def send(st):
            nonlocal counter
            counter += 1
            st[1] = b"f%d" % counter
            st[4] = st[4] % self.uids + 1
            st[3].clear()
            st[2] = time.perf_counter()
            st[0].sock.send(st[1] + b" UID FETCH %d (FLAGS)\r\n" % st[4])

        c0 = time.process_time()
        t0 = time.perf_counter()
        deadline = t0 + self.seconds
        live = len(state)
        try:
            for st in state.values():
                send(st)
            while live:
                events = ep.poll(TIMEOUT)
                if not events:
                    raise IMAPError(f"no answer within {TIMEOUT:.0f} s")
                for fd, _ in events:
                    st = state[fd]
                    sock = st[0].sock
                    sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
                    data = sock.recv(65536)
                    if not data:
                        raise IMAPError("connection closed by the server")
                    buf = st[3]
                    buf += data
                    if not buf.endswith(b"\r\n"):
                        continue
                    start = buf.rfind(b"\r\n", 0, len(buf) - 2) + 2
                    if not buf.startswith(st[1] + b" ", start):
                        continue
                    now = time.perf_counter()
                    if not buf.startswith(st[1] + b" OK", start) or b" FETCH " not in buf:
                        raise IMAPError(f"UID FETCH: {bytes(buf[:200])!r}")
                    lat.append(now - st[2])
                    ops += 1
                    if now < deadline:
                        send(st)
                    else:
                        live -= 1
            wall = time.perf_counter() - t0
        finally:
            ep.close()
            for c in self.conns:
                c.sock.setblocking(True)
        return Window(ops, 0, wall, lat, time.process_time() - c0)

    def close(self):
        _logout_all(self.conns)
        self.conns = []


class LoginCycles:
    """`workers` threads each loop: connect, LOGIN, SELECT INBOX, LOGOUT (to its tagged OK)."""

    def __init__(self, target, logins, workers, seconds):
        self.target, self.logins, self.workers, self.seconds = target, logins, workers, seconds

    def prepare(self):
        pass

    def run(self):
        gate = threading.Barrier(self.workers + 1)
        results = [None] * self.workers
        errors = []
        deadline = [0.0]

        def work(i):
            ops = 0
            lat = []
            k = i
            try:
                gate.wait()
                while time.perf_counter() < deadline[0]:
                    t0 = time.perf_counter()
                    c = _connect(self.target, *self.logins[k % len(self.logins)], 1 << 16)
                    try:
                        c.command("SELECT INBOX").check("SELECT")
                        c.command("LOGOUT").check("LOGOUT")
                    finally:
                        c.close()
                    lat.append(time.perf_counter() - t0)
                    ops += 1
                    k += self.workers
            except Exception as e:  # reported after the window
                errors.append(e)
            results[i] = (ops, lat, time.perf_counter())

        threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(self.workers)]
        for t in threads:
            t.start()
        c0 = time.process_time()
        t0 = time.perf_counter()
        deadline[0] = t0 + self.seconds
        gate.wait()
        for t in threads:
            t.join()
        cpu = time.process_time() - c0
        if errors:
            raise errors[0]
        return Window(sum(r[0] for r in results), 0, max(r[2] for r in results) - t0,
                      [x for r in results for x in r[1]], cpu)

    def close(self):
        pass


IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)


class IdleConnections:
    """`count` connections (users in turn) LOGIN, SELECT INBOX and IDLE until `close()`.

    One selector loop opens them, `parallel` handshakes in flight (no thread per connection:
    50,000 sessions are 50,000 sockets, not threads). `sources` > 1 spreads the client sockets
    over the source addresses 127.0.0.2 … 127.0.0.<sources+1>, for when the ephemeral port
    range cannot be widened."""

    STEPS = (b"a LOGIN", b"b SELECT INBOX", b"i IDLE")

    def __init__(self, target, logins, count, parallel=64, sources=1):
        self.target, self.logins, self.count = target, logins, count
        self.parallel, self.sources = parallel, max(1, sources)
        self.socks = []

    def _connect(self, i):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if self.sources > 1:
                s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
                s.bind((f"127.0.0.{2 + i % self.sources}", 0))
            s.setblocking(False)
            err = s.connect_ex((self.target.host, self.target.port))
            if err not in (0, errno.EINPROGRESS):
                raise OSError(err, f"connect: {os.strerror(err)}")
        except BaseException:
            s.close()
            raise
        return s

    def _command(self, i, step):
        user, password = self.logins[i % len(self.logins)]
        if step == 0:
            return b"a LOGIN " + quote(user).encode() + b" " + quote(password).encode() + b"\r\n"
        return self.STEPS[step] + b"\r\n"

    def open(self):
        """Opens them all; returns (wall seconds, client CPU seconds)."""
        c0 = time.process_time()
        t0 = time.perf_counter()
        sel = selectors.DefaultSelector()
        # per socket: [index, step (-1: greeting, 0..2: STEPS), buffer, deadline]
        state = {}
        started = done = 0
        try:
            while done < self.count:
                while started < self.count and started - done < self.parallel:
                    s = self._connect(started)
                    self.socks.append(s)
                    state[s] = [started, -1, bytearray(), time.monotonic() + TIMEOUT]
                    sel.register(s, selectors.EVENT_READ)
                    started += 1
                events = sel.select(1.0)
                now = time.monotonic()
                if not events:
                    late = [st for st in state.values() if st[3] < now]
                    if late:
                        raise IMAPError(f"connection {late[0][0]}: no answer within {TIMEOUT:.0f} s "
                                        f"(step {late[0][1]}, {done} of {self.count} open)")
                for key, _ in events:
                    s = key.fileobj
                    st = state[s]
                    try:
                        data = s.recv(65536)
                    except (BlockingIOError, InterruptedError):
                        continue
                    if not data:
                        raise IMAPError(f"connection {st[0]} closed by the server at step {st[1]} "
                                        f"({done} of {self.count} open)")
                    buf = st[2]
                    buf += data
                    while True:
                        end = buf.find(b"\r\n")
                        if end < 0:
                            break
                        line = bytes(buf[:end])
                        del buf[: end + 2]
                        step = st[1]
                        if step == -1:
                            if not line.startswith(b"* OK"):
                                raise IMAPError(f"greeting: {line[:200]!r}")
                        elif step == 2:
                            if line.startswith(b"* "):
                                continue
                            if not line.startswith(b"+"):
                                raise IMAPError(f"IDLE: {line[:200]!r}")
                        else:
                            tag = self.STEPS[step].split(b" ")[0]
                            if not line.startswith(tag + b" "):
                                continue
                            if not line.startswith(tag + b" OK"):
                                raise IMAPError(f"{self.STEPS[step].decode()}: {line[:200]!r}")
                        st[1] = step + 1
                        if st[1] == 3:
                            sel.unregister(s)
                            del state[s]
                            done += 1
                            break
                        s.send(self._command(st[0], st[1]))
                        st[3] = time.monotonic() + TIMEOUT
        except BaseException:
            self.close()
            raise
        finally:
            sel.close()
        return time.perf_counter() - t0, time.process_time() - c0

    def close(self):
        for s in self.socks:
            try:
                s.send(b"DONE\r\nz LOGOUT\r\n")
            except OSError:
                pass
            s.close()
        self.socks = []
