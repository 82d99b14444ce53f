"""Faults under a frontend: backends and the master killed with SIGKILL mid-session, mid-COPY
and during CREATEs, and a client cut off mid-APPEND (SPEC §5 loss of a backend, §7.4, §7.6).
Each test gets a cluster of its own (murder_cluster.py); every wait is a bounded poll.
"""

import random
import re
import socket
import threading
import time

import pytest

from conftest import password
from murder_cluster import append_messages, fetch_messages, internal, list_of, selectable, start_cluster, status_at, \
    status_of, wait_until
from support import CRLF, fast_random_message

PROMPT = 10.0  # a lost backend must show within this
RECOVERY = 45.0  # reconnect backoff (1 s -> 30 s plus jitter) and reconciliation


@pytest.fixture
def make_cluster():
    made = []

    def make(**kw):
        c = start_cluster(**kw)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def tagged_ok(tagged):
    return re.match(rb"^\S+ OK\b", tagged) is not None


def run(client, command):
    untagged, tagged = client.command(command)
    assert tagged_ok(tagged), (command, tagged, untagged[-5:])
    return untagged, tagged


def read_until_bye_or_closed(client, timeout):
    """Lines until `* BYE` or the end of the connection: (lines, "bye" | "closed")."""
    deadline = time.monotonic() + timeout
    lines = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"neither BYE nor close within {timeout:.0f} s; got {lines[-5:]}")
        try:
            line = client.readline(timeout=left)
        except TimeoutError:
            continue
        except (ConnectionError, OSError):
            return lines, "closed"
        lines.append(line)
        if line.startswith(b"* BYE"):
            return lines, "bye"


def send_quietly(client, data):
    try:
        client.send(data)
        return True
    except OSError:
        return False


def wait_selectable(frontend, user, mailbox, timeout):
    def works():
        c = frontend.raw(user)
        try:
            _, tagged = c.command(f"SELECT {mailbox}")
            return tagged_ok(tagged)
        finally:
            c.close()
    wait_until(works, timeout, f"SELECT {mailbox} as {user} at {frontend.name}", interval=0.25)


def wait_check_clean(backend, timeout=RECOVERY):
    """`murder admin check` exits 0 (the master agrees with the spool) within `timeout`."""
    last = {}

    def clean():
        code, out = backend.check()
        last["out"] = out
        return code == 0
    try:
        wait_until(clean, timeout, f"murder admin check -c {backend.name}.toml exits 0", interval=0.5)
    except AssertionError as e:
        raise AssertionError(f"{e}\n{last.get('out', '')}") from None


# A lost backend (SPEC §5)


def test_backend_killed_mid_session(make_cluster):
    """SIGKILL of the selected backend: `* BYE [UNAVAILABLE]` (or the end of the connection)
    promptly; a session on the other backend goes on; after a restart a new session works."""
    cl = make_cluster(frontends=1)
    fe = cl.fe(0)
    alice, bob = fe.raw("alice"), fe.raw("bob")
    try:
        run(alice, "SELECT INBOX")
        run(bob, "SELECT shared/memo")
        cl.backend1.kill9()
        t0 = time.monotonic()
        sent = send_quietly(alice, b"n1 NOOP" + CRLF)
        lines, how = read_until_bye_or_closed(alice, PROMPT)
        elapsed = time.monotonic() - t0
        print(f"selected backend lost: {how} after {elapsed:.2f} s (NOOP sent: {sent}); lines {lines}")
        assert not any(re.match(rb"^n1 OK", line) for line in lines), lines
        if how == "bye":
            assert lines[-1].startswith(b"* BYE [UNAVAILABLE]"), lines
        untagged, _ = run(bob, "FETCH 1 (FLAGS)")
        assert any(re.match(rb"^\* 1 FETCH ", line) for line in untagged), untagged
        run(bob, "NOOP")
    finally:
        alice.close()
        bob.close()
    cl.backend1.restart()
    wait_selectable(fe, "alice", "INBOX", RECOVERY)


