"""MUPDATE with real Cyrus peers: Cyrus's mupdatetest and Cyrus backends against a master.

The `master` fixture is parametrised: "cyrus" is Cyrus's own `mupdate -m` (these runs prove the
fixtures and record the behaviour ours must match); "ours" is `murder serve` with the mupdate
role, skipped while this build refuses that role. Everything runs on loopback and is bounded.

Cyrus facts behind the expectations (3.6.1, Debian 12):
- the backend opens one connection per operation: banner, `A01 AUTHENTICATE "PLAIN" {n+}`,
  the commands tagged X0, X1, ... with every argument a `{n+}` literal, then `Q01 LOGOUT`; it
  never sends COMPRESS or STARTTLS (the master advertises COMPRESS);
- CREATE = RESERVE + ACTIVATE; SETACL = ACTIVATE with the new ACL; RENAME = DELETE old, RESERVE
  and ACTIVATE new at `<server>!` (the partition is left empty); a delayed DELETE = DELETE name,
  RESERVE and ACTIVATE `DELETED.<name>.<hex time>` at `<server>!`;
- `ctl_mboxlist -m` = `LIST "<server>!"`, DELETE of master records absent locally, ACTIVATE of
  local mailboxes missing or different at the master.
"""

import os
import shutil
import socket
import tempfile
import time

import pytest

import cyrus_peers
from conftest import MURDER_BIN, Backend
from support import engine_line
from cyrus_peers import (
    MUPDATE_USER,
    MupdateClient,
    RecordingProxy,
    cyrus_backend,
    cyrus_frontend,
    cyrus_mupdate_master,
    password,
    run_mupdatetest,
)

ACL_OWNER = "carol\tlrswipkxtecdan\t"
ACL_SHARED = "anyone\tlrs\t"


class Master:
    """Where a master listens and who may log in to it."""

    def __init__(self, kind, host, port, stop, instance=None):
        self.kind = kind
        self.instance = instance  # the CyrusInstance of a Cyrus master
        self.host = host
        self.port = port
        self.user = MUPDATE_USER
        self.password = password(MUPDATE_USER)
        self._stop = stop

    def mupdatetest(self, *commands, **kw):
        return run_mupdatetest(self.host, self.port, self.user, self.password, commands, **kw)

    def find(self, name):
        """The record for `name` as (keyword, [name, location(, acl)]) or None."""
        t = self.mupdatetest(f'F1 FIND "{name}"')
        assert t.completion("F1") == 'F1 OK "Search completed"', t.text
        found = [r for r in t.responses("F1") if r[0] in ("MAILBOX", "RESERVE")]
        assert len(found) <= 1, t.text
        return found[0] if found else None

    def list(self, prefix=None):
        """{name: (keyword, location, acl or None)} of LIST [prefix]."""
        t = self.mupdatetest("L1 LIST" + (f' "{prefix}"' if prefix is not None else ""))
        assert t.completion("L1") == 'L1 OK "list complete"', t.text
        return {
            args[0]: (kw, args[1], args[2] if len(args) > 2 else None)
            for kw, args in t.responses("L1")
            if kw in ("MAILBOX", "RESERVE")
        }


class OurMaster(Backend):
    """`murder serve` with roles = ["mupdate"] (config keys of SPEC §3 / the node README)."""

    def __init__(self, root):
        super().__init__(root, users=(MUPDATE_USER,))
        self.config_path.write_text(
            "\n".join([
                'roles = ["mupdate"]',
                engine_line(),
                'servername = "127.0.0.1"',
                f'data_dir = "{self.data_dir}"',
                "",
                "[mupdate]",
                'listen = ["127.0.0.1:0"]',
                "",
                "[auth]",
                f'admins = ["{MUPDATE_USER}"]',
                "",
            ])
        )


def _tempdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def _cleanup(root):
    if os.environ.get("E2E_KEEP") is None:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["cyrus", "ours"])
