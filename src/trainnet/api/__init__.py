"""The FastAPI application: one router per resource under /api, plus the built web UI."""
