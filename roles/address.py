"""Command-line addresses: `PORT`, `HOST`, `HOST:PORT`, `[IPv6]:PORT`, `[IPv6]`, bare IPv6."""

from __future__ import annotations

import socket

from turnchat.roles import DEFAULT_HOST, DEFAULT_PORT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class AddressError(ValueError):
    """The text is not an address; the message says why, as a sentence fragment."""


class Address(tuple[str, int]):
    """(host, port): a tuple, written out (a dataclass's import would cost start-up)."""

    __slots__ = ()

    def __new__(cls, host: str, port: int) -> Address:
        return tuple.__new__(cls, (host, port))

    @property
    def host(self) -> str:
        return self[0]

    @property
    def port(self) -> int:
        return self[1]

    def __repr__(self) -> str:
        return f"Address({self[0]!r}, {self[1]!r})"

    def __str__(self) -> str:
        return format_address(self.host, self.port)


def resolve(address: Address, flags: int = 0) -> list[tuple[Any, ...]]:
    """`socket.getaddrinfo` for a TCP address. An ASCII host goes as bytes: getaddrinfo
    encodes a str host with the idna codec, whose import alone costs a plain turnchat
    a millisecond of start-up; a name with other letters still goes through IDNA."""
    host = address.host
    return socket.getaddrinfo(host.encode() if host.isascii() else host, address.port,
                              type=socket.SOCK_STREAM, flags=flags)


def format_address(host: str, port: int) -> str:
    """`host:port`, with IPv6 literals in brackets as URLs and ssh write them."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def parse_address(text: str | None, *, allow_port_zero: bool,
                  default_port: int = DEFAULT_PORT) -> Address:
    """Parse a --listen or --connect value; None means the default, localhost:7777.

    A value of digits alone is a port; anything else is a host with an optional port. A
    signed number is a port out of range, not a host; and for a listener (port 0 allowed),
    whose value is `[HOST:]PORT`, a single word is a port unless it looks like a host (has a
    dot, or is localhost), so `--listen abc` is a usage error, not an unknown host.
    """
    if text is None:
        return Address(DEFAULT_HOST, DEFAULT_PORT)
    text = text.strip()
    if not text:
        raise AddressError("the address is empty")
    if text.isdigit() or (text[1:].isdigit() and text[0] in "+-"):
        return Address(DEFAULT_HOST, _port(text, allow_port_zero))
    if allow_port_zero and ":" not in text and "." not in text and text != "localhost":
        _port(text, allow_port_zero)  # raises: a listener's single word is its port
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or not host:
            raise AddressError(f"{text!r} has an unclosed or empty [ ]")
        if rest and not rest.startswith(":"):
            raise AddressError(f"{text!r} has text after ] that is not :PORT")
        port_text = rest[1:] if rest else None
    elif text.count(":") > 1:  # a bare IPv6 literal cannot carry a port
        host, port_text = text, None
    else:
        host, colon, port_text = text.partition(":")
        if not colon:
            port_text = None
        if not host:
            host = DEFAULT_HOST
    if any(char.isspace() for char in host):
        raise AddressError(f"the host {host!r} contains white space")
    port = default_port if port_text is None else _port(port_text, allow_port_zero)
    return Address(host, port)


def _port(text: str, allow_zero: bool) -> int:
    lowest = 0 if allow_zero else 1
    if not text.isdigit() or not lowest <= int(text) <= 65535:
        raise AddressError(f"the port {text!r} is not a number from {lowest} to 65535")
    return int(text)
