"""Team chat over WebSockets under load (``make bench-sockets``; not a test).

The ``Procfile``'s ``web`` line as written, as the runtime role on the local PostgreSQL,
with Redis db 12 as channel layer and cache. 500 sockets over 50 businesses (10 members
each, all subscribed to their business's channel); each business posts by socket at a
steady rate. Printed: delivery latency p50/p99 (post sent → ``message.created`` received
by each subscriber), deliveries across businesses (must be 0), and the web processes'
RSS per open socket. Figures to stdout and ``bench/SOCKETS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis
import requests
from websockets.asyncio.client import connect

from bench.dataset import ROOT, SECRET_KEY, migrated_template, owner_dsn, platform_url, recreate_database, runtime_url
from bench.server import ensure_services
from tests.faults import ProcfileProcess

DATABASE = "nbne_bench_sockets"
REDIS_URL = "redis://127.0.0.1:6379/12"  # the socket benchmark's own Redis database
RESULTS = ROOT / "bench" / "SOCKETS.md"
LOG = Path("/tmp/nbne-bench-sockets-web.log")
SEED = """
import json, django; django.setup()
from accounts.models import User
from accounts.serializers import TenantTokenObtainPairSerializer
from comms.models import Channel, ChannelMember
from core.models import TenantSettings
from core.tenancy import unscoped_all_tenants
out = {}
with unscoped_all_tenants("bench: socket businesses"):
    for b in range(%(businesses)d):
        tenant = TenantSettings.objects.create(slug=f"ws-{b:03d}", name=f"Socket business {b}")
        users = [User.objects.create(tenant=tenant, username=f"member-{u}", role="staff") for u in range(%(per)d)]
        channel = Channel.objects.create(tenant=tenant, name="team", created_by=users[0])
        ChannelMember.objects.bulk_create([ChannelMember(channel=channel, user=u) for u in users])
        tokens = [str(TenantTokenObtainPairSerializer.get_token(u).access_token) for u in users]
        out[tenant.slug] = {"channel": channel.pk, "tokens": tokens}
print(json.dumps(out))
"""


def env_for(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "TENANT_SECRETS_KEYS": "bmJuZS1iZW5jaC1zZWNyZXRzLWtleS0zMi1ieXRlcyE=",
        "DATABASE_URL": runtime_url(database),
        "DATABASE_MIGRATE_URL": owner_dsn(database).replace("postgresql://", "postgres://"),
        "DATABASE_PLATFORM_URL": platform_url(database),
        "REDIS_URL": REDIS_URL,
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def rss_mib(pid: int) -> float:
    """Resident memory of the process group led by ``pid`` (gunicorn and its workers)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ProcessLookupError):
            continue
    return total / 1024


async def open_member(url: str, port: int, slug: str, token: str, channel: int):
    host = f"{slug}.localhost"
    ticket = await asyncio.to_thread(
        lambda: requests.post(
            f"{url}/api/comms/ws-ticket/", headers={"Host": host, "Authorization": f"Bearer {token}"}, timeout=30
        ).json()["ticket"]
    )
    # The business's host in the URL (the socket's Host header), connected to loopback.
    ws = await connect(f"ws://{host}:{port}/ws/comms/?ticket={ticket}", host="127.0.0.1", port=port)
    await ws.send(json.dumps({"type": "subscribe", "channel": channel}))
    assert json.loads(await ws.recv())["type"] == "subscribed"
    return ws


async def listen(ws, slug: str, latencies: list[float], crossed: list[str]) -> None:
    async for raw in ws:
        frame = json.loads(raw)
        if frame.get("type") != "message.created":
            continue
        sender, _, sent_at = frame["message"]["body"].partition("|")
        if sender != slug:
            crossed.append(f"{sender} -> {slug}")
        latencies.append(time.time() - float(sent_at))


