"""What every benchmark shares: the programs under test, their environment, and the table.

Every figure is a pair measured side by side in one run (turnchat and its baseline), reduced
to the median of several repetitions and reported as a ratio, because these machines are
shared and a single timing says little.
"""

import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BASELINE_CHAT = str(Path(__file__).resolve().parent / "baseline_chat.py")
START_TIMEOUT = 30.0  # seconds a listener may take to say where it listens
LISTENING = re.compile(rb"[Ll]istening on 127\.0\.0\.1:(\d+)")


def turnchat_command() -> list[str]:
    """How a user starts turnchat: the installed console script if there is one."""
    script = Path(PYTHON).parent / "turnchat"
    if script.exists():
        return [str(script)]
    return [PYTHON, str(ROOT / "turnchat.py")]


def environment() -> dict[str, str]:
    """The environment of every measured process: cached bytecode, as users have it."""
    env = dict(os.environ)
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONPROFILEIMPORTTIME",
                 "TURNCHAT_DEBUG"):
        env.pop(name, None)
    return env


def warm_up() -> None:
    """Run each program once so that its bytecode is cached before anything is timed."""
    env = environment()
    subprocess.run([*turnchat_command(), "--help"], env=env, stdout=subprocess.DEVNULL,
                   check=True)
    # Every module's bytecode, not only the plain face's: a figure must not pay for
    # compiling the resume or TLS modules on its first run.
    subprocess.run([PYTHON, "-m", "compileall", "-q", *(str(ROOT / layer) for layer in (
        "wire", "games", "session", "net", "roles", "faces")), str(ROOT / "turnchat.py")],
        env=env, cwd=ROOT, check=True)
    subprocess.run([PYTHON, BASELINE_CHAT, "--help"], env=env, stdout=subprocess.DEVNULL,
                   check=True)


def listener_port(process: subprocess.Popen[bytes], seen: bytearray | None = None) -> int:
    """Read the listener's stderr until it names its port (both programs print it); the
    lines read on the way are added to `seen`."""
    assert process.stderr is not None
    deadline = time.monotonic() + START_TIMEOUT
    seen = bytearray() if seen is None else seen
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen += line
        if found := LISTENING.search(line):
            return int(found.group(1))
    process.kill()
    raise RuntimeError(f"the listener never said where it listens: {seen!r}")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    return (f"{cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()} "
            f"({platform.python_implementation()}); {platform.system()} {platform.release()}")


@dataclass
class Figure:
    """One row of the table: turnchat's value beside its baseline's."""

    measure: str
    unit: str
    ours: float
    baseline_name: str
    baseline: float
    goal: str = ""
    met: bool | None = None  # None: the figure has no goal of its own
    ratio_text: str | None = None  # when a plain ratio would mislead (a baseline near 0)

    @property
    def ratio(self) -> str:
        if self.ratio_text is not None:
            return self.ratio_text
        return f"{self.ours / self.baseline:.2f}x" if self.baseline else "n/a"


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(figures: Sequence[Figure]) -> str:
    """A Markdown table, readable as is in a terminal and in the README."""
    header = ("Measure", "turnchat", "Baseline", "Ratio", "Goal", "Met")
    rows = [header, tuple("-" * len(h) for h in header)]
    for figure in figures:
        met = "" if figure.met is None else ("yes" if figure.met else "**no**")
        rows.append((
            figure.measure,
            f"{_number(figure.ours)} {figure.unit}",
            f"{figure.baseline_name}: {_number(figure.baseline)} {figure.unit}",
            figure.ratio,
            figure.goal,
            met,
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        + " |"
        for row in rows
    )
