"""The neutral broker: an HTTP service where parties file 4D intents and the strategic engine decides.

`create_app(settings)` (in `service.app`) builds the FastAPI application; nothing happens at import.
"""
