"""A whole discrete murder of real processes on loopback, for the frontend tests (SPEC §5-§8, §14).

`MurderCluster` starts, each as its own `murder serve` process: one mupdate master, two
backends registering with it (servername = their IMAP address, fixed across restarts) and two
frontends following the master's list. All nodes share one sasldb with the users alice, bob,
admin and murder (password `secret-<user>`); `murder` is the backends' proxy identity and the
identity every node uses at the master.

The seed, written on the backends directly before the frontends start (a user's INBOX is
created where the user first logs in):

    backend1  user/alice (INBOX)  INBOX/Work  INBOX/Sent (\\Sent)  INBOX/search (6 messages,
              UIDs 2 and 5 expunged)  shared/noexpunge (alice: lrswipkxta, no `e`)
    backend2  user/bob (INBOX)  INBOX/Private  shared/memo (alice, bob: lrswipkxtecdan)

alice is subscribed to INBOX and INBOX/Work (on backend1, her INBOX backend).

`E2E_FRONTEND=cyrus` puts Debian Cyrus frontends in front of the same backends and master
instead of ours (the same tests then describe what a Cyrus frontend does). A build whose
`murder serve` cannot run the frontend role makes the fixtures skip, saying so; set
`E2E_FRONTEND_REQUIRED=1` to make that an error instead.

Only the processes started here are ever signalled, by PID; every wait is bounded.
"""

import imaplib
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import cyrus_peers
from conftest import MURDER_BIN, Backend, password
from cyrus_peers import MUPDATE_USER, free_port
from support import RawClient, engine_line, message
from test_mupdate_murder import MasterNode, master_list

USERS = ("alice", "bob", "admin", MUPDATE_USER)
FULL_RIGHTS = "lrswipkxtecdan"
NO_EXPUNGE_RIGHTS = "lrswipkxta"  # no `e` (nor the legacy `d` that implies it)
CLIENT_TIMEOUT = 15.0
READY_TIMEOUT = 30.0
SEARCH_SUBJECTS = [f"search m{i}" for i in range(1, 7)]
FRONTEND_KIND = os.environ.get("E2E_FRONTEND", "ours")

# Cyrus 3.6 defaults to the alternate namespace; every node of a murder shares ours (SPEC §1).
CYRUS_NAMESPACE = {"altnamespace": "no", "unixhierarchysep": "yes"}

# What a `murder serve` without the frontend role says when asked to run one.
_NO_FRONTEND = re.compile(r"cannot run in this build|unknown key.*proxy|\[proxy\]|\"proxy\.", re.I)


# Polling


