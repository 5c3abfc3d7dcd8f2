"""Surveillance: sensor models, feed readers (Mode S / ADS-B), tracking, correlation with intents, coverage."""
