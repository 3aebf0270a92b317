"""The HTTP entry point: JSON API under /api/v1 and the staff web UI (Spanish), one FastAPI app."""
