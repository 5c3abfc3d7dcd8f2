"""Scenarios (YAML files of parties, zones, intents, sensors, truth flights) and the clock that runs them."""
