"""First paint and a headless command through sudo (service mode) vs. direct, as real users.

Run as root (it creates a group, two users and a service account, and removes
them): ``uv run python -m benchmarks.sudo_paint [--disputes N] [--runs N]``.

It installs panel-tui the way an administrator would (a venv every user can
run; ``tests/osusers/oskit.py`` builds it), builds a demo store of N disputes,
and times, alternating the two ways:

* **first paint**: ``panel-tui`` opened by a user in a real pty (120×40,
  ``TERM=xterm-256color``), from fork until a dispute reference (``D-20``) is
  on the screen — once on a group-mode copy of the store opened directly
  (``--db``), once on the service-mode store, where the user's panel-tui
  re-executes itself through ``sudo -n -u ACCOUNT``;
* **headless**: ``panel-tui queue --limit 20 --format json`` the same two ways.

Both run in one mount namespace with the test's own /etc/xdg and
/etc/sudoers.d bound over the host's, as the tests do.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from osusers.oskit import Host, Install  # noqa: E402


def _in_namespace(host: Host) -> None:
    """Enter a private mount namespace with the host's /etc/xdg and sudoers.d (once)."""
    import ctypes

    clone_newns = 0x00020000  # os.unshare arrives in Python 3.12
    if ctypes.CDLL(None, use_errno=True).unshare(clone_newns) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS) failed")
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    subprocess.run(["mount", "--bind", str(host.xdg), "/etc/xdg"], check=True)
    subprocess.run(["mount", "--bind", str(host.sudoers), "/etc/sudoers.d"], check=True)


def _env() -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        "LANG": "C.UTF-8",
        "HOME": "/",
        "TERM": "xterm-256color",
    }


def time_paint(argv: list[str], timeout: float = 60.0) -> float:
    """Seconds from fork until a dispute reference appears on the pty."""
    started = time.perf_counter()
    pid, master = pty.fork()
    if pid == 0:
        try:
            import fcntl
            import struct
            import termios

            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            os.chdir("/")
            os.execvpe(argv[0], argv, _env())
        finally:
            os._exit(127)
    screen = b""
    elapsed = None
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            screen = (screen + data)[-8000:]
            if b"D-20" in screen:
                elapsed = time.perf_counter() - started
                break
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(master)
    if elapsed is None:
        raise RuntimeError(f"no dispute on screen: {screen[-600:]!r}")
    return elapsed


def time_command(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=_env(), check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or not json.loads(done.stdout)["disputes"]:
        raise RuntimeError(done.stderr)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--disputes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    install = Install.build()
    host = Host(install)
    try:
        group = host.add_group("grp")
        user = host.add_user("user", group)
        account = host.add_user("svc", system=True)
        service_db = host.srv / "svc" / "panel.db"
        made = host.panel(
            None, "init", "--db", str(service_db), "--service-account", account,
            "--command", install.command, "--admin", user, "--install",
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        demo = host.srv / "demo.db"
        built = host.panel(
            None, "demo", "--db", str(demo), "--disputes", str(options.disputes), "--no-ui"
        )
        assert built.returncode == 0, built.stderr
        # Through the account only the store's people get in (service.refuse_strangers).
        joined = host.panel(
            None, "--db", str(demo), "--as", "admin", "users", "add", user, "--roles", "duty_lead"
        )
        assert joined.returncode == 0, joined.stderr
        # The same demo store in both places: the service account's and a group's.
        shutil.copyfile(demo, service_db)
        shutil.chown(service_db, account, account)
        group_dir = host.srv / "grp"
        group_dir.mkdir()
        shutil.chown(group_dir, "root", group)
        group_dir.chmod(0o2770)  # as init --group makes it (mkdir's mode meets the umask)
        group_db = group_dir / "panel.db"
        shutil.copyfile(demo, group_db)
        shutil.chown(group_db, "root", group)
        group_db.chmod(0o660)
        _in_namespace(host)
        runas = ["runuser", "-u", user, "--"]
        ways = {
            "direct": [*runas, install.command, "--db", str(group_db)],
            "sudo": [*runas, install.command],
        }
        figures: dict[str, dict[str, list[float]]] = {w: {"paint": [], "queue": []} for w in ways}
        for _ in range(options.runs):
            for way, argv in ways.items():
                figures[way]["paint"].append(time_paint(argv))
                figures[way]["queue"].append(
                    time_command([*argv, "queue", "--limit", "20", "--format", "json"])
                )
        result = {
            "disputes": options.disputes,
            "runs": options.runs,
            **{
                f"{way}_{kind}_median_s": round(statistics.median(values), 3)
                for way, kinds in figures.items()
                for kind, values in kinds.items()
            },
        }
        print(json.dumps(result, indent=2))
    finally:
        host.remove()
        install.remove()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
