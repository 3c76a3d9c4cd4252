"""Kombu's Redis transport with one guard, so a worker survives losing Redis (issue 15).

On a lost connection Celery collects the connection, which detaches its transport
(`transport.client = None`), then closes each consumer's channel inside `ignore_errors`, which
swallows connection errors only. A channel that consumes a fanout queue (gossip, the
remote-control pidbox) unsubscribes on close and, if it had no pub/sub client yet, kombu builds
one from the detached transport: `AttributeError: 'NoneType' object has no attribute
'hostname'`, which stops the worker ("Unrecoverable error"). Still so in kombu 5.7.0, and no
released version fixes it (the fix for kombu#582 covered only the queue deletion on close).

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
