"""Real mail clients against a backend: mbsync (isync) both ways, and mutt driven through a
pseudo-terminal. Each is skipped, with the reason, when its program is not installed."""

import os
import shutil
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from conftest import password

MESSAGE = (
    b"From: Carol <carol@example.com>\r\nTo: alice@example.com\r\nSubject: from the server\r\n"
    b"Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <srv-1@example.com>\r\n\r\nServer side body\r\n"
)


def without_tuid(message):
    """mbsync adds its own X-TUID header while syncing; everything else must be unchanged."""
    lines = message.replace(b"\r\n", b"\n").splitlines(True)
    return b"".join(l for l in lines if not l.startswith(b"X-TUID:"))


def mbsync_config(backend, maildir):
    return textwrap.dedent(
        f"""\
        IMAPAccount murder
        Host {backend.host}
        Port {backend.port}
        User alice
        Pass {password("alice")}
        SSLType None
        AuthMechs LOGIN

        IMAPStore remote
        Account murder

        MaildirStore local
        Path {maildir}/
        Inbox {maildir}/INBOX
        SubFolders Verbatim

        Channel sync
        Far :remote:
        Near :local:
        Patterns *
        Create Both
        Expunge Both
        SyncState *
        """
    )


@pytest.mark.skipif(shutil.which("mbsync") is None, reason="mbsync (Debian isync) is not installed")
def test_mbsync_syncs_both_ways(backend, tmp_path):
    m = backend.imap("alice")
    m.create("INBOX/Archive")
    assert m.append("INBOX", "(\\Flagged)", None, MESSAGE)[0] == "OK"
    m.logout()

    maildir = tmp_path / "mail"
    maildir.mkdir()
    rc = tmp_path / "mbsyncrc"
    rc.write_text(mbsync_config(backend, maildir))

    def sync():
        r = subprocess.run(["mbsync", "-c", str(rc), "sync"], capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr.decode(errors="replace")

    sync()
    files = list((maildir / "INBOX").glob("cur/*")) + list((maildir / "INBOX").glob("new/*"))
    assert len(files) == 1
    assert without_tuid(files[0].read_bytes()) == MESSAGE.replace(b"\r\n", b"\n")
    assert "F" in files[0].name.split(":2,")[-1]  # \Flagged became the maildir F flag
    assert (maildir / "Archive").is_dir()

    # A message written locally goes up with APPEND.
    local = b"From: me@example.com\r\nSubject: from the maildir\r\n\r\nlocal body\r\n"
    new = maildir / "Archive" / "new"
    new.mkdir(parents=True, exist_ok=True)
    (new / f"{int(time.time())}.local:2,S").write_bytes(local)
    time.sleep(1.1)  # mbsync skips folders modified within the last second
    sync()
    m = backend.imap("alice")
    m.select("INBOX/Archive", readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
    assert typ == "OK"
    assert without_tuid(data[0][1]) == local.replace(b"\r\n", b"\n")
    assert b"\\Seen" in data[0][0]
    m.logout()


@pytest.mark.skipif(
    shutil.which("mutt") is None or shutil.which("script") is None, reason="mutt or script(1) is not installed"
)
def test_mutt_reads_and_saves_a_message(backend, tmp_path):
    m = backend.imap("alice")
    m.create("INBOX/Saved")
    m.append("INBOX", None, None, MESSAGE)
    m.logout()

    muttrc = tmp_path / "muttrc"
    muttrc.write_text(
        textwrap.dedent(
            f"""\
            set folder="imap://alice:{password("alice")}@{backend.host}:{backend.port}/"
            set spoolfile="+INBOX"
            set ssl_starttls=no
            set ssl_force_tls=no
            set record=""
            set confirmappend=no
            set header_cache=""
            set message_cachedir=""
            """
        )
    )
    # Open INBOX, copy the first message to INBOX/Saved, quit. script(1) gives mutt a terminal.
    command = f"mutt -n -F {muttrc} -e 'push <copy-message>=INBOX/Saved<enter><exit>'"
    env = dict(os.environ, TERM="xterm", HOME=str(tmp_path))
    r = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True, timeout=60, env=env)
    assert r.returncode == 0, r.stdout[-2000:]

    m = backend.imap("alice")
    m.select("INBOX/Saved", readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
    assert typ == "OK" and data[0] is not None
    assert data[0][1] == MESSAGE
    m.logout()
