"""The shared cache as a speed-up, never a dependency.

With REDIS_URL set, every app server shares one Redis. When it is down, unreachable or hung,
a cache call must cost a few hundred milliseconds at most and answer as a miss, never raise:
a failed get() is the default, set() and delete() do nothing, add() and has_key() say False.
Nothing correct, private or available may rest on the cache (sign-in lockouts and rate limits
are in the database: accounts/limits.py, axes' database handler).

After a failure the cache is left alone for RETRY_SECONDS (a hung server would otherwise cost
a timeout per call, several per request), then tried again. The outage is logged once when it
starts and once when it ends, not once per call."""

import logging
import threading
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 0.25  # seconds to open a connection: Redis on the same network answers in ~1 ms
SOCKET_TIMEOUT = 0.25  # seconds for any one command's answer
RETRY_SECONDS = 10  # after a failure, calls are misses without trying for this long


class Outage:
    """Whether the cache failed lately; one per process, shared by its threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.until = 0.0
        self.down = False

    def skipping(self):
        return self.down and time.monotonic() < self.until

    def failed(self, error):
        with self.lock:
            if not self.down:
                logger.warning("Cache unavailable (%s): carrying on without it, retrying every %s s",
                               error.__class__.__name__, RETRY_SECONDS)
            self.down = True
            self.until = time.monotonic() + RETRY_SECONDS

    def recovered(self):
        if self.down:
            with self.lock:
                if self.down:
                    logger.warning("Cache available again")
                self.down = False


outage = Outage()


def _miss(fallback):
    """A cache method that answers `fallback(*args, **kwargs)` instead of raising when Redis fails."""

    def decorate(method):
        @wraps(method)
        def guarded(self, *args, **kwargs):
            if outage.skipping():
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except (RedisError, OSError) as error:
                outage.failed(error)
                return fallback(*args, **kwargs)
            outage.recovered()
            return result

        return guarded

    return decorate


def _default(key, default=None, version=None):
    return default


def _false(*args, **kwargs):
    return False


def _none(*args, **kwargs):
    return None


def _all_keys(data, *args, **kwargs):
    return list(data)


def _empty(*args, **kwargs):
    return {}


def _no_counter(key, delta=1, version=None):
    raise ValueError(f"Key '{key}' not found")  # what incr() says of a missing key: a miss


class ResilientRedisCache(RedisCache):
    """Django's Redis cache with short timeouts, whose failures are misses (see the module)."""

    def __init__(self, server, params):
        options = {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": SOCKET_TIMEOUT,
                   **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})

    get = _miss(_default)(RedisCache.get)
    get_many = _miss(_empty)(RedisCache.get_many)
    set = _miss(_none)(RedisCache.set)
    set_many = _miss(_all_keys)(RedisCache.set_many)
    add = _miss(_false)(RedisCache.add)
    touch = _miss(_false)(RedisCache.touch)
    has_key = _miss(_false)(RedisCache.has_key)
    incr = _miss(_no_counter)(RedisCache.incr)
    delete = _miss(_false)(RedisCache.delete)
    delete_many = _miss(_none)(RedisCache.delete_many)
    clear = _miss(_false)(RedisCache.clear)

    def available(self):
        """For /healthz: asks Redis itself, past the outage's pause and without raising."""
        try:
            available = bool(self._cache.get_client(write=True).ping())
        except (RedisError, OSError) as error:
            outage.failed(error)
            return False
        outage.recovered()
        return available


def caches_for(redis_url, key_prefix="restride"):
    """CACHES for the settings: the shared Redis when REDIS_URL names one, else a small cache in
    each process (bin/demo, the SQLite default)."""
    if redis_url:
        return {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": redis_url, "KEY_PREFIX": key_prefix}}
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 200}}}
