"""Many clients appending to, selecting and fetching one mailbox at the same time."""

import hashlib
import imaplib
import random
import re
import threading

from conftest import password
from support import fast_random_message

CLIENTS = 20
PER_CLIENT = 15
MAILBOX = "INBOX/busy"
APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]")


def with_checksum(rng, client, n):
    body = fast_random_message(rng, rng.randint(200, 20000), tag=f"c{client}-{n}")
    digest = hashlib.sha256(body).hexdigest()
    return b"X-Checksum: " + digest.encode() + b"\r\n" + body, digest


def worker(backend, client_no, results, errors, start):
    rng = random.Random(client_no)
    try:
        m = imaplib.IMAP4(backend.host, backend.port, timeout=60)
        m.login("alice", password("alice"))
        start.wait(30)
        for n in range(PER_CLIENT):
            msg, digest = with_checksum(rng, client_no, n)
            typ, data = m.append(MAILBOX, None, None, msg)
            assert typ == "OK", data
            uid = int(APPENDUID.search(data[0]).group(2))
            results.append((uid, digest, msg))
            typ, data = m.select(MAILBOX)
            assert typ == "OK", data
            exists = int(data[0])
            assert exists >= 1
            typ, data = m.fetch(f"{rng.randint(1, exists)}:*", "(UID FLAGS RFC822.SIZE)")
            assert typ == "OK", data
            typ, data = m.fetch(str(exists), "(BODY.PEEK[HEADER.FIELDS (X-CHECKSUM)])")
            assert typ == "OK", data
            typ, _ = m.noop()
            assert typ == "OK"
        m.logout()
    except Exception as e:  # noqa: BLE001 - reported to the main thread
        errors.append(f"client {client_no}: {e!r}")


def test_twenty_clients_append_select_fetch(backend):
    m = backend.imap("alice")
    assert m.create(MAILBOX)[0] == "OK"
    results, errors = [], []
    start = threading.Event()
    threads = [threading.Thread(target=worker, args=(backend, i, results, errors, start)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    start.set()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "clients still running"
    assert not errors, errors[:5]
    assert len(results) == CLIENTS * PER_CLIENT

    uids = [uid for uid, _d, _m in results]
    assert len(set(uids)) == len(uids), "an APPENDUID was given twice"
    typ, data = m.select(MAILBOX, readonly=True)
    assert int(data[0]) == CLIENTS * PER_CLIENT
    typ, data = m.fetch("1:*", "(UID BODY.PEEK[])")
    assert typ == "OK"
    seen_uids = []
    by_digest = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        head, body = item
        seen_uids.append(int(re.search(rb"UID (\d+)", head).group(1)))
        header, _, rest = body.partition(b"\r\n")
        digest = header.split(b": ", 1)[1].decode()
        assert hashlib.sha256(rest).hexdigest() == digest, "a body does not match its checksum"
        by_digest[digest] = by_digest.get(digest, 0) + 1
    assert len(seen_uids) == CLIENTS * PER_CLIENT
    assert seen_uids == sorted(seen_uids) and len(set(seen_uids)) == len(seen_uids), "UIDs not strictly increasing"
    assert sorted(seen_uids) == sorted(uids)
    expected = {d for _u, d, _m in results}
    assert set(by_digest) == expected
    assert all(count == 1 for count in by_digest.values()), "a message is present twice"
    m.logout()
