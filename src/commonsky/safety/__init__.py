"""Tactical safety nets on the live picture: conflict alert (state-based CPA), zone incursion warning, alert
lifecycle, and replay of recorded traffic with alert-quality metrics.

Pure detection: `detect_conflicts`, `detect_incursions` (thread-safe, no state). Stateful: `AlertTracker` and
`SafetyNet` (NOT thread-safe: one per picture stream).
"""

from commonsky.safety.alerts import Alert, AlertEvent, AlertKind, AlertTracker, EventKind
from commonsky.safety.conflicts import Conflicts, detect_conflicts, write_pairs_csv
from commonsky.safety.incursion import Incursions, ZoneIndex, detect_incursions
from commonsky.safety.params import Protection, ProtectionPolicy, ZoneProtection
from commonsky.safety.pipeline import CycleResult, SafetyNet

__all__ = [
    "Alert",
    "AlertEvent",
    "AlertKind",
    "AlertTracker",
    "Conflicts",
    "CycleResult",
    "EventKind",
    "Incursions",
    "Protection",
    "ProtectionPolicy",
    "SafetyNet",
    "ZoneIndex",
    "ZoneProtection",
    "detect_conflicts",
    "detect_incursions",
    "write_pairs_csv",
]
