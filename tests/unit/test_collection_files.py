"""Collection-network result files: Pago Fácil byte for byte, the generic layouts, every error at once."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.collection_files import (
    CollectedPayment,
    CollectionBatch,
    CollectionFile,
    CollectionFileError,
    default_layouts,
    file_fingerprint,
    parse_collection_file,
    parse_network_file,
    parse_pagofacil_result,
    payment_key,
    write_collection_file,
    write_pagofacil_result,
)
from adapters.collection_layouts import NetworkLayoutError, load_network_layouts
from domain.barcodes import DEFAULT_LAYOUT, CollectionFields, build_collection_barcode
from domain.errors import InvalidInput

# Two bills of company 0937 (DEFAULT_LAYOUT, 52 digits), built in test_barcode_vectors below.
BARCODE_A = "0937000056780009101120260310000012345610000012716057"
BARCODE_B = "0937000000010000000220260310000001000010000001030044"

PAYMENT_A = CollectedPayment(
    line=0,
    sequence=1,
    payment_date=date(2026, 3, 9),
    payment_time=time(10, 15),
    transfer_date=date(2026, 3, 11),
    amount=Decimal("1234.56"),
    barcode=BARCODE_A,
    instrument="E",
    terminal="T0001",
    work_date=date(2026, 3, 9),
    account="0937",
)
PAYMENT_B = replace(
    PAYMENT_A,
    sequence=2,
    payment_time=time(11, 0),
    amount=Decimal("100.00"),
    barcode=BARCODE_B,
    instrument="D",
    terminal="T0002",
)
FILE_DATE = date(2026, 3, 10)


def small_file() -> CollectionFile:
    batch = CollectionBatch.of(1, [PAYMENT_A, PAYMENT_B])
    return CollectionFile.of("pagofacil", FILE_DATE, [batch], client_code="937", client_name="Coop Ejemplo")


def record(*pieces: str) -> str:
    line = "".join(pieces)
    assert len(line) <= 128, line
    return line.ljust(128)


# The expected file, field by field (positions in the layout table of adapters/collection_files.py).
EXPECTED_LINES = [
    record("1", "20260310", "PAGO FACIL".ljust(25), "937".ljust(9), "Coop Ejemplo".ljust(35)),
    record("3", "20260310", "000001", "COBRANZAS".ljust(35)),
    record(
        "5",
        "00000001",  # sequence
        "20260309",  # work date
        "20260311",  # transfer date
        "0937".ljust(21),  # account
        "ARS",
        "000000123456",  # $ 1.234,56
        "T0001   ",  # terminal
        "20260309",  # payment date
        "1015",  # time
    ),
    record("6", BARCODE_A),
    record("7", "ARS", "E", " " * 75, "000000123456"),
    record(
        "5",
        "00000002",
        "20260309",
        "20260311",
        "0937".ljust(21),
        "ARS",
        "000000010000",
        "T0002   ",
        "20260309",
        "1100",
    ),
    record("6", BARCODE_B),
    record("7", "ARS", "D", " " * 75, "000000010000"),
    record("8", "20260310", "000001", "00000002", "00000000133456"),
    record("9", "20260310", "000001", "00000002", "00000000133456"),
]
EXPECTED = ("\r\n".join(EXPECTED_LINES) + "\r\n").encode("iso-8859-1")


def test_barcode_vectors() -> None:
    def bill(account: int, document: int, amount: str, second: str) -> str:
        fields = CollectionFields(
            937, account, document, date(2026, 3, 10), Decimal(amount), date(2026, 3, 20), Decimal(second)
        )
        return build_collection_barcode(DEFAULT_LAYOUT, fields)

    assert bill(5678, 91011, "1234.56", "1271.60") == BARCODE_A
    assert bill(1, 2, "100.00", "103.00") == BARCODE_B


def test_pagofacil_written_byte_for_byte() -> None:
    assert write_pagofacil_result(small_file()) == EXPECTED


def test_pagofacil_parsed_from_the_expected_bytes() -> None:
    parsed = parse_pagofacil_result(EXPECTED)
    assert parsed == small_file()
    assert [p.line for p in parsed.payments()] == [3, 6]
    assert parsed.payment_count == 2 and parsed.total == Decimal("1334.56")
    assert parsed.client_code == "937" and parsed.client_name == "Coop Ejemplo"


def test_lf_line_ends_and_a_trailing_blank_line_are_accepted() -> None:
    assert parse_pagofacil_result(EXPECTED.replace(b"\r\n", b"\n") + b"\n") == small_file()


def test_amounts_are_exact_decimals_in_cents() -> None:
    amounts = [p.amount for p in parse_pagofacil_result(EXPECTED).payments()]
    assert all(isinstance(a, Decimal) and a.as_tuple().exponent == -2 for a in amounts)


# errors ------------------------------------------------------------------------------------


def lines_of(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n")[:-1]


def joined(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\r\n" for line in lines)


def errors_of(raw: bytes) -> set[tuple[int, str]]:
    with pytest.raises(CollectionFileError) as caught:
        parse_pagofacil_result(raw, source="PF0310.txt")
    assert "PF0310.txt" in caught.value.message and "no se importó ningún pago" in caught.value.message
    return {(e.line, e.field) for e in caught.value.errors}


def put(line: bytes, start: int, text: str) -> bytes:
    """Overwrite from 1-based ``start``."""
    return line[: start - 1] + text.encode("ascii") + line[start - 1 + len(text) :]


def test_bad_batch_and_file_totals() -> None:
    file = small_file()
    batch = replace(file.batches[0], trailer_count=3, trailer_amount=Decimal("1334.55"))
    raw = write_pagofacil_result(replace(file, batches=(batch,), trailer_amount=Decimal("1.00")))
    assert errors_of(raw) == {
        (9, "cantidad de pagos"),
        (9, "importe total"),
        (10, "importe total"),
    }


def test_bad_barcode_check_digit_is_a_row_error() -> None:
    bad = BARCODE_A[:-1] + "8"
    raw = write_pagofacil_result(
        CollectionFile.of("pagofacil", FILE_DATE, [CollectionBatch.of(1, [replace(PAYMENT_A, barcode=bad)])])
    )
    with pytest.raises(CollectionFileError) as caught:
        parse_pagofacil_result(raw)
    [error] = caught.value.errors
    assert (error.line, error.field) == (4, "código de barras")
    assert "dígitos verificadores" in error.reason


def test_wrong_record_order() -> None:
    lines = lines_of(EXPECTED)
    lines[3], lines[4] = lines[4], lines[3]  # 5, 7, 6
    assert errors_of(joined(lines)) == {(4, "tipo de registro"), (5, "tipo de registro")}


def test_missing_header_and_trailer() -> None:
    lines = lines_of(EXPECTED)
    assert errors_of(joined(lines[1:-1])) == {(1, "tipo de registro"), (8, "tipo de registro")}


def test_records_after_the_file_trailer_and_unknown_types() -> None:
    lines = lines_of(EXPECTED)
    extra = joined([*lines, b"4" + lines[1][1:], lines[1]])
    assert errors_of(extra) == {(11, "tipo de registro"), (12, "tipo de registro")}


def test_wrong_width() -> None:
    lines = lines_of(EXPECTED)
    lines[2] = lines[2][:-1]
    assert errors_of(joined(lines)) == {(3, "línea")}


def test_utf8_file_gets_a_hint() -> None:
    raw = write_pagofacil_result(replace(small_file(), client_name="Cooperativa Añelo"))
    with pytest.raises(CollectionFileError) as caught:
        parse_pagofacil_result(raw.decode("iso-8859-1").encode("utf-8"))
    assert "UTF-8" in caught.value.errors[0].reason


def test_bad_dates_and_numbers() -> None:
    lines = lines_of(EXPECTED)
    lines[2] = put(lines[2], 70, "20261340")  # payment date: month 13
    lines[5] = put(lines[5], 50, "0000000100O0")  # amount with a letter O
    assert errors_of(joined(lines)) == {(3, "fecha de pago"), (6, "importe")}


def test_instrument_amount_must_match_the_transaction() -> None:
    lines = lines_of(EXPECTED)
    lines[4] = put(lines[4], 81, "000000123457")
    assert errors_of(joined(lines)) == {(5, "importe")}


def test_every_problem_in_one_raise() -> None:
    file = small_file()
    batches = [
        replace(CollectionBatch.of(1, [PAYMENT_A]), trailer_amount=Decimal("1.00")),  # bad trailer
        CollectionBatch.of(2, [replace(PAYMENT_B, barcode=BARCODE_B[:-2] + "99")]),  # bad check digits
        CollectionBatch.of(3, [replace(PAYMENT_A, sequence=3)]),
        CollectionBatch.of(4, [replace(PAYMENT_A, sequence=4)]),
        CollectionBatch.of(5, [replace(PAYMENT_A, sequence=5)]),
    ]
    lines = lines_of(write_pagofacil_result(replace(file, batches=tuple(batches))))
    # 1 | 3 5 6 7 8 | 3 5 6 7 8 | 3 5 6 7 8 | 3 5 6 7 8 | 3 5 6 7 8 | 9
    lines[12] = put(lines[12], 70, "20260230")  # batch 3: 30 February
    lines[18], lines[19] = lines[19], lines[18]  # batch 4: 7 before 6
    lines[23] = lines[23] + b" "  # batch 5: 129 characters
    assert errors_of(joined(lines)) == {
        (6, "importe total"),
        (9, "código de barras"),
        (13, "fecha de pago"),
        (19, "tipo de registro"),
        (20, "tipo de registro"),
        (24, "línea"),
    }


def test_empty_file() -> None:
    assert errors_of(b"") == {(0, "archivo")}


def test_error_message_lists_line_field_and_reason() -> None:
    lines = lines_of(EXPECTED)
    lines[2] = put(lines[2], 70, "20261340")
    with pytest.raises(CollectionFileError) as caught:
        parse_pagofacil_result(joined(lines))
    assert "línea 3, fecha de pago: 20261340 no es una fecha válida (yyyymmdd)" in caught.value.message


# identities ---------------------------------------------------------------------------------


def test_file_fingerprint_is_the_sha256_of_the_bytes() -> None:
    assert file_fingerprint(EXPECTED) == hashlib.sha256(EXPECTED).hexdigest()
    assert file_fingerprint(EXPECTED) != file_fingerprint(EXPECTED.replace(b"\r\n", b"\n"))


def test_payment_key_is_stable_across_overlapping_files() -> None:
    first = parse_pagofacil_result(EXPECTED)
    later = CollectionFile.of("pagofacil", date(2026, 3, 11), [CollectionBatch.of(7, [PAYMENT_B])])
    second = parse_pagofacil_result(write_pagofacil_result(later))
    keys_first = {payment_key(first.network, p) for p in first.payments()}
    keys_second = {payment_key(second.network, p) for p in second.payments()}
    assert keys_second <= keys_first
    assert payment_key("pagofacil", PAYMENT_A) == f"pagofacil|20260309|T0001|1|{BARCODE_A}"
    assert payment_key("rapipago", PAYMENT_A) != payment_key("pagofacil", PAYMENT_A)


# the generic layout ------------------------------------------------------------------------


def test_rapipago_sample_layout_round_trip() -> None:
    layout = default_layouts()["rapipago"]
    assert layout.sample and not layout.has_batches
    payment = replace(
        PAYMENT_A,
        payment_time=time(10, 15, 30),
        transfer_date=PAYMENT_A.payment_date,
        work_date=None,
        account="",
    )
    file = CollectionFile.of("rapipago", FILE_DATE, [CollectionBatch.of(1, [payment])], client_code="A937")
    raw = write_collection_file(file, layout)
    assert raw.split(b"\r\n")[1] == (
        "D" + "0000000001" + "09032026" + "101530" + "T0001 " + "00000123456" + BARCODE_A + "E" + "     "
    ).encode("ascii")
    assert raw.split(b"\r\n")[2] == ("T" + "10032026" + "00000001" + "00000000123456").ljust(100).encode(
        "ascii"
    )
    parsed = parse_network_file(raw, "rapipago")
    assert parsed == file and parsed.batches[0].payments[0].line == 2


def test_rapipago_bad_barcode_and_totals_in_one_raise() -> None:
    layout = default_layouts()["rapipago"]
    file = CollectionFile.of(
        "rapipago",
        FILE_DATE,
        [
            CollectionBatch.of(
                1, [replace(PAYMENT_A, work_date=None, account="", transfer_date=PAYMENT_A.payment_date)]
            )
        ],
    )
    lines = lines_of(write_collection_file(replace(file, trailer_count=2), layout))
    lines[1] = put(lines[1], 43, "1" + BARCODE_A[1:])
    with pytest.raises(CollectionFileError) as caught:
        parse_collection_file(joined(lines), layout)
    assert {(e.line, e.field) for e in caught.value.errors} == {
        (2, "código de barras"),
        (3, "cantidad de pagos"),
    }


REFERENCE_LAYOUT = """
[network.banco]
label = "Banco de prueba (referencias)"
record_width = 60
type_position = 1
type_width = 2
date_format = "yymmdd"
time_format = "hhmmss"
amount_decimals = 0
payment_records = ["transaction"]

