"""Turn rate and memory growth: two piped chat processes hold a long conversation.

Each side reads its lines from a file and writes what it receives to a file, as a script
would; the connector speaks first. A run is timed from the listener's launch until both
processes have exited, and counts only if every line arrived, in order, on the other side.

A `Variant` says how both programs talk: turnchat plain, with resume, or under TLS (where
the recipe wraps its sockets in Python's ssl, and both use the same key and certificate).
"""

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    BASELINE_CHAT,
    PYTHON,
    environment,
    listener_port,
    turnchat_command,
)

POLL_SECONDS = 0.001  # how often the waiting loop looks for an exit: the timing error
MEMORY_SAMPLE_SECONDS = 0.05
WARM_FRACTION = 0.05  # RSS growth is counted from this share of the conversation on


@dataclass(frozen=True)
class Variant:
    name: str
    flags: tuple[str, ...] = ()  # turnchat's, on both sides
    tls: bool = False  # the recipe encrypts too; turnchat's connector trusts the new key


PLAIN = Variant("plain")
RESUME = Variant("with resume", ("--resume",))
TLS = Variant("TLS (resume on)", ("--tls",), tls=True)
VARIANTS = (PLAIN, RESUME, TLS)


@dataclass
class Conversation:
    seconds: float
    turns: int
    listener_peak_kib: int  # the listener's peak RSS, last seen before it exited (0: unsampled)
    listener_warm_kib: int  # its RSS once WARM_FRACTION of the turns were done (0: unsampled)

    @property
    def turns_per_second(self) -> float:
        return self.turns / self.seconds


def commands(program: str, port: int | None, extra: tuple[str, ...] = (),
             home: Path | None = None) -> list[str]:
    """The listener's command (port None) or the connector's, for "turnchat" or "baseline";
    `extra` flags go to turnchat. With "--tls" among them, the recipe uses TLS too, with
    the key and certificate of turnchat's identity in `home` (see `tls_home`)."""
    tls = "--tls" in extra
    if program == "baseline":
        if port is not None:
            return [PYTHON, BASELINE_CHAT, "connect", str(port), *(["--tls"] if tls else [])]
        files = ["--tls", str(_identity(home, "crt")), str(_identity(home, "key"))] if tls else []
        return [PYTHON, BASELINE_CHAT, "listen", *files]
    if port is None:
        return [*turnchat_command(), "--listen", "127.0.0.1:0", "--name", "bo", *extra]
    trust = ("--accept-new",) if tls else ()
    return [*turnchat_command(), "--connect", f"127.0.0.1:{port}", "--name", "ana", *extra,
            *trust]


def tls_home(folder: Path) -> Path:
    """A config folder (XDG_CONFIG_HOME) under `folder` with turnchat's identity made."""
    home = folder / "config"
    subprocess.run([*turnchat_command(), "--fingerprint"], stdout=subprocess.DEVNULL,
                   env={**environment(), "XDG_CONFIG_HOME": str(home)}, check=True)
    return home


def _identity(home: Path | None, suffix: str) -> Path:
    assert home is not None, "TLS needs tls_home()"
    return home / "turnchat" / f"identity.{suffix}"


def environment_in(home: Path | None) -> dict[str, str]:
    """The measured processes' environment, with `home` as their config folder if given."""
    env = environment()
    if home is not None:
        env["XDG_CONFIG_HOME"] = str(home)
    return env


def write_lines(path: Path, side: str, count: int, size: int | None = None) -> None:
    """`count` distinct lines; each `size` bytes long (before its newline) if given."""
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            if size is None:
                line = f"{side} line {number}: the quick brown fox jumps over the lazy dog"
            else:
                head = f"{side[0]}{number} "
                line = head + _FILLER[: size - len(head)] if size > len(head) else head[:size]
            out.write(line + "\n")


_FILLER = "the quick brown fox jumps over the lazy dog " * 100  # 4,400 characters


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a live process, in KiB; empty once it has gone.

    Read from /proc rather than wait4's ru_maxrss: a child started by vfork inherits the
    parent's high-water mark, so ru_maxrss would report the benchmark's own size.
    """
    figures = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    figures[line[:5]] = int(line.split()[1])
    except OSError:
        pass
    return figures


def converse(program: str, turns: int, sample_memory: bool = False, size: int | None = None,
             variant: Variant = PLAIN) -> Conversation:
    """Hold one conversation of `turns` messages (half each way), each `size` bytes if
    given, and check every one."""
    each = turns // 2
    with tempfile.TemporaryDirectory(prefix="turnchat-bench-") as folder:
        work = Path(folder)
        home = tls_home(work) if variant.tls else None
        env = environment_in(home)
        for side in ("connector", "listener"):
            write_lines(work / f"{side}.in", side, each, size)
        with (
            (work / "listener.in").open("rb") as listener_in,
            (work / "listener.out").open("wb") as listener_out,
            (work / "connector.in").open("rb") as connector_in,
            (work / "connector.out").open("wb") as connector_out,
        ):
            started = time.perf_counter()
            listener = subprocess.Popen(commands(program, None, variant.flags, home),
                                        stdin=listener_in,
                                        stdout=listener_out, stderr=subprocess.PIPE, env=env)
            try:
                port = listener_port(listener)
                connector = subprocess.Popen(commands(program, port, variant.flags, home),
                                             stdin=connector_in,
                                             stdout=connector_out, stderr=subprocess.DEVNULL,
                                             env=env)
            except BaseException:
                listener.kill()
                listener.wait()
                raise
            warm_bytes = int((work / "connector.in").stat().st_size * WARM_FRACTION)
            peaks, warm = _wait_both(listener, connector, work / "listener.out",
                                     warm_bytes if sample_memory else None)
            seconds = time.perf_counter() - started
            assert listener.stderr is not None
            listener.stderr.close()
        for reader, writer in (("listener", "connector"), ("connector", "listener")):
            received = (work / f"{reader}.out").read_bytes()
            sent = (work / f"{writer}.in").read_bytes()
            if received != sent:
                got = received.count(b"\n")
                raise RuntimeError(f"{program}: the {reader} received {got} of {each} lines, "
                                   "or not in order")
        return Conversation(seconds, turns, peaks, warm)


def _wait_both(
    listener: subprocess.Popen[bytes],
    connector: subprocess.Popen[bytes],
    listener_out: Path,
    warm_bytes: int | None,
) -> tuple[int, int]:
    """Wait for both to exit. If `warm_bytes` is given, watch the listener's memory: return
    its last peak RSS and its RSS once it had printed `warm_bytes` (KiB)."""
    pending = [listener, connector]
    peak = warm = 0
    next_sample = time.monotonic()
    deadline = time.monotonic() + 600
    while pending:
        for process in list(pending):
            if process.poll() is not None:
                pending.remove(process)
                if process.returncode != 0:
                    raise RuntimeError(f"{process.args} exited with {process.returncode}")
        if warm_bytes is not None and listener in pending and time.monotonic() >= next_sample:
            next_sample += MEMORY_SAMPLE_SECONDS
            memory = memory_kib(listener.pid)
            peak = max(peak, memory.get("VmHWM", 0))
            if not warm and listener_out.stat().st_size >= warm_bytes:
                warm = memory.get("VmRSS", 0)
        if time.monotonic() > deadline:
            for process in pending:
                process.kill()
            raise RuntimeError("the conversation did not end within 600 s")
        time.sleep(POLL_SECONDS)
    return peak, warm
