"""The shared cache's backends: Django's database cache with an increment that
counts every call, and Django's Redis cache with rate limits that fail open.

Database cache: the guess counters (django-ratelimit) add to a count in the cache on every
wrong workshop code or personal link. Django's own database cache increments
by reading the value and writing it back, so two app servers counting at the
same moment both write N + 1 and one guess goes uncounted: someone guessing
from many connections at once would get more tries than the limit allows. Here
the row is locked (``SELECT … FOR UPDATE``) between the read and the write, so
concurrent increments queue on it and each one counts.

Use it with CACHE_BACKEND=database where there is no Redis, after
``manage.py createcachetable``.
"""

from __future__ import annotations

import base64
import logging
import pickle
import time

from django.core.cache.backends import db
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now
from redis.exceptions import RedisError


class DatabaseCache(db.DatabaseCache):
    def incr(self, key, delta: int = 1, version=None):
        key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        quote_name = connection.ops.quote_name
        table, cache_key = quote_name(self._table), quote_name("cache_key")
        # SQLite has no FOR UPDATE, and needs none: it lets one writer in at a time.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote_name('value')}, {quote_name('expires')} FROM {table} "  # noqa: S608 - names quoted; the key is a parameter
                f"WHERE {cache_key} = %s{lock}",
                [key],
            )
            row = cursor.fetchone()
            if row is None or self._expires(row[1], connection) < now():
                raise ValueError(f"Key '{key}' not found")
            stored = connection.ops.process_clob(row[0])
            # Only this cache writes the table; the same trust as Django's own get().
            value = pickle.loads(base64.b64decode(stored.encode())) + delta  # noqa: S301
            pickled = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote_name('value')} = %s WHERE {cache_key} = %s",  # noqa: S608
                [pickled, key],
            )
        return value

    @staticmethod
    def _expires(value, connection):
        # As Django's get_many reads it: aware or naive as USE_TZ and the database say.
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression)
        for converter in converters + expression.get_db_converters(connection):
            value = converter(value, expression, connection)
        return value


# django-allauth keeps its rate limits (sign-in, password reset emails) in the
# cache under this prefix, and calls the cache directly: an unreachable Redis
# would turn every sign-in into an error page.
RATE_LIMIT_KEYS = "allauth:rl:"
# While Redis is unreachable, say so once a minute, not once a request.
WARN_EVERY = 60.0
log = logging.getLogger(__name__)


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, except that allauth's rate limits let everyone through
    while Redis cannot be reached, as the guess counters do (workshops.throttle).

    Everything else still sees the error: whether a second factor's code was used
    before must not be guessed at, and /healthz must see the outage to report it.
    """

    _warned_at = float("-inf")

    def _fail_open(self, key, error: Exception, answer):
        if not str(key).startswith(RATE_LIMIT_KEYS):
            raise error
        now = time.monotonic()
        if now - RedisCache._warned_at >= WARN_EVERY:
            RedisCache._warned_at = now
            log.warning("Rate limits are not counted: the cache cannot be reached (%s)", error)
        return answer

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            return self._fail_open(key, error, default)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            return self._fail_open(key, error, True)  # a lock nobody else holds

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except RedisError as error:
            return self._fail_open(key, error, None)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as error:
            return self._fail_open(key, error, False)
