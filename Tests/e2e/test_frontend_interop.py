"""Frontends and Debian's Cyrus IMAP 3.6 (SPEC §13, §14 "our frontend against a Cyrus murder"):

- our frontend in front of a Cyrus backend registered with a Cyrus mupdate master;
- a Cyrus frontend in front of our two backends and our master.

Skipped, with the packages to install, when Cyrus is not there (cyrus_peers.require_cyrus).
"""

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from conftest import MURDER_BIN, password
from cyrus_peers import MUPDATE_USER, cyrus_backend, cyrus_mupdate_master, require_cyrus
from murder_cluster import CYRUS_NAMESPACE, FULL_RIGHTS, OurFrontend, fetch_messages, list_of, ok, selectable, start_cluster, \
    wait_until
from support import CRLF, message
from test_mupdate_murder import mupdate_find

READY = 30.0


def tagged_ok(tagged):
    return re.match(rb"^\S+ OK\b", tagged) is not None


def run(client, command):
    untagged, tagged = client.command(command)
    assert tagged_ok(tagged), (command, tagged, untagged[-5:])
    return untagged, tagged


@pytest.fixture
def root():
    d = Path(tempfile.mkdtemp(prefix="murder-e2e-feinterop-"))
    os.chmod(d, 0o755)
    yield d
    if os.environ.get("E2E_KEEP") is None:
        shutil.rmtree(d, ignore_errors=True)


def test_our_frontend_in_front_of_a_cyrus_backend_and_master(root):
    require_cyrus("master", "imapd", "mupdate", "ctl_cyrusdb", "ctl_mboxlist")
    if not MURDER_BIN.is_file():
        pytest.skip(f"murder binary not found at {MURDER_BIN}")
    master = cyrus_mupdate_master(root / "cmaster")
    started = [master]
    try:
        cb = cyrus_backend(root / "cbackend", master.host, master.port, options=CYRUS_NAMESPACE)
        started.append(cb)
        admin = cb.imap("admin")
        try:
            ok(admin.create("user/alice"))
            ok(admin.create("shared/memo"))
            ok(admin.setacl("shared/memo", "alice", FULL_RIGHTS))
        finally:
            admin.logout()
        wait_until(lambda: mupdate_find(master.host, master.port, "shared.memo"), READY,
                   "the Cyrus backend registered shared.memo")

        sasldb = root / "sasldb2"
        pwfile = root / "murder.pw"
        pwfile.write_text(password(MUPDATE_USER) + "\n")
        import subprocess
        for user in ("alice", "admin"):
            subprocess.run(["saslpasswd2", "-p", "-c", "-f", str(sasldb), user], input=(password(user) + "\n").encode(),
                           check=True, timeout=20, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        fe = OurFrontend(root / "frontend", "frontend1", f"127.0.0.1:{master.port}", sasldb, pwfile)
        fe.start()
        started.append(fe)

        def listed():
            c = fe.raw("alice")
            try:
                return {"INBOX", "shared/memo"} <= selectable(list_of(c, 'LIST "" "*"'))
            finally:
                c.close()
        wait_until(listed, READY, "our frontend lists the Cyrus murder's mailboxes for alice")

        c = fe.raw("alice")
        try:
            run(c, "SELECT INBOX")
            tag = c.next_tag()
            body = message(subject="through our frontend")
            c.send(tag + b" APPEND INBOX (\\Flagged) {%d}" % len(body) + CRLF)
            assert c.readline(timeout=15).startswith(b"+")
            c.send(body + CRLF)
            _, tagged = c.read_until_tagged(tag)
            assert tagged_ok(tagged), tagged
            run(c, "NOOP")
            untagged, _ = run(c, "FETCH 1 (FLAGS BODY.PEEK[])")
            assert any(b"through our frontend" in line for line in untagged), untagged
            run(c, "EXAMINE shared/memo")
            run(c, "CREATE INBOX/viafe")
            run(c, "SELECT INBOX/viafe")
        finally:
            c.close()
        found = mupdate_find(master.host, master.port, "user.alice.viafe")
        assert found and found[1][1] == cb.location, found
        direct = fetch_messages(cb.host, cb.port, "alice", "INBOX")
        assert [v[0] for v in direct.values()] == [body]
        assert "\\Flagged" in next(iter(direct.values()))[1]
    finally:
        for node in reversed(started):
            node.stop()


def test_cyrus_frontend_in_front_of_our_backends_and_master():
    """SPEC §13: a Cyrus frontend logs users in, lists, selects on either backend, APPENDs
    (LOCALAPPEND to our backend) and IDLEs through to our backends."""
    require_cyrus("master", "imapd", "mupdate", "ctl_cyrusdb")
    cl = start_cluster(frontends=1, frontend_kind="cyrus")
    try:
        fe, b1 = cl.fe(0), cl.backend1
        c = fe.raw("alice")
        try:
            names = selectable(list_of(c, 'LIST "" "*"'))
            assert {"INBOX", "INBOX/Work", "shared/memo"} <= names and "user/bob" not in names, names
            untagged, _ = run(c, "SELECT INBOX")
            assert b"* 3 EXISTS" in untagged, untagged
            untagged, _ = run(c, "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            assert any(b"inbox 0" in line for line in untagged), untagged
            body = message(subject="through a Cyrus frontend")
            tag = c.next_tag()
            c.send(tag + b" APPEND shared/memo {%d}" % len(body) + CRLF)
            assert c.readline(timeout=15).startswith(b"+")
            c.send(body + CRLF)
            _, tagged = c.read_until_tagged(tag)
            assert tagged_ok(tagged), tagged
            run(c, "EXAMINE shared/memo")
            run(c, "SELECT INBOX")

            tag = c.next_tag()
            c.send(tag + b" IDLE" + CRLF)
            assert c.readline(timeout=10).startswith(b"+")
            from murder_cluster import append_messages
            append_messages(b1.host, b1.port, "alice", "INBOX", [message(subject="wake the Cyrus frontend")])
            deadline = time.monotonic() + 10
            seen = []
            while b"* 4 EXISTS" not in seen:
                left = deadline - time.monotonic()
                assert left > 0, f"no EXISTS through the Cyrus frontend's IDLE within 10 s: {seen}"
                try:
                    seen.append(c.readline(timeout=left))
                except TimeoutError:
                    pass
            c.send(b"DONE" + CRLF)
            _, tagged = c.read_until_tagged(tag)
            assert tagged_ok(tagged), tagged

            # A COPY between backends: the Cyrus frontend fetches RFC822.PEEK from our backend
            # and APPENDs to the other one.
            untagged, tagged = run(c, "UID FETCH 1:* (UID)")
            _, tagged = run(c, "COPY 1:2 shared/memo")
            assert tagged_ok(tagged), tagged
        finally:
            c.close()
        b2 = cl.backend2
        memo = fetch_messages(b2.host, b2.port, "alice", "shared/memo")
        assert body in [v[0] for v in memo.values()]
        inbox = fetch_messages(b1.host, b1.port, "alice", "INBOX")
        copied = [v[0] for v in list(inbox.values())[:2]]
        assert all(m in [v[0] for v in memo.values()] for m in copied), "the COPY through the Cyrus frontend lost a message"
    finally:
        cl.close()
