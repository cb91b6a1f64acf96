"""The Redis broker from the seed's settings (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD): a message sent the way
the API sends jobs reaches a consumer, and a wrong password is refused."""

import pytest
from kombu import Consumer, Queue

from tests.services.conftest import RedisServer
from trainnet.settings import Settings
from trainnet.worker.celery_app import make_celery

pytestmark = pytest.mark.services


@pytest.fixture
def protected_redis(tmp_path, redis_server):  # redis_server: skips where redis-server is missing
    server = RedisServer(tmp_path / "redis", password="s3cret/with:odd@chars").start()
    yield server
    server.stop()


def test_jobs_travel_through_a_password_protected_redis(protected_redis):
    settings = Settings(
        redis_host="127.0.0.1", redis_port=protected_redis.port, redis_password=protected_redis.password
    )
    app = make_celery(settings)
    options = app.conf.broker_transport_options
    assert options["visibility_timeout"] == settings.visibility_timeout_seconds and options["socket_timeout"]

    app.send_task("trainnet.ping", args=[{"hello": "fleet"}], queue="cpu_queue")
    received = []
    with app.connection_for_read() as connection:
        queue = Queue("cpu_queue", routing_key="cpu_queue")
        with Consumer(
            connection,
            [queue],
            callbacks=[lambda body, message: (received.append(body), message.ack())],
            accept=["json"],
        ):
            connection.drain_events(timeout=10)
    assert received and received[0][0] == [{"hello": "fleet"}]


def test_a_wrong_redis_password_is_refused(protected_redis):
    app = make_celery(Settings(redis_host="127.0.0.1", redis_port=protected_redis.port, redis_password="wrong"))
    with pytest.raises(Exception, match="(?i)auth|password|WRONGPASS"), app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=0)
