from bench.peers.settings_base import base

globals().update(base("scopes", "bench.peers.v_scopes"))
MIDDLEWARE = ["bench.peers.v_scopes.urls.ScopesMiddleware"]
