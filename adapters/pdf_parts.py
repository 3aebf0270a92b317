"""Pieces of the PDF bill (see :mod:`adapters.pdf_bill`): styles, es-AR formats, flowables.

Amounts are ``Decimal`` until they become text; only the bar chart needs floats, and
those conversions carry ``# float-ok: drawing``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from reportlab.graphics.barcode.common import I2of5
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from domain.afip import IdKind, format_cuit, validate_dni
from domain.money import ZERO, format_ar

if TYPE_CHECKING:
    from adapters.pdf_bill import BillView, InvoiceView, MeterReadingView, SupplyView

MARGIN = 28.0  # ≈ 1 cm
STUB_HEIGHT = 150.0
FOOTER_HEIGHT = 14.0
RUNNING_HEADER_HEIGHT = 30.0
CONTENT_WIDTH = A4[0] - 2 * MARGIN
LEFT_WIDTH = 318.0  # lines and totals of a supply; the chart and the QR take the rest
RIGHT_WIDTH = CONTENT_WIDTH - LEFT_WIDTH
AMOUNT_WIDTH = 72.0

PRIMARY = colors.HexColor("#1F4E79")
TINT = colors.HexColor("#E8EEF5")
RULE = colors.HexColor("#9AAABB")
MUTED = colors.HexColor("#555555")


def _style(name: str, size: float = 8, bold: bool = False, **kw: Any) -> ParagraphStyle:
    font = "Helvetica-Bold" if bold else "Helvetica"
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.25, **kw)


STYLES = {
    "body": _style("body"),
    "info": _style("info", spaceBefore=3, spaceAfter=3),
    "small": _style("small", 7, textColor=MUTED),
    "bold": _style("bold", bold=True),
    "right": _style("right", alignment=TA_RIGHT),
    "right_bold": _style("right_bold", bold=True, alignment=TA_RIGHT),
    "coop": _style("coop", 13, bold=True, textColor=PRIMARY),
    "title": _style("title", 11, bold=True, alignment=TA_RIGHT, textColor=PRIMARY),
    "letter": _style("letter", 26, bold=True, alignment=TA_CENTER),
    "center_small": _style("center_small", 6.5, alignment=TA_CENTER),
    "band": _style("band", 9, bold=True, textColor=colors.white),
    "band_right": _style("band_right", 9, bold=True, textColor=colors.white, alignment=TA_RIGHT),
    "due_title": _style("due_title", 9, bold=True, textColor=PRIMARY),
    "due_amount": _style("due_amount", 18, bold=True, alignment=TA_RIGHT),
}


# --- es-AR formats -------------------------------------------------------------------------


def fmt_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def fmt_money(amount: Decimal) -> str:
    return f"$ {format_ar(amount)}"


def fmt_quantity(quantity: Decimal) -> str:
    """1.234 for whole units, 1.234,5 otherwise (readings and consumption)."""
    if quantity == quantity.to_integral_value():
        return f"{int(quantity):,}".replace(",", ".")
    text = f"{quantity.normalize():,f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def member_id_label(kind: IdKind, number: str) -> str:
    if kind in (IdKind.CUIT, IdKind.CUIL):
        return f"{kind.value} {format_cuit(number)}"
    if kind is IdKind.DNI:
        return f"DNI {fmt_quantity(Decimal(validate_dni(number)))}"
    return "Sin identificar"


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, STYLES[style])


def _esc(text: str) -> str:
    """Paragraphs read markup: data with & or < must be escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(rows: list[list[Any]], widths: list[float], style: list[tuple[Any, ...]], **kw: Any) -> Table:
    kw.setdefault("hAlign", "LEFT")
    table = Table(rows, colWidths=widths, **kw)
    table.setStyle(TableStyle(style))
    return table


# --- page 1: header, member, amounts due ---------------------------------------------------


def story(view: BillView) -> list[Flowable]:
    flow: list[Flowable] = [_header(view), Spacer(1, 8), _member_and_due(view), Spacer(1, 8)]
    flow += [_summary(view), Spacer(1, 10)]
    for supply in view.supplies:
        # A supply's section stays on one page unless it is taller than a page.
        flow += [KeepTogether(_supply_section(view, supply)), Spacer(1, 10)]
    return flow


