"""Kombu's Redis transport with one guard, so a worker survives losing Redis (issue 15).

On a lost connection Celery collects the connection, which detaches its transport
(`transport.client = None`), then closes and restarts its consumers. Anything that then builds
a Redis client for a channel of the old connection reads the detached transport's
`client.hostname` and raises `AttributeError: 'NoneType' object has no attribute 'hostname'` —
closing a channel that consumes a fanout queue (gossip, the remote-control pidbox) before it
had its pub/sub client does, in kombu 5.7.0 (the fix for kombu#582 covered only the queue
deletion on close). An AttributeError is not a connection error: it escapes `ignore_errors`,
and where Celery does not log and skip it the worker stops ("Unrecoverable error", issue 15).

Here a channel whose connection is gone raises the broker's own connection error instead, which
every caller already treats as "Redis is away": the worker closes the channel and reconnects.
Selected by CELERY_BROKER_TRANSPORT when REDIS_URL is set.
"""

from kombu.transport import redis


class Channel(redis.Channel):
    def _connparams(self, asynchronous=False):
        if self.connection is None or self.connection.client is None:
            raise redis.get_redis_ConnectionError()("the broker connection is closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(redis.Transport):
    Channel = Channel
