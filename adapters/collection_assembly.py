"""From decoded records to a :class:`CollectionFile`: record order, payment groups, totals.

The :class:`Assembler` is fed one decoded record at a time (``ok`` False when the line had
errors of its own, already reported). It checks the grammar of the layout::

    file_header  (batch_header  payment*  batch_trailer)*  file_trailer
    payment = the layout's payment_records in order (Pago Fácil: 5 6 7)

joins each payment's records (a field given by two records must agree), checks the barcode
with ``parse_collection_barcode`` and each trailer's count and amount. A batch that lost a
payment or an amount is "uncertain": its totals (and the file's) are not checked, so one
bad line does not also show up as wrong totals.
"""

from __future__ import annotations

from decimal import Decimal

from adapters.collection_model import CollectionBatch, CollectionFile, RowError
from adapters.collection_payments import OpenBatch, PaymentJoiner, Record, Values
from adapters.collection_records import PAYMENT_KINDS, RECORD_LABELS, NetworkLayout, RecordKind
from domain.money import ZERO, format_ar

TYPE_FIELD = "tipo de registro"


class Assembler:
    """Appends every problem to ``errors``; :meth:`result` only when there is none."""

    def __init__(self, layout: NetworkLayout, errors: list[RowError]) -> None:
        self.layout = layout
        self.errors = errors
        self.header: Values | None = None
        self.trailer: Values | None = None
        self.started = False
        self.done = False
        self.batch: OpenBatch | None = None if layout.has_batches else OpenBatch(1, 0)
        self.batches: list[CollectionBatch] = []
        self.counted: list[tuple[int, Decimal]] = []
        self.uncertain = False
        self.payments = PaymentJoiner(layout, self.error)

    def error(self, line: int, field_name: str, reason: str) -> None:
        self.errors.append(RowError(line, field_name, reason))

    def label(self, kind: RecordKind) -> str:
        return f"{RECORD_LABELS[kind]} ({self.layout.records[kind].code})"

    def feed(self, record: Record) -> None:
        kind = record.kind
        if kind in PAYMENT_KINDS and self.started and not self.done:
            self._payment_record(record)
        elif self.done:
            self.error(record.line, TYPE_FIELD, "hay registros después del cierre de archivo")
        elif kind is RecordKind.FILE_HEADER:
            self._file_header(record)
        else:
            if not self.started:
                reason = f"el archivo debe empezar con el {self.label(RecordKind.FILE_HEADER)}"
                self.error(record.line, TYPE_FIELD, reason)
                self.started = True
            if kind is RecordKind.BATCH_HEADER:
                self._open_batch(record)
            elif kind is RecordKind.BATCH_TRAILER:
                self._close_batch(record)
            elif kind is RecordKind.FILE_TRAILER:
                self._file_trailer(record)
            else:
                self._payment_record(record)

    def unreadable(self) -> None:
        """A line of unknown type: it may have been a payment, so no totals are checked."""
        self.uncertain = True
        if self.batch is not None:
            self.batch.uncertain = True

    def end(self, last_line: int) -> None:
        if not self.done:
            self._drop_group()
            self.error(last_line, TYPE_FIELD, f"falta el {self.label(RecordKind.FILE_TRAILER)} al final")

    def result(self) -> CollectionFile:
        assert self.header is not None and self.trailer is not None  # errors were raised otherwise
        return CollectionFile(
            network=self.layout.name,
            file_date=self.header["file_date"],
            batches=tuple(self.batches),
            trailer_count=self.trailer["count"],
            trailer_amount=self.trailer["total"],
            client_code=self.header.get("client_code", ""),
            client_name=self.header.get("client_name", ""),
        )

    # file and batches ---------------------------------------------------------------

    def _file_header(self, record: Record) -> None:
        if self.started:
            self.error(record.line, TYPE_FIELD, f"{self.label(RecordKind.FILE_HEADER)} fuera de lugar")
            return
        self.started = True
        self.header = record.values

    def _open_batch(self, record: Record) -> None:
        if self.batch is not None:
            self._unclosed_batch(record.line)
        self.batch = OpenBatch(record.values.get("batch_number"), record.line)

    def _unclosed_batch(self, line: int) -> None:
        assert self.batch is not None
        self._drop_group()
        where = f"el lote de la línea {self.batch.line}" if self.batch.line else "un lote"
        self.error(line, TYPE_FIELD, f"{where} no tiene {self.label(RecordKind.BATCH_TRAILER)}")
        self.uncertain = True
        self.batch = None

    def _close_batch(self, record: Record) -> None:
        self._drop_group()
        batch, values = self.batch, record.values
        if batch is None:
            self.error(
                record.line, TYPE_FIELD, f"{self.label(RecordKind.BATCH_TRAILER)} sin encabezado de lote"
            )
            self.uncertain = True
            return
        number = batch.number if batch.number is not None else len(self.batches) + 1
        declared = values.get("batch_number", number)
        if declared != number:
            self.error(
                record.line, "número de lote", f"el cierre dice lote {declared} y el encabezado {number}"
            )
        if record.ok and not batch.uncertain:
            self._check_totals(record.line, f"el cierre del lote {number}", values, batch.count, batch.total)
        self._keep(batch, number, values.get("count", batch.count), values.get("total", batch.total))
        self.batch = None

    def _keep(self, batch: OpenBatch, number: int, count: int, amount: Decimal) -> None:
        self.batches.append(CollectionBatch(number, tuple(batch.payments), count, amount))
        self.counted.append((batch.count, batch.total))
        self.uncertain = self.uncertain or batch.uncertain

    def _file_trailer(self, record: Record) -> None:
        self._drop_group()
        if self.layout.has_batches and self.batch is not None:
            self._unclosed_batch(record.line)
        elif self.batch is not None:  # a layout without batches: its payments are batch 1
            self._keep(self.batch, 1, self.batch.count, self.batch.total)
        self.done = True
        self.trailer = values = record.values
        if not record.ok or self.uncertain:
            return
        if "batch_count" in values and values["batch_count"] != len(self.batches):
            reason = f"el cierre declara {values['batch_count']} lotes y el archivo tiene {len(self.batches)}"
            self.error(record.line, "cantidad de lotes", reason)
        count = sum(c for c, _ in self.counted)
        total = sum((t for _, t in self.counted), ZERO)
        self._check_totals(record.line, "el cierre de archivo", values, count, total)

    def _check_totals(self, line: int, what: str, values: Values, count: int, total: Decimal) -> None:
        if values["count"] != count:
            self.error(line, "cantidad de pagos", f"{what} declara {values['count']} pagos y hay {count}")
        if values["total"] != total:
            reason = f"{what} declara $ {format_ar(values['total'])} y los pagos suman $ {format_ar(total)}"
            self.error(line, "importe total", reason)

    # payment groups -----------------------------------------------------------------

    def _payment_record(self, record: Record) -> None:
        batch = self.batch
        if batch is None:
            reason = f"pago fuera de un lote: falta el {self.label(RecordKind.BATCH_HEADER)}"
            self.error(record.line, TYPE_FIELD, reason)
            batch = self.batch = OpenBatch(None, 0, uncertain=True)
        group = self.payments.group
        order = self.layout.payment_records
        if record.kind is order[0]:
            self._drop_group()
            self.payments.group = group = [record]
        elif group and len(group) < len(order) and order[len(group)] is record.kind:
            group.append(record)
        else:
            expected = order[len(group)] if group else order[0]
            reason = f"{self.label(record.kind)} fuera de orden: se esperaba {self.label(expected)}"
            self.error(record.line, TYPE_FIELD, reason)
            self.payments.group = []
            batch.uncertain = True
            return
        if len(group) == len(order):
            self.payments.finish(batch)

    def _drop_group(self) -> None:
        """A payment whose records stopped short: reported, then forgotten."""
        group = self.payments.group
        if not group:
            return
        missing = self.layout.payment_records[len(group)]
        self.error(group[0].line, TYPE_FIELD, f"al pago le falta el {self.label(missing)}")
        self.payments.group = []
        if self.batch is not None:
            self.batch.uncertain = True
