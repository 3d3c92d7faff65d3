"""One scripted, resumable conversation through a relay that cuts it: run it, then judge it.

The real pieces, in this process: a `Listener` and a connector's socket (TLS or not), two
`Chat`s joined to their connections by `roles/starting.begin`, one `SelectorReactor` for
both, and tests/relay.py's `Relay` between them, told where to cut. Two scripted people take
their turns (messages, a game of tic-tac-toe, a message typed while the connection is down)
until bo leaves. The oracle (`Outcome.faults`) compares what each side was shown with what
the other sent: every message once, in order; the same game result on both sides; both
endings status 0; and the whole within a deadline (no stall).

    outcome = converse({0: Cut(UP, 117, "reset")})
    assert outcome.faults() == []
"""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.relay import Cut, Relay
from turnchat.net.closing import Farewells
from turnchat.net.reactor import SelectorReactor
from turnchat.roles.address import Address
from turnchat.roles.connector import connect
from turnchat.roles.listener import open_listener
from turnchat.roles.starting import Start, begin
from turnchat.session.chat import Chat, Ending
from turnchat.session.commands import Command, parse_command
from turnchat.session.ending import ExitStatus
from turnchat.session.resuming import ResumeSettings
from turnchat.wire import LocalProtocolError

# (who, line): each is typed on that person's turn, in this order.
SCRIPT: list[tuple[str, str]] = [
    ("ana", "hi bo"), ("bo", "hello ana"), ("ana", "how are you?"), ("bo", "fine; a game?"),
    ("ana", "/play tictactoe"), ("bo", "/accept"), ("bo", "5"), ("ana", "1"), ("bo", "9"),
    ("ana", "3"), ("bo", "2"), ("ana", "7"), ("bo", "8"),
    ("ana", "good game"), ("bo", "thanks ☺"), ("ana", "bye for now"), ("bo", "/q"),
]


def sent(script: list[tuple[str, str]], who: str) -> list[str]:
    """The messages `who` sends in `script` (not its commands and moves)."""
    return [line for person, line in script
            if person == who and not line.startswith("/") and not line.isdigit()]


GAME_OVER = {"ana": "Game over: bo won (three in a row).",
             "bo": "Game over: you won (three in a row)."}
DEADLINE_SECONDS = 20.0
_TLS_HOME = Path(tempfile.mkdtemp(prefix="turnchat-resume-"))


class ScriptedPerson:
    """A ChatView that types its lines of SCRIPT on its turns, and keeps what it is shown."""

    def __init__(self, name: str, reactor: SelectorReactor, run: "Run") -> None:
        self.name = name
        self.reactor = reactor
        self.run = run
        self.chat: Chat
        self.messages: list[str] = []
        self.notices: list[str] = []
        self.games: list[str] = []
        self.ending: Ending | None = None
        self.refusals: list[str] = []

    def show_message(self, sender: str, text: str) -> None:
        self.messages.append(text)

    def show_notice(self, text: str) -> None:
        self.notices.append(text)

    def show_game(self, text: str) -> None:
        self.games.append(text)

    def refresh(self) -> None:
        self.run.poke()

    def finish(self, ending: Ending) -> None:
        self.ending = ending
        self.run.poke()

    def type(self, line: str) -> None:
        command, text = parse_command(line)
        try:
            if command is Command.QUIT:
                self.chat.leave()
            elif command is Command.MESSAGE:
                self.chat.say(text)
            else:
                self.chat.table.command(command, text)
        except LocalProtocolError as error:
            self.refusals.append(f"{line!r}: {error}")


@dataclass
class Outcome:
    ana: ScriptedPerson
    bo: ScriptedPerson
    stalled: bool
    up: int = 0  # bytes the relay carried up on the first connection (an uncut run: all)
    down: int = 0
    connections: int = 0
    errors: list[str] = field(default_factory=list)
    handshake_up: int = 0  # TLS: bytes of the first connection's handshake, each way
    handshake_down: int = 0

    def faults(self) -> list[str]:
        """What went wrong, in words; [] when every message arrived exactly once, in
        order, the game ended alike on both sides, and both ended with status 0."""
        faults = list(self.errors)
        if self.stalled:
            faults.append(f"stalled at step {self.ana.run.step} of {len(self.ana.run.script)}")
        for person, peer in ((self.ana, "bo"), (self.bo, "ana")):
            expected = sent(self.ana.run.script, peer)
            if person.messages != expected:
                faults.append(f"{person.name} was shown {person.messages}, "
                              f"{peer} sent {expected}")
            if person.refusals:
                faults.append(f"{person.name} was refused {person.refusals}")
            if self.ana.run.script is SCRIPT and not any(
                    GAME_OVER[person.name] in line for line in person.games):
                faults.append(f"{person.name} did not see {GAME_OVER[person.name]!r}")
            ending = person.ending
            if ending is None or ending.status is not ExitStatus.ENDED:
                faults.append(f"{person.name} ended {ending}")
        return faults


