"""The socket engine a node runs on: io_uring by default, the pure-Swift engine where the
kernel refuses io_uring (forced here with MURDER_URING_PROBE=fail), with the reason logged."""

import imaplib

import pytest

from conftest import Backend, password
from support import ENGINE


def _log(backend):
    return backend.log_path.read_text(errors="replace")


def test_forced_fallback_serves_on_the_pure_swift_engine(tmp_path):
    backend = Backend(tmp_path)
    backend.config_path.write_text(backend.config_path.read_text().replace(f'engine = "{ENGINE}"', 'engine = "uring"'))
    backend.extra_env = {"MURDER_URING_PROBE": "fail"}
    backend.start()
    try:
        imap = imaplib.IMAP4(backend.host, backend.port)
        imap.login("alice", password("alice"))
        assert imap.append("INBOX", None, None, b"Subject: fallback\r\n\r\nserved on nio\r\n")[0] == "OK"
        typ, data = imap.select("INBOX")
        assert typ == "OK" and data == [b"1"]
        typ, data = imap.fetch("1", "(BODY[TEXT])")
        assert data[0][1] == b"served on nio\r\n"
        imap.logout()
        log = _log(backend)
        assert "io_uring is not available (forced off); running on the pure-Swift engine (nio)" in log
        assert "engine uring:" not in log
    finally:
        backend.stop()


def test_uring_is_the_default_engine_where_the_kernel_allows_it(tmp_path):
    backend = Backend(tmp_path)
    text = backend.config_path.read_text().replace(f'engine = "{ENGINE}"\n', "")
    backend.config_path.write_text(text)
    backend.start()
    try:
        imap = imaplib.IMAP4(backend.host, backend.port)
        imap.login("bob", password("bob"))
        imap.logout()
        log = _log(backend)
        if "io_uring is not available" in log:
            pytest.skip("io_uring unavailable here: " + log.split("io_uring is not available", 1)[1].splitlines()[0])
        assert "engine uring:" in log
    finally:
        backend.stop()