def wait_until(condition, timeout, what="condition", interval=0.1):
    """Calls `condition()` until it returns a true value, which is returned; fails the test
    with `what` when `timeout` seconds pass first. Exceptions from `condition` count as false
    until the deadline, then propagate."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except Exception:
            if time.monotonic() > deadline:
                raise
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not true within {timeout:.0f} s (last value {value!r})")
        time.sleep(interval)


# IMAP helpers


def ok(result):
    typ, data = result
    assert typ == "OK", (typ, data)
    return data


def imap_client(host, port, user=None, timeout=CLIENT_TIMEOUT):
    m = imaplib.IMAP4(host, port, timeout=timeout)
    if user is not None:
        m.login(user, password(user))
    return m


def raw_client(host, port, user=None, timeout=CLIENT_TIMEOUT):
    c = RawClient(host, port, timeout=timeout)
    if user is not None:
        c.login(user, password(user))
    return c


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


_LIST_LINE = re.compile(rb'^\* (?:LIST|LSUB|XLIST) \(([^)]*)\) (NIL|"(?:[^"\\]|\\.)*") (.*)$', re.S)


def parse_list_lines(lines):
    """`* LIST (flags) "/" name [extended]` lines (bytes, literals inlined by RawClient as
    `{n}\\r\\n<name>`) -> {name: (frozenset of lower-cased flags, extended text)}."""
    out = {}
    for line in lines:
        m = _LIST_LINE.match(line)
        if not m:
            continue
        flags = frozenset(f.lower() for f in m.group(1).decode().split())
        rest = m.group(3)
        lit = re.match(rb"\{(\d+)\}\r\n", rest)
        if lit:
            n = int(lit.group(1))
            name = rest[lit.end():lit.end() + n].decode()
            ext = rest[lit.end() + n:].decode().strip()
        elif rest.startswith(b'"'):
            q = re.match(rb'"((?:[^"\\]|\\.)*)"(.*)$', rest, re.S)
            name = re.sub(r"\\(.)", r"\1", q.group(1).decode())
            ext = q.group(2).decode().strip()
        else:
            name, _, ext = rest.decode().partition(" ")
        if name.upper() == "INBOX":
            name = "INBOX"
        out[name] = (flags, ext)
    return out


def list_of(client, command):
    """Runs a LIST/LSUB command on a RawClient; returns the parsed entries (tagged OK asserted)."""
    untagged, tagged = client.command(command)
    assert b" OK" in tagged, (command, tagged, untagged[-5:])
    return parse_list_lines(untagged)


def selectable(entries):
    return {n for n, (flags, _) in entries.items() if not flags & {"\\noselect", "\\nonexistent"}}


def status_of(client, mailbox, items="(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)"):
    """STATUS on a RawClient -> {item: int}."""
    untagged, tagged = client.command(f"STATUS {quote(mailbox)} {items}")
    assert b" OK" in tagged, (mailbox, tagged)
    for line in untagged:
        if line.startswith(b"* STATUS "):
            inner = line[line.rindex(b"(") + 1:line.rindex(b")")].decode().split()
            return {inner[i].upper(): int(inner[i + 1]) for i in range(0, len(inner) - 1, 2)}
    raise AssertionError(f"no STATUS line for {mailbox}: {untagged}")


def status_at(node, user, mailbox, items="(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)"):
    """STATUS of `mailbox` asked of `node` (a backend or frontend) as `user` in a new session."""
    c = node.raw(user)
    try:
        return status_of(c, mailbox, items)
    finally:
        c.close()


def fetch_messages(host, port, user, mailbox, uids="1:*"):
    """{uid: (body bytes, frozenset of flags without \\Recent, INTERNALDATE text)} of a mailbox,
    read with EXAMINE so nothing changes."""
    m = imap_client(host, port, user)
    try:
        ok(m.select(quote(mailbox), readonly=True))
        typ, data = m.uid("FETCH", uids, "(UID FLAGS INTERNALDATE BODY.PEEK[])")
        assert typ == "OK", data
        out = {}
        for item in data:
            if not isinstance(item, tuple):
                continue
            head = item[0].decode()
            uid = int(re.search(r"UID (\d+)", head).group(1))
            flags = frozenset(f for f in re.search(r"FLAGS \(([^)]*)\)", head).group(1).split() if f != "\\Recent")
            date = re.search(r'INTERNALDATE "([^"]+)"', head).group(1).strip()
            date = "0" + date if date[1] == "-" else date  # date-day-fixed: " 7-Feb-1994" or "07-Feb-1994"
            out[uid] = (item[1], flags, date)
        return out
    finally:
        m.logout()


def append_messages(host, port, user, mailbox, messages, flags=None, date=None):
    """APPENDs each message; returns the APPENDUID UIDs when given."""
    m = imap_client(host, port, user)
    uids = []
    try:
        for i, msg in enumerate(messages):
            f = flags[i] if flags else None
            d = date[i] if date else None
            typ, data = m.append(quote(mailbox), f, d, msg)
            assert typ == "OK", data
            code = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
            if code:
                uids.append(int(code.group(1)))
        return uids
    finally:
        m.logout()


def internal(name, user):
    """External name (separator "/") -> the list key: INBOX/x of alice -> user.alice.x."""
    if name.upper() == "INBOX" or name.upper().startswith("INBOX/"):
        name = f"user/{user}" + name[5:]
    return name.replace(".", "^").replace("/", ".")


# Nodes


class ClusterNode(Backend):
    """A `murder serve` process with the given config lines (start/stop/kill9/log from conftest's
    Backend: PID-only signals, the per-test watchdog)."""

    def __init__(self, root, config_lines, port=None):
        super().__init__(root, users=())
        self.fixed_port = port
        text = "\n".join(config_lines).replace("@DATA@", str(self.data_dir)) + "\n"
        self.config_path.write_text(text)

    def start(self):
        super().start()
        if self.fixed_port is not None:
            assert self.port == self.fixed_port, (self.port, self.fixed_port)
        return self

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None


class ClusterBackend(ClusterNode):
    def __init__(self, root, name, master_address, sasldb, password_file):
        self.imap_port = free_port()
        self.name = name
        self.servername = f"127.0.0.1:{self.imap_port}"
        self.location = self.servername + "!default"
        super().__init__(root, [
            'roles = ["backend"]',
            engine_line(),
            f'servername = "{self.servername}"',
            'data_dir = "@DATA@"',
            "",
            "[imap]",
            f'listen = ["{self.servername}"]',
            "failed_login_delay_ms = 100",
            "",
            "[mupdate]",
            f'server = "{master_address}"',
            f'username = "{MUPDATE_USER}"',
            f'password_file = "{password_file}"',
            "",
            "[auth]",
            f'sasldb = "{sasldb}"',
            'admins = ["admin"]',
            f'proxy_identities = ["{MUPDATE_USER}"]',
            "",
        ], port=self.imap_port)

    def check(self, timeout=30):
        """`murder admin check -c node.toml`: (exit status, output)."""
        r = subprocess.run([str(MURDER_BIN), "admin", "check", "-c", str(self.config_path)], capture_output=True,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout + r.stderr

    def imap(self, user=None, timeout=CLIENT_TIMEOUT):
        return imap_client(self.host, self.port, user, timeout)

    def raw(self, user=None, timeout=CLIENT_TIMEOUT):
        return raw_client(self.host, self.port, user, timeout)

    def local_names(self):
        """Every selectable mailbox of this backend (admin LIST "" "*"), as list keys."""
        c = self.raw("admin")
        try:
            entries = list_of(c, 'LIST "" "*"')
        finally:
            c.close()
        return {internal(n, "admin") for n in selectable(entries)}

    def connections_in(self):
        """Established TCP connections whose far end is this backend's IMAP port (`ss`)."""
        r = subprocess.run(["ss", "-Htn", "state", "established", "dst", f"127.0.0.1:{self.imap_port}"],
                           capture_output=True, text=True, timeout=10)
        return len([line for line in r.stdout.splitlines() if line.strip()])


