"""`make bench`: every figure side by side with its baseline, as one table.

    python -m bench             the full run (about eight minutes on 2 cores)
    python -m bench --quick     tiny sizes: checks that every benchmark still runs
    python -m bench --readme    the full run, and the table written into README.md
"""

import argparse
import datetime
import functools
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import callgrind, codec, idle, memory, pairing, resume, startup, turns
from bench.common import ROOT, Figure, machine, table, warm_up

README = ROOT / "README.md"
README_SECTION = re.compile(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)", re.DOTALL)
MB = 1024  # KiB per MiB: RSS figures are in MiB


@dataclass(frozen=True)
class Sizes:
    turns: int  # the turn-rate conversation
    turn_repetitions: int
    message_sizes: tuple[int, ...]  # bytes a message, for the turn rate
    growth_turns: int  # the long conversation for RSS growth
    startup_repetitions: int
    instruction_iterations: tuple[int, int]  # two conversation lengths; the difference counts
    interactive_turns: int
    idle_seconds: float
    codec_bytes: int
    codec_repetitions: int
    resume_repetitions: int
    resume_turns: int


FULL = Sizes(20_000, 9, (10, 1000, 4096), 1_000_000, 21, (200, 1200), 20, 60.0, 20_000_000,
             5, 7, 2_000)
QUICK = Sizes(200, 1, (10, 4096), 2_000, 2, (10, 30), 2, 0.3, 200_000, 1, 1, 40)
TURN_RATE_GOAL = 1.10  # turnchat's time for a conversation, against the recipe's


def turn_rate(sizes: Sizes) -> list[Figure]:
    """Each variant (plain, resume, TLS) at each message size, beside the recipe talking
    the same way (over TLS too, for TLS). A run of each, turnchat and the recipe, one
    after the other, repeated: the ratio is the median of each pair's, so that the
    machine's drift (it is shared) hits both runs of a pair alike; the rates shown are
    the medians."""
    figures = []
    for variant in turns.VARIANTS:
        for size in sizes.message_sizes:
            seconds: dict[str, list[float]] = {"turnchat": [], "baseline": []}
            for _ in range(sizes.turn_repetitions):
                for program in seconds:
                    seconds[program].append(turns.converse(
                        program, sizes.turns, size=size, variant=variant).seconds)
            ratio = statistics.median(ours / theirs for ours, theirs in zip(
                seconds["turnchat"], seconds["baseline"], strict=True))
            ours, theirs = (statistics.median(values) for values in seconds.values())
            recipe = "recipe over TLS" if variant.tls else "recipe program"
            figures.append(Figure(
                f"Turn rate, {variant.name}, {size:,}-byte messages", "turns/s",
                sizes.turns / ours, recipe, sizes.turns / theirs,
                f"time <= {TURN_RATE_GOAL:.2f}x", ratio <= TURN_RATE_GOAL,
                f"{ratio:.2f}x time"))
    return figures


def instructions_per_turn(sizes: Sizes) -> list[Figure]:
    """Exact user-space instructions one listener spends per message in and out."""
    short, long = sizes.instruction_iterations
    counts = callgrind.count_all({
        f"{program} {each}": functools.partial(_listener_instructions, program, each)
        for program in ("turnchat", "baseline") for each in (short, long)})
    per_turn = {program: (counts[f"{program} {long}"] - counts[f"{program} {short}"])
                / (long - short) / 1000 for program in ("turnchat", "baseline")}
    return [Figure("Listener, instructions per message in + out", "k instr",
                   per_turn["turnchat"], "recipe program", per_turn["baseline"])]


def _listener_instructions(program: str, each: int, extra: tuple[str, ...] = ()) -> int:
    with tempfile.TemporaryDirectory(prefix="turnchat-bench-") as folder:
        lines = {side: Path(folder) / f"{side}.in" for side in ("listener", "connector")}
        for side, path in lines.items():
            turns.write_lines(path, side, each)
        home = turns.tls_home(Path(folder)) if "--tls" in extra else None
        env = turns.environment_in(home)

        def peer(port: int) -> None:
            with lines["connector"].open("rb") as source:
                subprocess.run(turns.commands(program, port, extra, home), stdin=source,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env, check=True)

        with lines["listener"].open("rb") as source:
            return callgrind.count(turns.commands(program, None, extra, home), stdin=source,
                                   peer=peer, env=env)


