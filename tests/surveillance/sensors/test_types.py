"""Sensor value types copy their inputs, are read-only and refuse inconsistent shapes."""

from __future__ import annotations

import numpy as np
import pytest

from commonsky.errors import InputError


def test_values_copy_their_inputs_and_are_read_only() -> None:
    from commonsky.surveillance.sensors.types import Plots

    pos = np.zeros((2, 3))
    plots = Plots.from_positions(0.0, 1, pos, np.eye(3))
    pos[0, 0] = 5.0  # the caller's array stays theirs and writeable
    assert plots.pos_m[0, 0] == 0.0
    with pytest.raises(ValueError):
        plots.pos_m[0, 0] = 1.0
    with pytest.raises(InputError):
        Plots(
            0.0,
            1,
            np.zeros((2, 3)),
            np.zeros((3, 3, 3)),
            *(np.zeros(2),) * 3,
            *(np.array(["", ""]),) * 2,
            np.zeros(2, dtype=np.int64),
        )
