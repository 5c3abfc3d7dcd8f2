"""What a party may see of a check result: its own intents in full, of others only the conflict.

Zones are public. Another party's intent appears as an opaque reference ("(another party) #n") with the
where/when/altitudes of the overlap only: no id, no party, no priority, no route or volume.
"""

from __future__ import annotations

from dataclasses import replace

from commonsky.strategic.policy import Policy
from commonsky.strategic.result import CheckResult, Conflict, ConflictPart, OtherKind


def may_see(conflict: Conflict, viewer: str | None, policy: Policy) -> bool:
    """True when ``viewer`` (a party; None = the authority) may see who the other side of ``conflict`` is."""
    return viewer is None or policy.reveal_others or conflict.kind is OtherKind.ZONE or conflict.other_party == viewer


def redact(result: CheckResult, viewer: str | None, policy: Policy) -> CheckResult:
    """``result`` as ``viewer`` may see it (the authority, ``viewer=None``, sees everything)."""
    conflicts = []
    hidden = 0
    for conflict in result.conflicts:
        if may_see(conflict, viewer, policy):
            conflicts.append(conflict)
            continue
        hidden += 1
        parts = tuple(ConflictPart(p.own_volume, p.overlap) for p in conflict.parts)
        conflicts.append(
            replace(conflict, other=f"(another party) #{hidden}", parts=parts, other_party=None, other_priority=None)
        )
    return replace(result, conflicts=tuple(conflicts))
