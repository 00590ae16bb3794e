"""The tenancy core against the libraries a user would pick instead, on one workload.

``make bench-peers`` (``python -m bench.peers``) builds one database per design, loads
the same businesses and rows into each, serves each with the same gunicorn settings and
writes ``bench/PEERS.md`` and ``bench/peers.png``. Each design is a Django app with its
own settings under ``bench/peers/v_<name>/``; the serializers and views are shared
(``bench/peers/api.py``).
"""
