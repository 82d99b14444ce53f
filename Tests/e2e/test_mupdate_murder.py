"""A murder of real processes: `murder serve` backends registering with a mupdate master
(ours, or Cyrus's `mupdate -m`) and list replicas (`murder admin mailboxes --follow`), with
the master stopped, killed and restarted under them (SPEC §3-§4, §7.6).

Every process is started here on loopback, stopped by PID, and every wait is bounded. The
propagation latencies measured (IMAP OK at the backend -> the line on a replica's stdout) are
printed; run with `-rP` to see them.
"""

import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from support import engine_line

import conftest
import cyrus_peers
from conftest import MURDER_BIN, Backend, password
from cyrus_peers import MUPDATE_USER, MupdateClient, cyrus_mupdate_master, free_port, parse_mupdate_lines
from test_cyrus_mupdate import OurMaster

PROPAGATION_BOUND = 1.0  # SPEC §3.4: every committed change reaches subscribers within 1 s
RECONNECT_BOUND = 35.0  # backoff 1 s -> 30 s plus jitter
OWNER_RIGHTS = "lrswipkxtecdan"


# Processes


def _register(proc_owner):
    with conftest._live_lock:
        conftest._live_backends.append(proc_owner)


def _unregister(proc_owner):
    with conftest._live_lock:
        if proc_owner in conftest._live_backends:
            conftest._live_backends.remove(proc_owner)


class MasterNode(OurMaster):
    """Our mupdate master on a fixed port, so that it can be restarted where backends and
    replicas expect it (same port, same data folder)."""

    def __init__(self, root, port=None):
        super().__init__(root)
        self.fixed_port = port or free_port()
        text = self.config_path.read_text()
        self.config_path.write_text(text.replace('"127.0.0.1:0"', f'"127.0.0.1:{self.fixed_port}"'))

    @property
    def address(self):
        return f"127.0.0.1:{self.fixed_port}"

    def start(self):
        super().start()
        assert self.port == self.fixed_port, (self.port, self.fixed_port)
        return self


