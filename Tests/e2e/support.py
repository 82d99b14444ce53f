"""Helpers shared by the end-to-end tests: message builders and a raw IMAP line client."""

import os
import random
import re
import socket
import time

CRLF = b"\r\n"

# The socket engine every node of the suite runs on: `make test` runs the suite once per
# engine (MURDER_ENGINE=uring, then nio).
ENGINE = os.environ.get("MURDER_ENGINE", "uring")


def engine_line():
    """The config line that puts a node on the suite's engine."""
    return f'engine = "{ENGINE}"'


def message(subject="hello", body="Hello, world.", sender="alice@example.org", to="bob@example.org",
            extra_headers=(), message_id=None, date="Mon, 7 Feb 1994 21:52:25 -0800"):
    """A small RFC 5322 message with CRLF line ends, as bytes."""
    headers = [
        f"From: Alice <{sender}>",
        f"To: Bob <{to}>",
        f"Subject: {subject}",
        f"Date: {date}",
        f"Message-ID: {message_id or '<%08x@example.org>' % random.getrandbits(32)}",
    ]
    headers += list(extra_headers)
    text = "\r\n".join(headers) + "\r\n\r\n" + body.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n"
    return text.encode("utf-8")


def multipart_message(subject="parts"):
    return (
        "From: Alice <alice@example.org>\r\n"
        "To: Bob <bob@example.org>\r\n"
        f"Subject: {subject}\r\n"
        "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
        "Message-ID: <parts@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="XX"\r\n'
        "\r\n"
        "preamble\r\n"
        "--XX\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        "first part\r\n"
        "--XX\r\n"
        "Content-Type: text/html; charset=us-ascii\r\n"
        "\r\n"
        "<p>second part</p>\r\n"
        "--XX--\r\n"
    ).encode()


def random_message(rng, size, tag=""):
    """A message of about `size` bytes with a random body, a unique Message-ID and `tag` in its subject."""
    head = (
        f"From: Load <load@example.org>\r\nTo: alice@example.org\r\nSubject: load {tag}\r\n"
        f"Message-ID: <{rng.getrandbits(64):016x}.{tag}@example.org>\r\n\r\n"
    ).encode()
    n = max(0, size - len(head))
    alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
    lines = []
    remaining = n
    while remaining > 0:
        k = min(remaining, 76)
        if k >= 2:
            lines.append(bytes(rng.choice(alphabet) for _ in range(k - 2)) + CRLF)
        else:
            lines.append(b"x" * k)
        remaining -= k
    return head + b"".join(lines)


def fast_random_message(rng, size, tag=""):
    """Like random_message but cheap for large sizes (random lines repeated with a counter)."""
    head = (
        f"From: Load <load@example.org>\r\nTo: alice@example.org\r\nSubject: load {tag}\r\n"
        f"Message-ID: <{rng.getrandbits(64):016x}.{tag}@example.org>\r\n\r\n"
    ).encode()
    seed_line = ("%016x" % rng.getrandbits(64)).encode() * 4
    out = bytearray(head)
    i = 0
    while len(out) < size:
        out += b"%06d " % i + seed_line + CRLF
        i += 1
    return bytes(out)


class RawClient:
    """A line-level IMAP client on a plain socket, for IDLE and hostile input."""

    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.tagn = 0
        self.greeting = self.readline()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.sendall(data)

    def readline(self, timeout=None):
        if timeout is not None:
            self.sock.settimeout(timeout)
        while CRLF not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed; buffered %r" % self.buf[:200])
            self.buf += chunk
        line, _, self.buf = self.buf.partition(CRLF)
        return line

    def read_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def next_tag(self):
        self.tagn += 1
        return b"t%d" % self.tagn

    def command(self, text, timeout=10.0):
        """Sends one command line (no literals), returns (untagged lines, tagged line)."""
        tag = self.next_tag()
        if isinstance(text, str):
            text = text.encode()
        self.send(tag + b" " + text + CRLF)
        return self.read_until_tagged(tag, timeout)

    def read_until_tagged(self, tag, timeout=10.0):
        deadline = time.monotonic() + timeout
        untagged = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no tagged answer for %r; got %r" % (tag, untagged[-5:]))
            line = self.readline(timeout=left)
            m = re.search(rb"\{(\d+)\}$", line)
            if m:
                line += CRLF + self.read_exact(int(m.group(1)))
                continue_line = self.readline(timeout=left)
                line += continue_line
            if line.startswith(tag + b" "):
                return untagged, line
            untagged.append(line)

    def login(self, user, pw):
        _, tagged = self.command(f'LOGIN {user} "{pw}"')
        assert b" OK" in tagged, tagged
        return tagged
