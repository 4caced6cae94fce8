"""Wall-clock budgets for the fuzz targets, and a watchdog against hangs.

Hypothesis stops after ``max_examples``; a fuzz target should stop after a time instead. A
target is a ``@given`` function with a small ``max_examples`` (a *round*);
:func:`run_for` calls it round after round, each drawing fresh random examples, until the
target's share of the budget is spent (a failing round shrinks and raises as usual).

Budget per target module, in seconds: ``FUZZ_BUDGET`` when set, else 24 under the ``ci`` and
``thorough`` Hypothesis profiles (``HYPOTHESIS_PROFILE``), else 3 (quick local runs). A
module's tests split it with ``share``.

:func:`no_hang` arms ``SIGALRM`` around one call: a call that does not return within the
limit raises :class:`Hang` (main thread only; elsewhere it only runs the call).
"""

from __future__ import annotations

import collections
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from types import FrameType

from hypothesis import HealthCheck, settings

PROFILE = settings.get_current_profile_name()
BUDGET = float(os.environ.get("FUZZ_BUDGET", "24" if PROFILE in ("ci", "thorough") else "3"))
#: examples per round: small, so the budget is checked often
ROUND = 40
#: Hypothesis settings of one round; the per-example deadline catches slow inputs
ROUND_SETTINGS = settings(
    max_examples=ROUND,
    deadline=timedelta(seconds=2),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
#: seconds after which one call into a parser counts as a hang
HANG_LIMIT = 10.0


class Hang(Exception):
    """A call did not return within the watchdog's limit."""


@contextmanager
def no_hang(seconds: float = HANG_LIMIT) -> Iterator[None]:
    """Raise :class:`Hang` in the block if it runs longer than ``seconds``."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def alarm(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"a call did not return within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Counter:
    """Examples run by a target (the body calls :meth:`tick`)."""

    def __init__(self) -> None:
        self.examples = 0
        self.outcomes: collections.Counter[str] = collections.Counter()

    def tick(self) -> None:
        self.examples += 1

    def saw(self, outcome: str) -> None:
        """Count an outcome (printed with the rate: which paths the inputs reached)."""
        self.outcomes[outcome] += 1


def run_for(name: str, share: float, round_fn: Callable[[], None], counter: Counter) -> float:
    """Run ``round_fn`` (a ``@given`` test with :data:`ROUND_SETTINGS`) until ``share`` of
    :data:`BUDGET` seconds is spent (at least one round); returns the examples per second,
    also written to stderr (shown with ``pytest -s``)."""
    seconds = BUDGET * share
    start = time.monotonic()
    stop = start + seconds
    rounds = 0
    while rounds == 0 or time.monotonic() < stop:
        round_fn()
        rounds += 1
    elapsed = time.monotonic() - start
    rate = counter.examples / elapsed if elapsed else 0.0
    print(f"\nfuzz {name}: {counter.examples} examples in {elapsed:.1f} s "
          f"({rate:.0f}/s, budget {seconds:g} s); outcomes: "
          + ", ".join(f"{k} {v}" for k, v in counter.outcomes.most_common()), file=sys.stderr)
    return rate