class Run:
    """Drives the two people: whoever's turn the next line of SCRIPT is types it."""

    def __init__(self, reactor: SelectorReactor, script: list[tuple[str, str]]) -> None:
        self.reactor = reactor
        self.script = script
        self.step = 0
        self.people: dict[str, ScriptedPerson] = {}
        self._poked = False

    def poke(self) -> None:
        if not self._poked:
            self._poked = True
            self.reactor.call_later(0, self._advance)

    def _advance(self) -> None:
        self._poked = False
        people = self.people
        if all(person.ending is not None for person in people.values()):
            self.reactor.stop()
            return
        while self.step < len(self.script):
            who, line = self.script[self.step]
            chat = people[who].chat
            if not chat.my_turn:
                return
            self.step += 1
            people[who].type(line)


def converse(cuts: dict[int, Cut], tls: bool = False, heartbeat: float = 5.0,
             timeout: float = 5.0, deadline_seconds: float = DEADLINE_SECONDS,
             script: list[tuple[str, str]] = SCRIPT) -> Outcome:
    """Run `script` once between ana (connector) and bo (listener) through a relay that
    makes `cuts`; return what each side saw."""
    reactor = SelectorReactor()
    run = Run(reactor, script)
    ana, bo = ScriptedPerson("ana", reactor, run), ScriptedPerson("bo", reactor, run)
    run.people = {"ana": ana, "bo": bo}
    settings = ResumeSettings(window=DEADLINE_SECONDS, heartbeat=heartbeat)
    listener = open_listener(Address("127.0.0.1", 0))
    errors: list[str] = []
    farewells = Farewells()
    if tls:
        from turnchat.roles.identity import load_or_create

        identity = load_or_create(_TLS_HOME)
        listener.use_tls(identity.context, identity.fingerprint)
    port = listener.sockets[0].getsockname()[1]
    stalled = False
    with Relay(("127.0.0.1", port), cuts) as relay:
        bo_start = Start("bo", timeout, listener=listener, resume=settings)
        bo.chat = bo_start.chat(reactor, bo)
        begin(bo_start, bo.chat, reactor, farewells)
        ana_start = Start("ana", timeout, origin=f"relay:{relay.port}", resume=settings)
        address = ana_start.address = Address("127.0.0.1", relay.port)
        handshake = (0, 0)
        if tls:
            ana_start.connected, ana_start.tls = _connect_tls(address, reactor, listener)
            handshake = (relay.pairs[0].sent["up"], relay.pairs[0].sent["down"])
        else:
            ana_start.connected = connect(address, 5.0)
        ana.chat = ana_start.chat(reactor, ana)
        begin(ana_start, ana.chat, reactor, farewells)
        run.poke()

        def deadline() -> None:
            nonlocal stalled
            stalled = True
            reactor.stop()

        timer = reactor.call_later(deadline_seconds, deadline)
        try:
            reactor.run()
        except Exception as error:  # a crash is a fault the oracle reports
            errors.append(f"raised {type(error).__name__}: {error}")
        timer.cancel()
        for person in (ana, bo):
            if person.ending is None:
                person.chat.quit()
        farewells.finish_all()
        listener.close()
        reactor.close()
        pairs = relay.pairs
        first = pairs[0] if pairs else None
        return Outcome(ana, bo, stalled, first.sent["up"] if first else 0,
                       first.sent["down"] if first else 0, len(pairs), errors, *handshake)


def _connect_tls(address: Address, reactor: SelectorReactor, listener: object) -> tuple:
    """The connector's TLS on the listener's reactor: both run in this one thread, so the
    handshake is stepped by hand on the shared reactor until it is done."""
    from turnchat.net.tls import TLS, Handshake, client_context

    sock = connect(address, 5.0)
    tls = TLS(client_context(), server_side=False)
    outcome: list[object] = []
    Handshake(reactor, sock, tls, 5.0, lambda: (outcome.append(True), reactor.stop()),
              lambda error: (outcome.append(error), reactor.stop()))
    reactor.run()
    if outcome != [True]:
        raise RuntimeError(f"the TLS handshake failed: {outcome}")
    return sock, tls
