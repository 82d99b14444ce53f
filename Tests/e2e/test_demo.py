"""`murder demo` as a user runs it: one process holding a whole murder on loopback, the facts in
an env file, imaplib against its nodes, a clean stop on SIGTERM.

Every demo here gets a free port base and its own data folder; only the processes started here
are signalled, by process group.
"""

import imaplib
import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from support import ENGINE

import pytest

import conftest
from conftest import MURDER_BIN

READY_TIMEOUT = 90.0  # a loaded 2-core machine: three or four nodes, seeding, the list sync
STOP_TIMEOUT = 20.0
CLIENT_TIMEOUT = 15.0
ENV_KEYS = (
    "FRONTEND FRONTEND2 BACKEND1 BACKEND2 MUPDATE BACKEND1_NAME BACKEND2_NAME ALICE_USER ALICE_PASS "
    "BOB_USER BOB_PASS ADMIN_USER ADMIN_PASS MURDER_USER MURDER_PASS SHARED_MAILBOX HIERARCHY_SEP"
).split()


def port_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_base():
    for _ in range(200):
        base = random.randint(20000, 59990)
        if all(port_free(base + i) for i in range(5)):
            return base
    raise RuntimeError("no five free ports in a row")


def parse_env(text):
    """NAME=value lines (values optionally single-quoted, as the demo writes them)."""
    values = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        if value.startswith("'") and value.endswith("'") and len(value) >= 2:
            value = value[1:-1].replace("'\\''", "'")
        values[name] = value
    return values


def host_port(address):
    host, _, port = address.rpartition(":")
    return host, int(port)


class Demo:
    """One `murder demo` process."""

    def __init__(self, root, base, frontends=1, extra=()):
        self.root = Path(root)
        self.base = base
        self.data_dir = self.root / "data"
        self.env_path = self.root / "demo.env"
        self.log_path = self.root / "demo.log"
        self.args = [str(MURDER_BIN), "demo", "--engine", ENGINE, "--port-base", str(base), "--env-file", str(self.env_path),
                     "--data-dir", str(self.data_dir), "--frontends", str(frontends), *extra]
        self.proc = None
        self.stdout = ""

    def start(self):
        """Starts and waits for `ready`; returns the env file's values, or raises with the log."""
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                         start_new_session=True)
        finally:
            log.close()
        with conftest._live_lock:
            conftest._live_backends.append(self)
        deadline = time.monotonic() + READY_TIMEOUT
        buf = b""
        fd = self.proc.stdout.fileno()
        while b"\nready\n" not in b"\n" + buf:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
        self.stdout = buf.decode(errors="replace")
        if "\nready\n" not in "\n" + self.stdout:
            self.stop()
            raise RuntimeError(f"murder demo did not get ready; stdout:\n{self.stdout}\nlog:\n{self.log()}")
        return parse_env(self.env_path.read_text())

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def _signal(self, sig):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, sig=signal.SIGTERM):
        """Signals, waits (SIGKILL after STOP_TIMEOUT); returns the exit code."""
        if self.proc is None:
            return None
        self._signal(sig)
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.proc.wait(STOP_TIMEOUT)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        with conftest._live_lock:
            if self in conftest._live_backends:
                conftest._live_backends.remove(self)
        return self.proc.returncode


@pytest.fixture
def demo_root():
    root = tempfile.mkdtemp(prefix="murder-e2e-demo-")
    made = []
    yield root, made
    for d in made:
        d.stop(signal.SIGKILL)
    if os.environ.get("E2E_KEEP") is None:
        shutil.rmtree(root, ignore_errors=True)


def start_demo(demo_root, frontends=1, base=None, extra=()):
    root, made = demo_root
    demo = Demo(root, base or free_base(), frontends=frontends, extra=extra)
    made.append(demo)
    env = demo.start()
    return demo, env


def login(address, user, password):
    host, port = host_port(address)
    m = imaplib.IMAP4(host, port, timeout=CLIENT_TIMEOUT)
    m.login(user, password)
    return m


def list_names(m):
    typ, data = m.list('""', "*")
    assert typ == "OK", data
    names = []
    for item in data:
        if isinstance(item, bytes):
            match = re.match(rb'\(.*?\) (?:"."|NIL) "?(.*?)"?$', item)
            if match:
                names.append(match.group(1).decode())
    return names


