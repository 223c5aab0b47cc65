"""A bare Django project, the yardstick bench/workshop_load.py measures the product against.

No middleware, no installed apps, the same PostgreSQL database with persistent
connections, served by the same gunicorn workers: what Django itself costs for
the cheapest response and for one upsert, outside the product's settings.
"""
