"""Slowing down password guessing: after too many failed sign-ins for one account from one
client address, further tries from there wait until the oldest failure has aged out.

Keyed by (account, address) rather than by either alone: a contact centre's agents sit behind
one NAT address, so a per-address lock would shut out the whole floor, and a per-account lock
would let anyone lock a colleague out. Kept in the service's memory: a restart forgets it,
which costs a guesser one more window, not access.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class TooManyAttempts(Exception):
    """Sign-in refused unchecked: too many failures lately; ``seconds`` until it may try."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"too many failed sign-ins: try again in {seconds:.0f} s")
        self.seconds = seconds


class LoginThrottle:
    def __init__(
        self,
        max_failures: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        failures = self._failures.get(key, deque())
        horizon = self._clock() - self.window_seconds
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures

    def wait_seconds(self, username: str, client: str) -> float:
        """How long this account must wait before trying again from ``client``; 0: it may."""
        key = (username.strip().lower(), client)
        with self._lock:
            failures = self._recent(key)
            if len(failures) < self.max_failures:
                return 0.0
            return max(0.0, failures[0] + self.window_seconds - self._clock())

    def failed(self, username: str, client: str) -> None:
        key = (username.strip().lower(), client)
        with self._lock:
            failures = self._recent(key)
            failures.append(self._clock())
            self._failures[key] = failures

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.pop((username.strip().lower(), client), None)
