"""The PDF bill: valid PDF, page breaks, and the facts a member must find on it.

No PDF library is a dependency, so :func:`pdf_text` reads the page content streams
(ASCII85 + Flate, as reportlab writes them, decoded with the standard library) and
collects the literal strings of the text operators. Enough to assert on; not a
general PDF parser.
"""

from __future__ import annotations

import base64
import io
import re
import zlib
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.pdf_bill import (
    BillLine,
    BillView,
    ConsumptionPoint,
    CooperativeView,
    DocumentView,
    InvoiceView,
    MemberView,
    MeterReadingView,
    SupplyView,
    TotalsView,
    VatAmount,
    render_bill,
)
from domain.afip import IdKind, Letter, VatCondition
from domain.barcodes import DEFAULT_LAYOUT, CollectionFields, build_collection_barcode
from domain.errors import InvalidInput

D = Decimal
COOP = CooperativeView(
    name="Cooperativa Eléctrica y de Servicios Públicos de Villa Ejemplo Ltda.", cuit="30500010912",
    address="Av. San Martín 1234, (5900) Villa Ejemplo, Córdoba", iibb="904-123456-7",
    activity_start=date(1962, 5, 1), contact="Tel. (0353) 452-1000 · atencion@coopejemplo.com.ar",
)
MEMBER = MemberView(
    number="1234", name="GONZÁLEZ, MARÍA ESTER", id_kind=IdKind.DNI, id_number="26756539",
    vat_condition=VatCondition.CF, postal_address="Belgrano 455\n(5900) Villa Ejemplo, Córdoba",
)
MONTHS = ("04/25", "05/25", "06/25", "07/25", "08/25", "09/25", "10/25", "11/25", "12/25", "01/26",
          "02/26", "03/26")


def _invoice(number: int, cae: bool) -> InvoiceView:
    return InvoiceView(
        letter=Letter.B, cbte_tipo=6, point_of_sale=1, number=number,
        cae=f"7612345678{number:04d}" if cae else None, cae_due=date(2026, 3, 15) if cae else None,
    )


def _electricity(cae: bool) -> SupplyView:
    lines = (
        BillLine("Cargo fijo", D("4500.00")),
        BillLine("Energía 0-200 kWh", D("15624.00"), "200 kWh × $ 78,1200"),
        BillLine("Energía 200-400 kWh", D("11208.00"), "120 kWh × $ 93,4000"),
        BillLine("Cuota capital (15 % energía)", D("4024.80")),
        BillLine("Tasa municipal alumbrado público", D("1365.02")),
    )
    totals = TotalsView(net=D("31332.00"), vat=(VatAmount(D(21), D("6579.72")),), levies=D("1365.02"),
                        other=D("4024.80"), total=D("43301.54"))
    reading = MeterReadingView(
        "E-884512", D(45210), date(2026, 2, 2), D(45530), date(2026, 3, 3), D(320), "kWh"
    )
    history = tuple(ConsumptionPoint(m, D(u)) for m, u in zip(MONTHS, (
        280, 250, 310, 390, 420, 360, 300, 270, 330, 410, 380, 320), strict=True))
    return SupplyView("Energía eléctrica", "10234", "Belgrano 455", "Residencial", _invoice(1234, cae),
                      lines, totals, reading, history, date(2026, 2, 2), date(2026, 3, 3))


def _water(cae: bool) -> SupplyView:
    lines = (BillLine("Cargo fijo", D("3200.00")), BillLine("Consumo", D("5120.00"), "16 m³ × $ 320,0000"))
    totals = TotalsView(
        net=D("8320.00"), vat=(VatAmount(D(21), D("1747.20")),), levies=D(0), total=D("10067.20")
    )
    reading = MeterReadingView(
        "A-10077", D("1523.5"), date(2026, 2, 2), D("1539.5"), date(2026, 3, 3), D(16), "m³", estimated=True
    )
    history = tuple(ConsumptionPoint(m, D(u)) for m, u in zip(MONTHS, (
        14, 13, 11, 10, 10, 12, 15, 18, 22, 24, 21, 16), strict=True))
    return SupplyView("Agua potable", "20877", "Belgrano 455", "Residencial", _invoice(1235, cae),
                      lines, totals, reading, history)


def _internet(cae: bool) -> SupplyView:
    lines = (BillLine("Abono Internet 100 Mb", D("18500.00")), BillLine("Alquiler de equipo", D("1500.00")))
    totals = TotalsView(
        net=D("20000.00"), vat=(VatAmount(D(27), D("5400.00")),), levies=D(0), total=D("25400.00")
    )
    return SupplyView("Internet", "30012", "Belgrano 455", "Residencial", _invoice(1236, cae), lines, totals)


FIRST = D("43301.54") + D("10067.20") + D("25400.00")
SECOND = D("80344.11")  # 2 % surcharge


