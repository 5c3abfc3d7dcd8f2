"""Geodesy on WGS84, geodesic buffers, and the bundled world: countries, provinces, places."""
