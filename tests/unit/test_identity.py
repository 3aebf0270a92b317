"""Stable ids are the ids of every stored aggregate with a natural key: they may never change."""

from __future__ import annotations

from uuid import UUID, uuid5

from hypothesis import given
from hypothesis import strategies as st

from domain.identity import ASIENTO_NAMESPACE, stable_id


def test_stable_ids_of_stored_aggregates_stay_what_they_were() -> None:
    # Pinned: databases already hold these ids; a different id would bill a period twice.
    assert stable_id("invoice", "E-000123/2026-03") == UUID("89759a27-2c74-5855-9b88-0710fe9e2709")
    assert stable_id("member", "00042") == UUID("15777d01-d47e-5b95-8211-c0ab10e91555")


@given(st.text(max_size=20), st.one_of(st.text(max_size=40), st.integers()))
def test_a_stable_id_is_the_rfc_4122_version_5_uuid_of_kind_and_key(kind: str, key: object) -> None:
    made = stable_id(kind, key)
    assert made == uuid5(ASIENTO_NAMESPACE, f"{kind}:{key}")
    assert (made.version, made.variant) == (5, "specified in RFC 4122")