def test_losing_a_non_selected_backend_fails_only_commands_that_need_it(make_cluster):
    cl = make_cluster(frontends=1)
    fe = cl.fe(0)
    c = fe.raw("alice")
    try:
        run(c, "SELECT INBOX")
        assert status_of(c, "shared/memo")["MESSAGES"] == 1  # the session now holds a backend2 connection
        cl.backend2.kill9()
        t0 = time.monotonic()
        _, tagged = c.command('STATUS shared/memo (MESSAGES)', timeout=PROMPT + 5)
        assert re.match(rb"^\S+ NO \[UNAVAILABLE\]", tagged), tagged
        assert time.monotonic() - t0 < PROMPT
        untagged, _ = run(c, "FETCH 1 (FLAGS)")
        assert any(re.match(rb"^\* 1 FETCH ", line) for line in untagged), untagged
        run(c, "NOOP")
        assert "shared/memo" in selectable(list_of(c, 'LIST "" "*"'))  # LIST is local
        run(c, "STATUS INBOX/Work (MESSAGES)")
    finally:
        c.close()
    cl.backend2.restart()
    wait_until(lambda: status_at(fe, "alice", "shared/memo")["MESSAGES"] == 1, RECOVERY,
               "STATUS shared/memo after backend2's restart")


# A backend killed mid-COPY (SPEC §7.4)


@pytest.mark.parametrize("victim", ["destination", "source"])
def test_backend_killed_mid_cross_backend_copy(make_cluster, victim):
    """A large COPY from INBOX/big (backend1) to shared/memo (backend2); the destination or the
    source backend is killed once the copy has reached backend2. After restarting it: no
    message duplicated or partial at the destination, the source intact, the list consistent."""
    cl = make_cluster(frontends=1)
    fe, b1, b2 = cl.fe(0), cl.backend1, cl.backend2
    rng = random.Random(11)
    msgs = [fast_random_message(rng, 256 * 1024, tag=f"big{i}") for i in range(48)]
    c = b1.raw("alice")
    try:
        run(c, "CREATE INBOX/big")
    finally:
        c.close()
    append_messages(b1.host, b1.port, "alice", "INBOX/big", msgs)
    source_before = fetch_messages(b1.host, b1.port, "alice", "INBOX/big")
    memo_before = fetch_messages(b2.host, b2.port, "alice", "shared/memo")
    baseline = b2.connections_in()

    c = fe.raw("alice")
    outcome = None
    try:
        run(c, "SELECT INBOX/big")
        tag = c.next_tag()
        c.send(tag + b" UID COPY 1:* shared/memo" + CRLF)
        wait_until(lambda: b2.connections_in() > baseline, PROMPT, "the frontend connected to backend2",
                   interval=0.005)
        (b2 if victim == "destination" else b1).kill9()
        deadline = time.monotonic() + 60
        lines = []
        while outcome is None:
            left = deadline - time.monotonic()
            assert left > 0, f"no end to the COPY within 60 s: {lines[-5:]}"
            try:
                line = c.readline(timeout=left)
            except TimeoutError:
                continue
            except (ConnectionError, OSError):
                outcome = "closed"
                break
            lines.append(line)
            if line.startswith(tag + b" "):
                outcome = line
            elif line.startswith(b"* BYE"):
                outcome = line
        print(f"COPY with the {victim} killed: {outcome!r}")
    finally:
        c.close()
    (b2 if victim == "destination" else b1).restart()

    wait_until(lambda: status_at(b1, "alice", "INBOX/big")["MESSAGES"] == len(msgs), RECOVERY,
               "backend1 serving INBOX/big again")
    assert fetch_messages(b1.host, b1.port, "alice", "INBOX/big") == source_before

    memo_after = wait_until(lambda: fetch_messages(b2.host, b2.port, "alice", "shared/memo"), RECOVERY,
                            "backend2 serving shared/memo again")
    new = [v[0] for uid, v in memo_after.items() if uid not in memo_before]
    for body in new:
        assert body in msgs, f"a partial or foreign message at the destination ({len(body)} bytes)"
    assert len(new) == len(set(new)), "a message was duplicated at the destination"
    if isinstance(outcome, bytes) and tagged_ok(outcome):
        assert sorted(new) == sorted(msgs), "COPY answered OK but not every message arrived"
    for b in (b1, b2):
        wait_check_clean(b)


# The master killed during CREATEs (SPEC §4.1, §7.6)


