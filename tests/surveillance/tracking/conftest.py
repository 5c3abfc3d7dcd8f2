"""Random track states for the tracker's role tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest


def random_gaussians(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.column_stack([rng.uniform(-1e5, 1e5, (n, 3)), rng.uniform(-250, 250, (n, 3))])
    a = rng.standard_normal((n, 6, 6)) * np.array([300.0, 300, 300, 20, 20, 20])[None, :, None]
    return x, a @ np.swapaxes(a, 1, 2) + np.eye(6)[None]


@pytest.fixture(scope="session")
def gaussians() -> Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]:
    """``gaussians(rng, n)``: n random 6-D states (positions within 100 km, speeds to 250 m/s) and covariances."""
    return random_gaussians