def _header(view: BillView) -> Table:
    coop, doc = view.cooperative, view.document
    left = [
        _p(_esc(coop.name), "coop"), _p(_esc(coop.address)), _p(_esc(coop.contact)),
        _p(_esc(coop.vat_condition_name), "bold"),
    ]
    right = [
        _p("DOCUMENTO DE PAGO", "title"), _p(f"N° {doc.number:08d}", "right_bold"),
        _p(f"Fecha de emisión: {fmt_date(doc.issue_date)}", "right"),
        _p(f"Período: {_esc(doc.period_label)}", "right"),
        _p(f"CUIT: {format_cuit(coop.cuit)} · IIBB: {_esc(coop.iibb)}", "right"),
        _p(f"Inicio de actividades: {fmt_date(coop.activity_start)}", "right"),
    ]
    return _table([[left, _letter_box(view), right]], [262, 64, CONTENT_WIDTH - 326], [
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (-1, -1), 0.8, PRIMARY),
    ])


def _letter_box(view: BillView) -> Table:
    """AFIP asks for the letter in a box at the top centre, with the voucher code below it."""
    letters = sorted({s.invoice.letter.value for s in view.supplies})
    codes = sorted({s.invoice.cbte_tipo for s in view.supplies})
    code = f"COD. {codes[0]:02d}" if len(codes) == 1 else ""
    return _table([[_p("/".join(letters), "letter")], [_p(code, "center_small")]], [44], [
        ("BOX", (0, 0), (-1, -1), 1.2, colors.black), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ], rowHeights=[34, 12])


def _member_and_due(view: BillView) -> Table:
    member = view.member
    who = [
        _p(f"ASOCIADO N° {_esc(member.number)}", "due_title"), _p(_esc(member.name), "bold"),
        _p(f"{member_id_label(member.id_kind, member.id_number)} · {member.vat_condition.name_es}"),
        *[_p(_esc(line)) for line in member.postal_address.splitlines()],
    ]
    return _table([[who, _due_box(view)]], [CONTENT_WIDTH - 250, 250], [
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (0, 0), 0.5, RULE),
        ("BOX", (1, 0), (1, 0), 0.8, PRIMARY), ("BACKGROUND", (1, 0), (1, 0), TINT),
    ])


def _due_box(view: BillView) -> Table:
    doc = view.document
    return _table([
        [_p("TOTAL A PAGAR", "due_title"), _p(fmt_money(doc.first_amount), "due_amount"), ""],
        ["1er vencimiento", fmt_date(doc.first_due), fmt_money(doc.first_amount)],
        ["2do vencimiento", fmt_date(doc.second_due), fmt_money(doc.second_amount)],
    ], [88, 54, 92], [
        ("FONT", (0, 1), (-1, -1), "Helvetica", 8), ("FONT", (-1, 1), (-1, -1), "Helvetica-Bold", 8),
        ("SPAN", (1, 0), (2, 0)), ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 8),
    ])


def _summary(view: BillView) -> Table:
    rows: list[list[Any]] = [["Servicio", "Suministro", "Comprobante", "Importe"]]
    for s in view.supplies:
        inv = s.invoice
        rows.append([s.service_name, s.supply_number, f"{inv.type_name} {inv.number_label}",
                     fmt_money(s.totals.total)])
    rows.append(["", "", "Total del documento", fmt_money(view.document.first_amount)])
    return _table(rows, [150, 90, CONTENT_WIDTH - 330, 90], [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8), ("BACKGROUND", (0, 0), (-1, 0), TINT),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"), ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
        ("LINEABOVE", (0, -1), (-1, -1), 0.5, RULE), ("ALIGN", (2, -1), (2, -1), "RIGHT"),
    ])


# --- one supply ----------------------------------------------------------------------------


