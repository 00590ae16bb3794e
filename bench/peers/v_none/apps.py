from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "bench.peers.v_none"
    label = "peers_none"
