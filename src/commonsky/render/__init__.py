"""Maps and exports: layers of GeoJSON features drawn as a static PNG, a self-contained HTML map, or KML.

`layers` builds `Layer` values (from files, or the base map from `commonsky.geo.world`); `style` is the one
palette every output uses; `view` is the local equirectangular frame and the antimeridian handling; `png`,
`html` and `kml` write the files. Nothing here imports matplotlib at package import.
"""
