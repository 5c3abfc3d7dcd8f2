"""The live air picture: the current state of N aircraft as immutable column arrays."""

from commonsky.picture.picture import Picture, read_states_csv

__all__ = ["Picture", "read_states_csv"]
