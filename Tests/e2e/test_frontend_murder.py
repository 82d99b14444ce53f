"""The frontend of a discrete murder, end to end: real `murder serve` processes (a master, two
backends, two frontends; murder_cluster.py) and real clients (imaplib, imapclient, mbsync,
mutt) talking to a FRONTEND. Routing per SPEC §6, flows per §7, scenarios named after §14.

Where a frontend answer must equal what a backend says for the same user, the test asks that
backend directly and compares. One cluster serves the whole module; each test that changes
state works on mailboxes of its own.
"""

import itertools
import os
import random
import re
import shutil
import subprocess
import textwrap
import time

import pytest

from conftest import password
from murder_cluster import (
    FULL_RIGHTS,
    append_messages,
    fetch_messages,
    list_of,
    ok,
    quote,
    selectable,
    start_cluster,
    status_at,
    status_of,
    wait_until,
)
from support import CRLF, fast_random_message, message
from test_mupdate_murder import mupdate_commands

PROPAGATION = 10.0  # generous bound for a list change to reach a frontend (SPEC: 1 s)
_counter = itertools.count(1)


def uniq(prefix):
    return f"{prefix}{os.getpid() % 1000}x{next(_counter)}"


@pytest.fixture(scope="module")
def cluster():
    c = start_cluster()
    yield c
    c.close()


@pytest.fixture
def fe(cluster):
    return cluster.fe(0)


@pytest.fixture
def fe2(cluster):
    return cluster.fe(1)


def tagged_ok(tagged):
    return re.match(rb"^\S+ OK\b", tagged) is not None


def tagged_no(tagged):
    return re.match(rb"^\S+ NO\b", tagged) is not None


def run(client, command, expect_ok=True):
    untagged, tagged = client.command(command)
    if expect_ok:
        assert tagged_ok(tagged), (command, tagged, untagged[-5:])
    return untagged, tagged


def capabilities_of(lines):
    for line in lines:
        m = re.search(rb"(?:^\* CAPABILITY |\[CAPABILITY )([^\]\r\n]*)", line)
        if m:
            return set(m.group(1).decode().upper().split())
    return set()


def untagged_named(lines, word):
    head = b"* " + word.encode()
    return [line for line in lines if line == head or line.startswith(head + b" ")]


def append_raw(client, mailbox, body, flags="", date=None):
    """APPEND with a synchronising literal: waits for `+`, then streams the body."""
    tag = client.next_tag()
    parts = [tag, b"APPEND", quote(mailbox).encode()]
    if flags:
        parts.append(f"({flags})".encode())
    if date:
        parts.append(f'"{date}"'.encode())
    parts.append(b"{%d}" % len(body))
    client.send(b" ".join(parts) + CRLF)
    cont = client.readline(timeout=15)
    assert cont.startswith(b"+"), cont
    client.send(body + CRLF)
    return client.read_until_tagged(tag, timeout=30)


def make_folder(cluster, user, name, n=0, subject="msg", flags=None, dates=None):
    """Creates `name` for `user` on the user's INBOX backend directly and appends `n` messages;
    returns the messages."""
    b = cluster.backend1 if user == "alice" else cluster.backend2
    c = b.raw(user)
    try:
        run(c, f"CREATE {quote(name)}")
    finally:
        c.close()
    msgs = [message(subject=f"{subject} {i}", body=f"{subject} body {i}") for i in range(n)]
    if msgs:
        append_messages(b.host, b.port, user, name, msgs, flags=flags, date=dates)
    return msgs


def parse_copyuid(line):
    m = re.search(rb"\[COPYUID (\S+) (\S+) (\S+)\]", line)
    assert m, line
    return int(m.group(1)), expand_set(m.group(2).decode()), expand_set(m.group(3).decode())


def expand_set(text):
    out = []
    for part in text.split(","):
        if ":" in part:
            a, b = (int(x) for x in part.split(":"))
            out += list(range(a, b + 1)) if a <= b else list(range(a, b - 1, -1))
        else:
            out.append(int(part))
    return out


# Login and capabilities


def test_login_and_authenticate_plain_at_the_frontend(fe):
    c = fe.raw()
    try:
        assert c.greeting.startswith(b"* OK [CAPABILITY "), c.greeting
        greeting_caps = capabilities_of([c.greeting])
        assert "IMAP4REV1" in greeting_caps and "AUTH=PLAIN" in greeting_caps, c.greeting
        _, tagged = c.command(f'LOGIN alice "{password("alice")}"')
        assert tagged_ok(tagged), tagged
        untagged, _ = run(c, "CAPABILITY")
        caps = capabilities_of(untagged)
        assert {"IDLE", "MULTIAPPEND", "UIDPLUS", "MOVE"} <= caps, caps
        assert any(cap.startswith("MUPDATE=") for cap in caps | greeting_caps | capabilities_of([tagged])), caps
    finally:
        c.close()

    m = fe.imap()
    try:
        typ, _ = m.authenticate("PLAIN", lambda _: f"\0bob\0{password('bob')}".encode())
        assert typ == "OK"
        ok(m.select("INBOX"))
    finally:
        m.logout()


