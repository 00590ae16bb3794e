from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "bench.peers.v_rls"
    label = "peers_rls"
