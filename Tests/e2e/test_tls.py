"""TLS on a real backend: implicit TLS (RFC 8314) and STARTTLS (RFC 3501 §6.2.1), with
plaintext logins disallowed, against `murder serve`.

Self-contained: this file starts its own backend (binary from $MURDER_BIN, default
.build/debug/murder) with a self-signed certificate made by openssl. Skipped, with the reason,
when openssl, saslpasswd2 or the binary is missing. Only the process started here is signalled.
"""

import imaplib
import os
import select
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from support import engine_line

REPO_ROOT = Path(__file__).resolve().parents[2]
MURDER = Path(os.environ.get("MURDER_BIN", REPO_ROOT / ".build" / "debug" / "murder"))
TIMEOUT = 15
PASSWORD = "secret-alice"
MESSAGE = b"From: bob@example.com\r\nTo: alice@example.com\r\nSubject: over TLS\r\n\r\n" + b"x" * 70000 + b"\r\n"


def _missing():
    for tool in ("openssl", "saslpasswd2"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not MURDER.exists():
        return f"no murder binary at {MURDER} (set MURDER_BIN)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


class TLSNode:
    """`murder serve` with a plain listener (STARTTLS) and an implicit TLS listener."""

    def __init__(self, root):
        root = Path(root)
        data = root / "data"
        data.mkdir(parents=True)
        self.cert, self.key = root / "c.pem", root / "k.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", str(self.key), "-out", str(self.cert)],
            check=True, capture_output=True, timeout=60,
        )
        subprocess.run(
            ["saslpasswd2", "-p", "-c", "-f", str(data / "sasldb2"), "alice"],
            input=(PASSWORD + "\n").encode(), check=True, capture_output=True, timeout=20,
        )
        config = root / "node.toml"
        config.write_text(
            f'servername = "127.0.0.1:0"\n{engine_line()}\ndata_dir = "{data}"\n'
            '[imap]\nlisten = ["127.0.0.1:0"]\nlisten_tls = ["127.0.0.1:0"]\nfailed_login_delay_ms = 100\n'
            '[auth]\nallow_plaintext = false\nadmins = ["admin"]\nproxy_identities = ["murder"]\n'
            '[tls]\ncert_file = "c.pem"\nkey_file = "k.pem"\n'
        )
        self.log = open(root / "murder.log", "wb")
        self.proc = subprocess.Popen(
            [str(MURDER), "serve", "-c", str(config)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self.log, start_new_session=True,
        )
        line = self._line(30)
        assert line.startswith(b"listening "), f"murder serve did not start: {line!r}"
        # imap.listen ports come first, then imap.listen_tls ones.
        self.plain_port, self.tls_port = (int(p) for p in line.split()[1:3])
        self.context = ssl.create_default_context(cafile=str(self.cert))

    def _line(self, timeout):
        deadline, buf = time.monotonic() + timeout, b""
        fd = self.proc.stdout.fileno()
        while b"\n" not in buf and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
        return buf

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()

    def imaps(self):
        return imaplib.IMAP4_SSL("127.0.0.1", self.tls_port, ssl_context=self.context, timeout=TIMEOUT)

    def imap(self):
        return imaplib.IMAP4("127.0.0.1", self.plain_port, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def tls_node(tmp_path_factory):
    node = TLSNode(tmp_path_factory.mktemp("tls"))
    yield node
    node.stop()


def _read_until(sock, needle, timeout=TIMEOUT):
    """Bytes from `sock` until `needle` arrived or the peer closed."""
    sock.settimeout(timeout)
    data = b""
    while needle not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _read_to_end(sock, timeout=TIMEOUT):
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def test_implicit_tls_login_works_with_plaintext_disallowed(tls_node):
    m = tls_node.imaps()
    caps = m.capabilities
    assert "STARTTLS" not in caps and "LOGINDISABLED" not in caps and "AUTH=PLAIN" in caps
    assert m.login("alice", PASSWORD)[0] == "OK"
    assert m.append("INBOX", None, None, MESSAGE)[0] == "OK"
    assert m.select("INBOX")[0] == "OK"
    typ, data = m.fetch("1", "(BODY.PEEK[])")  # a message body sent from the spool file, through TLS
    assert typ == "OK" and data[0][1] == MESSAGE
    m.logout()


def test_starttls_then_login(tls_node):
    m = tls_node.imap()
    assert "STARTTLS" in m.capabilities and "LOGINDISABLED" in m.capabilities
    assert "AUTH=PLAIN" not in m.capabilities
    assert m.starttls(ssl_context=tls_node.context)[0] == "OK"
    # imaplib asks for CAPABILITY again after STARTTLS (RFC 3501 §6.2.1).
    assert "STARTTLS" not in m.capabilities and "LOGINDISABLED" not in m.capabilities
    assert "AUTH=PLAIN" in m.capabilities
    with pytest.raises(imaplib.IMAP4.error, match="TLS is already active"):
        m._simple_command("STARTTLS")
    assert m.login("alice", PASSWORD)[0] == "OK"
    assert m.select("INBOX")[0] == "OK"
    m.logout()


def test_authenticate_plain_after_starttls(tls_node):
    m = tls_node.imap()
    m.starttls(ssl_context=tls_node.context)
    typ, _ = m.authenticate("PLAIN", lambda _: f"\0alice\0{PASSWORD}".encode())
    assert typ == "OK"
    m.logout()


def test_login_without_tls_is_refused(tls_node):
    m = tls_node.imap()
    assert "LOGINDISABLED" in m.capabilities
    with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED"):
        m.login("alice", PASSWORD)
    with pytest.raises(imaplib.IMAP4.error):
        m.authenticate("PLAIN", lambda _: f"\0alice\0{PASSWORD}".encode())
    m.logout()


def test_garbage_handshake_closes_only_that_connection(tls_node):
    good = tls_node.imaps()
    good.login("alice", PASSWORD)
    with socket.create_connection(("127.0.0.1", tls_node.tls_port), timeout=TIMEOUT) as raw:
        raw.sendall(b"a1 LOGIN alice " + PASSWORD.encode() + b"\r\n")
        answer = _read_to_end(raw)
        assert b"OK" not in answer and b"LOGIN" not in answer  # at most a TLS alert, then closed
    assert good.noop()[0] == "OK"
    again = tls_node.imaps()
    assert again.login("alice", PASSWORD)[0] == "OK"
    again.logout()
    good.logout()


def test_pipelined_command_after_starttls_is_refused(tls_node):
    with socket.create_connection(("127.0.0.1", tls_node.plain_port), timeout=TIMEOUT) as raw:
        assert b"STARTTLS" in _read_until(raw, b"\r\n")
        raw.sendall(b"a1 STARTTLS\r\na2 CAPABILITY\r\n")
        answer = _read_until(raw, b"a2 OK")
        assert b"a1 BAD" in answer and b"a2 OK" in answer  # TLS never started; a2 answered in plaintext
        assert b"STARTTLS" in answer  # still offered: nothing changed


def test_plaintext_sent_after_starttls_ok_never_runs(tls_node):
    with socket.create_connection(("127.0.0.1", tls_node.plain_port), timeout=TIMEOUT) as raw:
        _read_until(raw, b"\r\n")
        raw.sendall(b"a1 STARTTLS\r\n")
        assert b"a1 OK" in _read_until(raw, b"\r\n")
        raw.sendall(b"a2 LOGIN alice " + PASSWORD.encode() + b"\r\n")  # instead of a ClientHello
        answer = _read_to_end(raw)
        assert b"a2" not in answer  # taken as a broken handshake: the connection is closed
