"""The cache, over Redis, when Redis does not answer.

The cache holds only what can be lost: the rate limits' counters. A Redis that is down, restarting or
hung must not turn the status lookup, the result verification, registration or the password reset into
an error page, nor make them wait: an operation that cannot reach Redis within its timeout acts as a
miss (nothing found, nothing stored, no count), which the rate limiter reads as "not limited"
(``RATELIMIT_FAIL_OPEN``); the process then leaves Redis alone for a few seconds (every operation a
miss at once) before trying again, and says so in the log once a minute. Anything else Redis answers (a
wrong command, say) is still an error.
"""

import logging
import socket
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, socket.timeout, ConnectionError)
# A request waits at most this long for Redis before going on without it (seconds).
DEFAULT_TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25, "retry_on_timeout": False}
RETRY_AFTER = 5.0  # seconds without trying Redis after it failed to answer
LOG_EVERY = 60.0


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, except that an unreachable Redis is a miss, not an exception."""

    _down_until = 0.0  # per process
    _last_logged = 0.0

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_TIMEOUTS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)

    def _call(self, operation: str, fallback, *args):
        now = time.monotonic()
        if now < FailOpenRedisCache._down_until:
            return fallback
        try:
            return getattr(super(), operation)(*args)
        except UNREACHABLE as error:
            FailOpenRedisCache._down_until = now + RETRY_AFTER
            if now - FailOpenRedisCache._last_logged >= LOG_EVERY:
                FailOpenRedisCache._last_logged = now
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
