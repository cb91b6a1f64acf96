"""Celery workers: the app, the tasks (thin wrappers), the API client and the heartbeat."""