class OurFrontend(ClusterNode):
    def __init__(self, root, name, master_address, sasldb, password_file, proxy=None):
        self.name = name
        proxy_keys = {"placement": "most-free", "servers": [], "backend_timeout_seconds": 30}
        proxy_keys.update(proxy or {})
        lines = [
            'roles = ["frontend"]',
            engine_line(),
            f'servername = "{name}"',
            'data_dir = "@DATA@"',
            "",
            "[imap]",
            'listen = ["127.0.0.1:0"]',
            "failed_login_delay_ms = 100",
            "",
            "[auth]",
            f'sasldb = "{sasldb}"',
            'admins = ["admin"]',
            "",
            "[mupdate]",
            f'server = "{master_address}"',
            f'username = "{MUPDATE_USER}"',
            f'password_file = "{password_file}"',
            "",
            "[proxy]",
            f'username = "{MUPDATE_USER}"',
            f'password_file = "{password_file}"',
        ]
        for k, v in proxy_keys.items():
            lines.append(f"{k} = {_toml(v)}")
        super().__init__(root, lines)

    def start(self):
        try:
            return super().start()
        except RuntimeError as e:
            text = str(e) + "\n" + self.log_tail()
            if _NO_FRONTEND.search(text) and not os.environ.get("E2E_FRONTEND_REQUIRED"):
                said = next((line.strip() for line in text.splitlines() if _NO_FRONTEND.search(line)), "")
                pytest.skip("this build of murder cannot run the frontend role yet: " + said)
            raise

    def imap(self, user=None, timeout=CLIENT_TIMEOUT):
        return imap_client(self.host, self.port, user, timeout)

    def raw(self, user=None, timeout=CLIENT_TIMEOUT):
        return raw_client(self.host, self.port, user, timeout)


