"""The PDF bill of one consolidated payable document, in Spanish (es-AR).

The billing run (or ``asiento billing print``) builds a :class:`BillView` from the
consolidated document and its invoices, then calls :func:`render_bill`. The view
holds presentation-ready facts only; amounts are ``Decimal`` and are checked to close
(lines + VAT = invoice total; Σ invoice totals = first due amount) so a bill never
shows numbers that disagree with each other.

Page 1 carries the header, the member, the summary and, at the bottom, the payment
stub with the collection barcode; each supply gets a section (lines, totals,
12-period consumption chart, AFIP QR when a CAE is recorded) that flows onto the
following pages. The drawing itself lives in :mod:`adapters.pdf_parts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

import adapters.pdf_parts as parts
from domain.afip import IdKind, Letter, VatCondition, cbte_tipo_name, receiver_document
from domain.barcodes import AfipQr, AuthorizationKind, afip_qr_url
from domain.errors import InvalidInput
from domain.money import ZERO, format_ar


@dataclass(frozen=True)
class CooperativeView:
    name: str
    cuit: str  # 11 digits
    address: str
    iibb: str  # Ingresos Brutos registration
    activity_start: date
    vat_condition_name: str = "IVA Responsable Inscripto"
    contact: str = ""  # phone, e-mail, web: one line


@dataclass(frozen=True)
class MemberView:
    number: str
    name: str
    id_kind: IdKind
    id_number: str
    vat_condition: VatCondition
    postal_address: str  # lines separated by "\n"


@dataclass(frozen=True)
class DocumentView:
    """The consolidated payable document (one per member and period)."""

    number: int
    issue_date: date
    period_label: str  # "Marzo 2026"
    first_due: date
    first_amount: Decimal
    second_due: date
    second_amount: Decimal
    barcode: str  # collection barcode digits (domain.barcodes.build_collection_barcode)

    def __post_init__(self) -> None:
        # Interleaved 2 of 5 silently prepends a 0 to odd codes: the scan would not match.
        if not (self.barcode.isascii() and self.barcode.isdigit()) or len(self.barcode) % 2:
            raise InvalidInput(f"Documento {self.number}: código de barras {self.barcode!r} inválido")


@dataclass(frozen=True)
class MeterReadingView:
    meter_serial: str
    previous: Decimal
    previous_date: date
    current: Decimal
    current_date: date
    consumption: Decimal
    unit: str  # "kWh", "m³"
    multiplier: Decimal = Decimal(1)
    estimated: bool = False


@dataclass(frozen=True)
class InvoiceView:
    letter: Letter
    cbte_tipo: int
    point_of_sale: int
    number: int
    cae: str | None = None
    cae_due: date | None = None
    authorization_kind: AuthorizationKind = AuthorizationKind.CAE

    @property
    def type_name(self) -> str:
        return cbte_tipo_name(self.cbte_tipo)

    @property
    def number_label(self) -> str:
        return f"{self.point_of_sale:05d}-{self.number:08d}"


@dataclass(frozen=True)
class BillLine:
    description: str
    amount: Decimal
    detail: str = ""  # quantity × price, e.g. "150 kWh × $ 98,1200"


@dataclass(frozen=True)
class VatAmount:
    rate: Decimal  # 21, 27, 10.5
    amount: Decimal


@dataclass(frozen=True)
class TotalsView:
    net: Decimal  # VAT base
    vat: tuple[VatAmount, ...]
    levies: Decimal  # municipal and provincial levies
    total: Decimal
    other: Decimal = ZERO  # outside the VAT base: cuota capital, perceptions

    def __post_init__(self) -> None:
        parts_sum = self.net + self.vat_total + self.levies + self.other
        if parts_sum != self.total:
            raise InvalidInput(f"Los totales no cierran: {format_ar(parts_sum)} ≠ {format_ar(self.total)}")

    @property
    def vat_total(self) -> Decimal:
        return sum((v.amount for v in self.vat), ZERO)


@dataclass(frozen=True)
class ConsumptionPoint:
    label: str  # "03/26"
    units: Decimal


@dataclass(frozen=True)
class SupplyView:
    """One supply's invoice. ``lines`` are every line except VAT, which the totals show."""

    service_name: str
    supply_number: str
    address: str
    category: str
    invoice: InvoiceView
    lines: tuple[BillLine, ...]
    totals: TotalsView
    reading: MeterReadingView | None = None
    history: tuple[ConsumptionPoint, ...] = ()  # oldest first, the last 12 periods
    service_from: date | None = None
    service_to: date | None = None

    def __post_init__(self) -> None:
        lines_sum = sum((ln.amount for ln in self.lines), ZERO) + self.totals.vat_total
        if lines_sum != self.totals.total:
            raise InvalidInput(
                f"Suministro {self.supply_number}: líneas + IVA {format_ar(lines_sum)} ≠ "
                f"total {format_ar(self.totals.total)}"
            )


