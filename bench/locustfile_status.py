"""Locust user for bench_status_polling.py: GET /api/tasks/{id}/status at a fixed rate per user, on the task
ids listed in TRAINNET_BENCH_TASKS (comma-separated)."""

import os
import random

import gevent
from locust import FastHttpUser, constant_throughput, task

TASK_IDS = os.environ["TRAINNET_BENCH_TASKS"].split(",")
RATE_PER_USER = float(os.environ.get("TRAINNET_BENCH_USER_RATE", "10"))


class StatusPoller(FastHttpUser):
    """A client polling a task's status, as the web UI's task page does."""

    wait_time = constant_throughput(RATE_PER_USER)

    def on_start(self):
        # a random phase within the period: users started together would otherwise fire together, in bursts
        gevent.sleep(random.uniform(0, 1 / RATE_PER_USER))

    @task
    def poll_status(self):
        self.client.get(f"/api/tasks/{random.choice(TASK_IDS)}/status", name="/api/tasks/{id}/status")
