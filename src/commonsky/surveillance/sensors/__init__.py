"""Sensor models: ground and airborne radars, ADS-B sources, and the platforms they ride on.

Every model works in one local frame: ``east_m, north_m`` (the azimuthal equidistant projection of
`commonsky.geo.geodesy.LocalFrame` about a chosen origin, so ground distances are preserved near it) and ``alt_m``
(height above mean sea level). Radar geometry
uses the 4/3-earth model for refraction. Randomness always comes from an explicit `numpy.random.Generator`.
"""