def sample_bill(*, cae: bool = True, supplies: int = 3) -> BillView:
    fields = CollectionFields(937, 1234, 98765, date(2026, 3, 20), FIRST, date(2026, 3, 30), SECOND)
    chosen = (_electricity(cae), _water(cae), _internet(cae))[:supplies]
    first = sum((s.totals.total for s in chosen), D(0))
    fields = replace(fields, first_amount=first)
    document = DocumentView(98765, date(2026, 3, 5), "Marzo 2026", fields.first_due, first, fields.second_due,
                            SECOND, build_collection_barcode(DEFAULT_LAYOUT, fields))
    return BillView(COOP, MEMBER, document, chosen)


# --- a minimal reader for the tests -------------------------------------------------------

STREAM = re.compile(rb"/Filter \[ /ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)endstream", re.S)
LITERAL = re.compile(rb"\((?:\\.|[^\\)])*\)", re.S)
ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
SIMPLE_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(match: re.Match[bytes]) -> bytes:
    token = match.group(1)
    if token[:1].isdigit():
        return bytes([int(token, 8)])
    return SIMPLE_ESCAPES.get(token, token)


def pdf_text(data: bytes) -> str:
    """Every literal string of every (deflated) stream, in order, decoded as WinAnsi."""
    chunks: list[str] = []
    for stream in STREAM.findall(data):
        content = zlib.decompress(base64.a85decode(stream.strip(), adobe=True))
        for literal in LITERAL.findall(content):
            chunks.append(ESCAPE.sub(_unescape, literal[1:-1]).decode("cp1252"))
    return "\n".join(chunks)


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", data))


def _render(view: BillView) -> bytes:
    buffer = io.BytesIO()
    render_bill(view, buffer)
    return buffer.getvalue()


# --- tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cae", [True, False])
def test_three_supplies_render_to_a_valid_two_page_pdf(tmp_path: Path, cae: bool) -> None:
    target = tmp_path / "bill.pdf"
    render_bill(sample_bill(cae=cae), target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    assert page_count(data) == 2
    text = pdf_text(data)
    assert "Hoja 1 de 2" in text and "Hoja 2 de 2" in text


def test_one_supply_fits_on_one_page() -> None:
    data = _render(sample_bill(supplies=1))
    assert page_count(data) == 1
    assert "Hoja 1 de 1" in pdf_text(data)


def test_member_amounts_dates_and_barcode_are_printed() -> None:
    view = sample_bill()
    text = pdf_text(_render(view))
    for expected in (
        "GONZÁLEZ, MARÍA ESTER", "DNI 26.756.539", "Consumidor Final", "ASOCIADO N° 1234",
        "$ 78.768,74", "$ 80.344,11", "20/03/2026", "30/03/2026", "$ 43.301,54", "$ 6.579,72",
        "Factura B 00001-00001234", "CUIT: 30-50001091-2", "45.530 (03/03/2026)", "1.539,5 (estimada)",
        "Consumo últimos 12 períodos (kWh)", "Promedio 335 kWh", "03/26",
        view.document.barcode,
    ):
        assert expected in text, expected


def test_qr_and_cae_only_when_authorised() -> None:
    with_cae = _render(sample_bill(cae=True))
    without = _render(sample_bill(cae=False))
    assert with_cae.count(b"(https://www.afip.gob.ar/fe/qr/?p=") == 3  # one link per invoice
    assert "76123456781234" in pdf_text(with_cae)
    assert b"afip.gob.ar" not in without
    assert "pendiente de autorización" in pdf_text(without)


def test_a_supply_longer_than_a_page_breaks_across_pages() -> None:
    bill = sample_bill(supplies=1)
    lines = tuple(BillLine(f"Ajuste & bonificación <{i}>", D("100.00")) for i in range(90))
    totals = TotalsView(
        net=D("9000.00"), vat=(VatAmount(D(21), D("1890.00")),), levies=D(0), total=D("10890.00")
    )
    supply = replace(bill.supplies[0], lines=lines, totals=totals)
    document = replace(bill.document, first_amount=totals.total)
    data = _render(replace(bill, supplies=(supply,), document=document))
    assert page_count(data) == 3
    text = pdf_text(data)
    # Markup characters are escaped, not swallowed (reportlab writes entities as separate strings).
    assert "Ajuste & bonificación <\n89\n>" in text
    assert "$ 10.890,00" in text and "Hoja 3 de 3" in text


def test_rendering_is_deterministic() -> None:
    assert _render(sample_bill()) == _render(sample_bill())


def test_totals_that_do_not_close_are_refused() -> None:
    with pytest.raises(InvalidInput, match="no cierran"):
        TotalsView(net=D("10.00"), vat=(VatAmount(D(21), D("2.10")),), levies=D(0), total=D("12.00"))
    bill = sample_bill(supplies=1)
    with pytest.raises(InvalidInput, match="Σ facturas"):
        replace(bill, document=replace(bill.document, first_amount=D("1.00")))
    with pytest.raises(InvalidInput, match="código de barras"):
        replace(bill.document, barcode="123")
    supply = bill.supplies[0]
    with pytest.raises(InvalidInput, match="líneas"):
        replace(supply, lines=supply.lines[:-1])
