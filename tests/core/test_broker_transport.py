"""The worker's crash from issue 15, reproduced and guarded: `AttributeError: 'NoneType' object
has no attribute 'hostname'` in kombu's Redis transport.

When a worker loses Redis, Celery collects the broken connection (which detaches its transport:
`transport.client = None`) and then closes each consumer's channel inside `ignore_errors`,
which swallows connection errors only. A channel consuming a fanout queue (gossip, and the
remote-control pidbox that `celery inspect ping` answers on) unsubscribes on close; if it had
not created its pub/sub client yet, kombu builds one from the detached transport and fails on
`None.hostname`. That AttributeError escapes `ignore_errors`, and the worker stops with
"Unrecoverable error". Still so in kombu 5.7.0; no released version fixes it.

These tests run the same steps against a private `redis-server` through the app's own broker
connection, so they use whatever transport the settings choose.
"""

import pytest
from django.conf import settings
from kombu import Consumer, Exchange, Queue
from kombu.common import ignore_errors

from salescycle.celery import app
from tests.core.test_redis_faults import PrivateRedis


@pytest.fixture
def private_redis(require_redis):
    redis = PrivateRedis()
    yield redis
    redis.stop()


def _fanout_consumer(connection):
    """A channel consuming an auto-delete fanout queue, as gossip and the pidbox do on Redis."""
    channel = connection.channel()
    queue = Queue(
        f"{settings.CELERY_TASK_DEFAULT_QUEUE}.test.pidbox",
        Exchange("test.pidbox", "fanout", durable=False),
        auto_delete=True,
        durable=False,
    )
    Consumer(channel, [queue], callbacks=[lambda body, message: None]).consume()
    return channel


def test_a_channel_closed_after_redis_went_away_does_not_crash_the_worker(private_redis):
    connection = app.connection_for_read(private_redis.url)
    channel = _fanout_consumer(connection)

    private_redis.stop()
    # What celery.worker.consumer does on a lost connection, then on restarting its steps.
    connection.collect(socket_timeout=0.1)
    try:
        ignore_errors(connection, channel.close)
    except AttributeError as exc:  # pragma: no cover - the failure this test guards against
        pytest.fail(f"closing the channel crashed the worker: {exc!r}")


def test_the_transport_delivers_while_redis_is_up(private_redis):
    """The guard changes nothing while Redis is there: a published message is consumed."""
    received = []
    queue = Queue("test.transport", Exchange("test.transport", "direct"), "test.transport")
    with app.connection_for_write(private_redis.url) as publisher:
        publisher.Producer().publish(
            "hello", exchange=queue.exchange, routing_key="test.transport", declare=[queue]
        )
    with (
        app.connection_for_read(private_redis.url) as connection,
        Consumer(
            connection,
            [queue],
            callbacks=[lambda body, message: received.append(body) or message.ack()],
        ),
    ):
        connection.drain_events(timeout=5)
    assert received == ["hello"]
