"""Collection-network result files (Pago Fácil and configurable fixed-width layouts), in and out.

The public face of ``collection_model`` (what a file says), ``collection_layouts`` (the layouts
in ``data/networks.toml``), ``collection_parser`` (all-or-nothing reading) and the writer here.
Pure: bytes in, model out, and back; the lead's import matches payments to documents::

    raw = path.read_bytes()
    fingerprint = file_fingerprint(raw)          # refuse a file already imported
    parsed = parse_network_file(raw, "pagofacil", source=path.name)   # or CollectionFileError
    for payment in parsed.payments():
        key = payment_key(parsed.network, payment)   # skip payments already recorded

Pago Fácil result file (domain-facts §6): ISO-8859-1, CRLF, 128 characters per record, the
record type in position 1. Positions from 1; N: digits, zero padded; A: text, left aligned,
space padded; dates AAAAMMDD, time HHMM, amounts in cents. Record types and contents are
domain-facts'; the widths are Asiento's choice (after a public reader of the Pago Fácil
transmission file) and live in ``networks.toml`` so they can be corrected without code::

    rec  field                       from  width
    1    file header                    1      1  "1"
         file date                      2      8  N date
         origin                        10     25  A constant "PAGO FACIL" (ignored on read)
         client code (ours at PF)      35      9  A
         client name                   44     35  A (cut if longer)
    3    batch header                   1      1  "3"
         batch date                     2      8  N date (written: file date; read, not kept)
         batch number                  10      6  N
         description                   16     35  A constant "COBRANZAS"
    5    transaction                    1      1  "5"
         sequence                       2      8  N the network's transaction number
         work date                     10      8  N date
         transfer date                 18      8  N date
         account                       26     21  A
         currency                      47      3  A
         amount                        50     12  N cents
         terminal                      62      8  A
         payment date                  70      8  N date
         payment time                  78      4  N HHMM
    6    barcode                        1      1  "6"
         barcode                        2     80  A digits, left aligned (52 with DEFAULT_LAYOUT)
    7    instrument                     1      1  "7"
         currency                       2      3  A (must equal the 5's)
         instrument                     5      1  A (E cash, D debit card, ... as the network writes)
         amount                        81     12  N cents (must equal the 5's)
    8    batch trailer                  1      1  "8"
         batch date                     2      8  N date
         batch number                  10      6  N (must equal the 3's)
         payment count                 16      8  N
         amount                        24     14  N cents
    9    file trailer                   1      1  "9"
         file date                      2      8  N date
         batch count                   10      6  N
         payment count                 16      8  N
         amount                        24     14  N cents

Order: 1, then per batch 3, (5, 6, 7) per payment, 8; last 9. Unused positions are spaces;
text fields are read without their padding (leading and trailing spaces dropped).
The sample ``rapipago`` layout (one ``D`` record per payment, no batches) is in the TOML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from adapters.collection_codecs import (
    amount_encoder,
    date_encoder,
    number_encoder,
    text_encoder,
    time_encoder,
)
from adapters.collection_layouts import load_network_layouts
from adapters.collection_model import (
    CollectedPayment,
    CollectionBatch,
    CollectionFile,
    CollectionFileError,
    RowError,
    file_fingerprint,
    payment_key,
)
from adapters.collection_parser import parse_collection_file
from adapters.collection_records import FIELD_LABELS, FieldKind, NetworkLayout, RecordKind, RecordSpec
from domain.errors import InvalidInput

__all__ = [
    "CollectedPayment",
    "CollectionBatch",
    "CollectionFile",
    "CollectionFileError",
    "NetworkLayout",
    "RowError",
    "default_layouts",
    "file_fingerprint",
    "parse_collection_file",
    "parse_network_file",
    "parse_pagofacil_result",
    "payment_key",
    "write_collection_file",
    "write_pagofacil_result",
]

LINE_END = "\r\n"
PAGOFACIL = "pagofacil"

Encoder = Callable[[Any], str]
Piece = tuple[str, str, Encoder | None]  # (gap before, field name or constant text, encoder)


@cache
def default_layouts() -> Mapping[str, NetworkLayout]:
    """The layouts shipped in ``adapters/data/networks.toml`` (read once)."""
    return MappingProxyType(load_network_layouts())


def _layout(network: str) -> NetworkLayout:
    layouts = default_layouts()
    if network not in layouts:
        raise InvalidInput(f"Red de cobranza desconocida: {network!r} (configuradas: {', '.join(layouts)})")
    return layouts[network]


def parse_network_file(raw: bytes, network: str, *, source: str = "") -> CollectionFile:
    return parse_collection_file(raw, _layout(network), source=source)


def parse_pagofacil_result(raw: bytes, *, source: str = "") -> CollectionFile:
    return parse_network_file(raw, PAGOFACIL, source=source)


def write_pagofacil_result(file: CollectionFile) -> bytes:
    return write_collection_file(file, _layout(PAGOFACIL))


def write_collection_file(file: CollectionFile, layout: NetworkLayout) -> bytes:
    """The bytes of ``file`` in ``layout``; trailers are written as the model declares them."""
    if not layout.has_batches and len(file.batches) > 1:
        raise InvalidInput(f"El diseño {layout.name} no tiene lotes: el archivo debe tener un solo lote")
    writer = _Writer(layout)
    lines = [writer.line(RecordKind.FILE_HEADER, _header_values(file))]
    for batch in file.batches:
        if layout.has_batches:
            lines.append(writer.line(RecordKind.BATCH_HEADER, _batch_values(file, batch)))
        lines.extend(writer.payment_lines(batch.payments))
        if layout.has_batches:
            lines.append(writer.line(RecordKind.BATCH_TRAILER, _batch_values(file, batch)))
    lines.append(writer.line(RecordKind.FILE_TRAILER, _trailer_values(file)))
    return (LINE_END.join(lines) + LINE_END).encode(layout.encoding, errors="replace")


def _header_values(file: CollectionFile) -> dict[str, Any]:
    return {"file_date": file.file_date, "client_code": file.client_code, "client_name": file.client_name}


def _batch_values(file: CollectionFile, batch: CollectionBatch) -> dict[str, Any]:
    return {
        "batch_number": batch.batch_number,
        "batch_date": file.file_date,
        "count": batch.trailer_count,
        "total": batch.trailer_amount,
    }


def _trailer_values(file: CollectionFile) -> dict[str, Any]:
    return {
        "file_date": file.file_date,
        "batch_count": len(file.batches),
        "count": file.trailer_count,
        "total": file.trailer_amount,
    }


class _Writer:
    def __init__(self, layout: NetworkLayout) -> None:
        self.layout = layout
        self.records = {kind: self._compile(spec) for kind, spec in layout.records.items()}
        self.payment_records = [(kind, self.records[kind]) for kind in layout.payment_records]

    def _compile(self, spec: RecordSpec) -> tuple[list[Piece], str]:
        """Pieces in position order (the record type is a constant piece) and the closing gap."""
        layout = self.layout
        slots: list[tuple[int, int, str, Encoder | None]] = [
            (layout.type_start, layout.type_width, spec.code, None)
        ]
        for f in spec.fields:
            if f.kind is FieldKind.CONSTANT:
                slots.append((f.start, f.width, f.value, None))
            else:
                slots.append((f.start, f.width, f.name, self._encoder(f.kind, f.width)))
        pieces: list[Piece] = []
        position = 0
        for start, width, name, encoder in sorted(slots, key=lambda slot: slot[0]):
            text = name.ljust(width) if encoder is None else name
            pieces.append((" " * (start - position), text, encoder))
            position = start + width
        return pieces, " " * (layout.record_width - position)

    def _encoder(self, kind: FieldKind, width: int) -> Encoder:
        layout = self.layout
        if kind is FieldKind.DATE:
            return date_encoder(layout.date_format)
        if kind is FieldKind.TIME:
            return time_encoder(layout.time_format)
        if kind is FieldKind.AMOUNT:
            return amount_encoder(layout.amount_decimals, width)
        if kind is FieldKind.NUMBER:
            return number_encoder(width)
        return text_encoder(width, cut=kind is FieldKind.NAME)

    def line(self, kind: RecordKind, values: Mapping[str, Any]) -> str:
        pieces, tail = self.records[kind]
        return self._render(kind, pieces, tail, values.__getitem__, "")

    def payment_lines(self, payments: tuple[CollectedPayment, ...]) -> list[str]:
        lines: list[str] = []
        for payment in payments:
            value = _payment_getter(payment)
            for kind, (pieces, tail) in self.payment_records:
                lines.append(self._render(kind, pieces, tail, value, f"pago {payment.sequence}: "))
        return lines

    def _render(
        self, kind: RecordKind, pieces: list[Piece], tail: str, value: Callable[[str], Any], who: str
    ) -> str:
        parts: list[str] = []
        for gap, name, encoder in pieces:
            parts.append(gap)
            if encoder is None:
                parts.append(name)
                continue
            try:
                parts.append(encoder(value(name)))
            except ValueError as exc:
                record = self.layout.records[kind].label
                raise InvalidInput(f"{who}{record}, {FIELD_LABELS.get(name, name)}: {exc}") from None
        parts.append(tail)
        return "".join(parts)


def _payment_getter(payment: CollectedPayment) -> Callable[[str], Any]:
    def value(name: str) -> Any:
        if name == "work_date" and payment.work_date is None:
            return payment.payment_date
        return getattr(payment, name)

    return value
