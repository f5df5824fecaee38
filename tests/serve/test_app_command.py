"""The command ``serve`` starts for each browser tab runs panel-tui, not a file in the cwd.

textual-serve starts it in the server's working directory, which is whoever ran
``panel-tui serve``'s — through the service account, a user's directory run as
the account. ``python -m`` would put that directory first on ``sys.path``.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from panel_tui.serve import app_command


def test_a_panel_tui_package_in_the_working_directory_is_not_run(tmp_path: Path) -> None:
    planted = tmp_path / "panel_tui"
    planted.mkdir()
    (planted / "__init__.py").write_text("")
    (planted / "__main__.py").write_text("print('PLANTED CODE RAN')\n")
    argv = [*shlex.split(app_command(None, None)), "--version"]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "PLANTED" not in done.stdout + done.stderr
    assert done.returncode == 0 and done.stdout.startswith("panel-tui "), done.stderr
