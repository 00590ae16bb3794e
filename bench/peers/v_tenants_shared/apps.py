from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "bench.peers.v_tenants_shared"
    label = "peers_tenants_shared"
