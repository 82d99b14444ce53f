"""Cyrus's own administration shell, cyradm (Debian cyrus-admin), against the backend.

cyradm reads its commands from stdin when that is not a terminal; `--password` (`-w`) gives
the password to the SASL client, `--notls` skips STARTTLS and `--norc` ignores ~/.cyradmrc.pl.
Each effect is checked through imaplib, as the users see it.
"""

import re
import shutil
import subprocess

import pytest

from test_imaplib import list_names, ok

pytestmark = pytest.mark.skipif(shutil.which("cyradm") is None, reason="cyradm (Debian cyrus-admin) not installed")


def cyradm(backend, *commands, user="admin"):
    """Runs cyradm with the commands on stdin; returns (stdout, stderr)."""
    result = subprocess.run(
        ["cyradm", "--norc", "--notls", "--user", user, "--password", "secret-" + user,
         "--port", str(backend.port), backend.host],
        input=("\n".join(commands) + "\n").encode(),
        capture_output=True,
        timeout=60,
    )
    out, err = result.stdout.decode(errors="replace"), result.stderr.decode(errors="replace")
    out = out.replace(f"{backend.host}> ", "")  # the shell's prompt
    assert "cannot authenticate" not in err and "cannot connect" not in err, err
    return out, err


def listed(out):
    """Mailbox names in `lm` output (columns of `name (\\Flags)`)."""
    return set(re.findall(r"([^\s>]+) \(\\", out))


def test_cyradm_user_mailbox_lifecycle(backend):
    out, err = cyradm(backend, "cm user/bob", "cm user/bob/Drafts", "lm")
    assert err == "", err
    assert {"user/bob", "user/bob/Drafts"} <= listed(out), out
    bob = backend.imap("bob")
    assert "INBOX/Drafts" in list_names(bob)
    ok(bob.append("INBOX", None, None, b"Subject: hi\r\n\r\nhello\r\n"))

    # The same name twice is refused with a message.
    out, err = cyradm(backend, "cm user/bob")
    assert "createmailbox" in err.lower(), (out, err)

    alice = backend.imap("alice")
    typ, _ = alice.select("user/bob", readonly=True)
    assert typ == "NO"
    out, err = cyradm(backend, "sam user/bob alice lr", "lam user/bob")
    assert err == "", err
    assert re.search(r"^alice lr$", out, re.M), out
    assert re.search(r"^bob lrswipkxtecdan$", out, re.M), out
    typ, data = alice.select("user/bob", readonly=True)
    assert typ == "OK" and int(data[0]) == 1
    assert b"lr" in ok(alice.myrights("user/bob"))[0]
    alice.close()

    out, err = cyradm(backend, "dam user/bob alice", "lam user/bob")
    assert err == "", err
    assert "alice" not in out, out
    typ, _ = alice.select("user/bob", readonly=True)
    assert typ == "NO"

    out, err = cyradm(backend, "sq user/bob STORAGE 1000", "lq user/bob")
    assert err == "", err
    assert re.search(r"STORAGE \d+/1000 \([\d.]+%\)", out), out
    typ, data = bob.getquotaroot("INBOX")
    assert typ == "OK"
    assert any(b"STORAGE" in x and b"1000" in x for part in data for x in part if isinstance(x, bytes)), data

    out, err = cyradm(backend, "renm user/bob/Drafts user/bob/Old", "lm user/bob*")
    assert err == "", err
    assert "user/bob/Old" in listed(out) and "user/bob/Drafts" not in listed(out), out
    assert "INBOX/Old" in list_names(bob)
    bob.logout()

    out, err = cyradm(backend, "dm user/bob", "lm")
    assert err == "", err
    assert not any(n.startswith("user/bob") for n in listed(out)), out
    admin = backend.imap("admin")
    assert not any(n.startswith("user/bob") for n in list_names(admin))
    admin.logout()
    alice.logout()


def test_cyradm_shared_mailbox_lifecycle(backend):
    out, err = cyradm(backend, "cm shared", "cm shared/memo", "lm shared*")
    assert err == "", err
    assert {"shared", "shared/memo"} <= listed(out), out

    # A new top-level mailbox gets Cyrus's default ACL, "anyone lrs".
    out, err = cyradm(backend, "lam shared/memo")
    assert re.search(r"^anyone lrs$", out, re.M), out
    alice = backend.imap("alice")
    bob = backend.imap("bob")
    assert "shared/memo" in list_names(alice)
    typ, _ = alice.append("shared/memo", None, None, b"Subject: memo\r\n\r\nnote\r\n")
    assert typ == "NO"

    out, err = cyradm(backend, "dam shared/memo anyone", "lam shared/memo")
    assert err == "", err
    assert "anyone" not in out, out
    assert "shared/memo" not in list_names(alice)
    typ, _ = bob.select("shared/memo", readonly=True)
    assert typ == "NO"

    out, err = cyradm(backend, "sam shared/memo alice lrsip", "lam shared/memo")
    assert err == "", err
    assert re.search(r"^alice lrsip$", out, re.M), out
    assert "shared/memo" in list_names(alice)
    ok(alice.append("shared/memo", None, None, b"Subject: memo\r\n\r\nnote\r\n"))
    assert "shared/memo" not in list_names(bob)

    out, err = cyradm(backend, "sq shared STORAGE 500", "lq shared")
    assert err == "", err
    assert re.search(r"STORAGE \d+/500 ", out), out
    data = ok(alice.getquotaroot("shared/memo"))
    assert any(b"shared" in x for part in data for x in part if isinstance(x, bytes)), data

    out, err = cyradm(backend, "renm shared/memo shared/notes", "lm shared*")
    assert err == "", err
    assert "shared/notes" in listed(out) and "shared/memo" not in listed(out), out
    typ, data = alice.select("shared/notes", readonly=True)
    assert typ == "OK" and int(data[0]) == 1
    alice.close()

    out, err = cyradm(backend, "dm shared/notes", "lm shared*")
    assert err == "", err
    assert "shared/notes" not in listed(out) and "shared" in listed(out), out
    assert "shared/notes" not in list_names(alice)
    out, err = cyradm(backend, "dm shared", "lm")
    assert err == "", err
    assert not any(n.startswith("shared") for n in listed(out)), out

    # Non-admins may not create top-level mailboxes through cyradm either.
    out, err = cyradm(backend, "cm toplevel", user="alice")
    assert "createmailbox" in err.lower(), (out, err)
    alice.logout()
    bob.logout()