def resume_figures(sizes: Sizes) -> list[Figure]:
    """Resume: what it costs per message, how fast a cut heals, what it holds."""
    figures = []
    if callgrind.available():
        # The goal is 5%, and now and then a count strays up by far more (the ending's
        # waits, under valgrind, depend on timing): the least of three, each, whose extra
        # work is only the conversation's.
        short, long = sizes.instruction_iterations
        counts = callgrind.count_all({
            (flags, each, again): functools.partial(_listener_instructions, "turnchat", each,
                                                    flags)
            for flags in (("--resume",), ()) for each in (short, long) for again in range(3)})
        least = {(flags, each): min(counts[flags, each, again] for again in range(3))
                 for flags in (("--resume",), ()) for each in (short, long)}
        per_turn = {flags: (least[flags, long] - least[flags, short]) / (long - short) / 1000
                    for flags in (("--resume",), ())}
        on, off = per_turn[("--resume",)], per_turn[()]
        figures.append(Figure("Resume on, instructions per message in + out", "k instr", on,
                              "resume off", off, "<= 1.05x", on <= 1.05 * off))
    for how in ("close", "reset"):
        seconds = resume.cut_to_resumed(how, sizes.resume_repetitions)
        figures.append(Figure(f"Resume, from a cut ({how}) to the next message", "ms",
                              seconds * 1000, "goal", 1000.0, "< 1 s", seconds < 1.0))
    frames, kib = resume.most_held(sizes.resume_turns)
    figures.append(Figure(f"Resume, most frames held unacknowledged ({sizes.resume_turns:,} "
                          "turns of 4 KiB)", "frames", frames, "one turn's",
                          resume.BOUND_FRAMES, f"<= {resume.BOUND_FRAMES}",
                          frames <= resume.BOUND_FRAMES, ratio_text=f"{kib:.0f} KiB"))
    return figures


START_UP_GOAL = 1.3  # instructions, against the import floor


def start_up(sizes: Sizes) -> list[Figure]:
    """Instructions from launch (callgrind: wall time is too noisy here) against the import
    floor; the plain listener and connector have a goal, the rest are shown. Wall times
    (medians) for a feel of it, against the floor's."""
    wall = startup.interleaved_medians(sizes.startup_repetitions)
    floor_ms = wall["floor"] * 1000
    figures = [
        Figure("Start-up, `turnchat --help` (wall)", "ms", wall["help"] * 1000,
               "import floor", floor_ms),
        Figure("Start-up, listener until it accepts (wall)", "ms", wall["accept"] * 1000,
               "import floor", floor_ms),
    ]
    if callgrind.available():
        counts = {name: value / 1e6 for name, value in startup.instructions().items()}
        floor = counts["floor"]
        for name, measure in startup.MEASURED.items():
            goal = name in startup.WITH_GOAL
            figures.append(Figure(
                f"Start-up, {measure}, instructions", "M", counts[name], "import floor",
                floor, f"<= {START_UP_GOAL}x" if goal else "",
                counts[name] <= START_UP_GOAL * floor if goal else None))
        figures.append(Figure(f"Start-up, the import floor: python -c \"{startup.FLOOR_IMPORTS}\"",
                              "M", floor, "python3 -c pass", counts["bare"]))
    forbidden = startup.plain_face_imports()
    figures.append(Figure("Plain face imports asyncio or prompt_toolkit", "modules",
                          len(forbidden), "python3 -c pass", 0, "none", not forbidden,
                          ratio_text=", ".join(forbidden) or "-"))
    return figures


