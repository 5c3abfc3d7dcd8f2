"""Process a sequence of filings as a broker would: check each in turn, storing the accepted ones."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from commonsky.airspace.zone import Zone
from commonsky.plans.intent import Intent
from commonsky.strategic.engine import StrategicEngine
from commonsky.strategic.policy import Policy
from commonsky.strategic.result import CheckResult


def check_in_order(
    intents: Iterable[Intent], zones: Sequence[Zone] = (), policy: Policy | None = None, *, resolve: bool = True
) -> list[CheckResult]:
    """One result per intent, in the given (filing) order; each is checked against those accepted before it.

    Lower-priority intents that a later, higher-priority one supersedes stay stored (their owners are told in
    the result's ``superseded`` list and must replan).
    """
    engine = StrategicEngine(zones, policy)
    return [engine.submit(intent, resolve=resolve) for intent in intents]
