from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.barcodes import (
    AFIP_QR_URL,
    DEFAULT_LAYOUT,
    AfipQr,
    AuthorizationKind,
    BarcodeField,
    BarcodeFieldInvalid,
    BarcodeFieldOverflow,
    BarcodeLengthMismatch,
    CheckDigitMismatch,
    CollectionFields,
    CollectionLayout,
    DateFormat,
    InvalidLayout,
    LayoutField,
    NotDigits,
    SecondDueAs,
    afip_barcode,
    afip_qr_json,
    afip_qr_url,
    append_check_digits_13579,
    build_collection_barcode,
    check_digit_13579,
    parse_collection_barcode,
    rg1702_check_digit,
)

VECTOR_13579 = "093700012345250320001234560000123425046"

FIELDS = CollectionFields(
    company_code=937,
    account_number=1234,
    document_number=98765,
    first_due=date(2026, 3, 20),
    first_amount=Decimal("45231.07"),
    second_due=date(2026, 3, 30),
    second_amount=Decimal("46135.69"),
)


def test_13579_vector() -> None:
    assert check_digit_13579(VECTOR_13579) == 9
    assert check_digit_13579(VECTOR_13579 + "9") == 0
    assert append_check_digits_13579(VECTOR_13579) == VECTOR_13579 + "90"


def test_rg1702_legacy_vector() -> None:
    # domain-facts §1: tipo with 2 digits and PtoVta with 4 (the pre-2019 layout).
    assert rg1702_check_digit("20267565393" + "02" + "4001" + "61203034739042" + "20110529") == 9


def test_afip_barcode_has_42_digits_and_its_dv() -> None:
    code = afip_barcode("20267565393", 6, 1, "61203034739042", date(2026, 4, 9))
    assert code[:-1] == "20267565393" + "006" + "00001" + "61203034739042" + "20260409"
    assert len(code) == 42
    assert int(code[-1]) == rg1702_check_digit(code[:-1])
    with pytest.raises(BarcodeFieldOverflow, match="punto de venta"):
        afip_barcode("20267565393", 6, 123456, "61203034739042", date(2026, 4, 9))
    with pytest.raises(NotDigits):
        afip_barcode("20-26756539-3", 6, 1, "61203034739042", date(2026, 4, 9))


