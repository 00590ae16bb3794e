from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "bench.peers.v_core"
    label = "peers_core"

    def ready(self) -> None:
        # As core.apps.CoreConfig does for the project: checks, the database scope of
        # every connection, the grants after migrate.
        from core.tenancy import install

        install(self)
