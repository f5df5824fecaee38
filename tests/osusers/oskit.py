"""Real OS users, a real install and real sudo, for the sharing tests (CI runs as root).

* ``Install``: panel-tui installed (not editable) in a venv every user can
  run, the way an administrator installs it in /opt: the worktree's own
  .venv points at an interpreter under /root, which other users cannot reach.
* ``Host``: a group, three people and a service account with unique names,
  removed afterwards; the site config directory (/etc/xdg) and
  /etc/sudoers.d are private to the test — every command runs in its own
  mount namespace (``unshare -m``) with test directories bound over them, so
  nothing on the machine outside the test sees them.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _reachable(path: Path) -> bool:
    """Every user can run ``path``: it and each directory above it are o+x."""
    real = path.resolve()
    return real.is_file() and all(os.stat(p).st_mode & stat.S_IXOTH for p in (real, *real.parents))


def interpreter() -> str:
    """A Python 3.11+ that users other than root can run."""
    for candidate in (sys.executable, sys._base_executable, "/usr/bin/python3"):  # type: ignore[attr-defined]
        path = Path(candidate)
        if path.exists() and _reachable(path):
            version = subprocess.run(
                [str(path), "-c", "import sys; print(sys.version_info >= (3, 11))"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            if version == "True":
                return str(path.resolve())
    raise AssertionError("no Python 3.11+ on this host that other users can run")


def run(*argv: str, **kwargs) -> subprocess.CompletedProcess[str]:  # noqa: ANN003
    return subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)


def must(*argv: str, **kwargs) -> subprocess.CompletedProcess[str]:  # noqa: ANN003
    result = run(*argv, **kwargs)
    assert result.returncode == 0, f"{argv}: {result.stdout}{result.stderr}"
    return result


@dataclass
class Install:
    """panel-tui in a venv that every user can run (like /opt/panel-tui)."""

    root: Path

    @property
    def command(self) -> str:
        return str(self.root / "bin" / "panel-tui")

    @property
    def python(self) -> str:
        return str(self.root / "bin" / "python")

    @classmethod
    def build(cls) -> Install:
        base = Path(tempfile.mkdtemp(prefix="panel-tui-install-", dir="/tmp"))
        base.chmod(0o755)
        venv = base / "venv"
        uv = shutil.which("uv") or "uv"
        must(uv, "venv", "--quiet", "--python", interpreter(), str(venv))
        requirements = base / "requirements.txt"
        must(
            uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes",
            "-o", str(requirements), cwd=REPO,
        )  # fmt: skip
        for extra in (["-r", str(requirements)], ["--no-deps", str(REPO)]):
            must(uv, "pip", "install", "--quiet", "--compile-bytecode",
                 "--python", str(venv / "bin" / "python"), *extra)  # fmt: skip
        return cls(venv)

    def remove(self) -> None:
        shutil.rmtree(self.root.parent, ignore_errors=True)


@dataclass
class Host:
    """Test users and groups, and private /etc/xdg and /etc/sudoers.d for their commands."""

    install: Install
    prefix: str = field(default_factory=lambda: f"pt{uuid.uuid4().hex[:6]}")
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="panel-tui-host-")))

    def __post_init__(self) -> None:
        self.work.chmod(0o755)
        self.xdg = self.work / "xdg"
        self.sudoers = self.work / "sudoers.d"
        self.srv = self.work / "srv"
        for directory in (self.xdg, self.sudoers, self.srv):
            directory.mkdir(mode=0o755)
        self.sudoers.chmod(0o750)
        self.created_users: list[str] = []
        self.created_groups: list[str] = []

    def name(self, who: str) -> str:
        return f"{self.prefix}{who}"

    def add_group(self, who: str) -> str:
        name = self.name(who)
        must("groupadd", name)
        self.created_groups.append(name)
        return name

    def add_user(self, who: str, *groups: str, system: bool = False) -> str:
        name = self.name(who)
        argv = [
            "useradd",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin" if system else "/bin/sh",
        ]
        if system:
            argv += ["--system", "--user-group"]
        if groups:
            argv += ["-G", ",".join(groups)]
        must(*argv, name)
        self.created_users.append(name)
        return name

    def uid(self, login: str) -> int:
        return pwd.getpwnam(login).pw_uid

    def gid(self, group: str) -> int:
        return grp.getgrnam(group).gr_gid

    def as_user(
        self,
        login: str | None,
        *argv: str,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` as ``login`` (root if None) under umask 022, with this host's /etc.

        The environment is a login's, not the test's: HOME, PATH, LANG and ``env``.
        """
        inner = ["sh", "-c", 'umask 022; exec "$@"', "sh", *argv]
        if login is not None:
            inner = ["runuser", "-u", login, "--", *inner]
        script = (
            f"mount --bind {self.xdg} /etc/xdg && mount --bind {self.sudoers} /etc/sudoers.d "
            '&& cd / && exec "$@"'
        )
        base_env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "LANG": "C.UTF-8",
            "HOME": "/",
            "TERM": "dumb",
        }
        return subprocess.run(
            ["unshare", "-m", "sh", "-c", script, "sh", *inner],
            capture_output=True,
            text=True,
            check=False,
            input=stdin,
            env={**base_env, **(env or {})},
            timeout=300,
        )

    def panel(
        self,
        login: str | None,
        *args: str,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """``panel-tui ARGS`` as ``login``, from the shared install."""
        return self.as_user(login, self.install.command, *args, env=env, stdin=stdin)

    def remove(self) -> None:
        for login in reversed(self.created_users):
            run("userdel", login)
        for group in reversed(self.created_groups):
            run("groupdel", group)
        shutil.rmtree(self.work, ignore_errors=True)


#: Writes to the store and, before closing it, reports the files SQLite made beside it.
SIDE_FILES = """
import json, os, sys
from panel_tui.store.sqlite_driver import sqlite
conn = sqlite.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE setting SET value = value")
conn.execute("COMMIT")
found = {}
for suffix in ("-wal", "-shm"):
    info = os.stat(sys.argv[1] + suffix)
    found[suffix] = [info.st_mode & 0o7777, info.st_uid, info.st_gid]
print(json.dumps(found))
conn.close()
"""


def mode_of(path: Path) -> tuple[int, str, str]:
    """(permission bits with setgid, owner, group) of ``path``."""
    info = path.stat()
    return (
        stat.S_IMODE(info.st_mode),
        pwd.getpwuid(info.st_uid).pw_name,
        grp.getgrgid(info.st_gid).gr_name,
    )
