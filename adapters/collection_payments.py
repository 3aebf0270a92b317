"""One payment from its records: join a group (5, 6, 7 for Pago Fácil), check it, build it.

A field two records both give (the amount in the 5 and the 7) must agree. The barcode must
pass ``parse_collection_barcode`` of the layout's barcode layout (check digits, dates); a
layout without one identifies payments by ``reference`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from adapters.collection_codecs import MIDNIGHT
from adapters.collection_model import DEFAULT_CURRENCY, CollectedPayment
from adapters.collection_records import FIELD_LABELS, NetworkLayout, RecordKind
from domain.barcodes import parse_collection_barcode
from domain.errors import InvalidInput
from domain.money import ZERO, format_ar

Values = dict[str, Any]
ErrorSink = Callable[[int, str, str], None]  # (line, field, reason)


class Record(NamedTuple):
    line: int
    kind: RecordKind
    values: Values
    ok: bool


@dataclass
class OpenBatch:
    number: int | None
    line: int
    payments: list[CollectedPayment] = field(default_factory=list)
    count: int = 0
    total: Decimal = ZERO
    uncertain: bool = False  # a payment was dropped or its amount unreadable: totals not checked


class PaymentJoiner:
    """Joins a complete group of payment records into a :class:`CollectedPayment`."""

    def __init__(self, layout: NetworkLayout, error: ErrorSink) -> None:
        self.layout = layout
        self.error = error
        self.group: list[Record] = []
        records = [layout.records[kind] for kind in layout.payment_records]
        seen: set[str] = set()
        self.repeats: list[list[str]] = []  # per position: fields an earlier record also gives
        for spec in records:
            names = [f.name for f in spec.fields]
            self.repeats.append([name for name in names if name in seen])
            seen.update(names)
        self.barcode_at = next((i for i, spec in enumerate(records) if spec.has("barcode")), 0)

    def finish(self, batch: OpenBatch) -> None:
        group, self.group = self.group, []
        merged: Values = {}
        agreed = True
        for position, record in enumerate(group):
            values = record.values
            for name in self.repeats[position]:
                if name in values and name in merged and values[name] != merged[name]:
                    self._disagree(name, record, group)
                    agreed = False
            merged.update(values)
        batch.count += 1
        if agreed and "amount" in merged:
            batch.total += merged["amount"]
        else:
            batch.uncertain = True
        if agreed and all(record.ok for record in group):
            payment = _payment(group[0].line, merged)
            self._check_identity(payment, group[self.barcode_at].line)
            batch.payments.append(payment)

    def _disagree(self, name: str, record: Record, group: list[Record]) -> None:
        first = next(r for r in group if name in r.values)
        shown, first_shown = _shown(record.values[name]), _shown(first.values[name])
        reason = f"{shown} no coincide con {first_shown} de la línea {first.line}"
        self.error(record.line, FIELD_LABELS.get(name, name), reason)

    def _check_identity(self, payment: CollectedPayment, line: int) -> None:
        barcode_layout = self.layout.barcode_layout
        if barcode_layout is None:
            if not (payment.barcode or payment.reference):
                self.error(line, "referencia", "el pago no trae código de barras ni referencia")
        elif not payment.barcode:
            self.error(line, "código de barras", "falta el código de barras")
        else:
            try:
                parse_collection_barcode(barcode_layout, payment.barcode)
            except InvalidInput as exc:
                self.error(line, "código de barras", exc.message)


def _shown(value: object) -> str:
    if isinstance(value, Decimal):
        return f"$ {format_ar(value)}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return repr(value)


def _payment(line: int, values: Values) -> CollectedPayment:
    paid_on: date = values["payment_date"]
    return CollectedPayment(
        line=line,
        sequence=values["sequence"],
        payment_date=paid_on,
        payment_time=values.get("payment_time", MIDNIGHT),
        transfer_date=values.get("transfer_date", paid_on),
        amount=values["amount"],
        barcode=values.get("barcode", ""),
        instrument=values.get("instrument", ""),
        terminal=values.get("terminal", ""),
        work_date=values.get("work_date"),
        account=values.get("account", ""),
        currency=values.get("currency", DEFAULT_CURRENCY),
        reference=values.get("reference", ""),
    )
