"""Tactical safety nets on the live picture: conflict alert (state-based CPA), zone incursion warning, alert
lifecycle, and replay of recorded traffic with alert-quality metrics against loss episodes from the reports
(`loss_episodes`; STCA filters in `commonsky.safety.stca`, see docs/stca.md).

Pure detection: `detect_conflicts`, `detect_incursions` (thread-safe, no state). Stateful: `AlertTracker` and
`SafetyNet` (NOT thread-safe: one per picture stream).
"""

from commonsky.events import EventKind
from commonsky.safety.alerts import Alert, AlertEvent, AlertKind, AlertTracker
from commonsky.safety.conflicts import Conflicts, detect_conflicts, write_pairs_csv
from commonsky.safety.incursion import Incursions, ZoneIndex, detect_incursions
from commonsky.safety.losses import LossEpisodes, loss_episodes
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
    "LossEpisodes",
    "Protection",
    "ProtectionPolicy",
    "SafetyNet",
    "ZoneIndex",
    "ZoneProtection",
    "detect_conflicts",
    "detect_incursions",
    "loss_episodes",
    "write_pairs_csv",
]
