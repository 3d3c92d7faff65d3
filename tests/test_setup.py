"""The set-up behind `make run` and `make test` (scripts/setup-venv), with a stand-in for
Python that records each step: two set-ups started at once take turns, and the second
finds the work done; `run` installs what turnchat needs at run time, `test` the test tools.
"""

import os
import subprocess
import textwrap
from pathlib import Path

from tests.processes import ROOT, WAIT

SETUP = ROOT / "scripts" / "setup-venv"


def stand_in_python(folder: Path, log: Path) -> Path:
    """A `python` that makes a venv of stand-ins and logs installs, taking a moment."""
    python = folder / "python"
    python.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        if [ "$1 $2" = "-m venv" ]; then
            mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && exit 0
        fi
        echo "start $*" >> {log}
        sleep 0.3
        echo "end $*" >> {log}
        """))
    python.chmod(0o755)
    return python


def test_two_set_ups_at_once_take_turns_and_the_second_finds_it_done(tmp_path: Path) -> None:
    log = tmp_path / "log"
    python = stand_in_python(tmp_path, log)
    venv = tmp_path / "venv"
    started = [subprocess.Popen([SETUP, "run", str(venv), str(python)], cwd=ROOT)
               for _ in range(2)]
    assert [process.wait(WAIT) for process in started] == [0, 0]
    steps = log.read_text().splitlines()
    # One set-up's steps, each started and ended before the next: no second pip at once.
    assert [step.split()[0] for step in steps] == ["start", "end"] * 2
    assert "--upgrade pip" in steps[0] and "install --quiet --editable ." in steps[2]
    assert (venv / ".ready-run").exists()


def test_run_installs_what_turnchat_needs_and_test_the_test_tools(tmp_path: Path) -> None:
    log = tmp_path / "log"
    python = stand_in_python(tmp_path, log)
    venv = tmp_path / "venv"
    for what in ("run", "test"):
        subprocess.run([SETUP, what, str(venv), str(python)], cwd=ROOT, check=True,
                       timeout=WAIT, env={**os.environ})
    installs = [step for step in log.read_text().splitlines()
                if step.startswith("start") and "--editable" in step]
    assert [step.split("--editable ")[1].split()[0] for step in installs] == [".", ".[test]"]