class CyrusFrontend:
    """A Debian Cyrus frontend (list replica + proxying imapd) with the same client helpers."""

    def __init__(self, root, name, master, backends):
        self.name = name
        self.inst = cyrus_peers.cyrus_frontend(root, master.host, master.fixed_port,
                                               [b.servername for b in backends], start=False,
                                               options=CYRUS_NAMESPACE)
        self.host = self.inst.host
        self.port = self.inst.port

    def start(self):
        self.inst.start()
        return self

    def stop(self):
        return self.inst.stop()

    def kill9(self):
        self.inst.kill9()

    @property
    def running(self):
        return self.inst.running

    def log_tail(self, n=40):
        return self.inst.log_tail(n)

    def imap(self, user=None, timeout=CLIENT_TIMEOUT):
        return imap_client(self.host, self.port, user, timeout)

    def raw(self, user=None, timeout=CLIENT_TIMEOUT):
        return raw_client(self.host, self.port, user, timeout)


def _toml(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


# The cluster


class MurderCluster:
    """master + backend1 + backend2 + frontends, seeded; `close()` stops everything it started."""

    def __init__(self, frontends=2, frontend_kind=None, proxy=None, seed=True):
        if not MURDER_BIN.is_file():
            pytest.skip(f"murder binary not found at {MURDER_BIN}")
        self.kind = frontend_kind or FRONTEND_KIND
        if self.kind == "cyrus":
            cyrus_peers.require_cyrus("master", "imapd", "mupdate", "ctl_cyrusdb")
        self.root = Path(tempfile.mkdtemp(prefix="murder-e2e-fe-"))
        os.chmod(self.root, 0o755)
        self.sasldb = self.root / "sasldb2"
        self.password_file = self.root / "murder.pw"
        self.password_file.write_text(password(MUPDATE_USER) + "\n")
        for user in USERS:
            subprocess.run(["saslpasswd2", "-p", "-c", "-f", str(self.sasldb), user],
                           input=(password(user) + "\n").encode(), check=True, timeout=20,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.master = MasterNode(self.root / "master")
        self.backends = [
            ClusterBackend(self.root / f"backend{i}", f"backend{i}", self.master.address, self.sasldb,
                           self.password_file)
            for i in (1, 2)
        ]
        self.frontends = []
        self.n_frontends = frontends
        self.proxy = proxy
        self.seed_enabled = seed
        self.started = False

    # Life cycle

    def start(self):
        try:
            self.master.start()
            for b in self.backends:
                b.start()
            wait_until(lambda: all(self._backend_registered(b) for b in self.backends), READY_TIMEOUT,
                       "backends connected to the master")
            if self.seed_enabled:
                self.seed()
            for i in range(1, self.n_frontends + 1):
                self.frontends.append(self._make_frontend(i).start())
            for f in self.frontends:
                self.wait_frontend_ready(f)
            self.started = True
            return self
        except BaseException:
            self.close()
            raise

    def _make_frontend(self, i):
        root = self.root / f"frontend{i}"
        if self.kind == "cyrus":
            return CyrusFrontend(root, f"frontend{i}", self.master, self.backends)
        return OurFrontend(root, f"frontend{i}", self.master.address, self.sasldb, self.password_file, self.proxy)

    def _backend_registered(self, b):
        # The backend's INBOX-less state registers nothing; a CREATE would be refused with
        # NO [UNAVAILABLE] until its registrar is connected, so probe with a throw-away name.
        c = b.raw("admin")
        try:
            name = f"probe-{b.name}"
            _, tagged = c.command(f"CREATE {name}")
            if b" OK" not in tagged:
                return False
            _, tagged = c.command(f"DELETE {name}")
            return b" OK" in tagged
        finally:
            c.close()

    def wait_frontend_ready(self, frontend, timeout=READY_TIMEOUT):
        """Until alice can log in and the frontend lists shared/memo for her (first dump done)."""
        def ready():
            c = frontend.raw()
            try:
                _, tagged = c.command(f'LOGIN alice "{password("alice")}"')
                if b" OK" not in tagged:
                    return False
                untagged, tagged = c.command('LIST "" "shared/memo"')
                return b" OK" in tagged and any(b"shared/memo" in line for line in untagged)
            finally:
                c.close()
        wait_until(ready, timeout, f"{frontend.name} serving the seeded list")

    def close(self):
        for f in self.frontends:
            try:
                f.stop()
            except Exception:
                f.kill9()
        for b in self.backends:
            b.stop()
        self.master.stop()
        if os.environ.get("E2E_KEEP") is None:
            shutil.rmtree(self.root, ignore_errors=True)

    # Seed

    def seed(self):
        b1, b2 = self.backends
        c = b1.raw("alice")  # the first login creates user/alice on backend1
        try:
            for cmd in ("CREATE INBOX/Work", "SUBSCRIBE INBOX", "SUBSCRIBE INBOX/Work", "CREATE INBOX/search"):
                _, tagged = c.command(cmd)
                assert b" OK" in tagged, (cmd, tagged)
            _, tagged = c.command("CREATE INBOX/Sent (USE (\\Sent))")
            if b" OK" not in tagged:
                for cmd in ("CREATE INBOX/Sent", 'SETMETADATA INBOX/Sent (/private/specialuse "\\\\Sent")'):
                    _, tagged = c.command(cmd)
                    assert b" OK" in tagged, (cmd, tagged)
        finally:
            c.close()
        append_messages(b1.host, b1.port, "alice", "INBOX",
                        [message(subject=f"inbox {i}", body=f"inbox body {i}") for i in range(3)])
        append_messages(b1.host, b1.port, "alice", "INBOX/search",
                        [message(subject=s, body=s, message_id=f"<search{i}@example.org>",
                                 extra_headers=[f"In-Reply-To: <search{i - 1}@example.org>"] if i > 1 else [])
                         for i, s in enumerate(SEARCH_SUBJECTS, 1)])
        m = b1.imap("alice")
        try:
            ok(m.select("INBOX/search"))
            ok(m.uid("STORE", "2,5", "+FLAGS.SILENT", "(\\Deleted)"))
            ok(m.expunge())
        finally:
            m.logout()
        a = b1.raw("admin")
        try:
            for cmd in ("CREATE shared/noexpunge", f"SETACL shared/noexpunge alice {NO_EXPUNGE_RIGHTS}"):
                _, tagged = a.command(cmd)
                assert b" OK" in tagged, (cmd, tagged)
        finally:
            a.close()
        append_messages(b1.host, b1.port, "admin", "shared/noexpunge",
                        [message(subject=f"keep {i}") for i in range(2)])

        c = b2.raw("bob")  # user/bob on backend2
        try:
            _, tagged = c.command("CREATE INBOX/Private")
            assert b" OK" in tagged, tagged
        finally:
            c.close()
        a = b2.raw("admin")
        try:
            for cmd in ("CREATE shared/memo", f"SETACL shared/memo alice {FULL_RIGHTS}",
                        f"SETACL shared/memo bob {FULL_RIGHTS}"):
                _, tagged = a.command(cmd)
                assert b" OK" in tagged, (cmd, tagged)
        finally:
            a.close()
        append_messages(b2.host, b2.port, "bob", "shared/memo", [message(subject="memo 1")])
        # Every seeded name is at the master before any frontend starts.
        want = {"user.alice", "user.alice.Work", "user.alice.Sent", "user.alice.search", "shared.noexpunge",
                "user.bob", "user.bob.Private", "shared.memo"}
        wait_until(lambda: want <= {n for n, (state, _, _) in self.master_list().items() if state == "ACTIVE"},
                   READY_TIMEOUT, "the seed registered at the master")

    # Access

    @property
    def backend1(self):
        return self.backends[0]

    @property
    def backend2(self):
        return self.backends[1]

    def fe(self, i=0):
        return self.frontends[i]

    def master_list(self, server=None):
        """The master's records {name: (state, location, acl)} (`murder admin mailboxes`)."""
        return master_list(self.master.address, self.root, server)

    def location_of(self, name):
        rec = self.master_list().get(name)
        return rec[1] if rec else None

    def backend_at(self, location):
        for b in self.backends:
            if location == b.location or location.split("!")[0] == b.servername:
                return b
        return None

    def wait_listed(self, frontend, user, name, present=True, timeout=10.0):
        """Polls LIST "" name at `frontend` as `user` until the name is (or is no longer) listed."""
        def check():
            c = frontend.raw(user)
            try:
                entries = list_of(c, f'LIST "" {quote(name)}')
            finally:
                c.close()
            return (name in selectable(entries)) == present
        wait_until(check, timeout, f"{name} {'listed' if present else 'gone'} at {frontend.name} for {user}")


def start_cluster(**kw):
    return MurderCluster(**kw).start()