def _supply_section(view: BillView, supply: SupplyView) -> list[Flowable]:
    flow: list[Flowable] = [_band(supply), _supply_info(supply)]
    if supply.reading is not None:
        flow.append(_reading_table(supply.reading))
    flow += [Spacer(1, 6), *_body(view, supply)]
    flow.append(HRFlowable(width="100%", thickness=0.5, color=RULE, spaceBefore=4))
    return flow


# Beyond this height the lines go first, free to break across pages (a table row cannot).
MAX_SIDE_BY_SIDE = 420.0
PANEL_STYLE = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("LEFTPADDING", (1, 0), (1, 0), 14),
]


def _body(view: BillView, supply: SupplyView) -> list[Flowable]:
    """Lines and totals on the left; consumption chart and AFIP QR on the right."""
    left = [_lines_table(supply), Spacer(1, 4), _totals_table(supply)]
    panel: list[Flowable] = []
    if supply.reading is not None and supply.history:
        panel.append(consumption_chart(supply, RIGHT_WIDTH - 14, 124))
    panel.append(_authorization(supply.invoice, view.qr_url(supply)))
    if sum(f.wrap(LEFT_WIDTH, 1e6)[1] for f in left) <= MAX_SIDE_BY_SIDE:
        stacked_panel = [item for f in panel for item in (f, Spacer(1, 6))]
        return [_table([[left, stacked_panel]], [LEFT_WIDTH, RIGHT_WIDTH], PANEL_STYLE)]
    widths = [LEFT_WIDTH, RIGHT_WIDTH][: len(panel)]
    return [*left, Spacer(1, 6), _table([panel], widths, PANEL_STYLE)]


def _band(supply: SupplyView) -> Table:
    inv = supply.invoice
    return _table([[
        _p(f"{_esc(supply.service_name.upper())} · Suministro N° {_esc(supply.supply_number)}", "band"),
        _p(f"{inv.type_name} N° {inv.number_label}", "band_right"),
    ]], [CONTENT_WIDTH * 0.58, CONTENT_WIDTH * 0.42], [("BACKGROUND", (0, 0), (-1, -1), PRIMARY)])


def _supply_info(supply: SupplyView) -> Paragraph:
    text = f"<b>Domicilio:</b> {_esc(supply.address)} · <b>Categoría:</b> {_esc(supply.category)}"
    if supply.service_from and supply.service_to:
        period = f"{fmt_date(supply.service_from)} al {fmt_date(supply.service_to)}"
        text += f" · <b>Período de servicio:</b> {period}"
    return _p(text, "info")


def _reading_table(reading: MeterReadingView) -> Table:
    current = fmt_quantity(reading.current) + (" (estimada)" if reading.estimated else "")
    rows = [
        ["Medidor", "Lectura anterior", "Lectura actual", "Multiplicador", "Consumo"],
        [reading.meter_serial, f"{fmt_quantity(reading.previous)} ({fmt_date(reading.previous_date)})",
         f"{current} ({fmt_date(reading.current_date)})", fmt_quantity(reading.multiplier),
         f"{fmt_quantity(reading.consumption)} {reading.unit}"],
    ]
    return _table(rows, [80, 120, 150, 70, CONTENT_WIDTH - 420], [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7), ("FONT", (0, 1), (-1, 1), "Helvetica", 8),
        ("FONT", (-1, 1), (-1, 1), "Helvetica-Bold", 8), ("BACKGROUND", (0, 0), (-1, 0), TINT),
        ("BOX", (0, 0), (-1, -1), 0.5, RULE), ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
    ])