def master(request):
    root = _tempdir("murder-e2e-master-")
    try:
        if request.param == "cyrus":
            inst = cyrus_mupdate_master(os.path.join(root, "cyrus"))
            yield Master("cyrus", inst.host, inst.port, inst.stop, instance=inst)
            inst.stop()
        else:
            cyrus_peers.require_cyrus("mupdatetest")
            if not MURDER_BIN.is_file():
                pytest.skip(f"murder binary not found at {MURDER_BIN}")
            ours = OurMaster(root)
            ours.start()
            yield Master("ours", ours.host, ours.port, ours.stop)
            ours.stop()
    finally:
        _cleanup(root)


@pytest.fixture
def cyrus_root():
    root = _tempdir("murder-e2e-cyrus-")
    yield root
    _cleanup(root)


@pytest.fixture
def backend_of(cyrus_root):
    """Starts Cyrus backends registering with a master; stops them after the test."""
    made = []

    def make(master_host, master_port, **kw):
        b = cyrus_backend(os.path.join(cyrus_root, f"backend{len(made)}"), master_host, master_port, **kw)
        made.append(b)
        return b

    yield make
    for b in made:
        b.stop()


def data_line(tag, keyword, *args):
    """A server data line as Cyrus writes it: every argument a {n+} literal (SPEC §3.1)."""
    out = f"{tag} {keyword}"
    for a in args:
        out += " {%d+}\r\n%s" % (len(a.encode()), a)
    return (out + "\r\n").encode()


def ok(result):
    typ, data = result
    assert typ == "OK", data
    return data


# mupdatetest against the master


def test_mupdatetest_commands(master):
    loc = "127.0.0.1:9999!default"
    t = master.mupdatetest(
        f'A1 RESERVE "user.carol" "{loc}"',
        'A2 FIND "user.carol"',
        f'A3 ACTIVATE "user.carol" "{loc}" "{ACL_OWNER}"',
        'A4 FIND "user.carol"',
        "A5 LIST",
        'A6 LIST "127.0.0.1:9999!"',
        'A7 LIST "127.0.0.1:9998!"',
        "A8 NOOP",
        'A9 DELETE "user.carol"',
        'A10 FIND "user.carol"',
        "A11 LOGOUT",
    )
    assert t.completion("A1") == 'A1 OK "done"', t.text
    assert t.responses("A2") == [("RESERVE", ["user.carol", loc]), ("OK", ["Search completed"])], t.text
    assert t.completion("A3") == 'A3 OK "done"', t.text
    mailbox = ("MAILBOX", ["user.carol", loc, ACL_OWNER])
    assert t.responses("A4") == [mailbox, ("OK", ["Search completed"])], t.text
    assert t.responses("A5") == [mailbox, ("OK", ["list complete"])], t.text
    assert t.responses("A6") == [mailbox, ("OK", ["list complete"])], t.text
    assert t.responses("A7") == [("OK", ["list complete"])], t.text
    assert t.completion("A8") == 'A8 OK "Noop done"', t.text
    assert t.completion("A9") == 'A9 OK "done"', t.text
    assert t.responses("A10") == [("OK", ["Search completed"])], t.text
    assert t.responses("A11") == [("OK", ["bye-bye"])], t.text
    assert t.returncode == 0


