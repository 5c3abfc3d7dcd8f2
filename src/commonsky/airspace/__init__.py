"""Airspace: zones (the product-wide GeoJSON zone format), 4D volumes, and their spatial/temporal index."""
