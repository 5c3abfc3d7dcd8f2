"""Strategic deconfliction before flight: an intent against accepted intents and zones, with resolutions."""
