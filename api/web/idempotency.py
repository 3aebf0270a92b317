"""``Idempotency-Key``: a retried command is applied once.

The key becomes the id of the aggregate the command creates (scoped by the
acting user, so two users' keys never collide). The event store refuses a second
aggregate with the same id in the same transaction that would apply it, so a
retry cannot apply twice even after a crash; the route answers the retry with
what the first request created.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Header

from domain.errors import InvalidInput
from domain.identity import stable_id

KeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=100,
        description="Reintentos con la misma clave no se aplican dos veces",
    ),
]


def id_for_key(kind: str, username: str, key: str | None) -> UUID | None:
    if key is None:
        return None
    if not key.strip():
        raise InvalidInput("Idempotency-Key: la clave no puede estar vacía")
    return stable_id(f"idempotency:{kind}", f"{username}:{key.strip()}")
