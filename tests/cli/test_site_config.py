"""The site config: every user finds the shared store without an environment variable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from panel_tui.cli import main
from panel_tui.site import load_site_config
from panel_tui.store.identity import os_login
from panel_tui.store.ledger.admin import init_store


@pytest.fixture
def site_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    first, second = tmp_path / "site-a", tmp_path / "site-b"
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{first}:{second}")
    return first


def write_site(directory: Path, text: str) -> Path:
    path = directory / "panel-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def stores(tmp_path: Path) -> tuple[Path, Path]:
    shared, mine = tmp_path / "shared.db", tmp_path / "mine.db"
    init_store(str(shared), os_login(), "Admin").close()
    init_store(str(mine), os_login(), "Admin").close()
    assert main(["--db", str(shared), "agencies", "add", "SHR", "Shared"]) == 0
    return shared, mine


def agencies(capsys: pytest.CaptureFixture[str], *argv: str) -> set[str]:
    capsys.readouterr()
    assert main([*argv, "agencies", "list", "--format", "json"]) == 0
    return {a["code"] for a in json.loads(capsys.readouterr().out)}


def test_the_site_config_names_the_store_when_nothing_else_does(
    tmp_path, site_dir, capsys, monkeypatch
) -> None:
    shared, mine = stores(tmp_path)
    write_site(site_dir, f'[store]\npath = "{shared}"\nmode = "group"\ngroup = "panel"\n')
    assert agencies(capsys) == {"SHR"}
    # --db and PANEL_TUI_DB still win for a user's own process (not under sudo).
    assert agencies(capsys, "--db", str(mine)) == set()
    monkeypatch.setenv("PANEL_TUI_DB", str(mine))
    assert agencies(capsys) == set()


def test_the_first_site_directory_that_has_a_config_wins(tmp_path, site_dir) -> None:
    second = site_dir.parent / "site-b"
    write_site(second, '[store]\npath = "/srv/b.db"\n')
    assert load_site_config().store == Path("/srv/b.db")  # type: ignore[union-attr]
    write_site(site_dir, '[store]\npath = "/srv/a.db"\n')
    assert load_site_config().store == Path("/srv/a.db")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[store\n", "cannot be read"),
        ("[other]\n", 'has no [store] path = "..."'),
        ('[store]\npath = "/x.db"\nmode = "open"\n', 'store.mode must be "group" or "service"'),
        ('[store]\npath = "/x.db"\nmode = "service"\n', "needs store.account and store.command"),
        ('[store]\npath = "/x.db"\nmode = "group"\n', "group mode needs store.group"),
    ],
)
def test_a_broken_site_config_is_one_line_naming_the_file(
    site_dir, capsys, text: str, says: str
) -> None:
    path = write_site(site_dir, text)
    assert main(["queue"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and says in err and len(err.strip().splitlines()) == 1


def test_init_prints_the_site_config_and_a_group_store_s_modes(tmp_path, site_dir, capsys) -> None:
    import grp
    import os

    group = grp.getgrgid(os.getgid()).gr_name
    store = tmp_path / "srv" / "panel.db"
    assert main(["init", "--db", str(store), "--group", group, "--admin", "jlee"]) == 0
    out = capsys.readouterr().out
    assert f'path = "{store}"' in out and f'group = "{group}"' in out
    assert oct(store.parent.stat().st_mode & 0o7777) == oct(0o2770)
    assert oct(store.stat().st_mode & 0o777) == oct(0o660)
    assert not (site_dir / "panel-tui").exists()  # printed, not installed


def test_service_mode_options_need_a_sharing_mode(tmp_path, capsys) -> None:
    assert main(["init", "--db", str(tmp_path / "s.db"), "--install"]) == 2
    assert "needs --group or --service-account" in capsys.readouterr().err
    assert not (tmp_path / "s.db").exists()