async def drive(url: str, port: int, world: dict, rate: float, seconds: float, pid: int) -> dict:
    before = rss_mib(pid)
    sockets: dict[str, list] = {}
    for slug, business in world.items():  # one business at a time: tickets live 30 s
        sockets[slug] = await asyncio.gather(
            *(open_member(url, port, slug, token, business["channel"]) for token in business["tokens"])
        )
    await asyncio.sleep(2)
    opened = sum(len(group) for group in sockets.values())
    after = rss_mib(pid)
    latencies: list[float] = []
    crossed: list[str] = []
    listeners = [asyncio.create_task(listen(ws, slug, latencies, crossed)) for slug, g in sockets.items() for ws in g]

    async def post(slug: str) -> int:
        sent, start = 0, time.monotonic()
        while time.monotonic() - start < seconds:
            ws = sockets[slug][sent % len(sockets[slug])]  # rotate: each socket well under its rate limit
            body = f"{slug}|{time.time()}"
            await ws.send(json.dumps({"type": "message.send", "channel": world[slug]["channel"], "body": body}))
            sent += 1
            await asyncio.sleep(1 / rate)
        return sent

    sent = sum(await asyncio.gather(*(post(slug) for slug in world)))
    await asyncio.sleep(3)  # the last deliveries
    for task in listeners:
        task.cancel()
    for group in sockets.values():
        for ws in group:
            await ws.close()
    expected = sent * (opened // len(world))
    latencies.sort()
    return {
        "sockets": opened,
        "businesses": len(world),
        "posted": sent,
        "delivered": len(latencies),
        "expected": expected,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan"),
        "cross_business": len(crossed),
        "rss_before_mib": before,
        "rss_after_mib": after,
        "kib_per_socket": 1024 * (after - before) / max(opened, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=50)
    parser.add_argument("--per-business", type=int, default=10)
    parser.add_argument("--rate", type=float, default=1.0, help="messages a second per business")
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    ensure_services()
    redis.Redis.from_url(REDIS_URL).flushdb()
    with psycopg.connect(owner_dsn("postgres"), autocommit=True) as admin:
        recreate_database(admin, DATABASE, migrated_template(admin, sys.executable))
    env = {**env_for(DATABASE), "LOG_LEVEL": "WARNING"}
    seed = SEED % {"businesses": args.businesses, "per": args.per_business}
    done = subprocess.run([sys.executable, "-c", seed], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    world = json.loads(done.stdout.strip().splitlines()[-1])
    web = ProcfileProcess("web", env)
    web.launch(LOG, ready="Application startup complete", seconds=60)  # its log, for a post-mortem
    try:
        for _ in range(8):  # every worker past its first request
            requests.get(f"{web.url}/healthz", timeout=10)
        figures = asyncio.run(drive(web.url, web.port, world, args.rate, args.seconds, web.process.pid))
    finally:
        web.stop()
    report = (
        f"{figures['sockets']} sockets over {figures['businesses']} businesses, {args.rate:g} message/s each "
        f"for {args.seconds:g} s (web: {env['WEB_CONCURRENCY']} processes)\n\n"
        f"| figure | value |\n| --- | --- |\n"
        f"| messages posted by socket | {figures['posted']} |\n"
        f"| deliveries (expected) | {figures['delivered']} ({figures['expected']}) |\n"
        f"| delivery latency p50 / p99 | {figures['p50_ms']:.1f} ms / {figures['p99_ms']:.1f} ms |\n"
        f"| deliveries to another business | {figures['cross_business']} |\n"
        f"| web RSS before / with the sockets | {figures['rss_before_mib']:.1f} MiB / "
        f"{figures['rss_after_mib']:.1f} MiB |\n"
        f"| memory per socket | {figures['kib_per_socket']:.1f} KiB |\n"
    )
    print(report)
    RESULTS.write_text("# Team chat over WebSockets (`make bench-sockets`)\n\n" + report)
    if figures["cross_business"]:
        raise SystemExit("deliveries crossed businesses")


if __name__ == "__main__":
    main()
