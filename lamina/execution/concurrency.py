"""Concurrency accounting: how many executions are in flight, per function and per account.

Lambda's rules: a function with reserved concurrency R runs at most R at once, from its own
reservation; functions without one share the account's unreserved pool (the account limit less
every reservation). An invocation over either limit is throttled.

Counts live in this node's memory and are touched only on its event loop. A slot is held for
one invocation and given back when it ends, however it ends (answer, error, timeout, a sandbox
that died); a node that crashes takes its counts with it, so nothing is ever left counted.
Provisioned concurrency is allocated out of these limits when it is configured (out of the
function's reservation, or out of the account's unreserved pool), as on Lambda: an invocation
served by a provisioned environment takes a provisioned slot, which counts toward the
function's and the account's concurrency but is checked against neither (its allocation is
already set aside); one that spills over takes an on-demand slot, held to what is left of the
reservation, or of the unreserved pool, once every allocation is set aside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RESERVED_EXCEEDED = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_EXCEEDED = "ConcurrentInvocationLimitExceeded"

FunctionKey = tuple[str, str, str]  # account, region, function name
AccountKey = tuple[str, str]  # account, region


class Throttled(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    """What one on-demand invocation may use: the function's reservation less its provisioned
    concurrency (None: the shared pool), the size of the account's unreserved pool less what
    functions without a reservation have provisioned, and whether the function has
    provisioned concurrency at all (then a provisioned environment is looked for first)."""

    reserved: int | None
    unreserved: int
    provisioned: int = 0


@dataclass
class Slot:
    function: FunctionKey
    reserved: bool
    provisioned: bool = False  # served by a provisioned environment
    environment: Any = None  # that environment, taken with the slot
    released: bool = False


class ConcurrencyAccounting:
    def __init__(self) -> None:
        self._by_function: dict[FunctionKey, int] = {}  # every slot held, provisioned or not
        self._on_demand: dict[FunctionKey, int] = {}
        self._unreserved: dict[AccountKey, int] = {}  # in flight from the shared pool
        self._listeners: list[Callable[[FunctionKey], None]] = []

    def acquire(self, function: FunctionKey, limits: Limits, environment: Any = None) -> Slot:
        """A slot for one invocation, or Throttled with Lambda's reason. `environment`: the
        provisioned environment that will serve it (a provisioned slot, never throttled)."""
        running = self._by_function.get(function, 0)
        on_demand = self._on_demand.get(function, 0)
        if environment is not None:
            self._by_function[function] = running + 1
            return Slot(function, limits.reserved is not None, True, environment)
        if limits.reserved is not None:
            if on_demand >= limits.reserved:
                raise Throttled(RESERVED_EXCEEDED)
        elif self._unreserved.get(function[:2], 0) >= limits.unreserved:
            raise Throttled(ACCOUNT_EXCEEDED)
        self._by_function[function] = running + 1
        self._on_demand[function] = on_demand + 1
        if limits.reserved is None:
            account = function[:2]
            self._unreserved[account] = self._unreserved.get(account, 0) + 1
        return Slot(function, limits.reserved is not None)

    def release(self, slot: Slot) -> None:
        if slot.released:
            return
        slot.released = True
        left = self._by_function[slot.function] - 1
        if left:
            self._by_function[slot.function] = left
        else:
            del self._by_function[slot.function]
        if not slot.provisioned:
            left = self._on_demand[slot.function] - 1
            if left:
                self._on_demand[slot.function] = left
            else:
                del self._on_demand[slot.function]
            if not slot.reserved:
                self._unreserved[slot.function[:2]] -= 1
        for listener in self._listeners:
            listener(slot.function)

    def running(self, function: FunctionKey) -> int:
        return self._by_function.get(function, 0)

    def running_in_account(self, account: AccountKey) -> int:
        return sum(n for key, n in self._by_function.items() if key[:2] == account)

    def on_release(self, listener: Callable[[FunctionKey], None]) -> None:
        """Call `listener` with the function whenever a slot is given back (waiting async
        events take their turn then)."""
        self._listeners.append(listener)

    def snapshot(self) -> dict[FunctionKey, int]:
        return dict(self._by_function)
