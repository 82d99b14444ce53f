"""Crash durability: APPENDs under load, SIGKILL at a random moment, restart, verify.

Every APPEND whose tagged OK arrived must survive byte for byte with its flags; nothing that
was not sent may appear; unacknowledged messages may be present but only whole; the spool's
staging folders are empty after recovery, and each owner's index agrees with its files.
"""

import hashlib
import imaplib
import os
import random
import re
import sqlite3
import threading
import time
from pathlib import Path

from conftest import password
from support import fast_random_message

ROUNDS = int(os.environ.get("E2E_DURABILITY_ROUNDS", "5"))
WRITERS = 5
MAILBOXES = ("INBOX", "INBOX/x")
FLAG_CHOICES = ("\\Seen", "\\Flagged", "\\Answered", "\\Draft", "$Label1", "$Work")
APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]")


def random_size(rng):
    # Log-uniform between 100 B and 300 KB: many small messages, some large.
    return int(100 * (3000 ** rng.random()))


class Ledger:
    """What the writers sent (by SHA-1 per mailbox) and what the server acknowledged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = {mb: {} for mb in MAILBOXES}  # sha1 -> bytes
        self.acked = {mb: {} for mb in MAILBOXES}  # uid -> (bytes, flags)
        self.uidvalidity = {}

    def will_send(self, mailbox, body):
        with self.lock:
            self.sent[mailbox][hashlib.sha1(body).hexdigest()] = body

    def acknowledged(self, mailbox, uidvalidity, uid, body, flags):
        with self.lock:
            assert uid not in self.acked[mailbox], f"UID {uid} acknowledged twice in {mailbox}"
            self.acked[mailbox][uid] = (body, frozenset(flags))
            self.uidvalidity.setdefault(mailbox, uidvalidity)
            assert self.uidvalidity[mailbox] == uidvalidity, "UIDVALIDITY changed"


def writer(backend, ledger, rng, stop, errors):
    try:
        m = imaplib.IMAP4(backend.host, backend.port, timeout=10)
        m.login("alice", password("alice"))
    except (OSError, imaplib.IMAP4.error) as e:
        # The kill may come before this writer even logged in.
        errors.append(("login", repr(e)))
        return
    while not stop.is_set():
        mailbox = rng.choice(MAILBOXES)
        body = fast_random_message(rng, random_size(rng), tag=f"{rng.getrandbits(32):08x}")
        flags = rng.sample(FLAG_CHOICES, rng.randint(0, 3))
        ledger.will_send(mailbox, body)
        try:
            typ, data = m.append(mailbox, "(" + " ".join(flags) + ")", None, body)
        except (OSError, imaplib.IMAP4.abort, imaplib.IMAP4.error) as e:
            errors.append(("append", repr(e)))
            return
        try:
            assert typ == "OK", data
            match = APPENDUID.search(data[0])
            assert match, data
            ledger.acknowledged(mailbox, int(match.group(1)), int(match.group(2)), body, flags)
        except AssertionError as e:
            errors.append(("failure", str(e)))
            return


def fetch_all(m, mailbox):
    """UID -> (body, flags without \\Recent) of every message in the mailbox."""
    typ, data = m.select(mailbox, readonly=True)
    assert typ == "OK", data
    out = {}
    if int(data[0]) == 0:
        return out
    typ, data = m.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
    assert typ == "OK", data
    for item in data:
        if not isinstance(item, tuple):
            continue
        head, body = item
        uid = int(re.search(rb"UID (\d+)", head).group(1))
        flags = re.search(rb"FLAGS \(([^)]*)\)", head).group(1).decode().split()
        out[uid] = (body, frozenset(f for f in flags if f != "\\Recent"))
    return out


def check_spool(spool):
    owners = sorted(p for p in (spool / "owners").iterdir() if p.is_dir())
    assert owners, "no owner folders"
    for owner in owners:
        leftovers = list((owner / "tmp").iterdir()) if (owner / "tmp").exists() else []
        assert leftovers == [], f"staging files left in {owner}/tmp: {leftovers[:5]}"
        db = sqlite3.connect(f"file:{owner / 'index.sqlite'}?mode=ro", uri=True, timeout=10)
        try:
            unique = dict(db.execute("SELECT id, uniqueid FROM mailbox"))
            rows = db.execute("SELECT mailbox, uid, size, guid FROM message").fetchall()
            tombstones = set(db.execute("SELECT mailbox, uid FROM expunged"))
        finally:
            db.close()
        known = set()
        for mailbox, uid, size, guid in rows:
            path = owner / "mbox" / unique[mailbox] / f"{uid}.eml"
            assert path.is_file(), f"index row without file: {path}"
            data = path.read_bytes()
            assert len(data) == size, f"{path}: size {len(data)} != index {size}"
            assert hashlib.sha1(data).hexdigest() == guid.lower(), f"{path}: SHA-1 differs from guid"
            known.add((unique[mailbox], uid))
        by_unique = {v: k for k, v in unique.items()}
        for eml in (owner / "mbox").glob("*/*.eml"):
            uid = int(eml.stem)
            mid = by_unique.get(eml.parent.name)
            assert mid is not None, f"message file in a folder of no mailbox: {eml}"
            assert (eml.parent.name, uid) in known or (mid, uid) in tombstones, f"file without row: {eml}"


def test_appends_survive_sigkill(backend):
    rng = random.Random(int(os.environ.get("E2E_SEED", str(time.time_ns()))))
    m = backend.imap("alice")
    assert m.create("INBOX/x")[0] == "OK"
    m.logout()
    ledger = Ledger()
    total_acked = 0
    for round_no in range(ROUNDS):
        stop = threading.Event()
        errors = []
        threads = [
            threading.Thread(target=writer, args=(backend, ledger, random.Random(rng.getrandbits(64)), stop, errors))
            for _ in range(WRITERS)
        ]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 1.5))
        backend.kill9()
        stop.set()
        for t in threads:
            t.join(20)
            assert not t.is_alive(), "a writer did not notice the server's death"
        failures = [e for e in errors if e[0] == "failure"]
        assert not failures, failures
        backend.start()

        m = backend.imap("alice")
        for mailbox in MAILBOXES:
            present = fetch_all(m, mailbox)
            acked = ledger.acked[mailbox]
            for uid, (body, flags) in acked.items():
                assert uid in present, f"round {round_no}: acknowledged {mailbox} UID {uid} lost"
                got_body, got_flags = present[uid]
                assert got_body == body, f"round {round_no}: {mailbox} UID {uid} body differs"
                assert got_flags == flags, f"round {round_no}: {mailbox} UID {uid} flags {got_flags} != {flags}"
            for uid, (body, _flags) in present.items():
                if uid in acked:
                    continue
                digest = hashlib.sha1(body).hexdigest()
                assert digest in ledger.sent[mailbox], f"{mailbox} UID {uid}: a message that was never sent"
                assert ledger.sent[mailbox][digest] == body
            if mailbox in ledger.uidvalidity:
                typ, data = m.status(mailbox, "(UIDVALIDITY)")
                assert b"UIDVALIDITY %d" % ledger.uidvalidity[mailbox] in data[0]
        m.logout()
        check_spool(backend.spool)
        total_acked = sum(len(v) for v in ledger.acked.values())
        print(f"round {round_no}: {total_acked} acknowledged, {sum(len(v) for v in ledger.sent.values())} sent")
    assert total_acked > 0, "no APPEND was ever acknowledged"
