"""Flight intents: who wants which airspace when, as 4D routes or orbit areas turned into volumes."""