def _lines_table(supply: SupplyView) -> Table:
    rows: list[list[Any]] = [["Concepto", "Detalle", "Importe"]]
    rows += [[_p(_esc(ln.description)), _p(_esc(ln.detail), "small"), fmt_money(ln.amount)]
             for ln in supply.lines]
    return _table(rows, [146, LEFT_WIDTH - 146 - AMOUNT_WIDTH, AMOUNT_WIDTH], [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7),
        ("BACKGROUND", (0, 0), (-1, 0), TINT), ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LINEBELOW", (0, 1), (-1, -1), 0.25, TINT),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ], repeatRows=1)


def _totals_table(supply: SupplyView) -> Table:
    totals = supply.totals
    rows: list[list[str]] = [["Neto gravado", fmt_money(totals.net)]]
    rows += [[f"IVA {fmt_quantity(v.rate)} %", fmt_money(v.amount)] for v in totals.vat]
    if totals.levies != ZERO:
        rows.append(["Tasas y contribuciones", fmt_money(totals.levies)])
    if totals.other != ZERO:
        rows.append(["Otros conceptos (no gravados)", fmt_money(totals.other)])
    rows.append([f"TOTAL {supply.invoice.type_name.upper()}", fmt_money(totals.total)])
    # A blank first column puts the amounts right under the lines' "Importe" column.
    label_width = 170.0
    return _table([["", *row] for row in rows], [LEFT_WIDTH - label_width - AMOUNT_WIDTH, label_width,
                                                  AMOUNT_WIDTH], [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9),
        ("ALIGN", (0, 0), (-1, -1), "RIGHT"), ("LINEABOVE", (1, -1), (-1, -1), 0.8, PRIMARY),
        ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("TOPPADDING", (0, -1), (-1, -1), 3),
    ])


def consumption_chart(supply: SupplyView, width: float, height: float) -> Drawing:
    assert supply.reading is not None  # callers draw charts for metered supplies only
    history, unit = supply.history, supply.reading.unit
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 9, f"Consumo últimos {len(history)} períodos ({unit})",
                       fontName="Helvetica-Bold", fontSize=7.5, fillColor=PRIMARY))
    average = sum((p.units for p in history), ZERO) / len(history)
    drawing.add(String(width, height - 9, f"Promedio {fmt_quantity(average.quantize(Decimal(1)))} {unit}",
                       fontName="Helvetica", fontSize=6.5, textAnchor="end", fillColor=MUTED))
    drawing.add(_bar_chart(supply, width, height))
    return drawing


def _bar_chart(supply: SupplyView, width: float, height: float) -> VerticalBarChart:
    history = supply.history
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 26, 22, width - 28, height - 36
    chart.data = [[float(p.units) for p in history]]  # float-ok: drawing
    chart.categoryAxis.categoryNames = [p.label for p in history]
    chart.categoryAxis.labels.fontSize = 5.5
    chart.categoryAxis.labels.angle = 45  # twelve labels do not fit side by side
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.dx = 3
    chart.categoryAxis.labels.dy = -2
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 6
    chart.valueAxis.labelTextFormat = _axis_label
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = TINT
    chart.groupSpacing = 2.5
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = colors.HexColor("#9DB6CF")
    chart.bars[(0, len(history) - 1)].fillColor = PRIMARY  # the period being billed
    return chart


def _axis_label(value: float) -> str:
    return fmt_quantity(Decimal(round(value)))  # float-ok: drawing (axis tick from reportlab)


class _QrWithLink(Flowable):
    """The QR, also clickable in the PDF: members who read the bill on screen can follow it."""

    def __init__(self, url: str, size: float) -> None:
        super().__init__()
        self.url, self.size = url, size
        self.width = self.height = size

    def wrap(self, _aw: float, _ah: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        drawing = Drawing(self.size, self.size)
        drawing.add(QrCodeWidget(self.url, barLevel="M", barWidth=self.size, barHeight=self.size,
                                 barBorder=1))
        drawing.drawOn(self.canv, 0, 0)
        self.canv.linkURL(self.url, (0, 0, self.size, self.size), relative=1, thickness=0)


def _authorization(invoice: InvoiceView, qr_url: str | None) -> Flowable:
    if invoice.cae is None or qr_url is None:
        return _p("<i>Comprobante pendiente de autorización (sin CAE)</i>", "small")
    due = fmt_date(invoice.cae_due) if invoice.cae_due else "-"
    kind = "CAEA" if invoice.authorization_kind.value == "A" else "CAE"
    text = _p(f"<b>{kind} N°</b> {invoice.cae}<br/><b>Vto. {kind}:</b> {due}<br/>"
              "<font size=6.5 color='#555555'>Comprobante autorizado. "
              "Verificalo escaneando el código QR.</font>")
    return _table([[_QrWithLink(qr_url, 66), text]], [72, RIGHT_WIDTH - 86], [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (0, 0), 0),
    ])


