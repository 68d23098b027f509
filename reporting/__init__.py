"""Report writing from a cadre's records: pure code (no database, no platform, no handlers)."""
