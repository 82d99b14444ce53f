"""XFER of real processes (SPEC §7.5, §12): a master, two backends and one frontend, with an
admin's `RENAME user/x user/x <server>` sent through the frontend by `murder admin xfer`.

The backends carry a dedicated transfer identity, `murder-xfer`, listed in each other's
`auth.admins`. Every process is started here on loopback and signalled by PID only; every wait
is bounded.
"""

import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import MURDER_BIN, password
from murder_cluster import (MurderCluster, append_messages, fetch_messages, ok, quote, raw_client,
                            status_at, wait_until)
from support import message

XFER_USER = "murder-xfer"
EXTRA_USERS = ("carol", "dave", "erin", XFER_USER)
RIGHTS = "lrswipkxtecdan"


def add_xfer_config(backend, sasldb_pw_file):
    """The [xfer] table and the transfer identity among the admins."""
    text = backend.config_path.read_text()
    text = text.replace('admins = ["admin"]', f'admins = ["admin", "{XFER_USER}"]')
    text += f'\n[xfer]\nusername = "{XFER_USER}"\npassword_file = "{sasldb_pw_file}"\n'
    backend.config_path.write_text(text)


@pytest.fixture(scope="module")
def cluster():
    c = MurderCluster(frontends=1)
    for user in EXTRA_USERS:
        subprocess.run(["saslpasswd2", "-p", "-c", "-f", str(c.sasldb), user],
                       input=(password(user) + "\n").encode(), check=True, timeout=20,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    pw = c.root / "xfer.pw"
    pw.write_text(password(XFER_USER) + "\n")
    for b in c.backends:
        add_xfer_config(b, pw)
    c.admin_pw = c.root / "admin.pw"
    c.admin_pw.write_text(password("admin") + "\n")
    c.start()
    yield c
    c.close()


def xfer(cluster, name, server, timeout=120):
    """`murder admin xfer --host <frontend> NAME SERVER`: (exit status, output)."""
    fe = cluster.fe()
    r = subprocess.run([str(MURDER_BIN), "admin", "xfer", "--host", f"127.0.0.1:{fe.port}", "--user", "admin",
                        "--password-file", str(cluster.admin_pw), name, server],
                       capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout + r.stderr


def seed_user(backend, user, folders, count, size=0):
    """Logs `user` in on `backend` (creating the INBOX there), creates folders, appends `count`
    messages spread over INBOX and the folders; returns the folder list including INBOX."""
    c = backend.raw(user)
    try:
        for f in folders:
            _, tagged = c.command(f"CREATE {f}")
            assert b" OK" in tagged, tagged
    finally:
        c.close()
    boxes = ["INBOX"] + folders
    filler = "x" * size
    for i, box in enumerate(boxes):
        msgs = [message(subject=f"{user} {box} {n}", body=f"body {n} {filler}") for n in range(i, count, len(boxes))]
        if msgs:
            append_messages(backend.host, backend.port, user, box, msgs)
    return boxes


def snapshot(backend, user, boxes):
    """{box: (UIDVALIDITY, {uid: (body, flags)})} read directly from `backend`."""
    out = {}
    for box in boxes:
        st = status_at(backend, user, box, "(UIDVALIDITY)")
        msgs = fetch_messages(backend.host, backend.port, user, box)
        out[box] = (st["UIDVALIDITY"], {uid: (body, flags) for uid, (body, flags, _) in msgs.items()})
    return out


def owner_gone(backend, user):
    spool = Path(backend.data_dir) / "spool" / "owners"
    return not (spool / f"user.{user}").exists()


def test_xfer_user_keeps_uids_flags_subscription_quota(cluster):
    b1, b2 = cluster.backend1, cluster.backend2
    boxes = seed_user(b1, "carol", ["INBOX/Work", "INBOX/Archive"], 50)
    m = b1.imap("carol")
    try:
        ok(m.select("INBOX"))
        ok(m.uid("STORE", "1:5", "+FLAGS", "(\\Flagged \\Seen)"))
        ok(m.subscribe(quote("INBOX/Work")))
    finally:
        m.logout()
    a = b1.raw("admin")
    try:
        _, tagged = a.command("SETQUOTA user/carol (STORAGE 100000)")
        assert b" OK" in tagged, tagged
    finally:
        a.close()
    before = snapshot(b1, "carol", boxes)
    assert sum(len(v[1]) for v in before.values()) == 50

    status, out = xfer(cluster, "user/carol", b2.servername)
    assert status == 0, out
    assert "* OK USER carol" in out, out

    records = cluster.master_list()
    for name in ("user.carol", "user.carol.Work", "user.carol.Archive"):
        assert records[name][0] == "ACTIVE" and records[name][1].split("!")[0] == b2.servername, records[name]
    assert snapshot(b2, "carol", boxes) == before
    assert owner_gone(b1, "carol")
    # Through the frontend: routed to backend2, subscription and quota kept.
    wait_until(lambda: status_at(cluster.fe(), "carol", "INBOX", "(UIDVALIDITY)")["UIDVALIDITY"]
               == before["INBOX"][0], 10, "the frontend routes carol to backend2")
    c = cluster.fe().raw("carol")
    try:
        untagged, tagged = c.command('LSUB "" "*"')
        assert b" OK" in tagged and any(b"INBOX/Work" in line for line in untagged), untagged
        untagged, tagged = c.command("GETQUOTAROOT INBOX")
        assert b" OK" in tagged and any(b"STORAGE" in line and b"100000" in line for line in untagged), untagged
    finally:
        c.close()
    for b in (b1, b2):
        code, text = b.check()
        assert code == 0, text


def test_xfer_refuses_sub_mailbox_and_nonexistent(cluster):
    b1 = cluster.backend1
    status, out = xfer(cluster, "user/alice/Work", cluster.backend2.servername)
    assert status == 1 and "NO" in out, out
    status, out = xfer(cluster, "user/nobody", cluster.backend2.servername)
    assert status == 1 and "NONEXISTENT" in out, out
    assert cluster.master_list()["user.alice.Work"][1].split("!")[0] == b1.servername


def test_append_during_xfer_sees_ok_or_unavailable(cluster):
    b1, b2 = cluster.backend1, cluster.backend2
    seed_user(b1, "dave", ["INBOX/More"], 120, size=20000)
    answers = []
    stop = threading.Event()

    def appender():
        c = raw_client("127.0.0.1", cluster.fe().port, "dave")
        try:
            n = 0
            while not stop.is_set():
                n += 1
                body = message(subject=f"live {n}", body=f"live {n}")
                c.send(f"L{n} APPEND INBOX {{{len(body)}+}}\r\n".encode() + body + b"\r\n")
                while True:
                    line = c.readline(timeout=30)
                    if line.startswith(f"L{n} ".encode()):
                        answers.append((f"live {n}", line))
                        break
                time.sleep(0.01)
        finally:
            c.close()

    t = threading.Thread(target=appender, daemon=True)
    t.start()
    time.sleep(0.3)
    status, out = xfer(cluster, "user/dave", b2.servername)
    time.sleep(1.5)  # a few more APPENDs land at the destination
    stop.set()
    t.join(40)
    assert status == 0, out
    assert answers, "no APPEND was answered"
    for subject, line in answers:
        assert b" OK" in line or b"NO [UNAVAILABLE]" in line, (subject, line)
    accepted = [s for s, line in answers if b" OK" in line]
    msgs = fetch_messages(b2.host, b2.port, "dave", "INBOX")
    subjects = [re.search(rb"Subject: (.*?)\r\n", body).group(1).decode() for body, _, _ in msgs.values()]
    for s in accepted:
        assert subjects.count(s) == 1, (s, subjects.count(s))
    assert owner_gone(b1, "dave")


def test_destination_killed_mid_xfer_source_keeps_everything(cluster):
    b1, b2 = cluster.backend1, cluster.backend2
    boxes = seed_user(b1, "erin", ["INBOX/Big"], 200, size=100000)
    before = snapshot(b1, "erin", boxes)
    staging = Path(b2.data_dir) / "spool" / "xfer" / "user.erin"
    result = {}

    def run():
        result["r"] = xfer(cluster, "user/erin", b2.servername)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    wait_until(lambda: staging.exists(), 30, "the destination staging erin's files", interval=0.005)
    b2.kill9()
    t.join(120)
    status, out = result["r"]
    assert status == 1 and "NO USER erin" in out, out
    # The records are ACTIVE at the source again, and nothing was lost or duplicated.
    wait_until(lambda: all(cluster.master_list()[n][0] == "ACTIVE"
                           and cluster.master_list()[n][1].split("!")[0] == b1.servername
                           for n in ("user.erin", "user.erin.Big")), 20, "erin's records back at backend1")
    assert snapshot(b1, "erin", boxes) == before
    append_messages(b1.host, b1.port, "erin", "INBOX", [message(subject="after")])
    b2.start()
    assert not staging.exists()
    assert owner_gone(b2, "erin")
