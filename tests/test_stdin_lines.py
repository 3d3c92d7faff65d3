"""Standard input as a message queue: read-ahead stays bounded while lines wait their turn."""

import contextlib
import os

from turnchat.faces.stdin_lines import READ_AHEAD_BYTES, StdinLines
from turnchat.net.reactor import SelectorReactor


def test_reading_pauses_while_enough_lines_wait_and_resumes_after() -> None:
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    reactor = SelectorReactor()
    skipped: list[str] = []
    lines = StdinLines(reactor, read_end, on_ready=lambda: None, on_skipped=skipped.append)
    line = b"x" * 99 + b"\n"
    written = 0
    try:
        for _ in range(40):  # offer far more than the read-ahead, as a fast producer would
            with contextlib.suppress(BlockingIOError):
                written += os.write(write_end, line * 300)
            reactor.call_later(0.02, reactor.stop)
            reactor.run()
        queued = sum(len(item) for item in lines.queue if isinstance(item, str))
        assert written > 2 * READ_AHEAD_BYTES  # the producer got ahead ...
        assert READ_AHEAD_BYTES <= queued < READ_AHEAD_BYTES + 65536  # ... we did not follow
        for _ in range(len(lines.queue)):
            lines.pop()
        reactor.call_later(0.05, reactor.stop)
        reactor.run()
        assert lines.queue  # popping below the mark resumed reading
        assert not skipped
    finally:
        reactor.close()
        os.close(read_end)
        os.close(write_end)