def test_wrong_password_is_refused_with_no(fe):
    c = fe.raw()
    try:
        _, tagged = c.command('LOGIN alice "not-the-password"')
        assert tagged_no(tagged), tagged
        _, tagged = c.command(f'LOGIN alice "{password("alice")}"')
        assert tagged_ok(tagged), tagged
    finally:
        c.close()


# Routing (SPEC §6)


def test_namespace_equals_the_backends(cluster, fe):
    c, d = fe.raw("alice"), cluster.backend1.raw("alice")
    try:
        assert untagged_named(run(c, "NAMESPACE")[0], "NAMESPACE") == untagged_named(run(d, "NAMESPACE")[0],
                                                                                       "NAMESPACE")
    finally:
        c.close()
        d.close()


def _backend_lists(cluster, user, command):
    out = []
    for b in cluster.backends:
        c = b.raw(user)
        try:
            out.append(list_of(c, command))
        finally:
            c.close()
    return out


def test_list_equals_the_union_the_user_may_see(cluster, fe):
    """LIST equals the backend's LIST for the same user: the union over both backends, with
    the children flags of the backend that holds each name; bob's INBOX appears only once bob
    grants alice `l` on it."""
    children = {"\\haschildren", "\\hasnochildren"}

    def compare():
        c = fe.raw("alice")
        try:
            got = list_of(c, 'LIST "" "*"')
        finally:
            c.close()
        b1, b2 = _backend_lists(cluster, "alice", 'LIST "" "*"')
        want = selectable(b1) | selectable(b2)
        if selectable(got) != want:
            return None
        for name in want:
            src = b1 if name in selectable(b1) else b2
            assert got[name][0] & children == src[name][0] & children, (name, got[name], src[name])
        return got

    got = wait_until(compare, PROPAGATION, "the frontend's LIST equals the backends' union")
    assert {"INBOX", "INBOX/Work", "INBOX/Sent", "INBOX/search", "shared/memo", "shared/noexpunge"} <= set(got)
    assert "user/bob" not in got and "user/bob/Private" not in got

    bob = fe.raw("bob")
    try:
        run(bob, "SETACL INBOX alice lr")
        cluster.wait_listed(fe, "alice", "user/bob", present=True, timeout=PROPAGATION)
        run(bob, "DELETEACL INBOX alice")
        cluster.wait_listed(fe, "alice", "user/bob", present=False, timeout=PROPAGATION)
    finally:
        bob.close()


def test_list_return_special_use_matches_the_backends(cluster, fe):
    c = fe.raw("alice")
    try:
        got = list_of(c, 'LIST "" "*" RETURN (SPECIAL-USE)')
        only = list_of(c, 'LIST (SPECIAL-USE) "" "*"')
    finally:
        c.close()
    b1, b2 = _backend_lists(cluster, "alice", 'LIST "" "*" RETURN (SPECIAL-USE)')
    for src in (b1, b2):
        for name in selectable(src):
            assert name in got, (name, sorted(got))
            assert got[name][0] == src[name][0], (name, got[name], src[name])
    assert "\\sent" in got["INBOX/Sent"][0], got["INBOX/Sent"]
    o1, o2 = _backend_lists(cluster, "alice", 'LIST (SPECIAL-USE) "" "*"')
    assert selectable(only) == selectable(o1) | selectable(o2) == {"INBOX/Sent"}, (only, o1, o2)


def test_list_subscribed_and_lsub_come_from_the_inbox_backend(cluster, fe):
    """LIST (SUBSCRIBED), RETURN (SUBSCRIBED) and LSUB as alice's INBOX backend (backend1)
    answers them; names on the other backend are listed without \\NonExistent."""
    c = fe.raw("alice")
    d = cluster.backend1.raw("alice")
    try:
        on_b1 = selectable(list_of(d, 'LIST "" "*"'))
        for command in ('LIST (SUBSCRIBED) "" "*"', 'LSUB "" "*"'):
            got, want = list_of(c, command), list_of(d, command)
            assert set(got) == set(want), (command, got, want)
            for name in got:
                if name in on_b1:
                    assert got[name][0] == want[name][0], (command, name, got[name], want[name])
        subscribed = set(list_of(d, 'LSUB "" "*"'))
        assert {"INBOX", "INBOX/Work"} <= subscribed
        got = list_of(c, 'LIST "" "*" RETURN (SUBSCRIBED)')
        for name, (flags, _) in got.items():
            assert ("\\subscribed" in flags) == (name in subscribed), (name, flags, subscribed)
    finally:
        c.close()
        d.close()


