"""The caches over Redis, when Redis does not answer.

Two aliases live in Redis in production: ``default`` holds the rate limits' counters, ``pages`` the public
pages' copies (``onestop.page_cache``, under a key prefix of its own). Both hold only what can be lost. A
Redis that is down, restarting or hung must not turn the status lookup, the result verification,
registration, the password reset or a public page into an error page, nor make them wait: an operation
that cannot reach Redis within its timeout acts as a miss (nothing found, nothing stored, no count), which
the rate limiter reads as "not limited" (``RATELIMIT_FAIL_OPEN``) and the page cache as "render the page";
the process then leaves that cache alone for a few seconds (every operation a miss at once) before trying
again, and says so in the log once a minute. Each class keeps its own clock, so a pages' Redis in trouble
never switches the rate limits off. Anything else Redis answers (a wrong command, say) is still an error.
"""

import logging
import socket
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, socket.timeout, ConnectionError)
# A request waits at most this long for Redis before going on without it (seconds).
DEFAULT_TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25, "retry_on_timeout": False}
RETRY_AFTER = 5.0  # seconds without trying Redis after it failed to answer
LOG_EVERY = 60.0


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool instead of building one for
    every operation: building it (its table of reply handlers) costs more than a GET to a local Redis."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, except that an unreachable Redis is a miss, not an exception."""

    _down_until = 0.0  # per process
    _last_logged = 0.0

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_TIMEOUTS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def _call(self, operation: str, fallback, *args):
        now = time.monotonic()
        clock = type(self)  # the class, not the instance: Django makes one instance per thread
        if now < clock._down_until:
            return fallback
        try:
            return getattr(super(), operation)(*args)
        except UNREACHABLE as error:
            clock._down_until = now + RETRY_AFTER
            if now - clock._last_logged >= LOG_EVERY:
                clock._last_logged = now
                logger.warning("cache unreachable (%s: %s): going on without it", operation, error)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def incr(self, key, delta=1, version=None):
        """The new count; None when Redis is unreachable (no count: the limiter lets the request by)."""
        return self._call("incr", None, key, delta, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        self._call("delete_many", None, keys, version)


class FailOpenPagesCache(FailOpenRedisCache):
    """The public pages' copies (``CACHES["pages"]``): the same, with an outage clock of its own."""

    _down_until = 0.0  # per process
    _last_logged = 0.0