class MurderBackend(Backend):
    """A `murder serve` backend registered with the master at `master_address`: its servername
    is its IMAP listen address (a location must be connectable), fixed across restarts."""

    def __init__(self, root, master_address):
        super().__init__(root)
        self.imap_port = free_port()
        self.servername = f"127.0.0.1:{self.imap_port}"
        self.location = self.servername + "!default"
        self.config_path.write_text("\n".join([
            'roles = ["backend"]',
            engine_line(),
            f'servername = "{self.servername}"',
            f'data_dir = "{self.data_dir}"',
            "",
            "[imap]",
            f'listen = ["{self.servername}"]',
            f"failed_login_delay_ms = {self.failed_login_delay_ms}",
            "",
            "[mupdate]",
            f'server = "{master_address}"',
            f'username = "{MUPDATE_USER}"',
            f'password = "{password(MUPDATE_USER)}"',
            "",
            "[auth]",
            'admins = ["admin"]',
            "",
        ]))

    def start(self):
        super().start()
        assert self.port == self.imap_port, (self.port, self.imap_port)
        return self

    def check(self, timeout=20):
        """`murder admin check -c node.toml`: (exit status, output)."""
        r = subprocess.run([str(MURDER_BIN), "admin", "check", "-c", str(self.config_path)],
                           capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout + r.stderr

    def internal_mailboxes(self):
        """Every mailbox of this backend (admin LIST "" "*"), as internal names."""
        m = self.imap("admin")
        try:
            typ, data = m.list('""', "*")
            assert typ == "OK", data
        finally:
            m.logout()
        names = set()
        for item in data:
            if item is None:
                continue
            if isinstance(item, tuple):  # a literal name
                flags, name = item[0].decode(), item[1].decode()
            else:
                match = re.match(r'\((.*?)\) (?:"."|NIL) (.*)$', item.decode())
                assert match, item
                flags, name = match.group(1), match.group(2)
                if name.startswith('"'):
                    name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            if "\\Noselect" in flags or "\\NonExistent" in flags:
                continue
            names.add(internal_name(name, "admin"))
        return names


def internal_name(external, user):
    """An external name (separator "/") as the list key: user/carol -> user.carol."""
    if external.upper() == "INBOX" or external.upper().startswith("INBOX/"):
        external = f"user/{user}" + external[5:]
    return external.replace(".", "^").replace("/", ".")


def parse_record_line(line):
    """`name<TAB>STATE<TAB>location[<TAB>acl]` -> (name, (state, location, acl))."""
    fields = line.split("\t")
    assert len(fields) in (3, 4), line
    return fields[0], (fields[1], fields[2], fields[3] if len(fields) == 4 else "")


def password_file(root):
    path = Path(root) / "murder.pw"
    path.write_text(password(MUPDATE_USER) + "\n")
    return path


def master_list(address, root, server=None, timeout=20):
    """`murder admin mailboxes --master` (the master's LIST): {name: (state, location, acl)}."""
    args = [str(MURDER_BIN), "admin", "mailboxes", "--master", address, "--user", MUPDATE_USER,
            "--password-file", str(password_file(root))]
    if server:
        args += ["--server", server]
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    return dict(parse_record_line(line) for line in r.stdout.splitlines() if line)


class Replica:
    """`murder admin mailboxes --follow`: a list replica process. Each stdout line is kept with
    the monotonic time it was read; `stop()` sends SIGTERM and returns the final list."""

    def __init__(self, root, address):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.log_path = self.root / "replica.log"
        self.lines = []  # (monotonic time, text)
        self.cond = threading.Condition()
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [str(MURDER_BIN), "admin", "mailboxes", "--follow", "--master", address, "--user", MUPDATE_USER,
                 "--password-file", str(password_file(self.root))],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, start_new_session=True)
        finally:
            log.close()
        _register(self)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            now = time.monotonic()
            with self.cond:
                self.lines.append((now, raw.decode(errors="replace").rstrip("\n")))
                self.cond.notify_all()
        with self.cond:
            self.lines.append((time.monotonic(), None))  # EOF
            self.cond.notify_all()

    def _signal(self, sig):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def mark(self):
        with self.cond:
            return len(self.lines)

    def wait_for(self, predicate, start=0, timeout=10.0):
        """The first (time, line) from index `start` on that satisfies `predicate`, or None."""
        deadline = time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.lines):
                    t, line = self.lines[i]
                    if line is None:
                        return None
                    if predicate(line):
                        return t, line
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def wait_streaming(self, timeout=20.0):
        found = self.wait_for(lambda s: s == "# streaming", timeout=timeout)
        assert found, f"replica never streamed; stderr:\n{self.log_tail()}"

    def initial_list(self):
        with self.cond:
            text = [line for _, line in self.lines]
        end = text.index("# streaming")
        return dict(parse_record_line(line) for line in text[:end])

    def stop(self, timeout=15.0):
        """SIGTERM; returns the replica's final list {name: (state, location, acl)}."""
        self._signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.proc.wait(5)
        self.reader.join(5)
        _unregister(self)
        with self.cond:
            text = [line for _, line in self.lines if line is not None]
        assert "# final list" in text and text[-1] == "# end", (text[-5:], self.log_tail())
        start = len(text) - 1 - text[::-1].index("# final list")
        return dict(parse_record_line(line) for line in text[start + 1:-1])

    def kill(self):
        self._signal(signal.SIGKILL)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        _unregister(self)

    def log_tail(self, n=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


class Murder:
    """The processes of one test: a master, backends, replicas; everything stopped after."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="murder-e2e-murder-")
        self.master = None
        self.backends = []
        self.replicas = []

    def our_master(self, port=None):
        self.master = MasterNode(os.path.join(self.root, "master"), port)
        return self.master

    def backend(self, master_address=None, start=True):
        b = MurderBackend(os.path.join(self.root, f"backend{len(self.backends)}"),
                          master_address or self.master.address)
        self.backends.append(b)
        return b.start() if start else b

    def replica(self, master_address=None):
        r = Replica(os.path.join(self.root, f"replica{len(self.replicas)}"), master_address or self.master.address)
        self.replicas.append(r)
        return r

    def master_list(self, server=None):
        return master_list(self.master.address, self.root, server)

    def close(self):
        for r in self.replicas:
            if r.proc.poll() is None:
                r.kill()
        for b in self.backends:
            b.stop()
        if self.master is not None:
            self.master.stop()
        if os.environ.get("E2E_KEEP") is None:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def murder():
    if not MURDER_BIN.is_file():
        pytest.skip(f"murder binary not found at {MURDER_BIN}")
    m = Murder()
    yield m
    m.close()


# Raw MUPDATE access


def mupdate_find(host, port, name):
    """FIND at a master: (keyword, [name, location(, acl)]) or None."""
    c = MupdateClient(host, port, MUPDATE_USER, password(MUPDATE_USER))
    try:
        return find_on(c, name)
    finally:
        c.close()


def find_on(client, name, tag="F1"):
    responses = client.command(f'{tag} FIND "{name}"')
    assert responses[-1] == f'{tag} OK "Search completed"\r\n'.encode(), responses
    found = [(kw, args) for _, kw, args in parse_mupdate_lines(b"".join(responses[:-1]).decode().replace("\r\n", "\n"))]
    assert len(found) <= 1, responses
    return found[0] if found else None


def mupdate_commands(host, port, *lines):
    """Sends each tagged line on one authenticated connection; returns each completion line."""
    c = MupdateClient(host, port, MUPDATE_USER, password(MUPDATE_USER))
    try:
        return [c.command(line)[-1].decode().rstrip("\r\n") for line in lines]
    finally:
        c.close()


def ok(result):
    typ, data = result
    assert typ == "OK", data
    return data


def unavailable(result):
    typ, data = result
    assert typ == "NO" and data and data[0].startswith(b"[UNAVAILABLE]"), result


def acl_text(*pairs):
    """The replica's printed ACL: `id rights id rights`."""
    return " ".join(f"{i} {r}" for i, r in pairs)


def wait_until(condition, timeout, interval=0.25):
    """Polls `condition()` until it returns a true value; returns it, or the last false one."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def record_is(name, state, location=None, acl=None):
    def pred(line):
        fields = line.split("\t")
        if fields[0] != name or len(fields) < 2 or fields[1] != state:
            return False
        if location is not None and (len(fields) < 3 or fields[2] != location):
            return False
        return acl is None or (len(fields) == 4 and fields[3] == acl)
    return pred


# 1. Our backend + our master + a replica


def test_backend_changes_reach_master_and_replica_within_a_second(murder):
    master = murder.our_master().start()
    b = murder.backend()
    replica = murder.replica()
    replica.wait_streaming()
    loc = b.location
    latencies = {}

    def step(label, action, name, state, acl=None):
        start = replica.mark()
        t_sent = time.monotonic()
        action()
        t_ok = time.monotonic()
        found = replica.wait_for(record_is(name, state, None if state == "DELETED" else loc, acl), start, timeout=10)
        assert found, f"{label}: the replica never showed {name} {state}; stderr:\n{replica.log_tail()}"
        # (after the IMAP OK, after the command was sent): the line often precedes the OK.
        latencies[label] = (found[0] - t_ok, found[0] - t_sent)

    admin = b.imap("admin")
    alice = b.imap("alice")  # logging in creates user.alice (INBOX)
    try:
        step("CREATE user/carol", lambda: ok(admin.create("user/carol")), "user.carol", "ACTIVE",
             acl_text(("carol", OWNER_RIGHTS)))
        step("CREATE INBOX/Sent", lambda: ok(alice.create("INBOX/Sent")), "user.alice.Sent", "ACTIVE",
             acl_text(("alice", OWNER_RIGHTS)))
        step("CREATE shared", lambda: ok(admin.create("shared")), "shared", "ACTIVE", "anyone lrs")
        step("CREATE shared/memo", lambda: ok(admin.create("shared/memo")), "shared.memo", "ACTIVE", "anyone lrs")

        assert mupdate_find(master.host, master.port, "user.carol") == (
            "MAILBOX", ["user.carol", loc, f"carol\t{OWNER_RIGHTS}\t"])
        assert mupdate_find(master.host, master.port, "user.alice.Sent") == (
            "MAILBOX", ["user.alice.Sent", loc, f"alice\t{OWNER_RIGHTS}\t"])
        assert mupdate_find(master.host, master.port, "shared.memo") == ("MAILBOX", ["shared.memo", loc, "anyone\tlrs\t"])

        step("RENAME shared/memo shared/note", lambda: ok(admin.rename("shared/memo", "shared/note")),
             "shared.note", "ACTIVE", "anyone lrs")
        gone = replica.wait_for(record_is("shared.memo", "DELETED"), timeout=5)
        assert gone, "the replica never saw the old name of a RENAME go"
        assert mupdate_find(master.host, master.port, "shared.memo") is None
        assert mupdate_find(master.host, master.port, "shared.note") == ("MAILBOX", ["shared.note", loc, "anyone\tlrs\t"])

        step("SETACL shared/note bob lrs", lambda: ok(admin.setacl("shared/note", "bob", "lrs")), "shared.note",
             "ACTIVE", "anyone lrs bob lrs")
        assert mupdate_find(master.host, master.port, "shared.note") == (
            "MAILBOX", ["shared.note", loc, "anyone\tlrs\tbob\tlrs\t"])

        step("DELETE shared/note", lambda: ok(admin.delete("shared/note")), "shared.note", "DELETED")
        assert mupdate_find(master.host, master.port, "shared.note") is None
    finally:
        admin.logout()
        alice.logout()

    expected = {
        "shared": ("ACTIVE", loc, "anyone lrs"),
        "user.alice": ("ACTIVE", loc, acl_text(("alice", OWNER_RIGHTS))),
        "user.alice.Sent": ("ACTIVE", loc, acl_text(("alice", OWNER_RIGHTS))),
        "user.carol": ("ACTIVE", loc, acl_text(("carol", OWNER_RIGHTS))),
    }
    assert murder.master_list() == expected
    code, out = b.check()
    assert code == 0, out
    assert replica.stop() == expected
    print("replica line after the IMAP OK / after the command was sent: "
          + ", ".join(f"{k}: {a * 1000:.1f} / {c * 1000:.1f} ms" for k, (a, c) in latencies.items()))
    slow = {k: v for k, v in latencies.items() if v[0] >= PROPAGATION_BOUND}
    assert not slow, slow


# 2. The master goes away and comes back


def test_master_outage_refuses_list_changes_and_reconciles_after(murder):
    master = murder.our_master().start()
    b = murder.backend()
    admin = b.imap("admin")
    try:
        ok(admin.create("user/carol"))
        ok(admin.create("shared"))
        ok(admin.create("shared/keep"))
        ok(admin.create("shared/gone"))
    finally:
        admin.logout()
    b.imap("alice").logout()  # creates user.alice (INBOX)

    master.stop()
    admin = b.imap("admin")
    alice = b.imap("alice")
    try:
        unavailable(admin.create("shared/new"))
        unavailable(admin.delete("shared/gone"))
        unavailable(admin.rename("shared/keep", "shared/kept"))
        unavailable(admin.setacl("shared/keep", "bob", "lrs"))
        # Nothing changed locally, and everything else works.
        assert {"shared.gone", "shared.keep"} <= b.internal_mailboxes()
        ok(admin.select("user/carol"))
        ok(admin.append("user/carol", None, None, b"Subject: during the outage\r\n\r\nhello\r\n"))
        assert ok(admin.select("user/carol")) == [b"1"]
        ok(alice.select("INBOX"))
        ok(alice.append("INBOX", None, None, b"Subject: mine\r\n\r\nhi\r\n"))
        ok(alice.fetch("1", "(FLAGS)"))
        assert ok(admin.getacl("shared/keep"))
    finally:
        admin.logout()
        alice.logout()

    t_restart = time.monotonic()
    master.start()
    admin = b.imap("admin")
    try:
        def create_works():
            typ, data = admin.create("shared/new")
            if typ == "OK":
                return True
            assert data[0].startswith(b"[UNAVAILABLE]"), data
            return False
        assert wait_until(create_works, RECONNECT_BOUND, interval=0.5), "CREATE never worked again"
        back_after = time.monotonic() - t_restart
    finally:
        admin.logout()
    assert mupdate_find(master.host, master.port, "shared.new")[0] == "MAILBOX"
    assert wait_until(lambda: master_agrees(b, murder), 10), "the master never agreed with the backend"

    # The master loses a record of this backend and gains a ghost one. Only read-only probes
    # watch the repair.
    answers = mupdate_commands(
        master.host, master.port,
        'G1 DELETE "user.carol"',
        f'G2 ACTIVATE "user.ghost" "{b.location}" "ghost\tlrs\t"',
    )
    assert answers == ['G1 OK "done"', 'G2 OK "done"'], answers
    assert not master_agrees(b, murder)

    # A reconnect (the master killed and restarted) reconciles without any operator action.
    master.kill9()
    master.start()
    t0 = time.monotonic()
    assert wait_until(lambda: master_agrees(b, murder), RECONNECT_BOUND), murder.master_list()
    repaired_after = time.monotonic() - t0
    assert mupdate_find(master.host, master.port, "user.carol") == (
        "MAILBOX", ["user.carol", b.location, f"carol\t{OWNER_RIGHTS}\t"])
    assert mupdate_find(master.host, master.port, "user.ghost") is None

    # So does a backend restart.
    answers = mupdate_commands(master.host, master.port, 'H1 DELETE "shared.keep"',
                               f'H2 RESERVE "user.ghost2" "{b.location}"')
    assert answers == ['H1 OK "done"', 'H2 OK "done"'], answers
    assert not master_agrees(b, murder)
    b.restart()
    assert wait_until(lambda: master_agrees(b, murder), 15), murder.master_list()
    assert mupdate_find(master.host, master.port, "shared.keep")[0] == "MAILBOX"
    assert mupdate_find(master.host, master.port, "user.ghost2") is None
    code, out = b.check()
    assert code == 0, out

    # `murder admin check` reports a difference with exit status 1.
    answers = mupdate_commands(master.host, master.port, 'K1 DELETE "shared.new"',
                               f'K2 ACTIVATE "user.ghost3" "{b.location}" "ghost3\tlrs\t"')
    assert answers == ['K1 OK "done"', 'K2 OK "done"'], answers
    code, out = b.check()
    assert code == 1, out
    assert "missing or different at the master: shared.new" in out, out
    assert "at the master but not here: user.ghost3" in out, out
    print(f"CREATE works again {back_after:.1f} s after the master restarted; "
          f"the backend reconciled {repaired_after:.1f} s after the master restarted")


def master_agrees(backend, murder):
    """Read-only: the master's records of this backend's server are exactly its mailboxes,
    ACTIVE at its location."""
    listed = murder.master_list(server=backend.servername)
    return listed.keys() == backend.internal_mailboxes() and all(
        rec[0] == "ACTIVE" and rec[1] == backend.location for rec in listed.values())


# 3. A backend starts while the master is down


def test_backend_starts_and_serves_without_master(murder):
    master = murder.our_master().start()
    b = murder.backend()
    alice = b.imap("alice")  # INBOX created while the master is up
    alice.logout()
    b.stop()
    master.stop()

    t0 = time.monotonic()
    b.start()
    alice = b.imap("alice")
    try:
        ok(alice.select("INBOX"))
        ok(alice.append("INBOX", None, None, b"Subject: no master\r\n\r\nhello\r\n"))
        unavailable(alice.create("INBOX/Later"))
    finally:
        alice.logout()
    serving_after = time.monotonic() - t0
    assert serving_after < 5, serving_after

    # A user without an INBOX yet can still log in (the INBOX needs the master).
    bob = b.imap("bob")
    try:
        typ, data = bob.select("INBOX")
        assert typ == "NO", data
        ok(bob.list())
    finally:
        bob.logout()

    master.start()
    admin = b.imap("admin")
    try:
        assert wait_until(lambda: admin.create("user/carol")[0] == "OK", RECONNECT_BOUND, 0.5)
    finally:
        admin.logout()
    assert wait_until(lambda: master_agrees(b, murder), 10), murder.master_list()
    assert set(murder.master_list()) == {"user.alice", "user.carol"}
    code, out = b.check()
    assert code == 0, out
    print(f"backend served IMAP {serving_after:.2f} s after start with the master down")


# 4. Against Cyrus's mupdate master


def _cyrus_mupdate_pids(inst):
    return {pid for pid in cyrus_peers._children_of({inst.pid})
            if os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "mupdate"} if inst.running else set()


def test_backend_and_replica_against_cyrus_master(murder):
    inst = cyrus_mupdate_master(os.path.join(murder.root, "cyrus"))
    try:
        address = f"127.0.0.1:{inst.port}"
        b = murder.backend(address)
        loc = b.location
        replica = murder.replica(address)
        replica.wait_streaming(timeout=30)
        pids = _cyrus_mupdate_pids(inst)
        watcher = MupdateClient(inst.host, inst.port, MUPDATE_USER, password(MUPDATE_USER))
        latencies = {}
        try:
            admin = b.imap("admin")
            try:
                start = replica.mark()
                assert wait_until(lambda: admin.create("user/carol")[0] == "OK", 15, 0.5), "CREATE never worked"
                t_ok = time.monotonic()
                assert find_on(watcher, "user.carol", "W1") == (
                    "MAILBOX", ["user.carol", loc, f"carol\t{OWNER_RIGHTS}\t"])
                found = replica.wait_for(record_is("user.carol", "ACTIVE", loc), start, timeout=10)
                assert found, replica.log_tail()
                latencies["CREATE user/carol"] = found[0] - t_ok

                ok(admin.create("shared"))
                ok(admin.create("shared/memo"))
                ok(admin.setacl("shared/memo", "bob", "lrs"))
                assert find_on(watcher, "shared.memo", "W2") == (
                    "MAILBOX", ["shared.memo", loc, "anyone\tlrs\tbob\tlrs\t"])
                ok(admin.rename("shared/memo", "shared/note"))
                assert find_on(watcher, "shared.memo", "W3") is None
                assert find_on(watcher, "shared.note", "W4")[0] == "MAILBOX"

                start = replica.mark()
                ok(admin.delete("user/carol"))
                t_ok = time.monotonic()
                # The Cyrus mupdate process survives: the same connection answers, same PID.
                assert find_on(watcher, "user.carol", "W5") is None
                found = replica.wait_for(record_is("user.carol", "DELETED"), start, timeout=10)
                assert found, replica.log_tail()
                latencies["DELETE user/carol"] = found[0] - t_ok
                assert find_on(watcher, "shared.note", "W6")[0] == "MAILBOX"
            finally:
                admin.logout()
        finally:
            watcher.close()
        assert _cyrus_mupdate_pids(inst) == pids, "the Cyrus mupdate process was replaced"
        assert inst.running

        code, out = b.check()
        assert code == 0, out
        # A record of this backend that it does not have: a restart removes it (reconciliation
        # sends FIND before DELETE, which the Cyrus master survives).
        answers = mupdate_commands(inst.host, inst.port, f'G1 ACTIVATE "user.ghost" "{loc}" "ghost\tlrs\t"')
        assert answers == ['G1 OK "done"'], answers
        b.restart()
        assert wait_until(lambda: mupdate_find(inst.host, inst.port, "user.ghost") is None, 15)
        code, out = b.check()
        assert code == 0, out
        assert _cyrus_mupdate_pids(inst) == pids, "the Cyrus mupdate process was replaced"

        # A last change: once the replica shows it (Cyrus pushes every ~5 s), it holds the rest.
        admin = b.imap("admin")
        try:
            ok(admin.create("shared/last"))
        finally:
            admin.logout()
        assert replica.wait_for(record_is("shared.last", "ACTIVE", loc), timeout=12), replica.log_tail()
        expected = master_list(address, murder.root)
        assert set(expected) == {"shared", "shared.note", "shared.last"}, expected
        assert replica.stop() == expected
        # And `murder admin check` reports one with exit status 1.
        answers = mupdate_commands(inst.host, inst.port, f'G2 ACTIVATE "user.ghost2" "{loc}" "ghost\tlrs\t"')
        assert answers == ['G2 OK "done"'], answers
        code, out = b.check()
        assert code == 1 and "at the master but not here: user.ghost2" in out, out
        assert _cyrus_mupdate_pids(inst) == pids, "the Cyrus mupdate process was replaced"
        print("propagation through the Cyrus master (batches every ~5 s): "
              + ", ".join(f"{k}: {v:.2f} s" for k, v in latencies.items()))
        assert all(v < 10 for v in latencies.values()), latencies
    finally:
        inst.stop()


# 5. The master killed twice while backends create mailboxes and replicas stream


class Creator(threading.Thread):
    """Creates mailboxes on one backend in a loop: user/b<i>u<n> and pub<i>x<n>."""

    def __init__(self, backend, index):
        super().__init__(daemon=True)
        self.backend = backend
        self.index = index
        self.stop_event = threading.Event()
        self.created = set()  # internal names that got OK
        self.refused = []  # (name, answer)
        self.errors = []

    def run(self):
        n = 0
        conn = None
        while not self.stop_event.is_set():
            try:
                if conn is None:
                    conn = self.backend.imap("admin")
                n += 1
                ext = f"user/b{self.index}u{n}" if n % 2 else f"pub{self.index}x{n}"
                typ, data = conn.create(ext)
                if typ == "OK":
                    self.created.add(internal_name(ext, "admin"))
                else:
                    self.refused.append((ext, data))
                    time.sleep(0.05)
            except Exception as e:  # a broken IMAP connection: note it, reconnect
                self.errors.append(repr(e))
                conn = None
                time.sleep(0.1)
        if conn is not None:
            try:
                conn.logout()
            except Exception:
                pass


def test_master_sigkill_during_creates_keeps_replicas_and_backends_consistent(murder):
    master = murder.our_master().start()
    b0, b1 = murder.backend(), murder.backend()
    r0, r1 = murder.replica(), murder.replica()
    r0.wait_streaming()
    r1.wait_streaming()
    creators = [Creator(b0, 0), Creator(b1, 1)]
    for c in creators:
        c.start()
    try:
        time.sleep(2)
        for _ in range(2):
            master.kill9()
            time.sleep(1)
            master.start()
            time.sleep(3)
    finally:
        for c in creators:
            c.stop_event.set()
        for c in creators:
            c.join(20)
    assert not any(c.is_alive() for c in creators)
    for c in creators:
        assert all(d and d[0].startswith(b"[UNAVAILABLE]") for _, d in c.refused), c.refused
    created = creators[0].created | creators[1].created
    assert len(creators[0].created) > 5 and len(creators[1].created) > 5, [len(c.created) for c in creators]

    # Read-only probes only: `murder admin check` would repair what it compares.
    t0 = time.monotonic()
    agreed = wait_until(lambda: master_agrees(b0, murder) and master_agrees(b1, murder), 25, 0.5)
    agreed_after = time.monotonic() - t0

    # A last change: once both replicas show it, they hold everything before it.
    admin = b0.imap("admin")
    try:
        assert wait_until(lambda: admin.create("shared")[0] == "OK", 10, 0.5)
    finally:
        admin.logout()
    for r in (r0, r1):
        assert r.wait_for(record_is("shared", "ACTIVE", b0.location), timeout=RECONNECT_BOUND), r.log_tail()

    listed = murder.master_list()
    union = {}
    for b in (b0, b1):
        for name in b.internal_mailboxes():
            assert name not in union, name
            union[name] = b.location
    # Every mailbox of a backend is ACTIVE at the master with its location, every CREATE that
    # got OK is there, and each replica holds exactly the master's list.
    assert {n: listed.get(n, (None, None))[:2] for n in union} == {n: ("ACTIVE", loc) for n, loc in union.items()}
    assert created <= set(union), sorted(created - set(union))
    assert r0.stop() == listed
    assert r1.stop() == listed
    # And the master holds nothing else.
    extra = {n: rec for n, rec in listed.items() if n not in union}
    print(f"{len(created)} CREATEs answered OK, {sum(len(c.refused) for c in creators)} refused "
          f"[UNAVAILABLE], {len(listed)} records; records without a mailbox after {agreed_after:.1f} s: {extra}")
    assert not extra, extra
    assert agreed
    for b in (b0, b1):
        code, out = b.check()
        assert code == 0, out


# 7. Faults at exact points, and `murder admin check`


class CuttingRelay:
    """A loopback TCP relay in front of a master. Once `arm(pattern)` is called, the first
    client chunk holding `pattern` is not forwarded: both sockets close, and new connections
    are refused (accepted and closed at once) until `heal()`: the master "dies" right before
    that command."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.pattern = None
        self.refusing = False
        self.cut = threading.Event()
        self.lock = threading.Lock()
        self.sockets = []
        self.closed = False
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, pattern):
        self.pattern = pattern

    def heal(self):
        self.refusing = False

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, src, dst, from_client):
        src.settimeout(None)
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_client and self.pattern is not None and self.pattern in data:
                    self.pattern = None
                    self.refusing = True
                    self.cut.set()
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.closed = True
        self.listener.close()
        with self.lock:
            socks = list(self.sockets)
        for s in socks:
            try:
                s.close()
            except OSError:
                pass


