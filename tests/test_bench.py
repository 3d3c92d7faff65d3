"""A smoke run of `make bench` with tiny sizes, so the benchmarks cannot rot unnoticed.

It asserts what the benchmarks print and that each conversation they time really happened
(the bench itself refuses a run where a line went missing), never how fast anything was.
"""

import shutil
import subprocess
import sys

from tests.processes import ROOT

ROWS = [
    *(f"Turn rate, {variant}, {size}-byte messages"
      for variant in ("plain", "with resume", "TLS (resume on)") for size in ("10", "4,096")),
    "Start-up, `turnchat --help` (wall)",
    "Start-up, listener until it accepts (wall)",
    "Plain face imports asyncio or prompt_toolkit",
    "Peak RSS, plain listener",
    "Peak RSS, interactive listener (pty)",
    "RSS growth over 2,000 turns",
    *(f"Idle CPU, {face} face, {wait} (0.3 s)" for face in ("plain", "interactive")
      for wait in ("listener waiting for a peer", "waiting for the peer's turn",
                   "its turn, waiting for its person")),
    "Codec, decode mixed frames in random chunks",
    "Pairing, connect to confirmation (TLS 1.3, SPAKE2 both sides)",
    "Pairing, importing spake2 (once, only when pairing)",
]
COUNTED_ROWS = [
    "Start-up, plain listener, accepts one peer, instructions",
    "Start-up, plain connector, to a closed port, instructions",
    "Start-up, `turnchat --help`, instructions",
    "Start-up, --tls listener, accepts one peer over TLS, instructions",
    "Start-up, --code connector, to a closed port, instructions",
    "Listener, instructions per message in + out",
]


def test_quick_bench_prints_every_figure_with_its_baseline() -> None:
    run = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = {line.split("|")[1].strip(): line for line in run.stdout.splitlines()
             if line.startswith("| ")}
    expected = ROWS + (COUNTED_ROWS if shutil.which("valgrind") else [])
    for row in expected:
        assert row in lines, f"no row {row!r} in:\n{run.stdout}"
        cells = [cell.strip() for cell in lines[row].split("|")[1:-1]]
        assert cells[1] and ":" in cells[2] and cells[3], lines[row]  # value, baseline, ratio
    imports = [cell.strip() for cell in
               lines["Plain face imports asyncio or prompt_toolkit"].split("|")[1:-1]]
    assert imports[5] == "yes", "the plain face imported asyncio or prompt_toolkit"
    assert "Python 3." in run.stdout and "cores" in run.stdout
