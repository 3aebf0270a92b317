"""Automatic debit files: CBU check digits, the request byte for byte, the bank's result with rejections."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.ar import cbu as stdnum_cbu

from adapters.debit_files import (
    CBU_BLOCK1_WEIGHTS,
    CBU_BLOCK2_WEIGHTS,
    DebitFileError,
    DebitOrder,
    DebitRequestFile,
    InvalidCbu,
    cbu_check_digit,
    default_reject_codes,
    load_reject_codes,
    parse_debit_request,
    parse_debit_result,
    reject_reason,
    respond,
    validate_cbu,
    write_debit_request,
    write_debit_result,
)

# Valid CBUs published with python-stdnum (tests/test_ar_cbu.doctest, "found online").
PUBLIC_VALID_CBUS = [
    "2850590940090418135201",
    "0940099324001313220028",
    "0110097630009704213797",
    "0720079388000035942322",
    "1910104255110401549353",
    "3860002703000000438381",
]
CBU_A = "2850590940090418135201"
CBU_B = "0940099324001313220028"


@pytest.mark.parametrize("cbu", PUBLIC_VALID_CBUS)
def test_public_cbus_are_valid(cbu: str) -> None:
    assert validate_cbu(cbu) == cbu


def test_cbu_written_with_spaces_and_dashes() -> None:
    assert validate_cbu("28505909 40090418135201") == CBU_A
    assert validate_cbu("0940099-3-2400131322002-8") == CBU_B


@pytest.mark.parametrize(
    ("cbu", "reason"),
    [
        ("1940099324001313220028", "primer bloque"),  # bank digit changed (stdnum's own example)
        ("0940099324001313220038", "segundo bloque"),  # account digit changed
        ("285059094009041813520", "22 dígitos"),
        ("A850590940090418135201", "22 dígitos"),
    ],
)
def test_invalid_cbus(cbu: str, reason: str) -> None:
    with pytest.raises(InvalidCbu, match=reason):
        validate_cbu(cbu)


def test_check_digit_worked_by_hand() -> None:
    # 285 0590 | 9: 2×7 + 8×1 + 5×3 + 0×9 + 5×7 + 9×1 + 0×3 = 81 → (10 − 1) mod 10 = 9
    assert cbu_check_digit("2850590", CBU_BLOCK1_WEIGHTS) == 9
    assert cbu_check_digit("4009041813520", CBU_BLOCK2_WEIGHTS) == 1


@settings(max_examples=300)
@given(st.text(alphabet="0123456789", min_size=22, max_size=22))
def test_cbu_rule_agrees_with_python_stdnum(digits: str) -> None:
    try:
        validate_cbu(digits)
        ours = True
    except InvalidCbu:
        ours = False
    assert ours == stdnum_cbu.is_valid(digits)


# files ---------------------------------------------------------------------------------------

ORDER_A = DebitOrder(CBU_A, "12345", "FC-0001-00000012", date(2026, 3, 20), Decimal("15230.45"))
ORDER_B = DebitOrder(CBU_B, "777", "LS-0001-00000099", date(2026, 3, 20), Decimal("999.99"))
REQUEST = DebitRequestFile("30500010912", "LUZ", date(2026, 3, 10), 7, (ORDER_A, ORDER_B))


def record(*pieces: str) -> str:
    line = "".join(pieces)
    assert len(line) <= 120, line
    return line.ljust(120)


EXPECTED_LINES = [
    record("H", "30500010912", "LUZ".ljust(10), "20260310", "000007"),
    record("D", CBU_A, "12345".ljust(15), "FC-0001-00000012".ljust(20), "20260320", "000001523045", "   "),
    record("D", CBU_B, "777".ljust(15), "LS-0001-00000099".ljust(20), "20260320", "000000099999", "   "),
    record("T", "00000002", "00000001623044"),
]
EXPECTED = "".join(line + "\r\n" for line in EXPECTED_LINES).encode("iso-8859-1")


def test_request_written_byte_for_byte() -> None:
    assert write_debit_request(REQUEST) == EXPECTED


def test_request_round_trip() -> None:
    assert parse_debit_request(EXPECTED) == REQUEST


def test_result_round_trip_with_rejections() -> None:
    result = respond(REQUEST, {"LS-0001-00000099": "R10"}, file_date=date(2026, 3, 21))
    raw = write_debit_result(result)
    assert raw.split(b"\r\n")[2][78:81] == b"R10"
    assert raw.split(b"\r\n")[1][78:81] == b"   "
    parsed = parse_debit_result(raw)
    assert parsed == result
    assert [o.order for o in parsed.accepted()] == [ORDER_A]
    [rejected] = parsed.rejected()
    assert (rejected.line, rejected.reject_code, rejected.reject_reason) == (3, "R10", "Falta de fondos")
    assert parsed.accepted_total == Decimal("15230.45")
    assert write_debit_result(parsed) == raw


def test_reject_codes_are_data() -> None:
    codes = default_reject_codes()
    assert codes["R02"] == "Cuenta cerrada o suspendida"
    assert codes["R03"] == "Cuenta inexistente"
    assert codes["R10"] == "Falta de fondos"
    assert reject_reason("R99") == "Código de rechazo R99 sin descripción en el catálogo"
    result = respond(REQUEST, {"FC-0001-00000012": "R99", "LS-0001-00000099": "R02"})
    parsed = parse_debit_result(write_debit_result(result), codes={"R99": "Rechazo de prueba"})
    assert [o.reject_reason for o in parsed.outcomes] == [
        "Rechazo de prueba",
        "Código de rechazo R02 sin descripción en el catálogo",
    ]


def test_reject_codes_file_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "codes.toml"
    path.write_text('[debit.reject_codes]\nR10 = "Falta de fondos"\n"R1" = "corto"\n', encoding="utf-8")
    with pytest.raises(Exception, match="R1"):
        load_reject_codes(path)


def lines_of(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n")[:-1]


def joined(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\r\n" for line in lines)


def put(line: bytes, start: int, text: str) -> bytes:
    return line[: start - 1] + text.encode("ascii") + line[start - 1 + len(text) :]


def errors_of(raw: bytes) -> set[tuple[int, str]]:
    with pytest.raises(DebitFileError) as caught:
        parse_debit_result(raw, source="RES0321.txt")
    assert "no se tomó ningún débito" in caught.value.message
    return {(e.line, e.field) for e in caught.value.errors}


def test_every_problem_of_a_result_file_in_one_raise() -> None:
    lines = lines_of(write_debit_result(respond(REQUEST, {})))
    lines[1] = put(lines[1], 2, "1")  # CBU first block check digit broken
    lines[1] = put(lines[1], 59, "20261301")  # due date month 13
    lines[2] = put(lines[2], 79, "r1")  # not a reject code
    lines[3] = put(lines[3], 10, "00000000000001")  # wrong trailer total (not checked: details broken)
    assert errors_of(joined(lines)) == {(2, "CBU"), (2, "vencimiento"), (3, "código de rechazo")}


def test_trailer_totals_are_checked() -> None:
    lines = lines_of(EXPECTED)
    lines[3] = put(lines[3], 2, "00000003")
    lines[3] = put(lines[3], 10, "00000001623045")
    assert errors_of(joined(lines)) == {(4, "cantidad de débitos"), (4, "importe total")}


def test_structure_errors() -> None:
    lines = lines_of(EXPECTED)
    assert errors_of(joined(lines[1:])) == {(1, "tipo de registro")}  # no header
    assert errors_of(joined(lines[:-1])) == {(3, "tipo de registro")}  # no trailer
    assert errors_of(joined([*lines, lines[1]])) == {(5, "tipo de registro")}  # after the trailer
    assert errors_of(joined([lines[0], b"X" + lines[1][1:], *lines[2:]])) == {(2, "tipo de registro")}
    assert errors_of(joined([lines[0], lines[1][:-1], *lines[2:]])) == {(2, "línea")}
    assert errors_of(b"") == {(0, "archivo")}


def test_a_request_carries_no_reject_code() -> None:
    raw = write_debit_result(respond(REQUEST, {"FC-0001-00000012": "R03"}))
    with pytest.raises(DebitFileError) as caught:
        parse_debit_request(raw)
    assert [(e.line, e.field) for e in caught.value.errors] == [(2, "código de rechazo")]


def test_writer_lists_every_bad_value() -> None:
    bad = replace(
        REQUEST,
        company_cuit="30500010913",
        orders=(
            replace(ORDER_A, cbu="1940099324001313220028", amount=Decimal("1.001")),
            ORDER_B,
            replace(ORDER_B, document_reference="X" * 21),
        ),
    )
    with pytest.raises(DebitFileError) as caught:
        write_debit_request(bad)
    assert [(e.line, e.field) for e in caught.value.errors] == [
        (1, "CUIT"),
        (2, "CBU"),
        (2, "importe"),
        (4, "referencia"),
    ]


# property ------------------------------------------------------------------------------------

DIGITS = st.text(alphabet="0123456789", min_size=1)
KEY = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=15)


@st.composite
def cbus(draw: st.DrawFn) -> str:
    bank = draw(st.text(alphabet="0123456789", min_size=7, max_size=7))
    account = draw(st.text(alphabet="0123456789", min_size=13, max_size=13))
    first = bank + str(cbu_check_digit(bank, CBU_BLOCK1_WEIGHTS))
    return first + account + str(cbu_check_digit(account, CBU_BLOCK2_WEIGHTS))


orders = st.builds(
    DebitOrder,
    cbu=cbus(),
    account_number=KEY,
    document_reference=KEY,
    due_date=st.dates(min_value=date(2000, 1, 1), max_value=date(9999, 12, 31)),
    amount=st.integers(0, 999_999_999_999).map(lambda cents: Decimal(cents).scaleb(-2)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(orders, max_size=8), st.data())
def test_any_request_and_result_round_trip(items: list[DebitOrder], data: st.DataObject) -> None:
    request = replace(REQUEST, orders=tuple(items))
    raw = write_debit_request(request)
    assert parse_debit_request(raw) == request
    codes = data.draw(
        st.lists(st.sampled_from(["", "R02", "R03", "R10", "R15"]), min_size=len(items), max_size=len(items))
    )
    rejections = {order.document_reference: code for order, code in zip(items, codes, strict=True) if code}
    result = respond(request, rejections)
    assert parse_debit_result(write_debit_result(result)) == result
