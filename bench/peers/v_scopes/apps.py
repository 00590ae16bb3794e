from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "bench.peers.v_scopes"
    label = "peers_scopes"
