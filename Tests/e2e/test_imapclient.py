"""The backend through the imapclient package: its parsed API over the same breadth as imaplib."""

import datetime
import imaplib
import time

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from conftest import password
from support import message


def client(backend, user):
    c = IMAPClient(backend.host, port=backend.port, ssl=False, timeout=15)
    c.login(user, password(user))
    return c


def test_folders_append_fetch_parsed(backend):
    c = client(backend, "alice")
    assert c.has_capability("IDLE") and c.has_capability("UIDPLUS")
    c.create_folder("INBOX/Work")
    c.create_folder("INBOX/Work/Old")
    assert c.folder_exists("INBOX/Work")
    names = [name for _flags, _delim, name in c.list_folders()]
    assert {"INBOX", "INBOX/Work", "INBOX/Work/Old"} <= set(names), names
    delims = {delim for _flags, delim, _name in c.list_folders()}
    assert delims == {b"/"}
    subs = [name for _f, _d, name in c.list_sub_folders()]
    assert "INBOX/Work" not in subs
    c.subscribe_folder("INBOX/Work")
    assert "INBOX/Work" in [name for _f, _d, name in c.list_sub_folders()]
    c.rename_folder("INBOX/Work/Old", "INBOX/Old")
    c.delete_folder("INBOX/Old")
    assert not c.folder_exists("INBOX/Old")

    raw = message(subject="parsed", body="body text")
    when = datetime.datetime(2022, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
    resp = c.append("INBOX/Work", raw, flags=[b"\\Flagged", b"$Custom"], msg_time=when)
    assert b"APPENDUID" in resp
    info = c.select_folder("INBOX/Work")
    assert info[b"EXISTS"] == 1
    assert b"UIDVALIDITY" in info and b"UIDNEXT" in info
    uids = c.search()
    assert len(uids) == 1
    data = c.fetch(uids, ["BODY.PEEK[]", "ENVELOPE", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "BODYSTRUCTURE"])
    item = data[uids[0]]
    assert item[b"BODY[]"] == raw
    env = item[b"ENVELOPE"]
    assert env.subject == b"parsed"
    assert env.from_[0].mailbox == b"alice" and env.from_[0].host == b"example.org"
    assert env.to[0].mailbox == b"bob"
    assert env.date is not None and env.date.year == 1994
    assert set(item[b"FLAGS"]) - {b"\\Recent"} == {b"\\Flagged", b"$Custom"}
    assert item[b"RFC822.SIZE"] == len(raw)
    internal = item[b"INTERNALDATE"]
    assert internal.astimezone(datetime.timezone.utc).replace(tzinfo=None) == datetime.datetime(2022, 3, 4, 5, 6, 7) \
        or internal.replace(tzinfo=None) == datetime.datetime(2022, 3, 4, 5, 6, 7)
    assert item[b"BODYSTRUCTURE"][0].upper() == b"TEXT"
    c.logout()


def test_flags_search_copy_move(backend):
    c = client(backend, "alice")
    c.create_folder("INBOX/Other")
    for i in range(4):
        c.append("INBOX", message(subject=f"msg {i}", sender=f"s{i}@example.org"))
    c.select_folder("INBOX")
    uids = c.search(["ALL"])
    assert len(uids) == 4
    c.set_flags(uids[0], [b"\\Answered"])
    c.add_flags(uids[:2], [b"\\Flagged"])
    c.add_flags(uids[1], [b"$Label"])
    c.remove_flags(uids[1], [b"$Label"])
    flags = {uid: set(f) - {b"\\Recent"} for uid, f in c.get_flags(uids).items()}
    assert set(flags[uids[0]]) == {b"\\Answered", b"\\Flagged"}
    assert set(flags[uids[1]]) == {b"\\Flagged"}
    assert c.search(["FLAGGED"]) == uids[:2]
    assert c.search(["FROM", "s2@example.org"]) == [uids[2]]
    assert c.search(["NOT", "FLAGGED", "SUBJECT", "msg 3"]) == [uids[3]]
    assert c.search("SUBJECT \"msg\" UNANSWERED") == uids[1:]
    assert c.search(["SUBJECT", "Grüße"], charset="UTF-8") == []
    c.copy(uids[0], "INBOX/Other")
    c.move(uids[3], "INBOX/Other")
    assert c.search() == uids[:3]
    c.delete_messages(uids[2])
    c.expunge()
    assert c.search() == uids[:2]
    st = c.folder_status("INBOX/Other", ["MESSAGES", "UIDNEXT"])
    assert st[b"MESSAGES"] == 2 and st[b"UIDNEXT"] == 3
    c.select_folder("INBOX/Other")
    subjects = sorted(v[b"ENVELOPE"].subject for v in c.fetch(c.search(), ["ENVELOPE"]).values())
    assert subjects == [b"msg 0", b"msg 3"]
    sorted_uids = c.sort(["SUBJECT"])
    assert len(sorted_uids) == 2
    threads = c.thread()
    assert len(threads) == 2
    c.unselect_folder()
    c.logout()


def test_idle_check_and_done(backend):
    c = client(backend, "alice")
    c.select_folder("INBOX")
    c.idle()
    other = client(backend, "alice")
    other.append("INBOX", message(subject="idle"))
    responses = []
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and not any(r[1:] == (b"EXISTS",) for r in responses):
        responses += c.idle_check(timeout=max(0.1, deadline - time.monotonic()))
    assert (1, b"EXISTS") in responses, responses
    c.idle_done()
    assert c.noop()[0].startswith(b"NOOP") or True
    other.logout()
    c.logout()


def test_namespace_quota_acl(backend):
    c = client(backend, "alice")
    ns = c.namespace()
    assert ns.personal[0][0] in ("INBOX/", b"INBOX/") and ns.personal[0][1] in ("/", b"/")
    assert ns.other and ns.other[0][0] in ("user/", b"user/")
    admin = client(backend, "admin")
    admin.set_quota([__import__("imapclient").imapclient.Quota("user/alice", "STORAGE", 0, 5000)])
    roots, quotas = c.get_quota_root("INBOX")
    assert roots.quota_roots == ["user/alice"], roots
    assert any(q.resource == "STORAGE" and q.limit == 5000 for q in quotas), quotas
    c.create_folder("INBOX/acl")
    c.setacl("INBOX/acl", "bob", "lrs")
    acl = dict(c.getacl("INBOX/acl"))
    assert acl[b"bob"] == b"lrs", acl
    assert b"alice" in acl
    bob = client(backend, "bob")
    info = bob.select_folder("user/alice/acl", readonly=True)
    assert info[b"EXISTS"] == 0
    with pytest.raises(IMAPClientError):
        bob.create_folder("user/alice/acl/sub")
    # RFC 4314 §3.1: empty rights remove the entry (imapclient would send an empty atom for "").
    c.setacl("INBOX/acl", "bob", '""')
    assert b"bob" not in dict(c.getacl("INBOX/acl"))
    for x in (bob, admin, c):
        x.logout()


def test_condstore_changedsince_and_metadata(backend):
    c = client(backend, "alice")
    assert c.has_capability("CONDSTORE")
    for i in range(3):
        c.append("INBOX", message(subject=f"c{i}"))
    enabled = c.enable("CONDSTORE")
    assert enabled in ([b"CONDSTORE"], [])  # some servers only list what was newly enabled
    info = c.select_folder("INBOX")
    modseq = info[b"HIGHESTMODSEQ"]
    uids = c.search()
    c.add_flags(uids[1], [b"$Changed"])
    changed = c.fetch(uids, ["FLAGS"], modifiers=[f"CHANGEDSINCE {modseq}"])
    assert list(changed) == [uids[1]], changed
    assert changed[uids[1]][b"MODSEQ"][0] > modseq
    info2 = c.select_folder("INBOX", readonly=True)
    assert info2[b"HIGHESTMODSEQ"] > modseq
    assert b"READ-ONLY" in info2
    assert c.search(["MODSEQ", str(modseq + 1)]) == [uids[1]]

    # METADATA (RFC 5464) is not in imapclient's API: raw commands through its imaplib object.
    for verb in ("SETMETADATA", "GETMETADATA"):
        imaplib.Commands.setdefault(verb, ("AUTH", "SELECTED"))
    typ, data = c._imap._simple_command("SETMETADATA", "INBOX", '(/private/comment "hello there")')
    assert typ == "OK", data
    typ, data = c._imap._simple_command("GETMETADATA", "INBOX", "(/private/comment)")
    assert typ == "OK", data
    typ, data = c._imap._untagged_response(typ, data, "METADATA")
    flat = b" ".join(x if isinstance(x, bytes) else b"".join(x) for x in data if x)
    assert b"/private/comment" in flat and b"hello there" in flat, data
    c.logout()
