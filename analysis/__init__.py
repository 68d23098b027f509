"""Text analysis of a cadre's messages: pure code (no database, no platform, no handlers)."""