def test_master_killed_during_creates(make_cluster):
    """CREATEs through the frontend while the master is SIGKILLed: each answers OK or
    NO [UNAVAILABLE]; SELECT of existing mailboxes works while the master is down; after it
    returns and the backends reconcile, the list and the spool agree exactly."""
    cl = make_cluster(frontends=1)
    fe, b1 = cl.fe(0), cl.backend1
    results = {}
    c = fe.raw("alice")
    try:
        killer = threading.Timer(0.3, cl.master.kill9)
        killer.start()
        i = 0
        t_end = time.monotonic() + 3.0
        while time.monotonic() < t_end:
            name = f"INBOX/mk{i}"
            _, tagged = c.command(f"CREATE {name}", timeout=30)
            results[name] = tagged
            i += 1
        killer.join()
        assert cl.master.proc.poll() is not None
        for name, tagged in results.items():
            assert tagged_ok(tagged) or re.match(rb"^\S+ NO \[UNAVAILABLE\]", tagged), (name, tagged)
        assert any(not tagged_ok(t) for t in results.values()), "no CREATE was refused after the kill"
        _, tagged = c.command("CREATE INBOX/while-down")
        assert re.match(rb"^\S+ NO \[UNAVAILABLE\]", tagged), tagged
        for mailbox in ("INBOX", "INBOX/Work", "shared/memo"):
            run(c, f"SELECT {mailbox}")
        d = fe.raw("bob")  # a new session while the master is down
        try:
            run(d, "SELECT INBOX")
            run(d, "SELECT shared/memo")
        finally:
            d.close()
    finally:
        c.close()
    cl.master.restart()

    def agree():
        at_master = {n for n, (state, loc, _) in cl.master_list().items() if loc == b1.location}
        return at_master == b1.local_names() and at_master
    wait_until(agree, RECOVERY, "backend1's spool and the master's list agree", interval=0.5)
    local = b1.local_names()
    for name, tagged in results.items():
        if tagged_ok(tagged):
            assert internal(name, "alice") in local, (name, tagged)
    assert internal("INBOX/while-down", "alice") not in local
    wait_check_clean(b1)
    states = {s for n, (s, loc, _) in cl.master_list().items() if loc == b1.location}
    assert states == {"ACTIVE"}, states
    ok_names = {n for n, t in results.items() if tagged_ok(t)}
    wait_until(lambda: ok_names <= selectable(list_of_user(fe, "alice")), RECOVERY,
               "the frontend lists every created mailbox after the master returned")


def list_of_user(frontend, user):
    c = frontend.raw(user)
    try:
        return list_of(c, 'LIST "" "INBOX/*"')
    finally:
        c.close()


# A client cut off mid-APPEND


def test_client_cut_off_mid_append(make_cluster):
    """Half of a 5 MB literal through the frontend, then the socket closes: the backend keeps no
    message, the frontend's backend connection goes away within a bounded time, and a new
    session APPENDs the whole 5 MB."""
    cl = make_cluster(frontends=1)
    fe, b1 = cl.fe(0), cl.backend1
    c = b1.raw("alice")
    try:
        run(c, "CREATE INBOX/cut")
    finally:
        c.close()
    before = status_at(b1, "alice", "INBOX/cut")
    baseline = b1.connections_in()
    body = fast_random_message(random.Random(5), 5 * 1024 * 1024, tag="cut")

    s = socket.create_connection((fe.host, fe.port), timeout=15)
    try:
        f = s.makefile("rb")
        f.readline()
        s.sendall(f'a LOGIN alice "{password("alice")}"\r\n'.encode())
        line = f.readline()
        while not line.startswith(b"a "):
            line = f.readline()
        assert line.startswith(b"a OK"), line
        s.sendall(b"b APPEND INBOX/cut {%d}\r\n" % len(body))
        cont = f.readline()
        assert cont.startswith(b"+"), cont
        s.sendall(body[:len(body) // 2])
        wait_until(lambda: b1.connections_in() > baseline, PROMPT, "the frontend's connection to backend1")
    finally:
        # The makefile() reader holds the descriptor too: close both, or nothing is closed.
        f.close()
        s.close()
    t0 = time.monotonic()
    wait_until(lambda: b1.connections_in() <= baseline, 20, "the frontend closed its backend1 connection",
               interval=0.1)
    print(f"backend connection gone {time.monotonic() - t0:.2f} s after the client left")
    assert status_at(b1, "alice", "INBOX/cut") == before, "the backend kept something of the cut APPEND"
    assert fe.running, fe.log_tail()

    c = fe.raw("alice")
    try:
        tag = c.next_tag()
        c.send(tag + b" APPEND INBOX/cut {%d}" % len(body) + CRLF)
        assert c.readline(timeout=15).startswith(b"+")
        c.send(body + CRLF)
        _, tagged = c.read_until_tagged(tag, timeout=60)
        assert tagged_ok(tagged), tagged
    finally:
        c.close()
    got = fetch_messages(b1.host, b1.port, "alice", "INBOX/cut")
    assert [v[0] for v in got.values()] == [body]
    wait_until(lambda: b1.connections_in() <= baseline, 20, "no backend connection left behind")
