"""The text of bench/PEERS.md (placeholder while the figures settle)."""

from __future__ import annotations

from typing import Any


def render_markdown(results: dict[str, Any], figures: dict[str, dict[str, Any]]) -> str:
    import json

    return "```\n" + json.dumps(figures, indent=1, default=str) + "\n```\n"
