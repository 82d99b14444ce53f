"""The backend through Python's stdlib imaplib: the IMAP4rev1 command set and the common extensions."""

import base64
import imaplib
import re
import time

import pytest

from conftest import password
from support import RawClient, message, multipart_message


def ok(result):
    typ, data = result
    assert typ == "OK", data
    return data


def no(fn, *args):
    """The command is refused: imaplib returns NO, or raises on BAD."""
    try:
        typ, data = fn(*args)
    except imaplib.IMAP4.error:
        return
    assert typ == "NO", (typ, data)


def list_names(m, pattern="*", ref='""'):
    names = []
    for line in ok(m.list(ref, pattern)):
        if line is None:
            continue
        match = re.match(rb'\((.*?)\) (NIL|"[^"]*") (.*)$', line)
        assert match, line
        name = match.group(3)
        if name.startswith(b'"'):
            name = name[1:-1]
        names.append(name.decode())
    return names


def test_login_capability_and_logout(backend):
    m = imaplib.IMAP4(backend.host, backend.port, timeout=10)
    assert "IMAP4REV1" in m.capabilities
    assert "AUTH=PLAIN" in m.capabilities
    ok(m.login("alice", password("alice")))
    caps = ok(m.capability())[0].decode().upper().split()
    for cap in ("IMAP4REV1", "IDLE", "UIDPLUS", "MOVE", "NAMESPACE", "ACL", "QUOTA", "SORT", "CONDSTORE",
                "THREAD=REFERENCES", "METADATA", "LITERAL+"):
        assert cap in caps, caps
    assert any(c.startswith("APPENDLIMIT=") for c in caps)
    typ, data = m.logout()
    assert typ == "BYE"


def test_wrong_password_is_refused(backend):
    m = imaplib.IMAP4(backend.host, backend.port, timeout=10)
    with pytest.raises(imaplib.IMAP4.error):
        m.login("alice", "wrong")
    with pytest.raises(imaplib.IMAP4.error):
        m.login("nobody", "secret-nobody")
    ok(m.login("alice", password("alice")))
    m.logout()


def test_create_list_rename_delete_subscribe(backend):
    m = backend.imap("alice")
    ok(m.create("INBOX/Projects"))
    ok(m.create("INBOX/Projects/2024"))
    ok(m.create("INBOX/Trash"))
    names = list_names(m)
    assert {"INBOX", "INBOX/Projects", "INBOX/Projects/2024", "INBOX/Trash"} <= set(names), names
    flags = ok(m.list('""', "INBOX/Projects"))[0]
    assert b"\\HasChildren" in flags
    no(m.create, "INBOX/Trash")  # exists
    ok(m.rename("INBOX/Projects", "INBOX/Archive"))
    names = list_names(m)
    assert "INBOX/Archive/2024" in names and "INBOX/Projects" not in names, names
    ok(m.subscribe("INBOX/Archive"))
    assert b"INBOX/Archive" in b" ".join(x for x in ok(m.lsub('""', "*")) if x)
    ok(m.unsubscribe("INBOX/Archive"))
    ok(m.delete("INBOX/Archive/2024"))
    ok(m.delete("INBOX/Archive"))
    no(m.delete, "INBOX/Archive")
    names = list_names(m)
    assert "INBOX/Archive" not in names and "INBOX/Trash" in names
    # Non-admins cannot create top-level or other users' folders.
    no(m.create, "toplevel")
    no(m.create, "user/bob/mine")
    m.logout()


