"""Performance benchmarks of the platform against gunicorn and the local PostgreSQL.

``python -m bench`` (``make bench``) builds a large multi-tenant dataset, serves it and
measures it with wrk; ``bench/rls_overhead.py`` (``make bench-rls``) is the smaller
row-level security comparison on the demo businesses; ``python -m bench.faults`` puts
a checkout through fault and burst scenarios (Redis outages, races, bursts, hostile input).
"""