# --- page furniture: payment stub, running header, page numbers ----------------------------


def draw_stub(canvas: Any, view: BillView) -> None:
    """The tear-off payment stub at the bottom of page 1, with the collection barcode."""
    top = MARGIN + STUB_HEIGHT - 6
    canvas.saveState()
    canvas.setDash(3, 3)
    canvas.setStrokeColor(MUTED)
    canvas.line(MARGIN, top, A4[0] - MARGIN, top)
    canvas.setDash()
    canvas.setFont("Helvetica-Bold", 8)
    canvas.setFillColor(PRIMARY)
    canvas.drawString(MARGIN, top - 14, "TALÓN PARA EL PAGO")
    info = _stub_info(view)
    _, info_height = info.wrapOn(canvas, CONTENT_WIDTH, STUB_HEIGHT)
    info.drawOn(canvas, MARGIN, top - 20 - info_height)
    _draw_collection_barcode(canvas, view.document.barcode, MARGIN + 4)
    canvas.restoreState()


def _stub_info(view: BillView) -> Table:
    doc, member = view.document, view.member
    who = [
        _p(_esc(view.cooperative.name), "bold"),
        _p(f"Asociado N° {_esc(member.number)} · {_esc(member.name)}"),
        _p(f"Documento N° {doc.number:08d} · Período {_esc(doc.period_label)}"),
    ]
    dues = _table([
        ["1er vencimiento", fmt_date(doc.first_due), fmt_money(doc.first_amount)],
        ["2do vencimiento", fmt_date(doc.second_due), fmt_money(doc.second_amount)],
    ], [70, 56, 94], [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("FONT", (-1, 0), (-1, -1), "Helvetica-Bold", 9),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"), ("BOX", (0, 0), (-1, -1), 0.8, PRIMARY),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE), ("BACKGROUND", (0, 0), (-1, -1), TINT),
    ], hAlign="RIGHT")
    return _table([[who, dues]], [CONTENT_WIDTH - 230, 230], [
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (1, 0), (1, 0), "RIGHT"),
    ])


def _draw_collection_barcode(canvas: Any, digits: str, bottom: float) -> None:
    # Our check digits are already in the digits: reportlab must not add its own (checksum=0).
    barcode = I2of5(digits, barWidth=0.85, ratio=3, checksum=0, bearers=0, quiet=0, barHeight=40)
    width, _ = barcode.wrap(CONTENT_WIDTH, STUB_HEIGHT)
    canvas.setFillColor(colors.black)  # scanners want black bars, whatever was drawn before
    barcode.drawOn(canvas, (A4[0] - width) / 2, bottom + 11)
    canvas.setFont("Helvetica", 8)
    canvas.drawCentredString(A4[0] / 2, bottom + 1, digits)


def draw_running_header(canvas: Any, view: BillView) -> None:
    doc, member = view.document, view.member
    y = A4[1] - MARGIN - 8
    canvas.saveState()
    canvas.setFont("Helvetica-Bold", 9)
    canvas.setFillColor(PRIMARY)
    canvas.drawString(MARGIN, y, view.cooperative.name)
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(colors.black)
    canvas.drawString(MARGIN, y - 11, f"Asociado N° {member.number} · {member.name}")
    document = f"Documento N° {doc.number:08d} · Período {doc.period_label}"
    canvas.drawRightString(A4[0] - MARGIN, y - 11, document)
    canvas.setStrokeColor(PRIMARY)
    canvas.line(MARGIN, y - 16, A4[0] - MARGIN, y - 16)
    canvas.restoreState()


def draw_page_number(canvas: Any, number: int, total: int) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.setFillColor(MUTED)
    canvas.drawRightString(A4[0] - MARGIN, MARGIN - 14, f"Hoja {number} de {total}")
    canvas.drawString(MARGIN, MARGIN - 14, "Cada factura del documento puede abonarse por separado.")
    canvas.restoreState()