def test_subscribe_to_a_mailbox_on_another_backend(cluster, fe):
    c = fe.raw("alice")
    try:
        run(c, "SUBSCRIBE shared/memo")
        lsub = list_of(c, 'LSUB "" "*"')
        assert "shared/memo" in lsub and "\\noselect" not in lsub["shared/memo"][0], lsub
        d = cluster.backend1.raw("alice")  # subscriptions live on the INBOX backend
        try:
            assert "shared/memo" in list_of(d, 'LSUB "" "*"')
        finally:
            d.close()
        sub = list_of(c, 'LIST (SUBSCRIBED) "" "shared/*"')
        assert "shared/memo" in sub and "\\nonexistent" not in sub["shared/memo"][0], sub
        run(c, "UNSUBSCRIBE shared/memo")
        assert "shared/memo" not in list_of(c, 'LSUB "" "*"')
    finally:
        c.close()


def test_select_and_examine_switch_backends_in_one_session(cluster, fe):
    c = fe.raw("alice")
    try:
        inbox_count = status_at(cluster.backend1, "alice", "INBOX")["MESSAGES"]
        for _ in range(2):
            untagged, tagged = run(c, "SELECT INBOX")
            assert b"[READ-WRITE]" in tagged, tagged
            assert b"* %d EXISTS" % inbox_count in untagged, untagged
            untagged, _ = run(c, "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            assert any(b"Subject: inbox 0" in line for line in untagged), untagged

            untagged, tagged = run(c, "EXAMINE shared/memo")
            assert b"[READ-ONLY]" in tagged, tagged
            memo = status_at(cluster.backend2, "alice", "shared/memo")["MESSAGES"]
            assert b"* %d EXISTS" % memo in untagged, untagged
            untagged, _ = run(c, "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            assert any(b"Subject: memo 1" in line for line in untagged), untagged
    finally:
        c.close()


def _normalise(lines):
    """Untagged answers with ESEARCH's `(TAG "...")` removed, so two sessions compare."""
    return [re.sub(rb'\(TAG "[^"]*"\) ', b"", line) for line in lines]


def test_search_uid_search_esearch_with_expunge_holes_through_the_relay(cluster, fe):
    """INBOX/search holds UIDs 1, 3, 4, 6 (2 and 5 expunged): sequence numbers and UIDs differ."""
    c = fe.raw("alice")
    d = cluster.backend1.raw("alice")
    try:
        run(c, "SELECT INBOX/search")
        run(d, "EXAMINE INBOX/search")
        expected = {
            "SEARCH ALL": b"* SEARCH 1 2 3 4",
            "UID SEARCH ALL": b"* SEARCH 1 3 4 6",
            'SEARCH SUBJECT "m4"': b"* SEARCH 3",
            'UID SEARCH SUBJECT "m4"': b"* SEARCH 4",
            "UID SEARCH UID 2:5": b"* SEARCH 3 4",
            "SEARCH 2:3": b"* SEARCH 2 3",
        }
        for command, want in expected.items():
            untagged, _ = run(c, command)
            assert untagged_named(untagged, "SEARCH") == [want], (command, untagged)
            assert _normalise(untagged) == _normalise(run(d, command)[0]), command
        for command in ("UID SEARCH RETURN (ALL) ALL", "SEARCH RETURN (MIN MAX COUNT) ALL",
                        "UID SEARCH RETURN (COUNT) UNDELETED"):
            untagged, _ = run(c, command)
            assert _normalise(untagged) == _normalise(run(d, command)[0]), (command, untagged)
        untagged, _ = run(c, "UID SEARCH RETURN (ALL) ALL")
        esearch = untagged_named(untagged, "ESEARCH")
        assert len(esearch) == 1 and b"(TAG " in esearch[0] and b" UID " in esearch[0], esearch
        assert expand_set(esearch[0].rsplit(b"ALL ", 1)[1].decode()) == [1, 3, 4, 6], esearch

        untagged, _ = run(c, "FETCH 1:* (UID)")
        assert [int(re.search(rb"UID (\d+)", line).group(1)) for line in untagged_named_fetch(untagged)] == [1, 3, 4, 6]
        run(c, "STORE 2 +FLAGS (\\Flagged)")
        assert untagged_named(run(c, "UID SEARCH FLAGGED")[0], "SEARCH") == [b"* SEARCH 3"]
        run(d, "NOOP")
        assert untagged_named(run(d, "UID SEARCH FLAGGED")[0], "SEARCH") == [b"* SEARCH 3"]
        run(c, "UID STORE 3 -FLAGS.SILENT (\\Flagged)")
        assert untagged_named(run(c, "SEARCH FLAGGED")[0], "SEARCH") == [b"* SEARCH"]
    finally:
        c.close()
        d.close()


def untagged_named_fetch(lines):
    return [line for line in lines if re.match(rb"^\* \d+ FETCH ", line)]


def test_sort_and_thread_through_the_relay(cluster, fe):
    d = cluster.backend1.raw("alice")
    c = fe.raw("alice")
    try:
        backend_caps = capabilities_of(run(d, "CAPABILITY")[0])
        caps = capabilities_of(run(c, "CAPABILITY")[0])
        if "SORT" not in backend_caps:
            pytest.skip("the backends do not advertise SORT")
        assert "SORT" in caps, caps
        run(c, "SELECT INBOX/search")
        run(d, "EXAMINE INBOX/search")
        commands = ["SORT (SUBJECT) UTF-8 ALL", "UID SORT (REVERSE ARRIVAL) UTF-8 ALL"]
        commands += [f"THREAD {alg} UTF-8 ALL" for alg in ("ORDEREDSUBJECT", "REFERENCES")
                     if f"THREAD={alg}" in backend_caps]
        commands += [f"UID THREAD {alg} UTF-8 ALL" for alg in ("REFERENCES",) if f"THREAD={alg}" in backend_caps]
        for command in commands:
            got = run(c, command)[0]
            assert got == run(d, command)[0], (command, got)
    finally:
        c.close()
        d.close()


def test_idle_through_the_relay(cluster, fe, fe2):
    """IDLE at frontend1; another session appends via frontend2; `* n EXISTS` arrives; DONE."""
    c = fe.raw("alice")
    try:
        untagged, _ = run(c, "SELECT INBOX")
        exists = int(re.search(rb"\* (\d+) EXISTS", b"\n".join(untagged)).group(1))
        tag = c.next_tag()
        c.send(tag + b" IDLE" + CRLF)
        cont = c.readline(timeout=10)
        assert cont.startswith(b"+"), cont
        append_messages(fe2.host, fe2.port, "alice", "INBOX", [message(subject="idle wake-up")])
        deadline = time.monotonic() + 10
        seen = []
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no EXISTS during IDLE within 10 s; got {seen}"
            line = c.readline(timeout=left)
            seen.append(line)
            if line == b"* %d EXISTS" % (exists + 1):
                break
        c.send(b"DONE" + CRLF)
        _, tagged = c.read_until_tagged(tag, timeout=10)
        assert tagged_ok(tagged), tagged
        run(c, "NOOP")
    finally:
        c.close()


def test_status_of_a_mailbox_on_another_backend(cluster, fe):
    c = fe.raw("alice")
    d = cluster.backend2.raw("alice")
    try:
        run(c, "SELECT INBOX")
        items = "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)"
        want = status_of(d, "shared/memo", items)
        want.pop("RECENT")
        got = status_of(c, "shared/memo", items)
        got.pop("RECENT")
        assert got == want
        assert status_of(c, "INBOX/Work")["MESSAGES"] == 0
        run(c, "FETCH 1 (FLAGS)")  # INBOX is still selected
    finally:
        c.close()
        d.close()


def test_append_to_a_mailbox_on_another_backend_while_selected(cluster, fe):
    body = fast_random_message(random.Random(7), 300_000, tag="fe-append")
    date = "07-Feb-1994 21:52:25 -0800"
    c = fe.raw("alice")
    try:
        run(c, "SELECT INBOX")
        untagged, tagged = append_raw(c, "shared/memo", body, flags="\\Flagged $Label", date=date)
        assert tagged_ok(tagged), (tagged, untagged)
        m = re.search(rb"\[APPENDUID (\d+) (\d+)\]", tagged)
        assert m, tagged
        uid = int(m.group(2))
        untagged, _ = run(c, "FETCH 1 (FLAGS)")  # the selected mailbox is unharmed
        assert untagged_named_fetch(untagged)
    finally:
        c.close()
    b2 = cluster.backend2
    got = fetch_messages(b2.host, b2.port, "alice", "shared/memo", str(uid))
    assert got[uid][0] == body
    assert {"\\Flagged", "$Label"} <= got[uid][1], got[uid][1]
    assert got[uid][2] == "07-Feb-1994 21:52:25 -0800"


def _acl_pairs(line):
    words = line.decode().split()[3:]
    return {(words[i], frozenset(words[i + 1])) for i in range(0, len(words) - 1, 2)}


def test_myrights_and_getacl(cluster, fe):
    c = fe.raw("alice")
    d1, d2 = cluster.backend1.raw("alice"), cluster.backend2.raw("alice")
    try:
        for name, d in (("INBOX", d1), ("shared/memo", d2), ("shared/noexpunge", d1)):
            got = untagged_named(run(c, f"MYRIGHTS {name}")[0], "MYRIGHTS")
            want = untagged_named(run(d, f"MYRIGHTS {name}")[0], "MYRIGHTS")
            assert len(got) == 1 and len(want) == 1
            # The legacy rights c and d (RFC 4314 §2.1.1) are reported differently by servers.
            legacy = set("cd")
            assert set(got[0].split()[-1].decode()) - legacy == set(want[0].split()[-1].decode()) - legacy, \
                (name, got, want)
        got = untagged_named(run(c, "MYRIGHTS shared/memo")[0], "MYRIGHTS")
        assert set(got[0].split()[-1].decode()) == set(FULL_RIGHTS)
        for name, d in (("INBOX", d1), ("shared/memo", d2)):
            got = untagged_named(run(c, f"GETACL {name}")[0], "ACL")
            want = untagged_named(run(d, f"GETACL {name}")[0], "ACL")
            assert len(got) == 1 and _acl_pairs(got[0]) == _acl_pairs(want[0]), (name, got, want)
    finally:
        c.close()
        d1.close()
        d2.close()


def master_acl(cluster, name):
    """{identifier: rights} of a master record (`murder admin mailboxes` prints `id rights ...`)."""
    words = cluster.master_list()[name][2].split()
    return {words[i]: frozenset(words[i + 1]) for i in range(0, len(words) - 1, 2)}


def test_setacl_and_deleteacl_on_a_mailbox_on_another_backend(cluster, fe):
    c = fe.raw("alice")
    try:
        run(c, "SELECT INBOX")
        run(c, "SETACL shared/memo anyone lr")
        d = cluster.backend2.raw("admin")
        try:
            acl = _acl_pairs(untagged_named(run(d, "GETACL shared/memo")[0], "ACL")[0])
            assert ("anyone", frozenset("lr")) in acl, acl
        finally:
            d.close()
        wait_until(lambda: master_acl(cluster, "shared.memo").get("anyone") == frozenset("lr"), PROPAGATION,
                   "the master's ACL of shared.memo shows anyone lr")
        run(c, "DELETEACL shared/memo anyone")
        d = cluster.backend2.raw("admin")
        try:
            acl = _acl_pairs(untagged_named(run(d, "GETACL shared/memo")[0], "ACL")[0])
            assert all(ident != "anyone" for ident, _ in acl), acl
        finally:
            d.close()
        wait_until(lambda: "anyone" not in master_acl(cluster, "shared.memo"), PROPAGATION,
                   "the master's ACL of shared.memo without anyone")
    finally:
        c.close()


def test_getquotaroot_is_answered_by_the_owner(cluster, fe):
    c = fe.raw("alice")
    d1, d2 = cluster.backend1.raw("alice"), cluster.backend2.raw("alice")
    try:
        for name, d in (("INBOX", d1), ("shared/memo", d2)):
            got, tagged = c.command(f"GETQUOTAROOT {name}")
            want, want_tagged = d.command(f"GETQUOTAROOT {name}")
            assert tagged.split(b" ", 2)[1] == want_tagged.split(b" ", 2)[1], (name, tagged, want_tagged)
            assert got == want, (name, got, want)
    finally:
        c.close()
        d1.close()
        d2.close()


def test_getmetadata_and_setmetadata_on_a_mailbox_and_the_server(cluster, fe):
    c = fe.raw("alice")
    try:
        run(c, 'SETMETADATA shared/memo (/private/comment "memo note")')
        untagged, _ = run(c, "GETMETADATA shared/memo (/private/comment)")
        assert any(b'"memo note"' in line or b"memo note" in line for line in untagged), untagged
        d = cluster.backend2.raw("alice")
        try:
            untagged, _ = run(d, "GETMETADATA shared/memo (/private/comment)")
            assert any(b"memo note" in line for line in untagged), untagged
        finally:
            d.close()

        d = cluster.backend1.raw("alice")  # server entries live on the INBOX backend
        try:
            _, tagged = d.command('SETMETADATA "" (/private/comment "probe")')
            if not tagged_ok(tagged):
                pytest.skip(f"the backend refuses server metadata: {tagged!r}")
            run(c, 'SETMETADATA "" (/private/comment "server note")')
            untagged, _ = run(c, 'GETMETADATA "" (/private/comment)')
            assert any(b"server note" in line for line in untagged), untagged
            untagged, _ = run(d, 'GETMETADATA "" (/private/comment)')
            assert any(b"server note" in line for line in untagged), untagged
            run(c, 'SETMETADATA "" (/private/comment NIL)')
        finally:
            d.close()
        run(c, "SETMETADATA shared/memo (/private/comment NIL)")
    finally:
        c.close()


def test_enable_condstore_then_select_condstore_shows_highestmodseq(fe):
    c = fe.raw("alice")
    try:
        untagged, _ = run(c, "ENABLE CONDSTORE")
        assert any(line.upper().startswith(b"* ENABLED") and b"CONDSTORE" in line.upper() for line in untagged), untagged
        for command in ("SELECT shared/memo (CONDSTORE)", "SELECT INBOX", "EXAMINE shared/memo"):
            untagged, tagged = run(c, command)
            assert any(b"[HIGHESTMODSEQ " in line for line in untagged + [tagged]), (command, untagged)
            untagged, _ = run(c, "FETCH 1 (MODSEQ)")
            assert any(b"MODSEQ (" in line for line in untagged), (command, untagged)
    finally:
        c.close()


# Flows (SPEC §7)


def test_create_then_select_on_another_frontend_without_delay(fe, fe2):
    a, b = fe.raw("alice"), fe2.raw("alice")
    try:
        for _ in range(3):
            name = "INBOX/" + uniq("fresh")
            run(a, f"CREATE {name}")
            _, tagged = b.command(f"SELECT {name}")
            assert tagged_ok(tagged), (name, tagged)
    finally:
        a.close()
        b.close()


def test_create_of_a_personal_folder_lands_on_the_inbox_backend(cluster, fe):
    for user, backend in (("alice", cluster.backend1), ("bob", cluster.backend2)):
        name = uniq("Projects")
        c = fe.raw(user)
        try:
            run(c, f"CREATE INBOX/{name}")
        finally:
            c.close()
        rec = cluster.master_list().get(f"user.{user}.{name}")
        assert rec is not None and rec[0] == "ACTIVE" and rec[1] == backend.location, (user, rec)
        assert f"user.{user}.{name}" in backend.local_names()


def test_create_of_a_top_level_shared_name_as_admin(cluster, fe, fe2):
    name = uniq("top")
    c = fe.raw("admin")
    try:
        run(c, f"CREATE {name}")
    finally:
        c.close()
    rec = cluster.master_list().get(name)
    assert rec is not None and rec[0] == "ACTIVE", rec
    assert rec[1] in {b.location for b in cluster.backends}, rec
    assert name in cluster.backend_at(rec[1]).local_names()
    c = fe2.raw("admin")
    try:
        run(c, f"SELECT {name}")
        run(c, "CLOSE")
        run(c, f"DELETE {name}")
    finally:
        c.close()


def test_select_of_a_missing_mailbox_is_no_nonexistent(fe):
    c = fe.raw("alice")
    try:
        for command in ("SELECT INBOX/does-not-exist", "EXAMINE shared/nothing-here", "SELECT user/bob"):
            _, tagged = c.command(command)
            assert tagged_no(tagged) and b"[NONEXISTENT]" in tagged, (command, tagged)
        run(c, "SELECT INBOX")  # the session goes on
    finally:
        c.close()


def test_delete(cluster, fe):
    name = "INBOX/" + uniq("gone")
    key = "user.alice." + name.split("/", 1)[1]
    c = fe.raw("alice")
    try:
        run(c, f"CREATE {name}")
        assert key in cluster.master_list()
        run(c, f"DELETE {name}")
        wait_until(lambda: key not in cluster.master_list(), PROPAGATION, f"{key} deleted at the master")
        assert key not in cluster.backend1.local_names()
        _, tagged = c.command(f"SELECT {name}")
        assert tagged_no(tagged) and b"[NONEXISTENT]" in tagged, tagged
    finally:
        c.close()


def test_rename_within_a_backend(cluster, fe):
    old, new = "INBOX/" + uniq("old"), "INBOX/" + uniq("new")
    c = fe.raw("alice")
    try:
        run(c, f"CREATE {old}")
        _, tagged = append_raw(c, old, message(subject="renamed along"))
        assert tagged_ok(tagged), tagged
        run(c, f"RENAME {old} {new}")
        listed = cluster.master_list()
        new_key, old_key = "user.alice." + new[6:], "user.alice." + old[6:]
        assert listed.get(new_key, (None, None))[1] == cluster.backend1.location, listed.get(new_key)
        wait_until(lambda: old_key not in cluster.master_list(), PROPAGATION, f"{old_key} gone at the master")
        untagged, _ = run(c, f"SELECT {new}")
        assert b"* 1 EXISTS" in untagged, untagged
        _, tagged = c.command(f"SELECT {old}")
        assert tagged_no(tagged), tagged
    finally:
        c.close()


def test_rename_with_location_name_change_refused(cluster, fe):
    """SPEC §7.3: a new name together with a location -> NO; a non-admin naming a location -> NO."""
    b1, b2 = cluster.backend1, cluster.backend2
    before = cluster.master_list()
    a = fe.raw("admin")
    c = fe.raw("alice")
    try:
        _, tagged = a.command(f'RENAME shared/memo shared/memo-elsewhere {b1.servername}')
        assert tagged_no(tagged), tagged
        _, tagged = c.command(f'RENAME INBOX/Work INBOX/Work {b2.servername}')
        assert tagged_no(tagged), tagged
        _, tagged = c.command(f'RENAME INBOX/Work INBOX/Elsewhere {b2.servername}')
        assert tagged_no(tagged), tagged
        run(c, "NOOP")
    finally:
        a.close()
        c.close()
    after = cluster.master_list()
    for key in ("shared.memo", "user.alice.Work"):
        assert after[key] == before[key], (key, before[key], after[key])
    assert "shared.memo-elsewhere" not in after and "user.alice.Elsewhere" not in after


def test_copy_to_a_mailbox_on_another_backend(cluster, fe):
    src = "INBOX/" + uniq("copysrc")
    flags = ["(\\Flagged)", "(\\Seen $Work)", None]
    dates = ['"01-Jan-2020 10:00:00 +0000"', '"02-Feb-2021 11:30:00 +0100"', '"03-Mar-2022 12:45:00 -0500"']
    make_folder(cluster, "alice", src, 3, subject="cross copy", flags=flags, dates=dates)
    source = fetch_messages(cluster.backend1.host, cluster.backend1.port, "alice", src)
    b2 = cluster.backend2
    memo_before = status_at(b2, "alice", "shared/memo")
    c = fe.raw("alice")
    try:
        run(c, f"SELECT {src}")
        untagged, tagged = run(c, "UID COPY 1:3 shared/memo")
        validity, src_uids, dst_uids = parse_copyuid(tagged)
        assert validity == memo_before["UIDVALIDITY"]
        assert sorted(src_uids) == sorted(source) and len(dst_uids) == 3, (src_uids, dst_uids)
        assert min(dst_uids) >= memo_before["UIDNEXT"]
    finally:
        c.close()
    dest = fetch_messages(b2.host, b2.port, "alice", "shared/memo", ",".join(map(str, dst_uids)))
    for s, d in zip(src_uids, dst_uids):
        assert dest[d] == source[s], (s, d, dest[d][1:], source[s][1:])
    assert fetch_messages(cluster.backend1.host, cluster.backend1.port, "alice", src) == source


def test_move_to_a_mailbox_on_another_backend_really_expunges_the_source(cluster, fe):
    src = "INBOX/" + uniq("movesrc")
    make_folder(cluster, "alice", src, 3, subject="cross move", flags=["(\\Flagged)", None, None])
    b1, b2 = cluster.backend1, cluster.backend2
    source = fetch_messages(b1.host, b1.port, "alice", src)
    c = fe.raw("alice")
    try:
        run(c, f"SELECT {src}")
        untagged, tagged = run(c, "UID MOVE 1:2 shared/memo")
        copyuid = [line for line in untagged + [tagged] if b"[COPYUID " in line]
        assert len(copyuid) == 1, (untagged, tagged)
        _, src_uids, dst_uids = parse_copyuid(copyuid[0])
        assert sorted(src_uids) == [1, 2] and len(dst_uids) == 2
        expunged = [line for line in untagged if re.match(rb"^\* \d+ EXPUNGE$", line)]
        vanished = [line for line in untagged if line.startswith(b"* VANISHED ")]
        assert len(expunged) == 2 or vanished, untagged  # before the tagged OK
        untagged, _ = run(c, "UID SEARCH ALL")
        assert untagged_named(untagged, "SEARCH") == [b"* SEARCH 3"], untagged
    finally:
        c.close()
    assert set(fetch_messages(b1.host, b1.port, "alice", src)) == {3}
    dest = fetch_messages(b2.host, b2.port, "alice", "shared/memo", ",".join(map(str, dst_uids)))
    for s, d in zip(src_uids, dst_uids):
        assert dest[d] == source[s], (s, d)


def test_move_refused_without_e(cluster, fe):
    """alice has lrswipkxta on shared/noexpunge (backend1): a MOVE to backend2 -> NO [NOPERM],
    nothing changed on either side."""
    b1, b2 = cluster.backend1, cluster.backend2
    source = fetch_messages(b1.host, b1.port, "admin", "shared/noexpunge")
    memo_before = status_at(b2, "alice", "shared/memo")
    c = fe.raw("alice")
    try:
        run(c, "SELECT shared/noexpunge")
        _, tagged = c.command("UID MOVE 1:* shared/memo")
        assert tagged_no(tagged) and b"[NOPERM]" in tagged, tagged
        run(c, "NOOP")
    finally:
        c.close()
    assert fetch_messages(b1.host, b1.port, "admin", "shared/noexpunge") == source
    assert status_at(b2, "alice", "shared/memo") == memo_before


def test_copy_move_to_a_mailbox_that_the_list_knows_but_the_backend_lost(cluster, fe):
    """shared/ghost is ACTIVE at the master on backend2, which has no such mailbox: COPY and
    MOVE get a clean NO, the session goes on and the source is untouched."""
    b1, b2 = cluster.backend1, cluster.backend2
    answers = mupdate_commands("127.0.0.1", cluster.master.fixed_port,
                               f'G1 ACTIVATE "shared.ghost" "{b2.location}" "alice\t{FULL_RIGHTS}\t"')
    assert answers == ['G1 OK "done"'], answers
    try:
        cluster.wait_listed(fe, "alice", "shared/ghost", timeout=PROPAGATION)
        source = fetch_messages(b1.host, b1.port, "alice", "INBOX")
        c = fe.raw("alice")
        try:
            run(c, "SELECT INBOX")
            for command in ("UID COPY 1 shared/ghost", "UID MOVE 1 shared/ghost", "COPY 1:2 shared/ghost"):
                untagged, tagged = c.command(command)
                assert tagged_no(tagged), (command, tagged)
                assert not any(line.startswith(b"* BYE") for line in untagged), untagged
                assert not any(re.match(rb"^\* \d+ EXPUNGE", line) for line in untagged), untagged
            run(c, "NOOP")
            run(c, "FETCH 1 (UID FLAGS)")
        finally:
            c.close()
        after = fetch_messages(b1.host, b1.port, "alice", "INBOX")
        assert {u: v for u, v in after.items() if u in source} == source
    finally:
        mupdate_commands("127.0.0.1", cluster.master.fixed_port, 'G2 DELETE "shared.ghost"')


# Real clients


def test_imapclient_mail_client_walk(cluster, fe):
    from imapclient import IMAPClient

    folder = "INBOX/" + uniq("walk")
    msgs = make_folder(cluster, "alice", folder, 3, subject="walk")
    client = IMAPClient(fe.host, port=fe.port, ssl=False, timeout=15)
    try:
        client.login("alice", password("alice"))
        names = {name for _flags, _delim, name in client.list_folders()}
        assert {"INBOX", folder, "shared/memo"} <= names, names
        info = client.select_folder(folder)
        assert info[b"EXISTS"] == 3
        uids = client.search(["ALL"])
        envelopes = client.fetch(uids, ["ENVELOPE", "FLAGS", "RFC822.SIZE"])
        subjects = sorted(envelopes[u][b"ENVELOPE"].subject.decode() for u in uids)
        assert subjects == ["walk 0", "walk 1", "walk 2"]
        client.add_flags(uids[:1], [b"\\Flagged"])
        assert b"\\Flagged" in client.get_flags(uids[:1])[uids[0]]
        client.move(uids[:2], "shared/memo")
        assert client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"] == 1
        assert client.search(["ALL"]) == uids[2:]
        client.unselect_folder()
    finally:
        try:
            client.logout()
        except Exception:
            pass
    b2 = cluster.backend2
    memo = fetch_messages(b2.host, b2.port, "alice", "shared/memo")
    bodies = [v[0] for v in memo.values()]
    assert msgs[0] in bodies and msgs[1] in bodies
    flagged = [v for v in memo.values() if v[0] == msgs[0]]
    assert "\\Flagged" in flagged[0][1]


def without_tuid(data):
    lines = data.replace(b"\r\n", b"\n").splitlines(True)
    return b"".join(line for line in lines if not line.startswith(b"X-TUID:"))


@pytest.mark.skipif(shutil.which("mbsync") is None, reason="mbsync (Debian isync) is not installed")
def test_mbsync_through_the_frontend(cluster, fe, tmp_path):
    folder = "INBOX/" + uniq("mbsync")
    msgs = make_folder(cluster, "alice", folder, 2, subject="mbsync")
    maildir = tmp_path / "mail"
    maildir.mkdir()
    rc = tmp_path / "mbsyncrc"
    rc.write_text(textwrap.dedent(f"""\
        IMAPAccount murder
        Host {fe.host}
        Port {fe.port}
        User alice
        Pass {password("alice")}
        SSLType None
        AuthMechs LOGIN

        IMAPStore remote
        Account murder

        MaildirStore local
        Path {maildir}/

        Channel sync
        Far :remote:{folder}
        Near :local:synced
        Create Both
        Expunge Both
        SyncState *
        """))

    def sync():
        r = subprocess.run(["mbsync", "-c", str(rc), "sync"], capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr.decode(errors="replace")

    sync()
    files = sorted((maildir / "synced").glob("cur/*")) + sorted((maildir / "synced").glob("new/*"))
    assert sorted(without_tuid(f.read_bytes()) for f in files) == sorted(m.replace(b"\r\n", b"\n") for m in msgs)
    local = b"From: me@example.com\r\nSubject: from the maildir\r\n\r\nlocal body\r\n"
    (maildir / "synced" / "new" / f"{int(time.time())}.local:2,S").write_bytes(local)
    time.sleep(1.1)  # mbsync skips folders modified within the last second
    sync()
    b1 = cluster.backend1
    bodies = [without_tuid(v[0]) for v in fetch_messages(b1.host, b1.port, "alice", folder).values()]
    assert local.replace(b"\r\n", b"\n") in bodies, bodies


@pytest.mark.skipif(shutil.which("mutt") is None or shutil.which("script") is None,
                    reason="mutt or script(1) is not installed")
def test_mutt_copies_a_message_to_another_backend(cluster, fe, tmp_path):
    folder = "INBOX/" + uniq("mutt")
    msgs = make_folder(cluster, "alice", folder, 1, subject="mutt")
    b2 = cluster.backend2
    before = status_at(b2, "alice", "shared/memo")["MESSAGES"]
    muttrc = tmp_path / "muttrc"
    muttrc.write_text(textwrap.dedent(f"""\
        set folder="imap://alice:{password("alice")}@{fe.host}:{fe.port}/"
        set spoolfile="+{folder}"
        set ssl_starttls=no
        set ssl_force_tls=no
        set record=""
        set confirmappend=no
        set header_cache=""
        set message_cachedir=""
        """))
    command = f"mutt -n -F {muttrc} -e 'push <copy-message>=shared/memo<enter><exit>'"
    env = dict(os.environ, TERM="xterm", HOME=str(tmp_path))
    r = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True, timeout=60, env=env)
    assert r.returncode == 0, r.stdout[-2000:]
    memo = fetch_messages(b2.host, b2.port, "alice", "shared/memo")
    assert len(memo) == before + 1
    assert msgs[0] in [v[0] for v in memo.values()]