def memory_figures(sizes: Sizes) -> list[Figure]:
    bare = memory.bare_interpreter_kib() / MB
    long_ours = turns.converse("turnchat", sizes.growth_turns, sample_memory=True)
    long_theirs = turns.converse("baseline", sizes.growth_turns, sample_memory=True)
    interactive = memory.interactive_listener_kib(sizes.interactive_turns) / MB
    growth = (long_ours.listener_peak_kib - long_ours.listener_warm_kib) / MB
    growth_theirs = (long_theirs.listener_peak_kib - long_theirs.listener_warm_kib) / MB
    plain = long_ours.listener_peak_kib / MB
    return [
        Figure("Peak RSS, plain listener", "MiB", plain, "python3 -c pass", bare,
               "< 18 MiB", plain < 18),
        Figure("Peak RSS, interactive listener (pty)", "MiB", interactive,
               "python3 -c pass", bare, "< 40 MiB", interactive < 40),
        Figure(f"RSS growth over {sizes.growth_turns:,} turns", "MiB", growth,
               "recipe program", growth_theirs, "< 1 MiB", growth < 1,
               ratio_text=f"+{growth - growth_theirs:.2f} MiB"),
    ]


IDLE_GOAL_MS = 1.0  # CPU a minute, while waiting


def idle_figures(sizes: Sizes) -> list[Figure]:
    """CPU each waiting process used, all in the same window, in ms a minute."""
    used = idle.measure(sizes.idle_seconds)
    per_minute = 60.0 / sizes.idle_seconds
    figures = []
    for face in idle.FACES:
        for wait, what in idle.WAITS.items():
            ours = used["turnchat", face, wait] * per_minute
            theirs = used["baseline", "plain", wait] * per_minute
            figures.append(Figure(
                f"Idle CPU, {face} face, {what} ({sizes.idle_seconds:g} s)", "ms/min", ours,
                "recipe program", theirs, f"< {IDLE_GOAL_MS:g} ms/min", ours < IDLE_GOAL_MS,
                ratio_text=f"+{ours - theirs:.2f} ms"))
    return figures


def pairing_figures(sizes: Sizes) -> list[Figure]:
    """Pairing: a whole pairing, and the import it needs (paid only when pairing)."""
    whole = pairing.pairing_seconds(sizes.resume_repetitions) * 1000
    loading = pairing.import_seconds(sizes.resume_repetitions) * 1000
    return [
        Figure("Pairing, connect to confirmation (TLS 1.3, SPAKE2 both sides)", "ms", whole,
               "issue's prototype", 50.0),
        Figure("Pairing, importing spake2 (once, only when pairing)", "ms", loading,
               "issue's estimate", 34.0),
    ]


def codec_figures(sizes: Sizes) -> list[Figure]:
    ours, theirs, frames = codec.measure(sizes.codec_bytes, sizes.codec_repetitions)
    frames_per_mb = frames / (sizes.codec_bytes / 1e6)
    return [
        Figure("Codec, decode mixed frames in random chunks", "MB/s", ours,
               "struct.unpack loop", theirs),
        Figure("Codec, frames decoded per second", "k frames/s", ours * frames_per_mb / 1000,
               "struct.unpack loop", theirs * frames_per_mb / 1000),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, a smoke run")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    started = time.monotonic()
    warm_up()
    figures: list[Figure] = []
    for name, section in (("turn rate", turn_rate), ("start-up", start_up),
                          ("instructions per turn", instructions_per_turn),
                          ("memory", memory_figures), ("idle", idle_figures),
                          ("resume", resume_figures), ("pairing", pairing_figures),
                          ("codec", codec_figures)):
        if section is instructions_per_turn and not callgrind.available():
            continue
        print(f"measuring {name}...", file=sys.stderr, flush=True)
        figures += section(sizes)
    report = (f"Measured {datetime.date.today().isoformat()} with `make bench` on "
              f"{machine()}; medians of interleaved runs.\n\n{table(figures)}\n")
    print(report)
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
    if args.readme:
        text = README.read_text(encoding="utf-8")
        if not README_SECTION.search(text):
            print("README.md has no <!-- bench:start --> section.", file=sys.stderr)
            return 1
        README.write_text(README_SECTION.sub(lambda m: m.group(1) + report + m.group(2),
                                             text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
