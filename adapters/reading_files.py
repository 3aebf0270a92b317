"""Reading routes out to the collectors, readings back in (layouts in ``reading_formats``).

An import is all or nothing: every row is parsed and checked against the store, every
bad row is collected (line, field, reason) and one :class:`ReadingFileError` lists
them all; only a file without errors yields readings. Rows with neither reading nor
date are supplies the collector did not read: they are listed, not errors.

The store is reached through a lookup callable so this module stays free of SQL::

    result = import_reading_file(Path("ruta_07.csv"), lookup=store.supply_meter_info)
    for checked in result.readings:   # record ReadingRecorded, hold the anomalies
        ...
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from adapters.reading_formats import (
    Cell,
    FileFormat,
    RawRow,
    ReadingFileError,
    Record,
    RowError,
    read_records,
    write_records,
)
from domain.errors import InvalidInput
from domain.reading_review import (
    DEFAULT_THRESHOLDS,
    AnomalyThresholds,
    CheckedReading,
    SupplyMeterInfo,
    check_reading,
)
from domain.readings import ReadingInput

__all__ = [
    "FileFormat",
    "LineReading",
    "ParsedReadingFile",
    "ReadingFileError",
    "ReadingImport",
    "RouteRow",
    "RowError",
    "SupplyLookup",
    "check_readings",
    "import_reading_file",
    "read_reading_file",
    "write_route_file",
]

SupplyLookup = Callable[[str], SupplyMeterInfo | None]

DECIMAL_TEXT = re.compile(r"\d+(?:[.,]\d+)?")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%Y%m%d")
TRUE_FLAGS = frozenset({"S", "SI", "SÍ", "1", "VERDADERO", "TRUE"})
FALSE_FLAGS = frozenset({"", "N", "NO", "0", "FALSO", "FALSE"})


@dataclass(frozen=True)
class RouteRow:
    """One stop of a reading route, in the collector's walking order."""

    route_code: str
    sequence: int
    supply_number: str
    member_name: str
    address: str
    meter_serial: str
    digits: int
    previous_value: Decimal
    previous_date: date


@dataclass(frozen=True)
class LineReading:
    line: int
    reading: ReadingInput


@dataclass(frozen=True)
class ParsedReadingFile:
    readings: list[LineReading]
    unread_supplies: list[str]  # rows the collector left blank


@dataclass(frozen=True)
class ReadingImport:
    readings: list[CheckedReading]
    unread_supplies: list[str]


def write_route_file(
    path: Path,
    rows: Sequence[RouteRow],
    fmt: FileFormat | None = None,
    *,
    readings: Mapping[str, ReadingInput] | None = None,
) -> Path:
    """The file a collector loads; ``readings`` (by supply) fill the reading columns, as a collector would."""
    filled = readings or {}
    records = [_route_record(row, filled.get(row.supply_number)) for row in rows]
    write_records(path, records, fmt or FileFormat.of(path))
    return path


def _route_record(row: RouteRow, reading: ReadingInput | None) -> Record:
    record: dict[str, Cell] = {
        "ruta": row.route_code,
        "orden": row.sequence,
        "suministro": row.supply_number,
        "titular": row.member_name,
        "domicilio": row.address,
        "medidor": row.meter_serial,
        "digitos": row.digits,
        "lectura_anterior": row.previous_value,
        "fecha_anterior": row.previous_date,
    }
    if reading is not None:
        record.update(
            fecha_lectura=reading.reading_date,
            lectura=reading.value,
            estimada=reading.estimated,
            lecturista=reading.reader,
        )
    return record


def read_reading_file(path: Path, fmt: FileFormat | None = None) -> ParsedReadingFile:
    """Parse a collector file without the store; raises listing every bad row."""
    parsed, errors = _parse_file(path, fmt)
    if errors:
        raise ReadingFileError(errors, path.name)
    return parsed


def parse_reading_file(path: Path, fmt: FileFormat | None = None) -> tuple[ParsedReadingFile, list[RowError]]:
    """Parse a collector file, returning the rows that parsed and every row error (raises nothing)."""
    return _parse_file(path, fmt)


def import_reading_file(
    path: Path,
    lookup: SupplyLookup,
    thresholds: AnomalyThresholds = DEFAULT_THRESHOLDS,
    fmt: FileFormat | None = None,
) -> ReadingImport:
    """Parse and check a collector file against the store; all rows or an error listing every bad one."""
    parsed, errors = _parse_file(path, fmt)
    checked, store_errors = _check(parsed.readings, lookup, thresholds)
    if errors or store_errors:
        raise ReadingFileError([*errors, *store_errors], path.name)
    return ReadingImport(checked, parsed.unread_supplies)


def check_readings(
    readings: Sequence[LineReading],
    lookup: SupplyLookup,
    thresholds: AnomalyThresholds = DEFAULT_THRESHOLDS,
) -> list[CheckedReading]:
    """Consumption and anomalies for parsed readings; raises listing every row the store refuses."""
    checked, errors = _check(readings, lookup, thresholds)
    if errors:
        raise ReadingFileError(errors)
    return checked


# parsing ----------------------------------------------------------------------


