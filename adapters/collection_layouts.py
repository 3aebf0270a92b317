"""Fixed-width layouts of collection-network result files, read from ``data/networks.toml``.

A layout says, per record kind, the code in the record-type position and where each field
lies; the field's name fixes its kind (date, time, amount, number, text). The TOML format is
documented at the top of ``adapters/data/networks.toml``; :func:`load_network_layouts` reads
it (or any TOML text with ``[network.NAME]`` tables) and refuses a wrong layout up front with
the network, record and reason (:class:`NetworkLayoutError`).

Record kinds, in file order::

    file_header  (batch_header  (transaction [barcode] [instrument])*  batch_trailer)*  file_trailer

``payment_records`` lists the records of one payment in order (Pago Fácil: 5, 6, 7; a
network with one detail record per payment: just ``transaction``). A layout without
``batch_header``/``batch_trailer`` has no batches: its payments form one batch.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from adapters.collection_records import (
    DATE_FORMATS,
    PAYMENT_KINDS,
    RECORD_FIELDS,
    REQUIRED_PAYMENT_FIELDS,
    TIME_FORMATS,
    FieldKind,
    FieldSpec,
    NetworkLayout,
    RecordKind,
    RecordSpec,
)
from domain.barcodes import DEFAULT_LAYOUT, CollectionLayout
from domain.errors import InvalidInput

DEFAULT_NETWORKS_PATH = Path(__file__).parent / "data" / "networks.toml"
BARCODE_LAYOUTS: Mapping[str, CollectionLayout] = {DEFAULT_LAYOUT.name: DEFAULT_LAYOUT}
MAX_RECORD_WIDTH = 2_000


class NetworkLayoutError(InvalidInput):
    def __init__(self, network: str, where: str, reason: str) -> None:
        place = f"Diseño de red {network}" + (f", {where}" if where else "")
        super().__init__(f"{place}: {reason}")
        self.network = network
        self.where = where


def load_network_layouts(path: Path | None = None, *, text: str | None = None) -> dict[str, NetworkLayout]:
    """Every ``[network.NAME]`` of the file (or of ``text``), checked."""
    source = str(path or DEFAULT_NETWORKS_PATH)
    try:
        raw = text if text is not None else (path or DEFAULT_NETWORKS_PATH).read_text(encoding="utf-8")
        data = tomllib.loads(raw)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{source}: no se puede leer: {exc}") from None
    networks = data.get("network", {})
    if not isinstance(networks, dict) or not networks:
        raise InvalidInput(f"{source}: no define ninguna red ([network.NOMBRE])")
    return {name: build_layout(name, table) for name, table in networks.items()}


# building and checking ------------------------------------------------------------------

_LAYOUT_KEYS = frozenset(
    {
        "label",
        "sample",
        "record_width",
        "encoding",
        "type_position",
        "type_width",
        "date_format",
        "time_format",
        "amount_decimals",
        "barcode_layout",
        "payment_records",
        *(kind.value for kind in RecordKind),
    }
)


def build_layout(name: str, table: Any) -> NetworkLayout:
    if not isinstance(table, dict):
        raise NetworkLayoutError(name, "", "debe ser una tabla")
    unknown = sorted(set(table) - _LAYOUT_KEYS)
    if unknown:
        raise NetworkLayoutError(name, "", f"claves desconocidas: {', '.join(unknown)}")
    try:
        layout = _layout(name, table)
    except (KeyError, TypeError, ValueError) as exc:
        raise NetworkLayoutError(name, "", f"falta o es inválido el dato {exc}") from None
    _check_layout(layout)
    return layout


def _layout(name: str, table: dict[str, Any]) -> NetworkLayout:
    width = int(table["record_width"])
    type_start, type_width = int(table.get("type_position", 1)) - 1, int(table.get("type_width", 1))
    records = {
        kind: _record(name, kind, table[kind.value], width, (type_start, type_width))
        for kind in RecordKind
        if kind.value in table
    }
    barcode_name = str(table.get("barcode_layout", ""))
    if barcode_name and barcode_name not in BARCODE_LAYOUTS:
        raise NetworkLayoutError(name, "barcode_layout", f"diseño de código {barcode_name!r} desconocido")
    return NetworkLayout(
        name=name,
        label=str(table.get("label", name)),
        sample=bool(table.get("sample", False)),
        record_width=width,
        encoding=str(table.get("encoding", "iso-8859-1")),
        type_start=type_start,
        type_width=type_width,
        date_format=str(table.get("date_format", "yyyymmdd")),
        time_format=str(table.get("time_format", "hhmm")),
        amount_decimals=int(table.get("amount_decimals", 2)),
        barcode_layout=BARCODE_LAYOUTS[barcode_name] if barcode_name else None,
        payment_records=tuple(RecordKind(k) for k in table["payment_records"]),
        records=records,
    )


def _record(network: str, kind: RecordKind, table: Any, width: int, type_at: tuple[int, int]) -> RecordSpec:
    where = kind.value
    if not isinstance(table, dict) or set(table) - {"code", "fields"}:
        raise NetworkLayoutError(network, where, "debe tener solo code y fields")
    code = str(table["code"])
    if len(code) != type_at[1]:
        raise NetworkLayoutError(network, where, f"el código {code!r} no mide {type_at[1]}")
    fields = tuple(sorted((_field(network, kind, f) for f in table["fields"]), key=lambda f: f.start))
    taken = [(type_at[0], type_at[0] + type_at[1], "tipo de registro")]
    for spec in fields:
        if spec.start < 0 or spec.end > width or spec.width < 1:
            raise NetworkLayoutError(network, where, f"{spec.name} sale del registro de {width}")
        for start, end, other in taken:
            if spec.start < end and start < spec.end:
                raise NetworkLayoutError(network, where, f"{spec.name} se superpone con {other}")
        taken.append((spec.start, spec.end, spec.name))
    return RecordSpec(kind, code, fields)


def _field(network: str, kind: RecordKind, table: Any) -> FieldSpec:
    name = str(table["name"])
    start, width = int(table["start"]) - 1, int(table["width"])
    if "value" in table:
        value = str(table["value"])
        if len(value) > width:
            raise NetworkLayoutError(network, kind.value, f"la constante {name} no entra en {width}")
        return FieldSpec(name, start, width, FieldKind.CONSTANT, value)
    known = RECORD_FIELDS[kind]
    if name not in known:
        allowed = ", ".join(known)
        raise NetworkLayoutError(network, kind.value, f"campo {name!r} desconocido (use {allowed})")
    return FieldSpec(name, start, width, known[name])


def _check_layout(layout: NetworkLayout) -> None:
    name, records = layout.name, layout.records
    _check_formats(layout)
    for kind in (RecordKind.FILE_HEADER, RecordKind.TRANSACTION, RecordKind.FILE_TRAILER):
        if kind not in records:
            raise NetworkLayoutError(name, kind.value, "falta el registro")
    if (RecordKind.BATCH_HEADER in records) != (RecordKind.BATCH_TRAILER in records):
        raise NetworkLayoutError(name, "", "batch_header y batch_trailer van juntos")
    payment_kinds = [k for k in records if k in PAYMENT_KINDS]
    if layout.payment_records[:1] != (RecordKind.TRANSACTION,) or sorted(layout.payment_records) != sorted(
        payment_kinds
    ):
        raise NetworkLayoutError(
            name, "payment_records", "empieza por transaction y lista cada registro de pago"
        )
    codes = [spec.code for spec in records.values()]
    if len(set(codes)) != len(codes):
        raise NetworkLayoutError(name, "", f"códigos de registro repetidos: {codes}")
    _check_payment_fields(layout)
    _check_required(layout)
    _check_field_widths(layout)


def _check_formats(layout: NetworkLayout) -> None:
    if layout.date_format not in DATE_FORMATS:
        raise NetworkLayoutError(layout.name, "date_format", f"use {', '.join(sorted(DATE_FORMATS))}")
    if layout.time_format not in TIME_FORMATS:
        raise NetworkLayoutError(layout.name, "time_format", f"use {', '.join(sorted(TIME_FORMATS))}")
    if not 0 <= layout.amount_decimals <= 4:
        raise NetworkLayoutError(layout.name, "amount_decimals", "entre 0 y 4")
    if not 1 <= layout.record_width <= MAX_RECORD_WIDTH:
        raise NetworkLayoutError(layout.name, "record_width", f"entre 1 y {MAX_RECORD_WIDTH}")
    try:
        "".encode(layout.encoding)
    except LookupError:
        raise NetworkLayoutError(layout.name, "encoding", f"{layout.encoding!r} desconocida") from None


def _check_payment_fields(layout: NetworkLayout) -> None:
    present = layout.payment_fields()
    for required in REQUIRED_PAYMENT_FIELDS:
        if required not in present:
            raise NetworkLayoutError(layout.name, "pago", f"falta el campo {required}")
    if not present & {"barcode", "reference"}:
        raise NetworkLayoutError(layout.name, "pago", "falta barcode o reference (con qué se identifica)")
    if layout.barcode_layout is not None and "barcode" not in present:
        raise NetworkLayoutError(layout.name, "barcode_layout", "el diseño no tiene campo barcode")


_REQUIRED_FIELDS = {
    RecordKind.FILE_HEADER: ("file_date",),
    RecordKind.BATCH_TRAILER: ("count", "total"),
    RecordKind.FILE_TRAILER: ("count", "total"),
}


def _check_required(layout: NetworkLayout) -> None:
    for kind, names in _REQUIRED_FIELDS.items():
        spec = layout.records.get(kind)
        for name in names:
            if spec is not None and not spec.has(name):
                raise NetworkLayoutError(layout.name, kind.value, f"falta el campo {name}")


def _check_field_widths(layout: NetworkLayout) -> None:
    fixed = {FieldKind.DATE: len(layout.date_format), FieldKind.TIME: len(layout.time_format)}
    for spec in layout.records.values():
        for f in spec.fields:
            if f.kind in fixed and f.width != fixed[f.kind]:
                reason = f"{f.name} mide {f.width} y el formato {fixed[f.kind]}"
                raise NetworkLayoutError(layout.name, spec.kind.value, reason)
