"""Track 2 diplomacy course package."""
