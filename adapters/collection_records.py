"""The vocabulary of collection-file layouts: record kinds, field kinds, and a layout's shape.

A field's name fixes its kind: ``payment_date`` is a date in the layout's date format,
``amount`` an amount with its implied decimals, ``terminal`` text. ``RECORD_FIELDS`` says
which names each record kind may carry; ``collection_layouts`` reads layouts from TOML and
checks them against this vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.barcodes import CollectionLayout


class RecordKind(StrEnum):
    FILE_HEADER = "file_header"
    BATCH_HEADER = "batch_header"
    TRANSACTION = "transaction"
    BARCODE = "barcode"
    INSTRUMENT = "instrument"
    BATCH_TRAILER = "batch_trailer"
    FILE_TRAILER = "file_trailer"


PAYMENT_KINDS = frozenset({RecordKind.TRANSACTION, RecordKind.BARCODE, RecordKind.INSTRUMENT})


class FieldKind(StrEnum):
    DATE = "date"
    TIME = "time"
    AMOUNT = "amount"
    NUMBER = "number"
    TEXT = "text"  # must fit: a cut key would name another thing
    NAME = "name"  # may be cut when written (names, descriptions)
    CONSTANT = "constant"


_PAYMENT_FIELDS = {
    "sequence": FieldKind.NUMBER,
    "payment_date": FieldKind.DATE,
    "payment_time": FieldKind.TIME,
    "work_date": FieldKind.DATE,
    "transfer_date": FieldKind.DATE,
    "amount": FieldKind.AMOUNT,
    "terminal": FieldKind.TEXT,
    "account": FieldKind.TEXT,
    "currency": FieldKind.TEXT,
    "barcode": FieldKind.TEXT,
    "reference": FieldKind.TEXT,
    "instrument": FieldKind.TEXT,
}
_TRAILER_FIELDS = {"count": FieldKind.NUMBER, "total": FieldKind.AMOUNT}
RECORD_FIELDS: Mapping[RecordKind, Mapping[str, FieldKind]] = {
    RecordKind.FILE_HEADER: {
        "file_date": FieldKind.DATE,
        "client_code": FieldKind.TEXT,
        "client_name": FieldKind.NAME,
    },
    RecordKind.BATCH_HEADER: {"batch_number": FieldKind.NUMBER, "batch_date": FieldKind.DATE},
    RecordKind.TRANSACTION: _PAYMENT_FIELDS,
    RecordKind.BARCODE: _PAYMENT_FIELDS,
    RecordKind.INSTRUMENT: _PAYMENT_FIELDS,
    RecordKind.BATCH_TRAILER: {
        "batch_number": FieldKind.NUMBER,
        "batch_date": FieldKind.DATE,
        **_TRAILER_FIELDS,
    },
    RecordKind.FILE_TRAILER: {
        "file_date": FieldKind.DATE,
        "batch_count": FieldKind.NUMBER,
        **_TRAILER_FIELDS,
    },
}
REQUIRED_PAYMENT_FIELDS = ("sequence", "payment_date", "amount")

FIELD_LABELS: Mapping[str, str] = {
    "file_date": "fecha del archivo",
    "client_code": "código de cliente",
    "client_name": "nombre del cliente",
    "batch_number": "número de lote",
    "batch_date": "fecha del lote",
    "sequence": "secuencia",
    "payment_date": "fecha de pago",
    "payment_time": "hora de pago",
    "work_date": "fecha de proceso",
    "transfer_date": "fecha de acreditación",
    "amount": "importe",
    "terminal": "terminal",
    "account": "cuenta",
    "currency": "moneda",
    "barcode": "código de barras",
    "reference": "referencia",
    "instrument": "medio de pago",
    "count": "cantidad de pagos",
    "total": "importe total",
    "batch_count": "cantidad de lotes",
}
RECORD_LABELS: Mapping[RecordKind, str] = {
    RecordKind.FILE_HEADER: "encabezado de archivo",
    RecordKind.BATCH_HEADER: "encabezado de lote",
    RecordKind.TRANSACTION: "transacción",
    RecordKind.BARCODE: "código de barras",
    RecordKind.INSTRUMENT: "medio de pago",
    RecordKind.BATCH_TRAILER: "cierre de lote",
    RecordKind.FILE_TRAILER: "cierre de archivo",
}
DATE_FORMATS = frozenset({"yyyymmdd", "ddmmyyyy", "yymmdd"})
TIME_FORMATS = frozenset({"hhmm", "hhmmss"})


@dataclass(frozen=True)
class FieldSpec:
    name: str
    start: int  # 0-based offset in the record
    width: int
    kind: FieldKind
    value: str = ""  # the text of a constant field

    @property
    def end(self) -> int:
        return self.start + self.width

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.name, self.name)


@dataclass(frozen=True)
class RecordSpec:
    kind: RecordKind
    code: str
    fields: tuple[FieldSpec, ...]  # by position

    @property
    def label(self) -> str:
        return f"{RECORD_LABELS[self.kind]} ({self.code})"

    def has(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)


@dataclass(frozen=True)
class NetworkLayout:
    name: str
    label: str
    sample: bool
    record_width: int
    encoding: str
    type_start: int  # 0-based
    type_width: int
    date_format: str
    time_format: str
    amount_decimals: int
    barcode_layout: CollectionLayout | None
    payment_records: tuple[RecordKind, ...]
    records: Mapping[RecordKind, RecordSpec]

    @property
    def has_batches(self) -> bool:
        return RecordKind.BATCH_HEADER in self.records

    def payment_fields(self) -> frozenset[str]:
        return frozenset(f.name for k in self.payment_records for f in self.records[k].fields)
