"""The event encoder writes exactly the bytes the library's JSON transcoder writes.

Stored events must read back the same whichever encoder wrote them, and a log
written before the faster encoder must compare byte for byte with one written
after it (the audit chain hashes stored bytes).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoding,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)
from hypothesis import given
from hypothesis import strategies as st

from adapters.application import DateAsISO, LeanJSONTranscoder


def _registered(transcoder: JSONTranscoder) -> JSONTranscoder:
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return transcoder


LEAN = _registered(LeanJSONTranscoder())
LIBRARY = _registered(JSONTranscoder())


class Kind(StrEnum):
    CHARGE = "charge"


class Letter(IntEnum):
    B = 6


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),  # past 64 bits: orjson refuses, the fallback writes
    st.text(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.uuids(),
    st.sampled_from([Kind.CHARGE, Letter.B]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=25,
)


@given(st.dictionaries(st.text(max_size=12), values, max_size=8))
def test_writes_the_same_bytes_as_the_library(state: dict[str, Any]) -> None:
    encoded = LEAN.encode(state)
    assert encoded == LIBRARY.encode(state)
    assert LEAN.decode(encoded) == LIBRARY.decode(encoded)


def test_an_invoice_state_round_trips_with_its_tags() -> None:
    state = {
        "timestamp": datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
        "effective_date": date(2026, 12, 2),
        "payable_document_id": UUID(int=7),
        "invoice_ids": [UUID(int=8)],
        "lines": [{"concept": "cargo_fijo", "amount": Decimal("5150.00"), "vat_rate": None}],
        "total": Decimal("105479.07"),
        "descripción": "Energía 0 a 200 kWh",
    }
    encoded = LEAN.encode(state)
    assert (
        encoded
        == (
            '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-25T09:30:00+00:00"},'
            '"effective_date":{"_type_":"date_iso","_data_":"2026-12-02"},'
            '"payable_document_id":{"_type_":"uuid_hex","_data_":"00000000000000000000000000000007"},'
            '"invoice_ids":[{"_type_":"uuid_hex","_data_":"00000000000000000000000000000008"}],'
            '"lines":[{"concept":"cargo_fijo","amount":{"_type_":"decimal_str","_data_":"5150.00"},'
            '"vat_rate":null}],"total":{"_type_":"decimal_str","_data_":"105479.07"},'
            '"descripción":"Energía 0 a 200 kWh"}'
        ).encode()
    )
    assert LEAN.decode(encoded) == state


def test_an_unregistered_type_gets_the_library_error() -> None:
    with pytest.raises(TranscodingNotRegisteredError):
        LEAN.encode({"amounts": {1.5j}})


class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)


class PointAsList(Transcoding):
    """A transcoding whose data holds values that are tagged themselves."""

    type = Point
    name = "point"

    def encode(self, obj: Point) -> list[Any]:
        return [Decimal(obj.x), obj.y]

    def decode(self, data: list[Any]) -> Point:
        return Point(int(data[0]), data[1])


def test_a_registered_transcoding_is_used_and_its_data_tagged() -> None:
    lean, library = LeanJSONTranscoder(), JSONTranscoder()
    for transcoder in (lean, library):
        _registered(transcoder).register(PointAsList())
    state = {"at": Point(3, 4)}
    assert lean.encode(state) == library.encode(state)
    assert lean.decode(lean.encode(state)) == state


def test_what_orjson_reads_inexactly_or_refuses_is_decoded_the_library_way() -> None:
    past_64_bits = 2**64 + 1
    decoded = LEAN.decode(LEAN.encode({"n": past_64_bits, "tagged": [Decimal("1.10")]}))
    assert decoded == {"n": past_64_bits, "tagged": [Decimal("1.10")]}
    assert type(decoded["n"]) is int  # not the float orjson would make of it
    lone_surrogate = b'{"text":"\\ud800","at":{"_type_":"date_iso","_data_":"2026-11-25"}}'
    assert LEAN.decode(lone_surrogate) == {"text": "\ud800", "at": date(2026, 11, 25)}
    not_a_number = LEAN.decode(b'{"x":NaN}')["x"]
    assert not_a_number != not_a_number


def test_tagged_values_inside_tagged_data_are_decoded_first() -> None:
    lean = _registered(LeanJSONTranscoder())
    lean.register(PointAsList())
    stored = b'{"at":{"_type_":"point","_data_":[{"_type_":"decimal_str","_data_":"3"},4]}}'
    assert lean.decode(stored) == {"at": Point(3, 4)}


@pytest.mark.parametrize(
    "stored",
    [
        b'{"a":{"_type_":"decimal_str","_data_":"1.50"},"b":[{"_type_":"date_iso","_data_":"2026-01-02"}]}',
        b'{"a":{"_type_":"uuid_hex","_data_":"bce6cbd0b17557aba3966228742c6088"}}',
        b'{"a":{"_type_":"datetime_iso","_data_":"2026-12-06T05:49:06.336542+00:00"}}',
        b'{"a":{"_type_":"decimal_str","_data_":{"_type_":"decimal_str","_data_":"2"}}}',  # data not a str
        b'{"a":{"_type_":["decimal_str"],"_data_":"1"}}',  # a tag that is not a name
        b'{"a":{"_type_":"decimal_str","other":"1"}}',  # two keys, not a tag
        b'{"a":[[{"_type_":"decimal_str","_data_":"3"}]],"b":{"c":{"_type_":"date_iso","_data_":"2026-02-01"}}}',
    ],
)
def test_tag_like_objects_decode_as_the_library_decodes_them(stored: bytes) -> None:
    """The inline decoding of Decimal, date, datetime and UUID tags must match the library's
    object hook, including on objects that only look like tags."""
    try:
        expected = LIBRARY.decode(stored)
    except Exception as exc:  # the library refuses: so must we, with the same error
        with pytest.raises(type(exc)):
            LEAN.decode(stored)
        return
    assert LEAN.decode(stored) == expected


def test_an_unknown_tag_gets_the_library_error() -> None:
    stored = b'{"a":{"_type_":"money_ars","_data_":"1"}}'
    with pytest.raises(TranscodingNotRegisteredError):
        LIBRARY.decode(stored)
    with pytest.raises(TranscodingNotRegisteredError):
        LEAN.decode(stored)
