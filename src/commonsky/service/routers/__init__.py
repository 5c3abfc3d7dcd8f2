"""One router per resource; each handler is a thin translation to the broker."""
