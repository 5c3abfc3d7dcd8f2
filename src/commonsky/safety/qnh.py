"""`QnhEstimate`: the QNH offset a live picture stream shows, for the STCA's levels below the transition altitude.

Replay reads the levels of level aircraft below the transition altitude on the QNH grid the whole file shows
(`commonsky.safety.height_keeping.estimate_qnh_offset_m`): arrivals holding 3,000 and 4,000 ft on a QNH of
1,027 hPa report 2,625 and 3,625 ft of pressure altitude, and on the pressure grid one may read 2,700 (to the
nearest 100 ft) and the other 3,600: 900 ft, a conflict between two aircraft holding adjacent levels. The live
safety net does the same over the pictures of the last ``window_s``: it sums each picture's deviations of the
level aircraft from the 1,000 ft grid (`height_keeping.qnh_deviation_counts`) and reads the offset from the sum
(`height_keeping.qnh_offset_of`: none until there are enough samples and one clear grid).

One offset for the whole picture, as replay has one per file: a picture spanning several weather systems shows no
clear grid, and its levels are read on the pressure grid (offset 0). Stateful and NOT thread-safe: one per
picture stream (a `commonsky.safety.pipeline.SafetyNet` owns one). Memory: 40 counts per picture of the window.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from commonsky._typing import BoolArray, FloatArray, IntArray
from commonsky.safety.height_keeping import (
    TRANSITION_ALT_M,
    Altimetry,
    qnh_deviation_counts,
    qnh_offset_of,
)

QNH_WINDOW_S = 600.0
"""The pictures the live estimate sums: 10 minutes (a QNH moves by a hectopascal or so in hours)."""


@dataclass
class QnhEstimate:
    """The `Altimetry` of the pictures of the last ``window_s`` (see the module docstring)."""

    window_s: float = QNH_WINDOW_S
    transition_alt_m: float = TRANSITION_ALT_M
    _pictures: deque[tuple[float, IntArray]] = field(default_factory=deque, init=False, repr=False)
    _sum: IntArray = field(default_factory=lambda: np.zeros(40, dtype=np.int64), init=False, repr=False)

    def update(self, time_s: float, alt_m: FloatArray, level: BoolArray) -> Altimetry:
        """Add the picture at ``time_s`` (altitudes, and which aircraft are level) and return the altimetry of the
        last ``window_s``, this picture included."""
        counts = qnh_deviation_counts(alt_m, level, self.transition_alt_m)
        self._pictures.append((float(time_s), counts))
        self._sum = self._sum + counts
        while self._pictures and time_s - self._pictures[0][0] > self.window_s:
            self._sum = self._sum - self._pictures.popleft()[1]
        return Altimetry(qnh_offset_of(self._sum), self.transition_alt_m)


__all__ = ["QNH_WINDOW_S", "QnhEstimate"]