@dataclass(frozen=True)
class BillView:
    cooperative: CooperativeView
    member: MemberView
    document: DocumentView
    supplies: tuple[SupplyView, ...]

    def __post_init__(self) -> None:
        if not self.supplies:
            raise InvalidInput(f"Documento {self.document.number}: no tiene facturas")
        total = sum((s.totals.total for s in self.supplies), ZERO)
        if total != self.document.first_amount:
            raise InvalidInput(
                f"Documento {self.document.number}: Σ facturas {format_ar(total)} ≠ "
                f"1er vencimiento {format_ar(self.document.first_amount)}"
            )

    def qr_url(self, supply: SupplyView) -> str | None:
        """AFIP's QR for the supply's invoice, only once it has a CAE/CAEA."""
        invoice = supply.invoice
        if invoice.cae is None:
            return None
        receiver = receiver_document(self.member.id_kind, self.member.id_number)
        return afip_qr_url(AfipQr(
            issue_date=self.document.issue_date, cuit=self.cooperative.cuit,
            point_of_sale=invoice.point_of_sale, cbte_tipo=invoice.cbte_tipo, number=invoice.number,
            total=supply.totals.total, doc_tipo=receiver.doc_tipo, doc_nro=receiver.doc_nro,
            authorization_code=invoice.cae, authorization_kind=invoice.authorization_kind,
        ))


# --- document assembly ---------------------------------------------------------------------


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so each can say "Hoja x de y"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for number, state in enumerate(self._saved_pages, start=1):
            self.__dict__.update(state)
            parts.draw_page_number(self, number, total)
            super().showPage()
        super().save()


def _templates(view: BillView) -> list[PageTemplate]:
    width, height = A4
    m = parts.MARGIN
    stub_top = parts.STUB_HEIGHT + m
    first = Frame(m, stub_top, width - 2 * m, height - m - stub_top, id="first", showBoundary=0,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    later = Frame(m, m + parts.FOOTER_HEIGHT, width - 2 * m, height - 2 * m - parts.FOOTER_HEIGHT
                  - parts.RUNNING_HEADER_HEIGHT, id="later",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    return [
        PageTemplate("first", [first], onPage=lambda c, _d: parts.draw_stub(c, view),
                     autoNextPageTemplate="later"),
        PageTemplate("later", [later], onPage=lambda c, _d: parts.draw_running_header(c, view)),
    ]


def render_bill(view: BillView, out: BinaryIO | Path) -> None:
    """Write the bill as PDF to a path or a binary file object."""
    target: Any = str(out) if isinstance(out, Path) else out
    doc = BaseDocTemplate(
        target, pagesize=A4, pageTemplates=_templates(view),
        leftMargin=parts.MARGIN, rightMargin=parts.MARGIN, topMargin=parts.MARGIN,
        bottomMargin=parts.MARGIN,
        # Invariant: no timestamps or random ids, so the same view gives the same bytes.
        invariant=1,
        title=f"{view.cooperative.name} - Documento {view.document.number:08d}",
        author=view.cooperative.name, subject=f"Período {view.document.period_label}",
        creator="Asiento", lang="es-AR",
    )
    doc.build(parts.story(view), canvasmaker=_NumberedCanvas)
