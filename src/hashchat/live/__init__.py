"""Live updates: the event bus (in-process now, Redis later) and the SSE stream with resume."""
