from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "bench.peers.v_multitenant"
    label = "peers_multitenant"