def test_reservation_of_a_create_cut_before_activate_is_removed_on_reconnect(murder):
    master = murder.our_master().start()
    relay = CuttingRelay(master.host, master.port)
    try:
        b = murder.backend(relay.address)
        assert wait_until(lambda: master_agrees(b, murder), 10)
        relay.arm(b" ACTIVATE ")
        admin = b.imap("admin")
        try:
            unavailable(admin.create("shared"))
        finally:
            admin.logout()
        assert relay.cut.is_set()
        assert "shared" not in b.internal_mailboxes()
        assert mupdate_find(master.host, master.port, "shared") == ("RESERVE", ["shared", b.location])
        relay.heal()
        # The backend reconnects (backoff from 1 s) and reconciles: the reservation goes.
        removed = wait_until(lambda: mupdate_find(master.host, master.port, "shared") is None, 20)
        assert removed, "the RESERVE of a CREATE that failed stays at the master"
    finally:
        relay.close()


def test_admin_check_changes_nothing(murder):
    master = murder.our_master().start()
    b = murder.backend()
    admin = b.imap("admin")
    try:
        ok(admin.create("user/carol"))
    finally:
        admin.logout()
    answers = mupdate_commands(master.host, master.port, 'G1 DELETE "user.carol"',
                               f'G2 ACTIVATE "user.ghost" "{b.location}" "ghost\tlrs\t"')
    assert answers == ['G1 OK "done"', 'G2 OK "done"'], answers
    before = murder.master_list()
    code, out = b.check()
    assert code == 1, out
    assert "missing or different at the master: user.carol" in out, out
    assert "at the master but not here: user.ghost" in out, out
    time.sleep(1)
    assert murder.master_list() == before


