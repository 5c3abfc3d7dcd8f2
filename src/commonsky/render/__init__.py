"""Maps and exports: layers of GeoJSON features drawn as a static PNG, a self-contained HTML map, or KML.

- `layers`: the `Layer` value, `layers_from_file`, `basemap_layers`, `auto_bbox`, legends, place features;
- `basemap`: countries, land borders and provinces of `commonsky.geo.world` clipped to a view;
- `style`: the one palette (by role and zone kind) every output uses; `describe`: properties as readable rows;
- `view`: the local equirectangular frame (true scale at the centre, from `pyproj.Geod`) and antimeridian handling;
- `png` (+ `png_furniture`), `html` (+ `html_assets`), `kml`: the three writers.

Nothing here imports matplotlib or pyproj at package import.
"""
