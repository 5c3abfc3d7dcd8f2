"""commonsky: a neutral coordination and control layer for shared, contested airspace.

SI units and WGS84 inside; units are parsed and printed only at the edges (CLI, files, API).
"""

__version__ = "0.1.0"
