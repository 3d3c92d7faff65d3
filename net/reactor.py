"""One epoll, one thread: the event loop of the plain face.

It offers the handful of methods of asyncio's event loop that turnchat uses (add_reader,
remove_reader, add_writer, remove_writer, call_later, add_signal_handler), so the code above
it runs unchanged on asyncio under prompt_toolkit, while the plain face pays for neither
asyncio nor prompt_toolkit at start-up. There is no polling: `select` sleeps until a file
is ready, a timer is due, or a signal arrives through the wakeup socket.
"""

from __future__ import annotations

import heapq
import itertools
import select
import selectors
import signal
import socket
import time
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol
else:  # the interfaces below are for the type checker; typing would cost start-up time
    Protocol = object

Callback = Callable[[], None]


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class Reactor(Protocol):
    """The part of asyncio.AbstractEventLoop that turnchat's socket code relies on."""

    def add_reader(self, fd: Any, callback: Callback) -> None: ...
    def remove_reader(self, fd: Any) -> bool: ...
    def add_writer(self, fd: Any, callback: Callback) -> None: ...
    def remove_writer(self, fd: Any) -> bool: ...
    def call_later(self, delay: float, callback: Callback) -> TimerHandle: ...


# While work keeps coming, the timers are checked on every BUSY_READS-th wait only, so a
# pending timer (the resume heartbeat) does not cost each message a clock read; a timer is
# then late by at most that many callbacks, microseconds next to its seconds.
BUSY_READS = 64


class _Timer:
    __slots__ = ("callback", "cancelled")

    def __init__(self, callback: Callback) -> None:
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class _Poller:
    """`select.epoll`'s four methods, where there is no epoll (BSD, macOS): selectors'
    best, giving back plain (fd, events) pairs as epoll does."""

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()

    def register(self, fd: int, mask: int) -> None:
        self._selector.register(fd, _selector_mask(mask))

    def modify(self, fd: int, mask: int) -> None:
        self._selector.modify(fd, _selector_mask(mask))

    def unregister(self, fd: int) -> None:
        self._selector.unregister(fd)

    def poll(self, timeout: float = -1.0) -> list[tuple[int, int]]:
        """Wait as epoll.poll does: a negative timeout is no timeout (to selectors, it
        would be none at all: a loop that never sleeps)."""
        return [(key.fd, (_READ if events & selectors.EVENT_READ else 0)
                 | (_WRITE if events & selectors.EVENT_WRITE else 0))
                for key, events in self._selector.select(None if timeout < 0 else timeout)]

    def close(self) -> None:
        self._selector.close()


def _selector_mask(mask: int) -> int:
    return ((selectors.EVENT_READ if mask & _READ else 0)
            | (selectors.EVENT_WRITE if mask & _WRITE else 0))


# poll's bits, which are epoll's too (EPOLLIN == POLLIN, ...). A reader also wakes for an
# error or a hang-up, as with selectors: its recv then says what happened.
_READ = select.POLLIN
_WRITE = select.POLLOUT
_READ_EVENTS = select.POLLIN | select.POLLERR | select.POLLHUP
_WRITE_EVENTS = select.POLLOUT | select.POLLERR | select.POLLHUP