def test_append_select_examine_fetch_every_item(backend):
    m = backend.imap("alice")
    raw = message(subject="fetch me", body="line one\nline two")
    date = imaplib.Time2Internaldate(time.mktime((2023, 5, 17, 10, 20, 30, 0, 0, -1)))
    typ, data = m.append("INBOX", r"(\Flagged $Work)", date, raw)
    assert typ == "OK"
    assert b"APPENDUID" in data[0], data
    parts = multipart_message()
    ok(m.append("INBOX", None, None, parts))

    typ, data = m.select("INBOX", readonly=True)  # EXAMINE
    assert typ == "OK" and int(data[0]) == 2
    assert m.untagged_responses.get("READ-ONLY") is not None or b"READ-ONLY" in b"".join(
        x for x in m.untagged_responses.get("OK", []) if x)
    ok(m.close())
    typ, data = m.select("INBOX")
    assert typ == "OK" and int(data[0]) == 2

    data = ok(m.fetch("1", "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY.PEEK[])"))
    head, body = data[0]
    assert body == raw
    assert b"\\Flagged" in head and b"$Work" in head and b"\\Seen" not in head
    assert b"RFC822.SIZE %d" % len(raw) in head
    assert b'INTERNALDATE "17-May-2023' in head
    assert b'"fetch me"' in head  # envelope subject
    assert b'("TEXT" "PLAIN"' in head.upper()
    # Sections.
    data = ok(m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
    assert data[0][1] == b"Subject: fetch me\r\n\r\n"
    data = ok(m.fetch("1", "(BODY.PEEK[TEXT])"))
    assert data[0][1] == b"line one\r\nline two\r\n"
    data = ok(m.fetch("1", "(BODY.PEEK[]<0.4>)"))
    assert data[0][1] == raw[:4]
    data = ok(m.fetch("1", "(RFC822.HEADER)"))
    assert data[0][1] == raw[: raw.index(b"\r\n\r\n") + 4]
    data = ok(m.fetch("2", "(BODY.PEEK[1] BODY.PEEK[2.MIME] BODYSTRUCTURE)"))
    joined = b"".join(x if isinstance(x, bytes) else b"".join(x) for x in data)
    assert b"{10}\r\nfirst part" in joined or b"first part BODY[2.MIME]" in joined, joined
    assert b"text/html" in joined.lower()
    assert b'"MIXED"' in joined.upper()
    # Non-peek fetch sets \Seen.
    data = ok(m.fetch("1", "(BODY[TEXT])"))
    data = ok(m.fetch("1", "(FLAGS)"))
    assert b"\\Seen" in data[0]
    data = ok(m.fetch("1:*", "FAST"))
    assert len(data) == 2
    data = ok(m.fetch("1", "ALL"))
    assert b"ENVELOPE" in data[0]
    data = ok(m.fetch("2", "FULL"))
    assert b"BODY" in data[0]
    data = ok(m.fetch("1", "(RFC822)"))
    assert data[0][1] == raw
    no(m.fetch, "99", "(FLAGS)")  # no such message
    m.logout()


def test_store_copy_move_expunge(backend):
    m = backend.imap("alice")
    ok(m.create("INBOX/dest"))
    for i in range(5):
        ok(m.append("INBOX", None, None, message(subject=f"m{i}")))
    ok(m.select("INBOX"))
    data = ok(m.store("1:2", "+FLAGS", r"(\Deleted)"))
    assert all(b"\\Deleted" in d for d in data)
    data = ok(m.store("3", "FLAGS", r"(\Answered $Label1)"))
    assert b"$Label1" in data[0]
    ok(m.store("3", "-FLAGS.SILENT", r"($Label1)"))
    assert b"$Label1" not in ok(m.fetch("3", "(FLAGS)"))[0]
    typ, data = m.copy("3", "INBOX/dest")
    assert typ == "OK"
    uids = [int(x) for x in ok(m.uid("SEARCH", "ALL"))[0].split()]
    assert len(uids) == 5
    typ, data = m.uid("MOVE", str(uids[3]), "INBOX/dest")
    assert typ == "OK", data
    assert m.untagged_responses.pop("EXPUNGE", None) == [b"4"]  # RFC 6851 §3.3
    data = ok(m.expunge())
    assert data in ([b"1", b"1"], [b"2", b"1"]), data  # two deletions, in either order
    data = ok(m.search(None, "ALL"))
    assert data[0].split() == [b"1", b"2"]
    no(m.copy, "1", "INBOX/missing")
    ok(m.select("INBOX/dest"))
    data = ok(m.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
    subjects = sorted(d[1].strip().decode() for d in data if isinstance(d, tuple))
    assert subjects == ["Subject: m2", "Subject: m3"]
    assert b"\\Answered" in data[0][0]
    ok(m.store("1:*", "+FLAGS", r"(\Deleted)"))
    ok(m.close())  # CLOSE expunges
    typ, data = m.status("INBOX/dest", "(MESSAGES)")
    assert b"MESSAGES 0" in data[0]
    m.logout()


def test_search_including_utf8_literal(backend):
    m = backend.imap("alice")
    subject = "=?UTF-8?B?" + base64.b64encode("Grüße aus Köln".encode()).decode() + "?="
    ok(m.append("INBOX", None, None, message(subject=subject, body="plain body",
                                             sender="carol@example.org")))
    ok(m.append("INBOX", r"(\Flagged)", None, message(
        subject="ascii", body="Der Bär tanzt.",
        extra_headers=["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
                       "Content-Transfer-Encoding: 8bit"])))
    ok(m.append("INBOX", r"(\Seen)", None, message(subject="third", body="nothing", to="dave@example.org")))
    ok(m.select("INBOX"))

    def search(*criteria, charset=None):
        return [int(x) for x in ok(m.search(charset, *criteria))[0].split()]

    assert search("ALL") == [1, 2, 3]
    assert search("FLAGGED") == [2]
    assert search("UNSEEN") == [1, 2]
    assert search("FROM", "carol") == [1]
    assert search("TO", '"dave@example.org"') == [3]
    assert search("SUBJECT", "third") == [3]
    assert search("BODY", "nothing") == [3]
    assert search("NOT", "SEEN", "NOT", "FLAGGED") == [1]
    assert search("OR", "FLAGGED", "SEEN") == [2, 3]
    assert search("LARGER", "10", "SMALLER", "100000") == [1, 2, 3]
    assert search("2:3") == [2, 3]
    assert search("HEADER", "Message-ID", "example.org") == [1, 2, 3]
    assert search("SINCE", "1-Jan-2000") == [1, 2, 3]
    m.literal = "Köln".encode()
    assert [int(x) for x in ok(m.search("UTF-8", "SUBJECT"))[0].split()] == [1]
    m.literal = "Bär".encode()
    assert [int(x) for x in ok(m.search("UTF-8", "BODY"))[0].split()] == [2]
    m.literal = "Bär".encode()
    assert [int(x) for x in ok(m.search("UTF-8", "TEXT"))[0].split()] == [2]
    uids = ok(m.uid("SEARCH", "ALL"))[0].split()
    assert len(uids) == 3
    m.logout()


def test_sort_and_thread(backend):
    m = backend.imap("alice")
    ok(m.append("INBOX", None, None, message(subject="banana", message_id="<a@x>",
                                             date="Tue, 1 Jan 2019 10:00:00 +0000")))
    ok(m.append("INBOX", None, None, message(subject="apple", message_id="<b@x>",
                                             date="Wed, 2 Jan 2019 10:00:00 +0000")))
    ok(m.append("INBOX", None, None, message(subject="Re: banana", message_id="<c@x>",
                                             date="Thu, 3 Jan 2019 10:00:00 +0000",
                                             extra_headers=["In-Reply-To: <a@x>", "References: <a@x>"])))
    ok(m.select("INBOX"))
    data = ok(m.sort("(SUBJECT)", "UTF-8", "ALL"))
    assert data[0].split()[0] == b"2"
    assert sorted(data[0].split()[1:]) == [b"1", b"3"]
    data = ok(m.sort("(REVERSE DATE)", "UTF-8", "ALL"))
    assert data[0].split() == [b"3", b"2", b"1"]
    uids = ok(m.uid("SEARCH", "ALL"))[0].split()
    data = ok(m.uid("SORT", "(ARRIVAL)", "UTF-8", "ALL"))
    assert data[0].split() == uids
    data = ok(m.thread("REFERENCES", "UTF-8", "ALL"))
    assert data[0].replace(b" ", b"") in (b"(1(3))(2)", b"(1 3)(2)".replace(b" ", b""), b"(13)(2)") or \
        data[0] in (b"(1 3)(2)", b"(2)(1 3)"), data
    data = ok(m.uid("THREAD", "ORDEREDSUBJECT", "UTF-8", "ALL"))
    assert data[0], data
    text = data[0].decode()
    assert text.count("(") == 2, text
    m.logout()


def test_status(backend):
    m = backend.imap("alice")
    ok(m.create("INBOX/st"))
    ok(m.append("INBOX/st", r"(\Seen)", None, message()))
    ok(m.append("INBOX/st", None, None, message()))
    data = ok(m.status("INBOX/st", "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)"))[0]
    assert b"MESSAGES 2" in data and b"UNSEEN 1" in data and b"UIDNEXT 3" in data, data
    assert re.search(rb"UIDVALIDITY \d+", data)
    data = ok(m.status("INBOX/st", "(SIZE HIGHESTMODSEQ)"))[0]
    assert b"SIZE " in data and b"HIGHESTMODSEQ " in data
    no(m.status, "INBOX/none", "(MESSAGES)")
    m.logout()


def test_quota_as_admin(backend):
    a = backend.imap("alice")  # creates alice's INBOX
    ok(a.append("INBOX", None, None, message(body="x" * 3000)))
    adm = backend.imap("admin")
    ok(adm.setquota("user/alice", "(STORAGE 10)"))
    data = ok(adm.getquota("user/alice"))
    assert re.search(rb"STORAGE \d+ 10", data[0]), data
    typ, data = a.getquotaroot("INBOX")
    assert typ == "OK"
    flat = b" ".join(x if isinstance(x, bytes) else b"" for part in data for x in (part if isinstance(part, list) else [part]))
    assert b"user/alice" in flat and b"STORAGE" in flat, data
    # Over quota: a 20 KiB message does not fit into 10 KiB.
    typ, data = a.append("INBOX", None, None, message(body="y" * 20000))
    assert typ == "NO" and b"OVERQUOTA" in data[0].upper(), data
    # Non-admins cannot set quotas.
    no(a.setquota, "user/alice", "(STORAGE 100000)")
    ok(adm.setquota("user/alice", "()"))
    ok(a.append("INBOX", None, None, message(body="y" * 20000)))
    a.logout()
    adm.logout()


def test_acl_myrights_and_sharing(backend):
    a = backend.imap("alice")
    b = backend.imap("bob")
    ok(a.create("INBOX/shared"))
    ok(a.append("INBOX/shared", None, None, message(subject="for bob")))
    rights = ok(a.myrights("INBOX/shared"))[0]
    assert b"lrswipkxtea" in rights.replace(b'"', b"") or b"a" in rights, rights
    data = ok(a.getacl("INBOX/shared"))[0]
    assert b"alice" in data
    no(b.select, "user/alice/shared")
    ok(a.setacl("INBOX/shared", "bob", "lr"))
    data = ok(a.getacl("INBOX/shared"))[0]
    assert re.search(rb"bob \"?lr\"?", data), data
    typ, data = b.select("user/alice/shared", readonly=True)
    assert typ == "OK" and int(data[0]) == 1
    data = ok(b.myrights("user/alice/shared"))[0]
    assert b"lr" in data
    assert "user/alice/shared" in list_names(b, "user/*")
    # bob has no insert right.
    typ, data = b.append("user/alice/shared", None, None, message())
    assert typ == "NO"
    ok(a.deleteacl("INBOX/shared", "bob"))
    no(b.select, "user/alice/shared")
    assert "user/alice/shared" not in list_names(b, "user/*")
    a.logout()
    b.logout()


def test_namespace(backend):
    m = backend.imap("alice")
    data = ok(m.namespace())[0]
    assert data.startswith(b'(("INBOX/" "/"))') or b'"INBOX/" "/"' in data, data
    assert b'"user/" "/"' in data, data
    m.logout()


def test_idle_sees_append_from_another_connection(backend):
    backend.imap("alice").logout()  # INBOX exists
    raw = RawClient(backend.host, backend.port)
    raw.login("alice", password("alice"))
    untagged, tagged = raw.command("SELECT INBOX")
    assert b"OK" in tagged
    exists = [int(l.split()[1]) for l in untagged if l.endswith(b" EXISTS")]
    raw.send(b"i1 IDLE\r\n")
    assert raw.readline(timeout=5).startswith(b"+")
    other = backend.imap("alice")
    ok(other.append("INBOX", None, None, message(subject="wake up")))
    deadline = time.monotonic() + 2.0
    seen = None
    while time.monotonic() < deadline:
        line = raw.readline(timeout=max(0.05, deadline - time.monotonic()))
        if line.endswith(b" EXISTS"):
            seen = int(line.split()[1])
            break
    assert seen == exists[-1] + 1
    raw.send(b"DONE\r\n")
    untagged, tagged = raw.read_until_tagged(b"i1")
    assert tagged.startswith(b"i1 OK"), tagged
    # The session continues normally after IDLE.
    untagged, tagged = raw.command("NOOP")
    assert b"OK" in tagged
    other.logout()
    raw.command("LOGOUT")
    raw.close()


def test_commands_before_login_and_bad_syntax(backend):
    m = imaplib.IMAP4(backend.host, backend.port, timeout=10)
    with pytest.raises(imaplib.IMAP4.error):
        m.select("INBOX")
    ok(m.noop())
    ok(m.login("bob", password("bob")))
    with pytest.raises(imaplib.IMAP4.error):
        m.fetch("1", "(FLAGS)")  # nothing selected
    ok(m.select("INBOX"))
    with pytest.raises(imaplib.IMAP4.error):
        m.fetch("1", "(NOSUCHITEM)")
    ok(m.noop())
    ok(m.unselect())
    m.logout()
