"""China's working calendar and reminder timing: pure code (no database, no platform, no handlers)."""
