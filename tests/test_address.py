"""Addresses as users write them on the command line."""

import re

import pytest

from turnchat.roles.address import Address, AddressError, parse_address


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, Address("localhost", 7777)),
        ("9000", Address("localhost", 9000)),
        ("example.org", Address("example.org", 7777)),
        ("example.org:80", Address("example.org", 80)),
        ("0.0.0.0:7777", Address("0.0.0.0", 7777)),
        ("[::1]:8000", Address("::1", 8000)),
        ("[::1]", Address("::1", 7777)),
        ("::1", Address("::1", 7777)),
        ("fe80::1:2", Address("fe80::1:2", 7777)),
        (":8000", Address("localhost", 8000)),
    ],
)
def test_good_addresses(text: str | None, expected: Address) -> None:
    assert parse_address(text, allow_port_zero=False) == expected


def test_a_listeners_single_word_is_its_port_unless_it_looks_like_a_host() -> None:
    assert parse_address("localhost", allow_port_zero=True) == Address("localhost", 7777)
    assert parse_address("0.0.0.0", allow_port_zero=True) == Address("0.0.0.0", 7777)
    for word in ("abc", "-1", "+8"):
        with pytest.raises(AddressError, match=re.escape(f"the port '{word}'")):
            parse_address(word, allow_port_zero=True)


def test_port_zero_only_where_allowed() -> None:
    assert parse_address("0", allow_port_zero=True).port == 0
    with pytest.raises(AddressError, match="from 1 to 65535"):
        parse_address("host:0", allow_port_zero=False)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("host:port", "not a number"),
        ("host:70000", "not a number"),
        ("host:-1", "not a number"),
        ("[::1", "unclosed"),
        ("[]:80", "empty"),
        ("[::1]80", "after ]"),
        ("", "empty"),
        ("a b:80", "white space"),
    ],
)
def test_bad_addresses(text: str, why: str) -> None:
    with pytest.raises(AddressError, match=why):
        parse_address(text, allow_port_zero=False)


def test_formatting_brackets_ipv6() -> None:
    assert str(Address("::1", 7777)) == "[::1]:7777"
    assert str(Address("127.0.0.1", 7777)) == "127.0.0.1:7777"
