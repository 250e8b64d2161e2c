"""Leaf tests: one value from the event (a string, number, true/false or null) in, yes or no out.

Numbers are compared as numbers (300 == 3.0e2), strings as strings; a string never equals a
number. The anything-but forms match every value that is not excluded, including null, numbers
for the string forms, and strings for the numeric form; a missing field matches none of them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lamina.patterns.addresses import Address, Network, ip_or_none


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Matcher:
    __slots__ = ()

    def match(self, value: Any) -> bool:
        raise NotImplementedError


class Prefix(Matcher):
    __slots__ = ("ignore_case", "text")

    def __init__(self, text: str, ignore_case: bool = False) -> None:
        self.text = text.lower() if ignore_case else text
        self.ignore_case = ignore_case

    def match(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        return (value.lower() if self.ignore_case else value).startswith(self.text)


class Suffix(Prefix):
    __slots__ = ()

    def match(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        return (value.lower() if self.ignore_case else value).endswith(self.text)


class EqualsIgnoreCase(Matcher):
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text.lower()

    def match(self, value: Any) -> bool:
        return isinstance(value, str) and value.lower() == self.text


class Wildcard(Matcher):
    __slots__ = ("regex",)

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex

    def match(self, value: Any) -> bool:
        return isinstance(value, str) and self.regex.fullmatch(value) is not None


class Numeric(Matcher):
    """A range: bounds may be open, closed or absent. `=` is the range [x, x]."""

    __slots__ = ("bottom", "bottom_open", "limit", "top", "top_open")

    def __init__(
        self,
        bottom: float | None,
        bottom_open: bool,
        top: float | None,
        top_open: bool,
        limit: float,
    ) -> None:
        self.bottom, self.bottom_open = bottom, bottom_open
        self.top, self.top_open = top, top_open
        self.limit = limit

    def match(self, value: Any) -> bool:
        # Values beyond the dialect's range are not comparable, as on AWS.
        if not is_number(value) or not -self.limit <= value <= self.limit:
            return False
        if self.bottom is not None and (
            value <= self.bottom if self.bottom_open else value < self.bottom
        ):
            return False
        return self.top is None or not (value >= self.top if self.top_open else value > self.top)


class Cidr(Matcher):
    __slots__ = ("network",)

    def __init__(self, network: Network) -> None:
        self.network = network

    def match(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        address = ip_or_none(value)
        return (
            address is not None
            and address.version == self.network.version
            and (address in self.network)
        )


class SameAddress(Matcher):
    """An exact value that is an IP address also matches other spellings of that address."""

    __slots__ = ("address",)

    def __init__(self, address: Address) -> None:
        self.address = address

    def match(self, value: Any) -> bool:
        return isinstance(value, str) and ip_or_none(value) == self.address


class Exists(Matcher):
    __slots__ = ()

    def match(self, value: Any) -> bool:
        return True


class AnythingBut(Matcher):
    """Matches any value not in `strings` (compared as strings) nor `numbers` (as numbers)."""

    __slots__ = ("numbers", "strings")

    def __init__(self, strings: Iterable[str], numbers: Iterable[float]) -> None:
        self.strings = frozenset(strings)
        self.numbers = frozenset(numbers)

    def match(self, value: Any) -> bool:
        if isinstance(value, str):
            return value not in self.strings
        if is_number(value):
            return value not in self.numbers
        return True


class AnythingButEach(Matcher):
    """anything-but over prefix/suffix/equals-ignore-case/wildcard: matches a value that no inner
    test matches. Non-strings (numbers, null, booleans) match, since the inner tests are about
    strings."""

    __slots__ = ("inner",)

    def __init__(self, inner: Iterable[Matcher]) -> None:
        self.inner = tuple(inner)

    def match(self, value: Any) -> bool:
        if not isinstance(value, str):
            return True
        return not any(m.match(value) for m in self.inner)
