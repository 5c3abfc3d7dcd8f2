"""Zone exchange formats: ED-269, ED-318 and OpenAir in, ED-269, ED-318 and KML out (`exchange` is the entry)."""
