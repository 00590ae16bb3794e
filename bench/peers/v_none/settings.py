from bench.peers.settings_base import base

globals().update(base("none", "bench.peers.v_none"))
MIDDLEWARE = ["bench.peers.v_none.urls.NoneMiddleware"]