def test_mupdatetest_exact_bytes_after_authentication(master):
    """What the master writes, byte for byte (recorded by a relay), for the data lines that
    Cyrus sends as {n+} literals and the quoted completion texts."""
    proxy = RecordingProxy(master.host, master.port)
    try:
        loc = "127.0.0.1:9999!default"
        t = run_mupdatetest(proxy.host, proxy.port, master.user, master.password, [
            f'B1 ACTIVATE "shared.memo" "{loc}" "{ACL_SHARED}"',
            'B2 FIND "shared.memo"',
            'B3 DELETE "shared.memo"',
        ])
        assert t.returncode == 0, t.text
        deadline = time.monotonic() + 5
        while not any("bye-bye" in x for x in proxy.transcripts()) and time.monotonic() < deadline:
            time.sleep(0.05)
        (wire,) = proxy.transcripts()
    finally:
        proxy.close()
    after_auth = wire.split('S: A01 OK "Authenticated"\\r\\n\n', 1)[1]
    assert after_auth == "\n".join([
        'C: B1 ACTIVATE "shared.memo" "127.0.0.1:9999!default" "anyone\\tlrs\\t"\\r\\n',
        'S: B1 OK "done"\\r\\n',
        'C: B2 FIND "shared.memo"\\r\\n',
        "S: B2 MAILBOX {11+}\\r\\n",
        "S: shared.memo {22+}\\r\\n",
        "S: 127.0.0.1:9999!default {11+}\\r\\n",
        "S: anyone\\tlrs\\t\\r\\n",
        'S: B2 OK "Search completed"\\r\\n',
        'C: B3 DELETE "shared.memo"\\r\\n',
        'S: B3 OK "done"\\r\\n',
        "C: Z LOGOUT\\r\\n",
        'S: Z OK "bye-bye"\\r\\n',
    ]), wire
    # mupdatetest authenticates with SASL-IR as a literal, authzid empty.
    assert 'C: A01 AUTHENTICATE "PLAIN" {28+}\\r\\n' in wire, wire


def test_mupdatetest_reserve_conflict_deactivate_and_streaming_rules(master):
    a, b = "127.0.0.1:9001!default", "127.0.0.1:9002!default"
    t = master.mupdatetest(
        f'C1 ACTIVATE "user.dora" "{a}" "dora\tlrs\t"',
        f'C2 RESERVE "user.dora" "{b}"',
        f'C3 DEACTIVATE "user.dora" "{a}"',
        'C4 FIND "user.dora"',
        f'C5 ACTIVATE "user.dora" "{a}" "dora\tlrs\t"',
        "C6 BOGUS",
        "C7 UPDATE",
        'C8 FIND "user.dora"',
        "C9 NOOP",
    )
    assert t.completion("C1") == 'C1 OK "done"', t.text
    assert t.completion("C2") == 'C2 NO "mailbox already exists"', t.text
    assert t.completion("C3") == 'C3 OK "done"', t.text
    assert t.responses("C4") == [("RESERVE", ["user.dora", a]), ("OK", ["Search completed"])], t.text
    assert t.completion("C5") == 'C5 OK "done"', t.text
    assert t.completion("C6") == 'C6 BAD "Unrecognized command"', t.text
    assert t.responses("C7") == [("MAILBOX", ["user.dora", a, "dora\tlrs\t"]), ("OK", ["streaming starts"])], t.text
    assert t.completion("C8") == 'C8 BAD "not legal when streaming"', t.text
    assert t.completion("C9") == 'C9 OK "Noop done"', t.text


def test_unknown_records(master):
    """DEACTIVATE of a record that is not active and DELETE of an unknown name: ours answers
    NO; the Cyrus 3.6 mupdate process dies on both (the connection closes unanswered and the
    Cyrus master starts a new mupdate), which is why no Cyrus peer may ever be sent them."""
    for line in ('E1 DEACTIVATE "user.nobody" "127.0.0.1:9001!default"', 'E2 DELETE "user.nobody"'):
        c = MupdateClient(master.host, master.port, master.user, master.password)
        try:
            c.send(line)
            try:
                answer = c.read_response(timeout=10)
            except ConnectionError:
                answer = None
        finally:
            c.close()
        if master.kind == "cyrus":
            assert answer is None, answer
        else:
            tag = line.split()[0].encode()
            text = b'"mailbox not currently active"' if b"DEACTIVATE" in line.encode() else b'"mailbox doesn\'t exist"'
            assert answer == tag + b" NO " + text + b"\r\n", answer
    # The master serves the next connection either way.
    assert master.find("user.nobody") is None


