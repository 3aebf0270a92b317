"""Deterministic aggregate ids: singletons and natural keys map to stable UUIDs."""

from __future__ import annotations

from uuid import UUID, uuid5

ASIENTO_NAMESPACE = UUID("6f0f6a54-2c1e-4d8e-9a57-0c6e7c1f3a10")


def stable_id(kind: str, key: object = "") -> UUID:
    """The same kind and key always give the same id (idempotent creation)."""
    return uuid5(ASIENTO_NAMESPACE, f"{kind}:{key}")
