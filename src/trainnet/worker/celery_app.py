"""The Celery app and its routing. Reliability settings follow the platform's rules: late acks, requeue on
worker loss, prefetch 1, no result backend (state lives in the platform database, reported via the API)."""

from __future__ import annotations

from celery import Celery

from trainnet.dispatch.messages import (
    CPU_QUEUE,
    FINE_TUNE_LORA_TASK,
    GENERATE_DATASET_TASK,
    GPU_QUEUE,
    VALIDATE_DATASET_TASK,
)
from trainnet.settings import Settings, get_settings


def make_celery(settings: Settings) -> Celery:
    app = Celery("trainnet", broker=settings.broker_url, include=["trainnet.worker.tasks"])
    transport_options = {}
    if settings.embedded_broker:
        # kombu's SQLAlchemy transport polls; its interval is a class attribute (transport options go to
        # create_engine). 0.1 s keeps dispatch latency far below the 2 s budget to the first optimizer step.
        from kombu.transport import sqlalchemy as kombu_sqla

        kombu_sqla.Transport.polling_interval = settings.broker_polling_interval
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    else:
        transport_options = {
            # Redis hands an unacked message out again only after this long: keep it above the longest shard
            # so a running shard is not delivered twice (the sweeper, not this, recovers work of dead workers).
            "visibility_timeout": settings.visibility_timeout_seconds,
            # A broker that vanishes without closing the TCP connection (failover, NAT or firewall timeout, a
            # remote worker's network) must fail a publish or a poll, not hang it forever; then Celery reconnects.
            "socket_timeout": 30,
            "socket_connect_timeout": 10,
            "socket_keepalive": True,
        }
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # One job at a time per worker process: a shard already uses every torch thread the worker is given.
        # The solo pool (our default, CUDA-safe) can only run one; this bounds a prefork pool the same way.
        worker_concurrency=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=CPU_QUEUE,
        task_routes={
            GENERATE_DATASET_TASK: {"queue": CPU_QUEUE},
            VALIDATE_DATASET_TASK: {"queue": CPU_QUEUE},
            FINE_TUNE_LORA_TASK: {"queue": GPU_QUEUE},
        },
        broker_transport_options=transport_options,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_send_task_events=False,
        worker_enable_remote_control=not settings.embedded_broker,
        task_track_started=False,
    )
    return app


app = make_celery(get_settings())