def test_update_stream_pushes_changes_before_noop_completes(master):
    a = "127.0.0.1:9003!default"
    t = master.mupdatetest(f'S1 ACTIVATE "user.frank" "{a}" "frank\tlrs\t"')
    assert t.completion("S1") == 'S1 OK "done"', t.text
    s = MupdateClient(master.host, master.port, master.user, master.password)
    try:
        dump = s.command("U1 UPDATE")
        assert dump == [
            data_line("U1", "MAILBOX", "user.frank", a, "frank\tlrs\t"),
            b'U1 OK "streaming starts"\r\n',
        ], dump
        t = master.mupdatetest(
            f'S2 ACTIVATE "user.gina" "{a}" "gina\tlrs\t"',
            f'S3 RESERVE "user.hugo" "{a}"',
            'S4 DELETE "user.frank"',
        )
        assert [t.completion(x) for x in ("S2", "S3", "S4")] == ['S2 OK "done"', 'S3 OK "done"', 'S4 OK "done"'], t.text
        # NOOP answers only after every change committed before it was sent (RFC 3656 §4.8).
        pushed = s.command("U2 NOOP", timeout=30)
    finally:
        s.close()
    assert pushed[-1] == b'U2 OK "Noop done"\r\n', pushed
    assert sorted(pushed[:-1]) == sorted([
        data_line("U1", "MAILBOX", "user.gina", a, "gina\tlrs\t"),
        data_line("U1", "RESERVE", "user.hugo", a),
        data_line("U1", "DELETE", "user.frank"),
    ]), pushed


def test_commands_before_authentication_are_refused(master):
    with socket.create_connection((master.host, master.port), timeout=10) as s:
        f = s.makefile("rb")
        banner = []
        while True:
            line = f.readline()
            assert line, banner
            banner.append(line)
            if line.startswith(b"* OK MUPDATE "):
                break
        assert all(x.endswith(b"\r\n") for x in banner)
        assert banner[0].startswith(b'* AUTH "PLAIN"'), banner
        assert b"* PARTIAL-UPDATE\r\n" in banner, banner
        assert banner[-1].endswith(b' "(master)"\r\n'), banner
        s.sendall(b'P1 FIND "user.carol"\r\nP2 LOGOUT\r\n')
        assert f.readline() == b'P1 BAD "Please login first"\r\n'
        assert f.readline() == b'P2 OK "bye-bye"\r\n'


# A Cyrus backend registering with the master


def test_backend_create_registers_at_master(master, backend_of):
    if master.instance is not None:
        master.instance.enable_telemetry(MUPDATE_USER)
    b = backend_of(master.host, master.port)
    c = b.imap("admin")
    try:
        ok(c.create("user/carol"))
        ok(c.create("shared/memo"))
    finally:
        c.logout()
    assert master.find("user.carol") == ("MAILBOX", ["user.carol", b.location, ACL_OWNER])
    assert master.find("shared.memo") == ("MAILBOX", ["shared.memo", b.location, ACL_SHARED])
    listed = master.list(f"127.0.0.1:{b.port}!")
    # Cyrus 3.6 also creates (and registers) the missing parent "shared".
    assert listed == {
        "shared": ("MAILBOX", b.location, ACL_SHARED),
        "shared.memo": ("MAILBOX", b.location, ACL_SHARED),
        "user.carol": ("MAILBOX", b.location, ACL_OWNER),
    }
    if master.instance is not None:
        # The Cyrus master's telemetry (<configdirectory>/log/<user>) holds each session's bytes.
        logs = master.instance.telemetry(MUPDATE_USER).values()
        want = f"X0 RESERVE {{10+}}\r\nuser.carol {{{len(b.location)}+}}\r\n{b.location}\r\n".encode()
        assert any(want in log for log in logs), list(logs)


