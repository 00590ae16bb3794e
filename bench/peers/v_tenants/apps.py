from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "bench.peers.v_tenants"
    label = "peers_tenants"
