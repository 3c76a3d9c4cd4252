"""The AttributeError from issue 15's worker crash (`'NoneType' object has no attribute
'hostname'` in kombu's Redis transport), reproduced and guarded.

When a worker loses Redis, Celery collects the broken connection, which detaches its transport
(`transport.client = None`), and then closes and restarts its consumers. Anything that then
builds a Redis client for a channel of the old connection reads the detached transport's
`client.hostname`: closing a channel that consumes a fanout queue (gossip, and the
remote-control pidbox `celery inspect ping` answers on) before it had its pub/sub client is one
such path, reproduced here with kombu 5.7.0. An AttributeError is not a connection error: it
escapes `ignore_errors`, and where Celery does not log and skip it the worker stops with
"Unrecoverable error". The guard (core.broker) raises the broker's connection error instead,
which the worker answers by reconnecting.

These tests run the same steps against a private `redis-server` through the app's own broker
connection, so they use whatever transport the settings choose.
"""

import pytest
from django.conf import settings
from kombu import Consumer, Exchange, Queue

from salescycle.celery import app
from tests.processes import PrivateRedis


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


def test_closing_a_channel_after_redis_went_away_is_a_connection_error(private_redis):
    connection = app.connection_for_read(private_redis.url)
    channel = _fanout_consumer(connection)

    private_redis.stop()
    # What celery.worker.consumer does on a lost connection before restarting its steps.
    connection.collect(socket_timeout=0.1)
    try:
        channel.close()
    except connection.connection_errors:
        pass  # Redis is away: the worker reconnects
    except AttributeError as exc:
        pytest.fail(f"closing the channel raised {exc!r}, which stops a worker")


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
