"""The operator commands against a real node's data: `murder admin user`, `murder admin
reconstruct`, `murder config`."""

import imaplib
import shutil
import subprocess

import pytest

from conftest import MURDER_BIN, password


def murder(*args, input=None):
    return subprocess.run([str(MURDER_BIN), *args], input=input, capture_output=True, timeout=60)


def test_admin_user_add_passwd_del(backend):
    cfg = str(backend.config_path)
    r = murder("admin", "user", "add", "carol", "-c", cfg, input=b"first-pw\n")
    assert r.returncode == 0, r.stderr
    m = imaplib.IMAP4(backend.host, backend.port, timeout=15)
    assert m.login("carol", "first-pw")[0] == "OK"
    m.logout()
    # Adding an existing user is refused with a message naming the fix.
    r = murder("admin", "user", "add", "carol", "-c", cfg, input=b"x\n")
    assert r.returncode != 0 and r.stderr
    assert murder("admin", "user", "passwd", "carol", "-c", cfg, input=b"second-pw\n").returncode == 0
    m = imaplib.IMAP4(backend.host, backend.port, timeout=15)
    with pytest.raises(imaplib.IMAP4.error):
        m.login("carol", "first-pw")
    assert m.login("carol", "second-pw")[0] == "OK"
    m.logout()
    assert murder("admin", "user", "del", "carol", "-c", cfg).returncode == 0
    m = imaplib.IMAP4(backend.host, backend.port, timeout=15)
    with pytest.raises(imaplib.IMAP4.error):
        m.login("carol", "second-pw")
    m.logout()
    if shutil.which("sasldblistusers2"):
        users = subprocess.run(
            ["sasldblistusers2", "-f", str(backend.data_dir / "sasldb2")], capture_output=True, timeout=20
        ).stdout
        assert b"carol@" not in users and b"alice@" in users


def test_reconstruct_rebuilds_a_lost_index(backend):
    m = backend.imap("alice")
    m.create("INBOX/Projects")
    bodies = [f"Subject: message {i}\r\n\r\nbody {i}\r\n".encode() for i in range(5)]
    for b in bodies[:3]:
        m.append("INBOX", None, None, b)
    for b in bodies[3:]:
        m.append("INBOX/Projects", None, None, b)
    m.logout()
    backend.stop()
    owner = backend.spool / "owners" / "user.alice"
    for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm"):
        (owner / name).unlink(missing_ok=True)
    r = murder("admin", "reconstruct", "-c", str(backend.config_path), "user.alice")
    assert r.returncode == 0, r.stderr
    assert b"user.alice" in r.stdout
    backend.start()
    m = backend.imap("alice")
    for mailbox, expected in (("INBOX", bodies[:3]), ("INBOX/Projects", bodies[3:])):
        typ, _ = m.select(mailbox, readonly=True)
        assert typ == "OK", mailbox
        typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
        got = [d[1] for d in data if isinstance(d, tuple)]
        assert sorted(got) == sorted(expected)
    m.logout()


def test_config_errors_name_the_key(tmp_path):
    bad = tmp_path / "node.toml"
    bad.write_text('data_dir = "/tmp/x"\n[imap]\nmax_lin_bytes = 5\n')
    r = murder("config", "-c", str(bad))
    assert r.returncode != 0
    assert b"max_lin_bytes" in r.stderr and b"max_line_bytes" in r.stderr  # names the key and suggests
    r = murder("serve", "-c", str(bad))
    assert r.returncode != 0 and b"max_lin_bytes" in r.stderr
    assert murder("config", "--keys").stdout.count(b"\n") > 20