def test_backend_setacl_rename_delete_update_master(master, backend_of):
    b = backend_of(master.host, master.port)
    server = f"127.0.0.1:{b.port}"
    c = b.imap("admin")
    try:
        ok(c.create("shared/memo"))
        ok(c.setacl("shared/memo", "bob", "lrs"))
        assert master.find("shared.memo") == ("MAILBOX", ["shared.memo", b.location, "anyone\tlrs\tbob\tlrs\t"])

        ok(c.rename("shared/memo", "shared/note"))
        assert master.find("shared.memo") is None
        # Cyrus registers a renamed mailbox at "<server>!": the partition is left empty.
        assert master.find("shared.note") == ("MAILBOX", ["shared.note", server + "!", "anyone\tlrs\tbob\tlrs\t"])

        ok(c.create("user/carol"))
        # Admins need the x right to delete (Cyrus grants them only l and a implicitly).
        ok(c.setacl("user/carol", "admin", "x"))
        ok(c.delete("user/carol"))
    finally:
        c.logout()
    assert master.find("user.carol") is None
    # delete_mode delayed: the mailbox lives on as DELETED.<name>.<hex time>, registered too.
    deleted = [n for n in master.list(server + "!") if n.startswith("DELETED.user.carol.")]
    assert len(deleted) == 1, deleted


def test_ctl_mboxlist_push_reconciles_master(master, backend_of):
    b = backend_of(master.host, master.port)
    c = b.imap("admin")
    try:
        ok(c.create("user/carol"))
    finally:
        c.logout()
    # The master learns of a mailbox the backend does not have, and loses carol's ACTIVE state.
    t = master.mupdatetest(
        f'G1 ACTIVATE "user.ghost" "{b.location}" "ghost\tlrs\t"',
        f'G2 DEACTIVATE "user.carol" "{b.location}"',
    )
    assert t.completion("G1") == 'G1 OK "done"' and t.completion("G2") == 'G2 OK "done"', t.text
    assert master.find("user.carol")[0] == "RESERVE"

    r = b.push_mailbox_list()
    assert r.returncode == 0, r.stderr
    assert master.find("user.ghost") is None
    assert master.find("user.carol") == ("MAILBOX", ["user.carol", b.location, ACL_OWNER])


def test_backend_pushes_its_list_at_start(master, backend_of):
    b = backend_of(master.host, master.port, push_at_start=True)
    c = b.imap("admin")
    try:
        ok(c.create("user/erin"))
    finally:
        c.logout()
    b.stop()
    t = master.mupdatetest('D1 DELETE "user.erin"')
    assert t.completion("D1") == 'D1 OK "done"', t.text
    assert master.find("user.erin") is None
    b.start()
    assert master.find("user.erin") == ("MAILBOX", ["user.erin", b.location, "erin\tlrswipkxtecdan\t"])


def test_backend_wire_to_master(master, backend_of):
    """The exact bytes a Cyrus backend sends for CREATE, recorded by a relay in front of the
    master: the shape our master must accept (and a Cyrus-compatible client must produce)."""
    proxy = RecordingProxy(master.host, master.port)
    try:
        b = backend_of(proxy.host, proxy.port)
        c = b.imap("admin")
        try:
            ok(c.create("user/carol"))
        finally:
            c.logout()
        deadline = time.monotonic() + 5
        while not any("Q01 LOGOUT" in x for x in proxy.transcripts()) and time.monotonic() < deadline:
            time.sleep(0.05)
        (wire,) = proxy.transcripts()
    finally:
        proxy.close()
    client = [line for line in wire.splitlines() if line.startswith("C: ")]
    loc = b.location
    # The mechanism is the strongest both sides offer: PLAIN at Cyrus's master (which offers
    # PLAIN and LOGIN), SCRAM-SHA-256 at ours; the SASL exchange is checked by its outcome.
    start = next(i for i, line in enumerate(client) if line.startswith("C: X0 "))
    if master.kind == "cyrus":
        assert client[:start] == [
            'C: A01 AUTHENTICATE "PLAIN" {36+}\\r\\n',
            "C: bXVyZGVyAG11cmRlcgBzZWNyZXQtbXVyZGVy\\r\\n",  # "murder\0murder\0secret-murder"
        ], wire
    else:
        assert client[0].startswith('C: A01 AUTHENTICATE "SCRAM-SHA-256" {'), wire
    assert client[start:] == [
        "C: X0 RESERVE {10+}\\r\\n",
        f"C: user.carol {{{len(loc)}+}}\\r\\n",
        f"C: {loc}\\r\\n",
        "C: X1 ACTIVATE {10+}\\r\\n",
        f"C: user.carol {{{len(loc)}+}}\\r\\n",
        f"C: {loc} {{{len(ACL_OWNER)}+}}\\r\\n",
        "C: carol\\tlrswipkxtecdan\\t\\r\\n",
        "C: Q01 LOGOUT\\r\\n",
    ], wire
    server = [line for line in wire.splitlines() if line.startswith("S: ")]
    assert 'S: A01 OK "Authenticated"\\r\\n' in server
    assert ['S: X0 OK "done"\\r\\n', 'S: X1 OK "done"\\r\\n'] == [x for x in server if x.startswith("S: X")], wire