def _parse_file(path: Path, fmt: FileFormat | None) -> tuple[ParsedReadingFile, list[RowError]]:
    try:
        chosen = fmt or FileFormat.of(path)
    except InvalidInput as exc:
        return ParsedReadingFile([], []), [RowError(0, "archivo", exc.message)]
    raw = read_records(path, chosen)
    errors = list(raw.errors)
    readings: list[LineReading] = []
    unread: list[str] = []
    first_line: dict[str, int] = {}
    for row in raw.rows:
        supply_number = _text(row.cells.get("suministro"))
        if supply_number in first_line:
            first = first_line[supply_number]
            reason = f"el suministro {supply_number} está repetido (ya figura en la línea {first})"
            errors.append(RowError(row.line, "suministro", reason))
            continue
        if supply_number:
            first_line[supply_number] = row.line
        if _is_unread(row) and supply_number:
            unread.append(supply_number)
            continue
        reading = _parse_row(row, supply_number, errors)
        if reading is not None:
            readings.append(LineReading(row.line, reading))
    return ParsedReadingFile(readings, unread), errors


def _is_unread(row: RawRow) -> bool:
    return all(_text(row.cells.get(name)) == "" for name in ("fecha_lectura", "lectura"))


def _parse_row(row: RawRow, supply_number: str, errors: list[RowError]) -> ReadingInput | None:
    """A reading, or None after adding every problem of the row to ``errors``."""
    found: list[RowError] = []

    def field(name: str, parse: Callable[[Cell], object]) -> object:
        try:
            return parse(row.cells.get(name))
        except ValueError as exc:
            found.append(RowError(row.line, name, str(exc)))
            return None

    if not supply_number:
        found.append(RowError(row.line, "suministro", "falta el número de suministro"))
    reading_date = field("fecha_lectura", _date)
    value = field("lectura", _decimal)
    estimated = field("estimada", _flag)
    reader = field("lecturista", _required_text)
    serial = _text(row.cells.get("medidor")) or None
    errors.extend(found)
    if found:
        return None
    assert isinstance(reading_date, date) and isinstance(value, Decimal) and isinstance(estimated, bool)
    return ReadingInput(supply_number, reading_date, value, estimated, str(reader), serial)


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # Excel turned a code like 1234 into 1234.0
    if isinstance(cell, Decimal):
        return f"{cell:f}"
    return str(cell).strip()


def _required_text(cell: Cell) -> str:
    text = _text(cell)
    if not text:
        raise ValueError("falta el código de lecturista")
    return text


def _decimal(cell: Cell) -> Decimal:
    if cell is None or cell == "":
        raise ValueError("falta la lectura")
    if isinstance(cell, bool):
        raise ValueError(f"{cell!r} no es una lectura")
    if isinstance(cell, int | Decimal):
        value = Decimal(cell)
    elif isinstance(cell, float):
        if not cell.is_integer():
            raise ValueError(f"{cell!r} es un número con decimales en la planilla: escríbalo como texto")
        value = Decimal(int(cell))
    else:
        text = str(cell).strip()
        if not DECIMAL_TEXT.fullmatch(text):
            raise ValueError(
                f"{text!r} no es una lectura: solo dígitos y una coma decimal, sin separador de miles"
            )
        value = Decimal(text.replace(",", "."))
    if value < 0:
        raise ValueError(f"{value} es negativa")
    return value


def _date(cell: Cell) -> date:
    if cell is None or cell == "":
        raise ValueError("falta la fecha de lectura")
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} no es una fecha válida (use DD/MM/AAAA)")


def _flag(cell: Cell) -> bool:
    if isinstance(cell, bool):
        return cell
    text = _text(cell).upper()
    if text in TRUE_FLAGS:
        return True
    if text in FALSE_FLAGS:
        return False
    raise ValueError(f"{text!r}: indique S (estimada) o N (real)")


# checks against the store -------------------------------------------------------


def _check(
    readings: Sequence[LineReading], lookup: SupplyLookup, thresholds: AnomalyThresholds
) -> tuple[list[CheckedReading], list[RowError]]:
    checked: list[CheckedReading] = []
    errors: list[RowError] = []
    for item in readings:
        result = _check_one(item, lookup, thresholds)
        if isinstance(result, RowError):
            errors.append(result)
        else:
            checked.append(result)
    return checked, errors


def _check_one(
    item: LineReading, lookup: SupplyLookup, thresholds: AnomalyThresholds
) -> CheckedReading | RowError:
    reading = item.reading
    info = lookup(reading.supply_number)
    if info is None:
        return RowError(
            item.line, "suministro", f"el suministro {reading.supply_number} no existe o no tiene medidor"
        )
    if reading.meter_serial is not None and reading.meter_serial != info.meter.serial:
        reason = (
            f"el medidor {reading.meter_serial} no es el instalado en el suministro ({info.meter.serial}): "
            "registre el cambio de medidor antes de importar"
        )
        return RowError(item.line, "medidor", reason)
    try:
        checked = check_reading(replace(reading, meter_serial=info.meter.serial), info, thresholds)
    except InvalidInput as exc:
        return RowError(item.line, "lectura", exc.message)
    return replace(checked, line=item.line)