[network.banco.file_header]
code = "00"
fields = [{ name = "file_date", start = 3, width = 6 }]

[network.banco.batch_header]
code = "10"
fields = [{ name = "batch_number", start = 3, width = 4 }]

[network.banco.transaction]
code = "20"
fields = [
    { name = "sequence", start = 3, width = 6 },
    { name = "payment_date", start = 9, width = 6 },
    { name = "amount", start = 15, width = 9 },
    { name = "reference", start = 24, width = 20 },
]

[network.banco.batch_trailer]
code = "80"
fields = [{ name = "count", start = 3, width = 6 }, { name = "total", start = 9, width = 12 }]

[network.banco.file_trailer]
code = "99"
fields = [{ name = "count", start = 3, width = 6 }, { name = "total", start = 9, width = 12 }]
"""


def test_a_layout_keyed_by_reference_with_whole_pesos() -> None:
    layout = load_network_layouts(text=REFERENCE_LAYOUT)["banco"]
    assert layout.barcode_layout is None
    payment = CollectedPayment(
        0,
        12,
        date(2026, 3, 9),
        time(0),
        date(2026, 3, 9),
        Decimal("1500.00"),
        "",
        "",
        "",
        reference="SOC-000123",
    )
    file = CollectionFile.of("banco", FILE_DATE, [CollectionBatch.of(3, [payment])])
    raw = write_collection_file(file, layout)
    assert raw.split(b"\r\n")[2] == ("20" + "000012" + "260309" + "000001500" + "SOC-000123").ljust(
        60
    ).encode("ascii")
    assert parse_collection_file(raw, layout) == file
    with pytest.raises(InvalidInput, match="0 decimales"):
        write_collection_file(
            CollectionFile.of(
                "banco", FILE_DATE, [CollectionBatch.of(3, [replace(payment, amount=Decimal("1.50"))])]
            ),
            layout,
        )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("width = 20 }", "width = 40 }"), "sale del registro"),
        (('{ name = "sequence", start = 3', '{ name = "sequence", start = 2'), "se superpone"),
        (('name = "reference"', 'name = "referencia"'), "desconocido"),
        (('{ name = "amount", start = 15, width = 9 },', ""), "falta el campo amount"),
        (('date_format = "yymmdd"', 'date_format = "dd/mm/yy"'), "date_format"),
        (('code = "99"', 'code = "20"'), "repetidos"),
        (('code = "99"', 'code = "9"'), "no mide 2"),
    ],
)
def test_wrong_layouts_are_refused_when_loaded(change: tuple[str, str], reason: str) -> None:
    with pytest.raises(NetworkLayoutError, match=reason):
        load_network_layouts(text=REFERENCE_LAYOUT.replace(*change, 1))


def test_shipped_layouts_load() -> None:
    layouts = load_network_layouts()
    assert set(layouts) >= {"pagofacil", "rapipago"}
    assert layouts["pagofacil"].record_width == 128 and not layouts["pagofacil"].sample


# writer -------------------------------------------------------------------------------------


def test_writer_refuses_values_that_do_not_fit() -> None:
    too_big = CollectionBatch.of(1, [replace(PAYMENT_A, amount=Decimal("10000000000.00"))])
    with pytest.raises(InvalidInput, match="no entra en 12"):
        write_pagofacil_result(CollectionFile.of("pagofacil", FILE_DATE, [too_big]))
    long_terminal = CollectionBatch.of(1, [replace(PAYMENT_A, terminal="TERMINAL-9")])
    with pytest.raises(InvalidInput, match="terminal"):
        write_pagofacil_result(CollectionFile.of("pagofacil", FILE_DATE, [long_terminal]))
    two_batches = replace(small_file(), batches=small_file().batches * 2)
    with pytest.raises(InvalidInput, match="un solo lote"):
        write_collection_file(two_batches, default_layouts()["rapipago"])


# property: any batch of payments round-trips exactly ----------------------------------------

TEXT = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1)
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@st.composite
def barcodes(draw: st.DrawFn) -> str:
    first_due = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 1)))
    first = draw(st.integers(0, 9_999_999_999))
    fields = CollectionFields(
        company_code=draw(st.integers(0, 9999)),
        account_number=draw(st.integers(0, 99_999_999)),
        document_number=draw(st.integers(0, 99_999_999)),
        first_due=first_due,
        first_amount=Decimal(first).scaleb(-2),
        second_due=first_due + timedelta(days=draw(st.integers(0, 99))),
        second_amount=Decimal(draw(st.integers(first, 9_999_999_999))).scaleb(-2),
    )
    return build_collection_barcode(DEFAULT_LAYOUT, fields)


@st.composite
def payments(draw: st.DrawFn) -> CollectedPayment:
    paid_on = draw(DAYS)
    return CollectedPayment(
        line=0,
        sequence=draw(st.integers(0, 99_999_999)),
        payment_date=paid_on,
        payment_time=time(draw(st.integers(0, 23)), draw(st.integers(0, 59))),
        transfer_date=draw(DAYS),
        amount=Decimal(draw(st.integers(0, 999_999_999_999))).scaleb(-2),
        barcode=draw(barcodes()),
        instrument=draw(st.sampled_from(["E", "D", "C", "T"])),
        terminal=draw(TEXT.filter(lambda t: len(t) <= 8)),
        work_date=draw(DAYS),
        account=draw(TEXT.filter(lambda t: len(t) <= 21)),
        currency=draw(st.sampled_from(["ARS", "USD"])),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(payments(), max_size=5), min_size=1, max_size=3), DAYS)
def test_any_batches_of_payments_round_trip_exactly(
    groups: list[list[CollectedPayment]], file_date: date
) -> None:
    batches = [CollectionBatch.of(number, group) for number, group in enumerate(groups, start=1)]
    file = CollectionFile.of("pagofacil", file_date, batches, client_code="937")
    raw = write_pagofacil_result(file)
    parsed = parse_pagofacil_result(raw)
    assert parsed == file
    assert write_pagofacil_result(parsed) == raw


@settings(max_examples=40, deadline=None)
@given(st.lists(payments(), max_size=6), DAYS)
def test_any_payments_round_trip_in_the_sample_layout(items: list[CollectedPayment], file_date: date) -> None:
    layout = default_layouts()["rapipago"]
    simple = [
        replace(
            p,
            transfer_date=p.payment_date,
            work_date=None,
            account="",
            currency="ARS",
            amount=p.amount % 10**9,
        )
        for p in items
        if len(p.terminal) <= 6
    ]
    file = CollectionFile.of("rapipago", file_date, [CollectionBatch.of(1, simple)])
    raw = write_collection_file(file, layout)
    assert parse_collection_file(raw, layout) == file


def test_pagofacil_layout_matches_the_documented_table() -> None:
    layout = default_layouts()["pagofacil"]
    positions = {
        kind.value: [(f.name, f.start + 1, f.width) for f in spec.fields]
        for kind, spec in layout.records.items()
    }
    assert positions["transaction"] == [
        ("sequence", 2, 8),
        ("work_date", 10, 8),
        ("transfer_date", 18, 8),
        ("account", 26, 21),
        ("currency", 47, 3),
        ("amount", 50, 12),
        ("terminal", 62, 8),
        ("payment_date", 70, 8),
        ("payment_time", 78, 4),
    ]
    assert positions["barcode"] == [("barcode", 2, 80)]
    assert positions["instrument"] == [("currency", 2, 3), ("instrument", 5, 1), ("amount", 81, 12)]
    assert positions["batch_trailer"] == [
        ("batch_date", 2, 8),
        ("batch_number", 10, 6),
        ("count", 16, 8),
        ("total", 24, 14),
    ]
    assert positions["file_trailer"] == [
        ("file_date", 2, 8),
        ("batch_count", 10, 6),
        ("count", 16, 8),
        ("total", 24, 14),
    ]