def test_cyrus_frontend_routes_through_the_master(master, backend_of, cyrus_root):
    """A Cyrus frontend (list replica fed by the master's UPDATE stream + proxying imapd) finds
    a backend's mailbox through the master and places a new one on the backend."""
    b = backend_of(master.host, master.port)
    c = b.imap("admin")
    try:
        ok(c.create("user/alice"))
    finally:
        c.logout()
    f = cyrus_frontend(os.path.join(cyrus_root, "frontend"), master.host, master.port, [f"127.0.0.1:{b.port}"])
    try:
        alice = f.imap("alice")
        try:
            deadline = time.monotonic() + 15
            while alice.select("INBOX")[0] != "OK":
                assert time.monotonic() < deadline, "the frontend never learnt user.alice"
                time.sleep(0.2)
            ok(alice.append("INBOX", None, None, b"Subject: via frontend\r\n\r\nhello\r\n"))
        finally:
            alice.logout()
        direct = b.imap("alice")
        try:
            assert ok(direct.select("INBOX")) == [b"1"]
        finally:
            direct.logout()
        admin = f.imap("admin")
        try:
            ok(admin.create("user/ivan"))
        finally:
            admin.logout()
        assert master.find("user.ivan") == ("MAILBOX", ["user.ivan", b.location, "ivan\tlrswipkxtecdan\t"])
    finally:
        f.stop()


# Cyrus backends without a master (no master parameter: Cyrus's own behaviour)


def test_backend_without_master_refuses_create_but_serves(cyrus_root):
    port = cyrus_peers.free_port()  # nothing listens there
    b = cyrus_backend(os.path.join(cyrus_root, "b"), "127.0.0.1", port)
    try:
        c = b.imap("admin")
        try:
            typ, data = c.create("user/carol")
            assert typ == "NO", data
            ok(c.list())
        finally:
            c.logout()
    finally:
        b.stop()


def test_backend_with_start_push_exits_without_master(cyrus_root):
    port = cyrus_peers.free_port()
    b = cyrus_backend(os.path.join(cyrus_root, "b"), "127.0.0.1", port, push_at_start=True, start=False)
    b.start(wait=False)
    try:
        code = b.wait_exit(20)
        assert code is not None, "the Cyrus master kept running although its START push failed"
    finally:
        b.stop()


def test_mupdatetest_with_compress(master):
    """Cyrus's mupdatetest -q negotiates COMPRESS "DEFLATE" and then works through it."""
    t = master.mupdatetest(
        'C1 ACTIVATE "user.zed" "127.0.0.1:9999!default" "zed\tlrswipkxtecdan\t"',
        'C2 FIND "user.zed"',
        'C3 DELETE "user.zed"',
        compress=True,
    )
    assert t.completion("C1") == 'C1 OK "done"', t.text
    assert t.completion("C2") == 'C2 OK "Search completed"', t.text
    assert [r for r in t.responses("C2") if r[0] == "MAILBOX"] == [
        ("MAILBOX", ["user.zed", "127.0.0.1:9999!default", "zed\tlrswipkxtecdan\t"])
    ], t.text
    assert t.completion("C3") == 'C3 OK "done"', t.text
    assert "DEFLATE active" in t.text, t.text
