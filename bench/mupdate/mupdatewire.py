"""A small, fast MUPDATE client (RFC 3656) for the benchmark: banner, AUTHENTICATE PLAIN, then
responses parsed one at a time with their literals inlined.

    S: * AUTH "PLAIN"
    S: * OK MUPDATE "master" "Cyrus Murder" "v3.6.1" "(master)"
    C: A01 AUTHENTICATE "PLAIN" "AG11cmRlcgBwdw=="
    S: A01 OK "Authenticated"
    C: U1 UPDATE
    S: U1 MAILBOX {13+}
    S: user.u0000001 {22+}
    S: 127.0.0.1:1143!default {24+}
    S: u0000001<TAB>lrswipkxtecdan<TAB>
    S: U1 OK "streaming starts"

Responses come back as (tag, keyword, [args as bytes], arrival) where arrival is the monotonic
time at which the bytes completing the response were received. Reading a million-record dump is
bounded by the parser (a few seconds), not by the buffer: consumed bytes are dropped in chunks.
Every read has a deadline.
"""

import base64
import re
import socket
import time

QUICKACK = getattr(socket, "TCP_QUICKACK", 12)
RECV_SIZE = 1 << 20
# A response line (outside literals) is at most 8 KiB and a literal at most 64 KiB (SPEC 3.1):
# anything longer is a broken peer, not a slow one.
MAX_LINE = 64 * 1024
MAX_LITERAL = 1 << 20

_LITERAL = re.compile(rb"\{(\d+)\+?\}$")
_TOKEN = re.compile(rb'"((?:[^"\\]|\\.)*)"|([^\s"{}()]+)')
_UNQUOTE = re.compile(rb"\\(.)")


class MupdateError(Exception):
    pass


class MupdateConnection:
    def __init__(self, host, port, timeout=30.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0
        self.last_arrival = time.monotonic()
        self.bytes_read = 0
        self.banner = []
        deadline = time.monotonic() + timeout
        while True:
            tag, keyword, args, _ = self.read_response(deadline)
            self.banner.append((tag, keyword, args))
            if tag == b"*" and keyword == b"OK":
                break

    def authenticate(self, user, password, timeout=30.0):
        ir = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
        self.send(f'A01 AUTHENTICATE "PLAIN" "{ir}"')
        tag, keyword, args, _ = self.read_response(time.monotonic() + timeout)
        if tag != b"A01" or keyword != b"OK":
            raise MupdateError(f"authentication as {user} failed: {tag!r} {keyword!r} {args!r}")

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no complete MUPDATE response before the deadline")
        if self.pos > RECV_SIZE:
            del self.buf[: self.pos]
            self.pos = 0
        self.sock.settimeout(left)
        self.sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
        chunk = self.sock.recv(RECV_SIZE)
        if not chunk:
            raise MupdateError("connection closed by the server")
        self.last_arrival = time.monotonic()
        self.bytes_read += len(chunk)
        self.buf += chunk

    def read_response(self, deadline):
        """The next response: (tag, keyword, args, arrival). Quoted strings are unescaped,
        literals returned as their bytes."""
        while True:
            parsed = self._parse(self.pos)
            if parsed is not None:
                return parsed
            self._fill(deadline)

    def _parse(self, start):
        buf = self.buf
        pos = start
        tokens = []
        while True:
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                if len(buf) - pos > MAX_LINE:
                    raise MupdateError("response line over 64 KiB")
                return None
            segment = bytes(buf[pos:eol])
            m = _LITERAL.search(segment)
            if m:
                segment = segment[: m.start()]
            for q, atom in _TOKEN.findall(segment):
                tokens.append(atom if atom else _UNQUOTE.sub(rb"\1", q))
            if not m:
                pos = eol + 2
                break
            n = int(m.group(1))
            if n > MAX_LITERAL:
                raise MupdateError(f"literal of {n} bytes")
            if eol + 2 + n > len(buf):
                return None
            tokens.append(bytes(buf[eol + 2 : eol + 2 + n]))
            pos = eol + 2 + n
        self.pos = pos
        if len(tokens) < 2:
            raise MupdateError(f"malformed response {bytes(buf[start:pos])[:200]!r}")
        return tokens[0], tokens[1].upper(), tokens[2:], self.last_arrival

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def read_dump(conn, tag, deadline, on_record=None):
    """After `<tag> UPDATE` or `<tag> LIST` was sent: reads records up to the tagged OK.
    Returns (records, completion keyword). `on_record(keyword, args)` sees each record."""
    records = 0
    tb = tag.encode()
    while True:
        t, keyword, args, _ = conn.read_response(deadline)
        if t != tb:
            continue
        if keyword in (b"MAILBOX", b"RESERVE"):
            records += 1
            if on_record is not None:
                on_record(keyword, args)
        elif keyword in (b"OK", b"NO", b"BAD"):
            return records, keyword, args