class SelectorReactor:
    """An epoll loop with timers and signal handlers, run until `stop()`.

    It reads epoll's (fd, events) pairs itself rather than through `selectors`, whose
    key objects and mask translation cost every message a few microseconds."""

    def __init__(self, epoll: bool = hasattr(select, "epoll")) -> None:
        """`epoll`: where there is none (BSD, macOS), selectors' best stands in for it."""
        self._poller = select.epoll() if epoll else _Poller()
        self._callbacks: dict[int, list[Callback | None]] = {}  # fd -> [reader, writer]
        self._timers: list[tuple[float, int, _Timer]] = []
        self._sequence = itertools.count()  # orders timers due at the same moment
        self._signal_handlers: dict[int, Callback] = {}
        self._previous_handlers: dict[int, Any] = {}
        self._wakeup: tuple[socket.socket, socket.socket] | None = None
        self._running = False
        self._stop_pending = False  # stop() came while not running: the next run() returns
        self._until_check = 0  # waits before the timers are looked at again (0: now)

    # -- files -----------------------------------------------------------------------------

    def add_reader(self, fd: Any, callback: Callback) -> None:
        self._set(fd, 0, callback)

    def remove_reader(self, fd: Any) -> bool:
        return self._set(fd, 0, None)

    def add_writer(self, fd: Any, callback: Callback) -> None:
        self._set(fd, 1, callback)

    def remove_writer(self, fd: Any) -> bool:
        return self._set(fd, 1, None)

    def _set(self, fd: Any, slot: int, callback: Callback | None) -> bool:
        """Register or drop one direction of a file; raises OSError if it cannot be watched
        (a regular file, or /dev/null: epoll refuses them, and they never block)."""
        number = fd if isinstance(fd, int) else fd.fileno()
        if number < 0:
            return False
        pair = self._callbacks.get(number, [None, None])
        had = pair[slot] is not None
        new = list(pair)
        new[slot] = callback
        mask = (_READ if new[0] else 0) | (_WRITE if new[1] else 0)
        if number in self._callbacks:
            if mask:
                self._poller.modify(number, mask)
            else:
                self._poller.unregister(number)
        elif mask:
            self._poller.register(number, mask)
        if mask:
            self._callbacks[number] = new
        else:
            self._callbacks.pop(number, None)
        return had

    # -- time and signals ------------------------------------------------------------------

    def call_later(self, delay: float, callback: Callback) -> _Timer:
        timer = _Timer(callback)
        self._until_check = 0  # it may be due before the wait the loop last worked out
        heapq.heappush(self._timers, (time.monotonic() + delay, next(self._sequence), timer))
        return timer

    def add_signal_handler(self, signum: int, callback: Callback) -> None:
        """Run `callback` from the loop (not from inside the signal) when `signum` arrives."""
        if self._wakeup is None:
            self._wakeup = socket.socketpair()
            for end in self._wakeup:
                end.setblocking(False)
            signal.set_wakeup_fd(self._wakeup[1].fileno(), warn_on_full_buffer=False)
            self.add_reader(self._wakeup[0], self._dispatch_signals)
        self._signal_handlers[signum] = callback
        previous = signal.signal(signum, lambda _signum, _frame: None)  # the wakeup fd acts
        self._previous_handlers.setdefault(signum, previous)

    def _dispatch_signals(self) -> None:
        assert self._wakeup is not None
        try:
            numbers = self._wakeup[0].recv(64)
        except BlockingIOError:
            return
        for number in numbers:
            handler = self._signal_handlers.get(number)
            if handler is not None:
                handler()

    # -- running ---------------------------------------------------------------------------

    def stop(self) -> None:
        self._stop_pending = not self._running
        self._running = False

    def run(self) -> None:
        """Dispatch files and timers until `stop()` is called (or return at once if it was
        called since the last run).

        A callback's exception ends this call and reaches the caller, which may run the
        reactor again to carry on (to close connections politely, say).
        """
        self._running, self._stop_pending = not self._stop_pending, False
        # Every name the loop uses is local: it runs twice a message.
        poll, callbacks, timers = self._poller.poll, self._callbacks, self._timers
        read_events, write_events = _READ_EVENTS, _WRITE_EVENTS
        timeout = -1.0  # epoll's "until a file is ready"
        while self._running:
            if timers:
                self._until_check -= 1
                if self._until_check < 0:  # (call_later makes it 0: a new timer is seen)
                    self._until_check = BUSY_READS - 1
                    timeout = self._due_timers()
                    if not self._running:
                        break
                ready = poll(timeout)  # EINTR: retried (PEP 475)
                if not ready:  # the wait timed out: a timer is due
                    self._until_check = 0
            else:  # no timer pending: wait for a file (or a signal's wakeup byte)
                ready = poll(-1.0)
            for fd, events in ready:
                pair = callbacks.get(fd)
                if pair is None:
                    continue
                reader, writer = pair
                if events & read_events and reader is not None:
                    reader()
                if events & write_events and writer is not None and self._running:
                    current = callbacks.get(fd)
                    if current is not None and current[1] is writer:
                        writer()
                if not self._running:
                    break

    def _due_timers(self) -> float:
        """Run the timers that are due; return the seconds until the next one (-1.0 if
        none is left). The clock is read once: this runs before every wait, so it is on
        the path of every message whenever a timer is pending (the resume heartbeat)."""
        timers = self._timers
        now = time.monotonic()
        while timers:
            when, _, timer = timers[0]
            if timer.cancelled:
                heapq.heappop(timers)
            elif when > now:
                return when - now
            else:
                heapq.heappop(timers)
                timer.callback()
                if not self._running:
                    return 0.0
        return -1.0

    def close(self) -> None:
        """Give back the selector and restore the signals this reactor took over."""
        if self._wakeup is not None:
            signal.set_wakeup_fd(-1)
            for signum, previous in self._previous_handlers.items():
                signal.signal(signum, previous)
            for end in self._wakeup:
                end.close()
            self._wakeup = None
        self._poller.close()
        self._callbacks.clear()