# 6. A subscriber that stops reading

QUEUE_LIMIT = 4 << 20  # MUpdateServerSettings.subscriberQueueLimit (bytes)
FLOOD_ACL = b"".join(b"user%05d\tlrswipkxtecdan\t" % i for i in range(2400))  # 60,000 bytes


def _tcp_state(local_port, remote_port):
    """The kernel state (hex, "01" = ESTABLISHED) of the loopback connection local -> remote,
    or None when it is gone (from /proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state = fields[1], fields[2], fields[3]
        if int(local.split(":")[1], 16) == local_port and int(remote.split(":")[1], 16) == remote_port:
            return state
    return None


def _stalled_subscriber(master):
    """A raw UPDATE subscriber with a tiny receive buffer that reads nothing after its banner."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(10)
    s.connect((master.host, master.port))
    buf = b""
    while b"* OK MUPDATE" not in buf:
        buf += s.recv(4096)
    ir = base64.b64encode(f"\0{MUPDATE_USER}\0{password(MUPDATE_USER)}".encode()).decode()
    s.sendall(f'A1 AUTHENTICATE "PLAIN" "{ir}"\r\nS1 UPDATE\r\n'.encode())
    return s


def _flood(master, replica, count):
    """ACTIVATEs `count` records with 60 KB ACLs (on a server that is no backend); returns the
    replica's latency for each (line on its stdout after the master's OK)."""
    flood = MupdateClient(master.host, master.port, MUPDATE_USER, password(MUPDATE_USER))
    latencies = []
    try:
        for n in range(count):
            name = f"flood.n{n}"
            start = replica.mark()
            flood.send(f'X{n} ACTIVATE "{name}" "127.0.0.1:9!default" {{{len(FLOOD_ACL)}+}}'.encode())
            flood.send(FLOOD_ACL)
            answer = flood.read_response()
            assert answer == f'X{n} OK "done"\r\n'.encode(), answer
            t_ok = time.monotonic()
            found = replica.wait_for(record_is(name, "ACTIVE"), start, timeout=5)
            assert found, f"the replica missed {name}; stderr:\n{replica.log_tail()}"
            latencies.append(found[0] - t_ok)
    finally:
        flood.close()
    return latencies


