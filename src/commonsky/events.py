"""What happens to an alert, in one vocabulary for every stage that raises alerts.

The safety nets (`commonsky.safety.alerts`), the correlation of tracks with intents
(`commonsky.surveillance.correlation`) and the sensor health monitor (`commonsky.surveillance.health`) all report an
alert's life as raised, updated, ended. The values are the JSON wire values.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    """An alert's life: raised once, updated while it lasts, ended once."""

    RAISED = "raised"
    UPDATED = "updated"
    ENDED = "ended"
