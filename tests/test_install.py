"""`pip install .` puts one package, `turnchat`, at the top of site-packages, and the
installed command runs from any folder (no layer is importable on its own)."""

import os
import subprocess
import sys
from pathlib import Path

from tests.processes import ROOT


def test_one_package_is_installed_and_runs_from_anywhere(tmp_path: Path) -> None:
    target = tmp_path / "site-packages"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(ROOT)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert build.returncode == 0, build.stderr
    top = sorted(name for name in os.listdir(target) if name != "bin")
    assert top == ["turnchat", "turnchat-1.0.0.dist-info"]
    installed = sorted(path.name for path in (target / "turnchat").iterdir()
                       if path.name != "__pycache__")
    assert installed == ["faces", "games", "net", "roles", "session", "turnchat.py", "wire"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run([str(target / "bin" / "turnchat"), "--connect", "127.0.0.1:1"],
                         capture_output=True, text=True, cwd=elsewhere, env=env, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert (run.returncode, run.stderr) == (3, "turnchat: cannot connect to 127.0.0.1:1: "
                                               "connection refused (is turnchat listening "
                                               "there?).\n")
    # Without site-packages (where a development venv puts the checkout), only `target`:
    probe = "import sys; sys.path.insert(0, sys.argv[1]); import {}"
    for module, found in (("turnchat.wire.frames", 0), ("wire", 1), ("roles", 1)):
        run = subprocess.run([sys.executable, "-S", "-c", probe.format(module), str(target)],
                             capture_output=True, cwd=elsewhere, timeout=60)
        assert run.returncode == found, (module, run.stderr)  # no layer is a top package
