"""Fixtures for the end-to-end suite: a real `murder serve` backend on loopback.

The binary comes from $MURDER_BIN (default: .build/debug/murder at the repository root).
Each backend gets a throw-away data folder, a node.toml listening on 127.0.0.1:0, and the
users alice, bob and admin (password "secret-<user>") in its sasldb. Only the processes
started here are ever signalled, by PID / process group.
"""

import faulthandler
import imaplib
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from support import engine_line

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
MURDER_BIN = Path(os.environ.get("MURDER_BIN", REPO_ROOT / ".build" / "debug" / "murder"))
USERS = ("alice", "bob", "admin")
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
CLIENT_TIMEOUT = 15.0
# Every test is bounded: past this, the watchdog kills the backends (clients then fail fast),
# and past twice this it aborts the run.
TEST_TIMEOUT = float(os.environ.get("E2E_TEST_TIMEOUT", "150"))
FAILED_LOGIN_DELAY_MS = 100

_live_backends = []
_live_lock = threading.Lock()


def password(user):
    return "secret-" + user


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


class Backend:
    """One `murder serve` process on its own data folder."""

    def __init__(self, root, imap=None, auth=None, users=USERS):
        self.root = Path(root)
        self.data_dir = self.root / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_path = self.root / "node.toml"
        self.log_path = self.root / "murder.log"
        self.host = "127.0.0.1"
        self.port = None
        self.proc = None
        # Extra environment of the process (MURDER_URING_PROBE=fail forces the NIO fallback).
        self.extra_env = {}
        self.failed_login_delay_ms = FAILED_LOGIN_DELAY_MS
        imap_keys = {"listen": ["127.0.0.1:0"], "failed_login_delay_ms": FAILED_LOGIN_DELAY_MS}
        imap_keys.update(imap or {})
        self.failed_login_delay_ms = imap_keys["failed_login_delay_ms"]
        auth_keys = {"admins": ["admin"], "proxy_identities": ["murder"]}
        auth_keys.update(auth or {})
        lines = ['servername = "127.0.0.1:0"', engine_line(), f"data_dir = {toml_value(str(self.data_dir))}", "", "[imap]"]
        lines += [f"{k} = {toml_value(v)}" for k, v in imap_keys.items()]
        lines += ["", "[auth]"]
        lines += [f"{k} = {toml_value(v)}" for k, v in auth_keys.items()]
        self.config_path.write_text("\n".join(lines) + "\n")
        for user in users:
            self.add_user(user, password(user))

    @property
    def spool(self):
        return self.data_dir / "spool"

    def add_user(self, user, pw):
        subprocess.run(
            ["saslpasswd2", "-p", "-c", "-f", str(self.data_dir / "sasldb2"), user],
            input=(pw + "\n").encode(),
            check=True,
            timeout=20,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def start(self):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [str(MURDER_BIN), "serve", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,
                env={**os.environ, **self.extra_env},
            )
        finally:
            log.close()
        with _live_lock:
            _live_backends.append(self)
        line = self._read_line(START_TIMEOUT)
        if not line.startswith("listening "):
            self.kill9()
            raise RuntimeError(f"murder serve did not start (stdout {line!r}); log:\n{self.log_tail()}")
        self.port = int(line.split()[1])
        return self

    def _read_line(self, timeout):
        deadline = time.monotonic() + timeout
        buf = b""
        fd = self.proc.stdout.fileno()
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
        return buf.decode(errors="replace").strip()

    def log_tail(self, n=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def _signal(self, sig):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def _reap(self):
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        with _live_lock:
            if self in _live_backends:
                _live_backends.remove(self)

    def stop(self):
        """SIGTERM, then SIGKILL after STOP_TIMEOUT. Returns the exit code."""
        if self.proc is None:
            return None
        self._signal(signal.SIGTERM)
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.proc.wait(STOP_TIMEOUT)
        self._reap()
        return self.proc.returncode

    def kill9(self):
        if self.proc is None:
            return
        self._signal(signal.SIGKILL)
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        self._reap()

    def restart(self):
        """Stops (gracefully if still running) and starts again on the same data folder."""
        if self.proc is not None and self.proc.poll() is None:
            self.stop()
        else:
            self._reap()
        return self.start()

    # Clients

    def imap(self, user=None, timeout=CLIENT_TIMEOUT):
        """An imaplib client, logged in as `user` when given."""
        m = imaplib.IMAP4(self.host, self.port, timeout=timeout)
        if user is not None:
            m.login(user, password(user))
        return m


@pytest.fixture
def backend_factory():
    """Starts backends with optional [imap]/[auth] overrides; stops and removes them after."""
    made = []

    def make(imap=None, auth=None):
        root = tempfile.mkdtemp(prefix="murder-e2e-")
        b = Backend(root, imap=imap, auth=auth)
        made.append(b)
        return b.start()

    yield make
    for b in made:
        b.stop()
        if os.environ.get("E2E_KEEP") is None:
            shutil.rmtree(b.root, ignore_errors=True)


@pytest.fixture
def backend(backend_factory):
    return backend_factory()


def _kill_live_backends():
    with _live_lock:
        live = list(_live_backends)
    for b in live:
        b._signal(signal.SIGKILL)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A per-test watchdog (pytest-timeout is not available): kill our servers, then abort."""
    fired = threading.Event()
    done = threading.Event()

    def watch():
        if done.wait(TEST_TIMEOUT):
            return
        fired.set()
        sys.stderr.write(f"\n*** {item.nodeid} exceeded {TEST_TIMEOUT:.0f} s: killing the backends\n")
        _kill_live_backends()
        if done.wait(TEST_TIMEOUT):
            return
        faulthandler.dump_traceback(all_threads=True)
        os._exit(3)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    try:
        result = yield
    finally:
        done.set()
    if fired.is_set():
        pytest.fail(f"test exceeded {TEST_TIMEOUT:.0f} s", pytrace=False)
    return result


def pytest_sessionstart(session):
    if not MURDER_BIN.is_file():
        pytest.exit(f"murder binary not found at {MURDER_BIN}; build it or set MURDER_BIN", returncode=2)
    if shutil.which("saslpasswd2") is None:
        pytest.exit("saslpasswd2 (Debian sasl2-bin) is required", returncode=2)


def pytest_sessionfinish(session, exitstatus):
    _kill_live_backends()
