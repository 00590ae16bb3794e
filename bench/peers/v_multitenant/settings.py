from bench.peers.settings_base import base, database

globals().update(base("multitenant", "bench.peers.v_multitenant"))
INSTALLED_APPS = [*INSTALLED_APPS, "django_multitenant"]  # noqa: F821  (from base())
DATABASES = {"default": database("multitenant", engine="django_multitenant.backends.postgresql")}
MIDDLEWARE = ["bench.peers.v_multitenant.urls.MultitenantMiddleware"]
