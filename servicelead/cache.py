"""Django's Redis cache, with a circuit breaker: once Redis fails (refuses, or answers too
slowly), it is not asked again for ``OPEN_SECONDS``, so a Redis that hangs costs a request one
short timeout rather than one per cache call on every page. Meanwhile calls raise
``CacheUnavailable`` at once, which every caller already treats as a cache that is away
(pages compute their figures instead)."""

import time

from django.core.cache.backends.redis import RedisCache

OPEN_SECONDS = 30
_open_until: dict[str, float] = {}  # per Redis location, shared by the process's threads


class CacheUnavailable(ConnectionError):
    pass


class CircuitBreakingRedisCache(RedisCache):
    def _call(self, name: str, *args, **kwargs):
        where = ",".join(self._servers)
        if time.monotonic() < _open_until.get(where, 0.0):
            raise CacheUnavailable(f"the cache at {where} failed moments ago; not asking it yet")
        try:
            return getattr(super(), name)(*args, **kwargs)
        except Exception:
            _open_until[where] = time.monotonic() + OPEN_SECONDS
            raise

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self, *args, **kwargs):
        return self._call("clear", *args, **kwargs)
