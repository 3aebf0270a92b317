"""Read a collection-network result file with its layout: all of it, or an error listing every problem.

Each line is checked for its record type and width and its fields decoded (``RowError`` for
each bad field); the ``collection_assembly.Assembler`` then checks record order, payment
groups, barcodes and trailers. One :class:`CollectionFileError` lists every problem (line,
field, reason in Spanish); only a clean file gives a :class:`CollectionFile`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.collection_assembly import TYPE_FIELD, Assembler
from adapters.collection_codecs import (
    amount_decoder,
    date_decoder,
    decode_text,
    number_decoder,
    time_decoder,
)
from adapters.collection_model import CollectionFile, CollectionFileError, RowError
from adapters.collection_payments import Record
from adapters.collection_records import FieldKind, NetworkLayout, RecordSpec

MAX_LINES = 3_000_000  # 1,000,000 Pago Fácil payments; stops a wrong file from filling memory
FILE_LINE = 0

Decoder = Callable[[str], Any]


def parse_collection_file(raw: bytes, layout: NetworkLayout, *, source: str = "") -> CollectionFile:
    """The file's model, or :class:`CollectionFileError` with every bad line."""
    lines, errors = _lines(raw, layout)
    assembler = Assembler(layout, errors)
    if lines:
        _read_records(lines, layout, assembler, errors)
        assembler.end(len(lines))
    if errors:
        raise CollectionFileError(errors, source)
    return assembler.result()


def _lines(raw: bytes, layout: NetworkLayout) -> tuple[list[str], list[RowError]]:
    try:
        text = raw.decode(layout.encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return [], [RowError(line, "archivo", f"no está en {layout.encoding}")]
    lines = text.split("\n")
    while lines and lines[-1] in ("", "\r"):
        lines.pop()
    if not lines:
        return [], [RowError(FILE_LINE, "archivo", "está vacío")]
    if len(lines) > MAX_LINES:
        return [], [RowError(FILE_LINE, "archivo", f"más de {MAX_LINES} registros: divida el archivo")]
    return lines, []


def _compile(spec: RecordSpec, layout: NetworkLayout) -> list[tuple[str, str, int, int, Decoder]]:
    """(name, label, start, end, decoder) of each data field; decoders carry one parse's caches."""
    makers: dict[FieldKind, Callable[[str], Decoder]] = {
        FieldKind.DATE: lambda _: date_decoder(layout.date_format),
        FieldKind.TIME: lambda _: time_decoder(layout.time_format),
        FieldKind.AMOUNT: lambda _: amount_decoder(layout.amount_decimals),
        FieldKind.NUMBER: number_decoder,
        FieldKind.TEXT: lambda _: decode_text,
        FieldKind.NAME: lambda _: decode_text,
    }
    return [
        (f.name, f.label, f.start, f.end, makers[f.kind](f"un número ({f.label})"))
        for f in spec.fields
        if f.kind is not FieldKind.CONSTANT
    ]


def _read_records(
    lines: list[str], layout: NetworkLayout, assembler: Assembler, errors: list[RowError]
) -> None:
    by_code = {spec.code: (spec.kind, _compile(spec, layout)) for spec in layout.records.values()}
    type_start, type_end = layout.type_start, layout.type_start + layout.type_width
    width = layout.record_width
    for number, line in enumerate(lines, start=1):
        if line.endswith("\r"):
            line = line[:-1]
        entry = by_code.get(line[type_start:type_end])
        if entry is None:
            reason = f"{line[type_start:type_end]!r} no es un tipo de registro de {layout.label}"
            errors.append(RowError(number, TYPE_FIELD, reason))
            assembler.unreadable()
            continue
        kind, fields = entry
        values: dict[str, Any] = {}
        ok = len(line) == width
        if not ok:
            errors.append(_width_error(number, line, width))
        else:
            for name, label, start, end, decode in fields:
                try:
                    values[name] = decode(line[start:end])
                except ValueError as exc:
                    errors.append(RowError(number, label, str(exc)))
                    ok = False
        assembler.feed(Record(number, kind, values, ok))


def _width_error(number: int, line: str, width: int) -> RowError:
    reason = f"mide {len(line)} caracteres y el registro mide {width}"
    try:
        if len(line.encode("latin-1").decode("utf-8")) == width:
            reason += " (el archivo parece UTF-8: debe estar en ISO-8859-1)"
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return RowError(number, "línea", reason)