def assert_stopped_cleanly(demo, env):
    code = demo.stop()
    assert code == 0, f"exit code {code}; log:\n{demo.log()}"
    for key in ("FRONTEND", "FRONTEND2", "BACKEND1", "BACKEND2", "MUPDATE"):
        if env.get(key):
            assert port_free(host_port(env[key])[1]), f"{key} {env[key]} still bound after the stop"
    assert not demo.env_path.exists(), "the env file outlives the demo"


def test_demo_through_the_frontend(demo_root):
    """The README's first command: alice through the frontend sees her INBOX and shared/memo."""
    demo, env = start_demo(demo_root, frontends=1)
    assert set(ENV_KEYS) <= set(env), sorted(set(ENV_KEYS) - set(env))
    assert env["FRONTEND"] == f"127.0.0.1:{demo.base}"
    assert env["BACKEND1"] == f"127.0.0.1:{demo.base + 1}"
    assert env["BACKEND2"] == f"127.0.0.1:{demo.base + 2}"
    assert env["MUPDATE"] == f"127.0.0.1:{demo.base + 3}"
    assert env["FRONTEND2"] == ""
    assert env["ALICE_PASS"] in demo.stdout, "the summary prints alice's password"
    m = login(env["FRONTEND"], env["ALICE_USER"], env["ALICE_PASS"])
    try:
        typ, data = m.select("INBOX")
        assert typ == "OK" and int(data[0]) == 1, data
        assert env["SHARED_MAILBOX"] in list_names(m)
    finally:
        m.logout()
    assert_stopped_cleanly(demo, env)


def test_demo_two_frontends(demo_root):
    """--frontends 2: the second frontend on P+4 serves bob's shared mailbox too."""
    demo, env = start_demo(demo_root, frontends=2)
    assert env["FRONTEND2"] == f"127.0.0.1:{demo.base + 4}"
    m = login(env["FRONTEND2"], env["BOB_USER"], env["BOB_PASS"])
    try:
        typ, data = m.select(env["SHARED_MAILBOX"])
        assert typ == "OK", data
    finally:
        m.logout()
    assert_stopped_cleanly(demo, env)


def test_demo_backends_hold_the_seeded_mailboxes(demo_root):
    """Directly at the backends: alice's INBOX on backend1; bob's and shared/memo (both users'
    rights) on backend2; a restart on the same --data-dir keeps the passwords and adds nothing."""
    demo, env = start_demo(demo_root, frontends=0)
    a = login(env["BACKEND1"], env["ALICE_USER"], env["ALICE_PASS"])
    try:
        typ, data = a.select("INBOX")
        assert typ == "OK" and int(data[0]) == 1, data
    finally:
        a.logout()
    admin = login(env["BACKEND2"], env["ADMIN_USER"], env["ADMIN_PASS"])
    try:
        typ, data = admin.getacl(env["SHARED_MAILBOX"])
        assert typ == "OK", data
        acl = data[0].decode()
        assert "alice lrswipkxtecdan" in acl and "bob lrswipkxtecdan" in acl, acl
    finally:
        admin.logout()
    with pytest.raises(imaplib.IMAP4.error):
        login(env["BACKEND1"], env["ALICE_USER"], env["ALICE_PASS"] + "x")
    assert_stopped_cleanly(demo, env)

    again, env2 = start_demo(demo_root, frontends=0, base=demo.base)
    assert env2 == env
    b = login(env2["BACKEND2"], env2["BOB_USER"], env2["BOB_PASS"])
    try:
        typ, data = b.select(env2["SHARED_MAILBOX"])
        assert typ == "OK" and int(data[0]) == 1, data
        typ, data = b.select("INBOX")
        assert typ == "OK" and int(data[0]) == 1, data
    finally:
        b.logout()
    assert_stopped_cleanly(again, env2)


def test_demo_port_in_use(demo_root):
    """A taken port: exit 1 at once, naming the port and --port-base."""
    root, _ = demo_root
    base = free_base()
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", base + 2))
        squatter.listen(1)
        r = subprocess.run([str(MURDER_BIN), "demo", "--engine", ENGINE, "--port-base", str(base), "--data-dir", str(Path(root) / "d")],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert f"port {base + 2} (backend2)" in r.stderr and "--port-base" in r.stderr, r.stderr
    assert "ready" not in r.stdout


@pytest.mark.parametrize("args, complaint", [
    (["--topology", "unified"], '"discrete"'),
    (["--frontends", "3"], "--frontends"),
    (["--port-base", "65533"], "--port-base"),
])
def test_demo_refuses_bad_options(args, complaint):
    r = subprocess.run([str(MURDER_BIN), "demo", *args], capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert r.returncode != 0
    assert complaint in r.stderr, r.stderr
