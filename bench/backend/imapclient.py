"""A small blocking IMAP client for the backend benchmark: raw sockets, no IMAP library.

It speaks just what the benchmark needs (LOGIN, CREATE, SELECT, APPEND with LITERAL+,
MULTIAPPEND, UID FETCH, SEARCH, LOGOUT), reads literals by count without keeping them unless
asked, and turns on TCP_QUICKACK before every receive: a server that writes a response in two
small pieces otherwise waits ~40 ms for the client's delayed ACK (Nagle), which would measure
the kernel, not the server.
"""

import socket
import time

QUICKACK = getattr(socket, "TCP_QUICKACK", 12)
RECV_SIZE = 1 << 20
MAX_LINE = 1 << 20


class IMAPError(Exception):
    pass


def quote(text):
    """An IMAP quoted string (the benchmark only uses plain ASCII names)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Response:
    def __init__(self, tag, status, text, untagged, literal_bytes, literals):
        self.tag = tag
        self.status = status
        self.text = text
        self.untagged = untagged
        self.literal_bytes = literal_bytes
        self.literals = literals

    def check(self, what):
        if self.status != "OK":
            raise IMAPError(f"{what}: {self.status} {self.text}")
        return self


class Client:
    def __init__(self, host, port, timeout=600.0, bufsize=RECV_SIZE):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0
        self.scratch = bytearray(bufsize)
        self.counter = 0
        self.greeting = self.readline()
        if not self.greeting.startswith(b"* OK"):
            raise IMAPError(f"greeting: {self.greeting!r}")

    # -- reading --------------------------------------------------------------------------------

    def _recv(self):
        self.sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
        n = self.sock.recv_into(self.scratch)
        if n == 0:
            raise IMAPError("connection closed by the server")
        if self.pos > 0 and self.pos >= len(self.buf) // 2:
            del self.buf[: self.pos]
            self.pos = 0
        self.buf += memoryview(self.scratch)[:n]

    def readline(self):
        """One line without its CRLF."""
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = bytes(self.buf[self.pos : end])
                self.pos = end + 2
                return line
            if len(self.buf) - self.pos > MAX_LINE:
                raise IMAPError("line too long")
            self._recv()

    def skip(self, n, keep=False):
        """Consumes n literal bytes; returns them when keep, else None."""
        out = bytearray() if keep else None
        avail = len(self.buf) - self.pos
        take = min(avail, n)
        if keep:
            out += self.buf[self.pos : self.pos + take]
        self.pos += take
        n -= take
        view = memoryview(self.scratch)
        while n > 0:
            self.sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
            got = self.sock.recv_into(self.scratch, min(n, len(self.scratch)))
            if got == 0:
                raise IMAPError("connection closed inside a literal")
            if keep:
                out += view[:got]
            n -= got
        return bytes(out) if keep else None

    def response(self, tag, keep_literals=False):
        """Reads up to the tagged completion of `tag`."""
        untagged = []
        literals = []
        literal_bytes = 0
        prefix = tag.encode() + b" "
        while True:
            line = self.readline()
            whole = line
            while line.endswith(b"}"):
                brace = line.rfind(b"{")
                if brace < 0:
                    break
                size = line[brace + 1 : -1].rstrip(b"+")
                if not size.isdigit():
                    break
                n = int(size)
                literal_bytes += n
                data = self.skip(n, keep_literals)
                if keep_literals:
                    literals.append(data)
                line = self.readline()
                whole += b" <literal> " + line
            if whole.startswith(prefix):
                rest = whole[len(prefix) :].decode("latin-1")
                status, _, text = rest.partition(" ")
                return Response(tag, status.upper(), text, untagged, literal_bytes, literals)
            if whole.startswith(b"+"):
                raise IMAPError(f"unexpected continuation: {whole!r}")
            untagged.append(whole)

    # -- writing --------------------------------------------------------------------------------

    def next_tag(self):
        self.counter += 1
        return f"a{self.counter}"

    def send(self, *parts):
        for p in parts:
            self.sock.sendall(p)

    def command(self, text, keep_literals=False):
        tag = self.next_tag()
        self.send(f"{tag} {text}\r\n".encode())
        return self.response(tag, keep_literals)

    def login(self, user, password):
        return self.command(f"LOGIN {quote(user)} {quote(password)}").check("LOGIN " + user)

    def send_append(self, mailbox, messages, flags="(\\Seen)"):
        """Sends one APPEND (several messages: MULTIAPPEND) with LITERAL+; returns its tag."""
        tag = self.next_tag()
        head = f"{tag} APPEND {quote(mailbox)}".encode()
        for m in messages:
            self.send(head + b" " + f"{flags} {{{len(m)}+}}\r\n".encode(), m)
            head = b""
        self.send(b"\r\n")
        return tag

    def append(self, mailbox, messages):
        tag = self.send_append(mailbox, messages)
        return self.response(tag).check("APPEND")

    def logout(self):
        try:
            self.command("LOGOUT")
        except (IMAPError, OSError):
            pass
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def timed(fn):
    """Runs fn(); returns (result, wall seconds, this process's CPU seconds)."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    r = fn()
    return r, time.perf_counter() - t0, time.process_time() - c0