# Enough to fill the subscriber's queue and the socket buffers (up to 4 MiB here) with 25 % to spare.
FLOOD_COUNT = 5 * (QUEUE_LIMIT + (4 << 20)) // 4 // len(FLOOD_ACL)


def test_stalled_subscriber_does_not_hold_back_others_and_gets_bye_when_drained(murder):
    master = murder.our_master().start()
    b = murder.backend()
    replica = murder.replica()
    replica.wait_streaming()
    stalled = _stalled_subscriber(master)
    latencies = _flood(master, replica, FLOOD_COUNT)

    # The live replica still gets changes within 1 s, from the backend too.
    admin = b.imap("admin")
    try:
        for name in ("after1", "after2"):
            start = replica.mark()
            ok(admin.create(name))
            t_ok = time.monotonic()
            found = replica.wait_for(record_is(name, "ACTIVE", b.location), start, timeout=5)
            assert found, replica.log_tail()
            latencies.append(found[0] - t_ok)
    finally:
        admin.logout()

    # The stalled socket was dropped: read now, it ends — with BYE "too slow" when the master's
    # writer got to say it, cut short (reset) when the peer stayed stalled past the master's
    # grace (SPEC §3.4: a slow subscriber is disconnected and will resync).
    drained = 0
    tail = b""
    reset = False
    deadline = time.monotonic() + 20
    while True:
        assert time.monotonic() < deadline, f"the stalled subscriber's connection never ended; tail {tail!r}"
        try:
            chunk = stalled.recv(1 << 20)
        except ConnectionResetError:
            reset = True
            chunk = b""
        if not chunk:
            break
        drained += len(chunk)
        tail = (tail + chunk)[-200:]
    stalled.close()
    assert reset or tail.endswith(b'* BYE "too slow"\r\n') or b"BYE" not in tail, tail
    assert drained < FLOOD_COUNT * len(FLOOD_ACL), drained  # it was cut off, not fed everything

    assert replica.stop() == murder.master_list()
    worst = max(latencies)
    print(f"{FLOOD_COUNT} ACTIVATEs of {len(FLOOD_ACL)}-byte ACLs with a stalled subscriber: replica latency "
          f"max {worst * 1000:.1f} ms, mean {sum(latencies) / len(latencies) * 1000:.1f} ms; "
          f"the stalled socket yielded {drained} bytes then BYE")
    assert worst < PROPAGATION_BOUND, worst


def test_stalled_subscriber_is_disconnected_while_it_stays_stalled(murder):
    master = murder.our_master().start()
    replica = murder.replica()
    replica.wait_streaming()
    stalled = _stalled_subscriber(master)
    try:
        local_port = stalled.getsockname()[1]
        assert _tcp_state(master.port, local_port) == "01"
        _flood(master, replica, FLOOD_COUNT)
        # The master drops it: its side of the connection leaves ESTABLISHED (FIN or RST sent).
        closed = wait_until(lambda: _tcp_state(master.port, local_port) != "01", 10)
        assert closed, "the master still holds the stalled subscriber's connection open"
        assert "too slow" in master.log_path.read_text(errors="replace")
    finally:
        stalled.close()
        replica.stop()
