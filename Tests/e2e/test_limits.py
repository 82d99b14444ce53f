"""Limits and hostile input on a raw socket; other sessions keep working after each abuse."""

import socket
import time

from conftest import password
from support import RawClient


def healthy(backend):
    """A fresh session logs in and runs a command: the server is still serving."""
    c = RawClient(backend.host, backend.port)
    try:
        c.login("bob", password("bob"))
        _, tagged = c.command("SELECT INBOX")
        assert b" OK" in tagged, tagged
        c.command("LOGOUT")
    finally:
        c.close()


def test_overlong_line_gets_bad_and_connection_continues(backend):
    c = RawClient(backend.host, backend.port)
    c.login("alice", password("alice"))
    c.send(b"t100 NOOP " + b"x" * 100_000 + b"\r\n")
    line = c.readline(timeout=10)
    assert b"BAD" in line.split(b" ", 2)[1], line
    _, tagged = c.command("NOOP")
    assert b" OK" in tagged, tagged
    # A long line of atoms with no CRLF at all is also bounded.
    c.send(b"t101 " + b"A " * 60_000 + b"\r\n")
    line = c.readline(timeout=10)
    assert b"BAD" in line, line
    _, tagged = c.command("NOOP")
    assert b" OK" in tagged
    c.close()
    healthy(backend)


def test_literal_over_appendlimit_is_refused_without_continuation(backend):
    c = RawClient(backend.host, backend.port)
    c.login("alice", password("alice"))
    _, tagged = c.command("CAPABILITY")
    caps, _ = c.command("CAPABILITY")
    limit = int(next(tok for tok in b" ".join(caps).split() if tok.startswith(b"APPENDLIMIT=")).split(b"=")[1])
    c.send(b"a1 APPEND INBOX {%d}\r\n" % (limit + 1))
    line = c.readline(timeout=10)
    assert not line.startswith(b"+"), line
    assert line.startswith(b"a1 NO") or line.startswith(b"a1 BAD"), line
    _, tagged = c.command("NOOP")
    assert b" OK" in tagged, tagged
    _, tagged = c.command("STATUS INBOX (MESSAGES)")
    assert b" OK" in tagged
    c.close()
    healthy(backend)


def test_failed_logins_are_each_delayed(backend):
    delay = backend.failed_login_delay_ms / 1000.0
    c = RawClient(backend.host, backend.port)
    times = []
    for i in range(10):
        t0 = time.monotonic()
        try:
            _, tagged = c.command(f'LOGIN alice "wrong-{i}"', timeout=30)
        except ConnectionError:
            # A server may drop a client after several failures; go on with a new connection.
            c.close()
            c = RawClient(backend.host, backend.port)
            continue
        times.append(time.monotonic() - t0)
        assert b" NO" in tagged, tagged
    assert len(times) >= 3, "the server dropped the client too early"
    for t in times:
        assert t >= delay * 0.95, f"failed login answered after {t:.3f} s < {delay} s"
    c.close()
    healthy(backend)


def test_per_host_connection_limit(backend_factory):
    backend = backend_factory(imap={"max_connections_per_host": 3})
    held = [RawClient(backend.host, backend.port) for _ in range(3)]
    for c in held:
        assert c.greeting.startswith(b"* OK"), c.greeting
    extra = socket.create_connection((backend.host, backend.port), timeout=10)
    data = b""
    while b"\r\n" not in data:
        chunk = extra.recv(4096)
        if not chunk:
            break
        data += chunk
    assert data.startswith(b"* BYE [UNAVAILABLE]"), data
    extra.close()
    # The held sessions still work.
    held[0].login("alice", password("alice"))
    _, tagged = held[0].command("NOOP")
    assert b" OK" in tagged
    # Freeing a slot lets a new client in.
    held[1].command("LOGOUT")
    held[1].close()
    deadline = time.monotonic() + 5
    while True:
        c = RawClient(backend.host, backend.port)
        if c.greeting.startswith(b"* OK") or time.monotonic() > deadline:
            break
        c.close()
        time.sleep(0.1)
    assert c.greeting.startswith(b"* OK"), c.greeting
    c.login("bob", password("bob"))
    c.close()
    for h in (held[0], held[2]):
        h.close()


def test_garbage_and_unknown_commands(backend):
    c = RawClient(backend.host, backend.port)
    for junk in (b"\x00\x01\x02\xff\r\n", b"*\r\n", b"tag\r\n", b"t1 FROBNICATE\r\n", b"t2 LOGIN\r\n",
                 b"t3 SELECT (((((((\r\n", b"t4 FETCH 1 (FLAGS)\r\n"):
        c.send(junk)
        line = c.readline(timeout=10)
        assert b"BAD" in line or b" NO" in line, (junk, line)
    c.login("alice", password("alice"))
    c.send(b"t5 FETCH 1:* (" + b"(" * 300 + b"\r\n")
    assert b"BAD" in c.readline(timeout=10)
    _, tagged = c.command("NOOP")
    assert b" OK" in tagged
    c.close()
    healthy(backend)