def _qr(**changes: object) -> AfipQr:
    base = AfipQr(
        issue_date=date(2026, 3, 5), cuit="30500010912", point_of_sale=2, cbte_tipo=6, number=1234,
        total=Decimal("12100.50"), doc_tipo=96, doc_nro=26756539, authorization_code="76123456789012",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_qr_payload_keys_values_and_types() -> None:
    url = afip_qr_url(_qr())
    assert url.startswith("https://www.afip.gob.ar/fe/qr/?p=")
    data = json.loads(base64.b64decode(url.removeprefix(AFIP_QR_URL)), parse_float=Decimal)
    assert list(data) == [
        "ver", "fecha", "cuit", "ptoVta", "tipoCmp", "nroCmp", "importe", "moneda", "ctz",
        "tipoDocRec", "nroDocRec", "tipoCodAut", "codAut",
    ]
    assert data == {
        "ver": 1, "fecha": "2026-03-05", "cuit": 30500010912, "ptoVta": 2, "tipoCmp": 6, "nroCmp": 1234,
        "importe": Decimal("12100.50"), "moneda": "PES", "ctz": 1, "tipoDocRec": 96,
        "nroDocRec": 26756539, "tipoCodAut": "E", "codAut": 76123456789012,
    }


def test_qr_for_caea_and_anonymous_receiver() -> None:
    text = afip_qr_json(_qr(authorization_kind=AuthorizationKind.CAEA, doc_tipo=99, doc_nro=0))
    assert '"tipoCodAut":"A"' in text
    assert '"tipoDocRec":99,"nroDocRec":0' in text


def test_qr_refuses_bad_amounts_and_codes() -> None:
    with pytest.raises(BarcodeFieldInvalid, match="importe"):
        afip_qr_json(_qr(total=Decimal("1.005")))
    with pytest.raises(NotDigits):
        afip_qr_json(_qr(authorization_code="CAE-1"))
    with pytest.raises(BarcodeFieldInvalid, match="moneda"):
        afip_qr_json(_qr(currency='P"S'))


def test_default_layout_is_documented_and_even() -> None:
    assert DEFAULT_LAYOUT.length == 52
    code = build_collection_barcode(DEFAULT_LAYOUT, FIELDS)
    assert code == (
        "0937" "00001234" "00098765" "20260320" "0004523107" "10" "0004613569"
        + code[-2:]
    )
    assert code == append_check_digits_13579(code[:-2])


def test_round_trip_default_layout() -> None:
    code = build_collection_barcode(DEFAULT_LAYOUT, FIELDS)
    assert parse_collection_barcode(DEFAULT_LAYOUT, code) == FIELDS


JULIAN = CollectionLayout(
    name="julian-dates",
    fields=(
        LayoutField(BarcodeField.COMPANY, 4),
        LayoutField(BarcodeField.ACCOUNT, 7),
        LayoutField(BarcodeField.FIRST_AMOUNT, 8),
        LayoutField(BarcodeField.FIRST_DUE, 5),
        LayoutField(BarcodeField.SECOND_AMOUNT, 8),
        LayoutField(BarcodeField.SECOND_DUE, 5),
        LayoutField(BarcodeField.DOCUMENT, 9),
    ),
    date_format=DateFormat.JULIAN,
    second_due_as=SecondDueAs.DATE,
)


def test_julian_layout_with_second_due_date() -> None:
    code = build_collection_barcode(JULIAN, FIELDS)
    assert code[19:24] == "26079"  # 20 March 2026 is day 79
    assert code[32:37] == "26089"
    assert parse_collection_barcode(JULIAN, code) == FIELDS


def test_amount_that_does_not_fit_is_refused() -> None:
    huge = replace(FIELDS, first_amount=Decimal("100000000.00"), second_amount=Decimal("100000000.00"))
    with pytest.raises(BarcodeFieldOverflow, match=r"first_amount \(\$ 100\.000\.000,00\).*10 dígitos"):
        build_collection_barcode(DEFAULT_LAYOUT, huge)


def test_other_values_that_do_not_fit_are_refused() -> None:
    with pytest.raises(BarcodeFieldOverflow, match="account_number"):
        build_collection_barcode(DEFAULT_LAYOUT, replace(FIELDS, account_number=123456789))
    with pytest.raises(BarcodeFieldOverflow, match="second_due"):
        build_collection_barcode(DEFAULT_LAYOUT, replace(FIELDS, second_due=date(2026, 7, 1)))
    with pytest.raises(BarcodeFieldInvalid, match="anterior"):
        build_collection_barcode(DEFAULT_LAYOUT, replace(FIELDS, second_due=date(2026, 3, 1)))
    with pytest.raises(BarcodeFieldInvalid, match="dos decimales"):
        build_collection_barcode(DEFAULT_LAYOUT, replace(FIELDS, first_amount=Decimal("1.001")))
    with pytest.raises(BarcodeFieldInvalid, match="positivo"):
        build_collection_barcode(DEFAULT_LAYOUT, replace(FIELDS, second_amount=Decimal("-1.00")))


def test_parse_refuses_bad_codes() -> None:
    code = build_collection_barcode(DEFAULT_LAYOUT, FIELDS)
    wrong_dv = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(CheckDigitMismatch):
        parse_collection_barcode(DEFAULT_LAYOUT, wrong_dv)
    with pytest.raises(BarcodeLengthMismatch, match=r"51 dígitos.*52"):
        parse_collection_barcode(DEFAULT_LAYOUT, code[:-1])
    with pytest.raises(NotDigits):
        parse_collection_barcode(DEFAULT_LAYOUT, code[:-1] + "X")
    bad_date = append_check_digits_13579(code[:20] + "20261399" + code[28:50])
    with pytest.raises(BarcodeFieldInvalid, match=r"first_due.*fecha"):
        parse_collection_barcode(DEFAULT_LAYOUT, bad_date)


def test_layouts_are_checked_when_built() -> None:
    fields = DEFAULT_LAYOUT.fields
    with pytest.raises(InvalidLayout, match="una vez"):
        CollectionLayout("missing", fields[:-1])
    with pytest.raises(InvalidLayout, match="ancho"):
        CollectionLayout("short-date", (*fields[:3], LayoutField(BarcodeField.FIRST_DUE, 6), *fields[4:]))
    with pytest.raises(InvalidLayout, match="par"):
        CollectionLayout("odd", (LayoutField(BarcodeField.COMPANY, 3), *fields[1:]))


@given(
    company=st.integers(0, 9999),
    account=st.integers(0, 99_999_999),
    document=st.integers(0, 99_999_999),
    first_due=st.dates(date(2000, 1, 1), date(2099, 9, 30)),
    days=st.integers(0, 99),
    first_cents=st.integers(0, 9_999_999_999),
    second_cents=st.integers(0, 9_999_999_999),
)
def test_round_trip_any_fitting_values(
    company: int, account: int, document: int, first_due: date, days: int, first_cents: int,
    second_cents: int,
) -> None:
    fields = CollectionFields(
        company, account, document, first_due, Decimal(first_cents) / 100,
        first_due.fromordinal(first_due.toordinal() + days), Decimal(second_cents) / 100,
    )
    for layout in (DEFAULT_LAYOUT, JULIAN):
        too_wide = account > 9_999_999 or max(first_cents, second_cents) > 99_999_999
        if layout is JULIAN and too_wide:
            continue
        code = build_collection_barcode(layout, fields)
        assert len(code) == layout.length
        assert parse_collection_barcode(layout, code) == fields


@given(st.text(alphabet="0123456789", min_size=1, max_size=140))
def test_13579_check_digit_equals_the_textbook_sum(digits: str) -> None:
    """Weights 1, then 3 5 7 9 repeated; half the sum, its last digit (domain-facts §6)."""
    weights = [1] + [(3, 5, 7, 9)[i % 4] for i in range(len(digits) - 1)]
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    assert check_digit_13579(digits) == (total // 2) % 10
