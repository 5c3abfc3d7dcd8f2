"""The Earth's figure: every constant that models its shape or size lives here, named for its purpose.

Distances are geodesic on WGS84 (`commonsky.geo.geodesy`); the spheres below serve where a sphere is the model
on purpose, and each says which.
"""

from __future__ import annotations

#: Semi-major axis and flattening of WGS84.
WGS84_A_M = 6_378_137.0
WGS84_F = 1 / 298.257223563

#: Mean radius of WGS84 (IUGG R1): error budgets and plausibility checks, never geodesic distances.
EARTH_MEAN_RADIUS_M = 6_371_008.8

#: The 6371 km sphere of BlueSky's state-based conflict detection. The picture's dead reckoning and the safety
#: nets' flat-earth pair geometry use it so that their results match BlueSky's (the golden-pair tests).
BLUESKY_EARTH_RADIUS_M = 6_371_000.0

#: The round 6371 km sphere of the textbook 4/3-earth radio horizon and of the synthetic feed's local offsets.
ROUND_EARTH_RADIUS_M = 6_371_000.0

#: Standard-atmosphere refraction factor: radar rays travel straight over a sphere ``K_FACTOR`` times larger.
K_FACTOR = 4.0 / 3.0

#: The effective radius of the 4/3 earth over which radar rays travel in straight lines.
EFFECTIVE_EARTH_RADIUS_M = K_FACTOR * ROUND_EARTH_RADIUS_M
