"""The three reading-collector file formats, cell by cell (no business rules here).

One record layout serves both ways: the route exported for a collector carries the
route columns with the reading columns blank; the collector returns the same file
with ``fecha_lectura``, ``lectura``, ``estimada`` and ``lecturista`` filled in.

Columns (CSV and XLSX headers, in this order; on import the order is free, names are
matched without accents or case, and only ``suministro``, ``fecha_lectura``,
``lectura`` and ``lecturista`` are required)::

    ruta; orden; suministro; titular; domicilio; medidor; digitos;
    lectura_anterior; fecha_anterior; fecha_lectura; lectura; estimada; lecturista

CSV: ``;`` separated, UTF-8 (a BOM is accepted on import), header row, CRLF line ends,
dates DD/MM/AAAA (AAAA-MM-DD also read), decimals with a comma (a point also read),
no thousands separator, ``estimada`` S/N (blank is N).

XLSX: first sheet, header in row 1; dates as date cells, readings as text cells so a
value typed by the collector keeps its decimals exactly.

TXT: fixed width, ISO-8859-1, CRLF, no header; 138 characters per record::

    field              from  width  format
    ruta                  1      6  text, left aligned, space padded
    orden                 7      5  number, zero padded
    suministro           12     10  text, left aligned
    titular              22     30  text, left aligned, cut at 30
    domicilio            52     30  text, left aligned, cut at 30
    medidor              82     12  text, left aligned
    digitos              94      2  number, zero padded
    lectura_anterior     96     10  number, zero padded, optional "." and decimals
    fecha_anterior      106      8  AAAAMMDD
    fecha_lectura       114      8  AAAAMMDD (blank in the exported route)
    lectura             122     10  number as lectura_anterior (blank in the route)
    estimada            132      1  S estimated, N or blank real
    lecturista          133      6  text, left aligned (reader code)

Characters outside ISO-8859-1 in names are written as ``?``. A line of another
length is a row error (a UTF-8 file shows up this way: ñ takes two bytes).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException

from domain.errors import InvalidInput

Cell = str | int | float | Decimal | date | bool | None
Record = Mapping[str, Cell]

COLUMNS = (
    "ruta",
    "orden",
    "suministro",
    "titular",
    "domicilio",
    "medidor",
    "digitos",
    "lectura_anterior",
    "fecha_anterior",
    "fecha_lectura",
    "lectura",
    "estimada",
    "lecturista",
)
REQUIRED_COLUMNS = ("suministro", "fecha_lectura", "lectura", "lecturista")
MAX_RECORDS = 200_000  # far above any route; stops a wrong file from filling memory
MAX_ERRORS_IN_MESSAGE = 30
FILE_LINE = 0  # RowError.line for problems of the file as a whole
TXT_ENCODING = "iso-8859-1"


class FileFormat(StrEnum):
    CSV = "csv"
    TXT = "txt"
    XLSX = "xlsx"

    @classmethod
    def of(cls, path: Path) -> FileFormat:
        try:
            return cls(path.suffix.lower().lstrip("."))
        except ValueError:
            raise InvalidInput(f"{path.name}: formato desconocido (use .csv, .txt o .xlsx)") from None


@dataclass(frozen=True)
class RowError:
    line: int  # physical line (CSV, TXT) or sheet row (XLSX); 0 is the whole file
    field: str
    reason: str  # Spanish

    def __str__(self) -> str:
        where = "archivo" if self.line == FILE_LINE else f"línea {self.line}"
        return f"{where}, {self.field}: {self.reason}"


class RowsError(InvalidInput):
    """Every bad row of an imported file, in one error; nothing of the file was taken."""

    nothing_taken = "no se importó nada"

    def __init__(self, errors: Sequence[RowError], source: str = "") -> None:
        ordered = sorted(errors, key=lambda e: e.line)
        shown = [f"  {error}" for error in ordered[:MAX_ERRORS_IN_MESSAGE]]
        if len(ordered) > MAX_ERRORS_IN_MESSAGE:
            shown.append(f"  ... y {len(ordered) - MAX_ERRORS_IN_MESSAGE} errores más")
        name = f"El archivo {source}" if source else "El archivo"
        count = "1 error" if len(ordered) == 1 else f"{len(ordered)} errores"
        super().__init__(f"{name} tiene {count}; {self.nothing_taken}:\n" + "\n".join(shown))
        self.errors = ordered
        self.source = source


class ReadingFileError(RowsError):
    """Every bad row of a collector file; nothing of the file was taken."""

    nothing_taken = "no se importó ninguna lectura"


@dataclass(frozen=True)
class RawRow:
    line: int
    cells: Mapping[str, Cell]


@dataclass(frozen=True)
class RawFile:
    rows: list[RawRow]
    errors: list[RowError]


def write_records(path: Path, records: Sequence[Record], fmt: FileFormat) -> None:
    if fmt is FileFormat.CSV:
        path.write_bytes(_csv_bytes(records))
    elif fmt is FileFormat.TXT:
        path.write_bytes(_txt_bytes(records))
    else:
        _write_xlsx(path, records)


def read_records(path: Path, fmt: FileFormat) -> RawFile:
    try:
        if fmt is FileFormat.XLSX:
            return _read_xlsx(path)
        data = path.read_bytes()
    except OSError as exc:
        return RawFile([], [RowError(FILE_LINE, "archivo", f"no se puede leer ({exc.strerror})")])
    return _read_csv(data) if fmt is FileFormat.CSV else _read_txt(data)


def decimal_text(value: Decimal) -> str:
    """es-AR decimal comma, exactly the digits given."""
    return f"{value:f}".replace(".", ",")


def _too_many(line: int) -> RowError:
    return RowError(line, "archivo", f"más de {MAX_RECORDS} registros: divida el archivo")


# CSV ------------------------------------------------------------------------


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "S" if value else "N"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _csv_bytes(records: Sequence[Record]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([_csv_text(record.get(name)) for name in COLUMNS] for record in records)
    return out.getvalue().encode("utf-8")


def _read_csv(data: bytes) -> RawFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = "no está en UTF-8 (¿se guardó como ANSI o ISO-8859-1?)"
        return RawFile([], [RowError(line, "archivo", reason)])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader, None)
    columns, errors = _header(header or [])
    rows: list[RawRow] = []
    for fields in reader:
        if not any(value.strip() for value in fields):
            continue
        if len(rows) >= MAX_RECORDS:
            errors.append(_too_many(reader.line_num))
            break
        if len(fields) != len(header or []):
            reason = f"tiene {len(fields)} campos y el encabezado {len(header or [])}"
            errors.append(RowError(reader.line_num, "fila", reason))
            continue
        rows.append(RawRow(reader.line_num, {name: fields[i] for name, i in columns.items()}))
    return RawFile(rows, errors)


def _normal_name(name: object) -> str:
    text = str(name or "").strip().lower().replace(" ", "_").replace("-", "_")
    for accented, plain in zip("áéíóúü", "aeiouu", strict=True):
        text = text.replace(accented, plain)
    return text


def _header(names: Sequence[object]) -> tuple[dict[str, int], list[RowError]]:
    """Column positions by known name; required columns missing or repeated are errors."""
    columns: dict[str, int] = {}
    errors: list[RowError] = []
    for position, raw in enumerate(names):
        name = _normal_name(raw)
        if name not in COLUMNS:
            continue
        if name in columns:
            errors.append(RowError(1, name, "la columna figura dos veces en el encabezado"))
        columns[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            errors.append(RowError(1, name, "falta la columna en el encabezado"))
    return columns, errors


# TXT ------------------------------------------------------------------------


class Kind(StrEnum):
    KEY = "key"  # text that must fit: cutting it would name another supply
    TEXT = "text"  # text that may be cut (names, addresses)
    NUMBER = "number"
    DATE = "date"
    FLAG = "flag"


@dataclass(frozen=True)
class TxtField:
    name: str
    width: int
    kind: Kind


TXT_LAYOUT = (
    TxtField("ruta", 6, Kind.KEY),
    TxtField("orden", 5, Kind.NUMBER),
    TxtField("suministro", 10, Kind.KEY),
    TxtField("titular", 30, Kind.TEXT),
    TxtField("domicilio", 30, Kind.TEXT),
    TxtField("medidor", 12, Kind.KEY),
    TxtField("digitos", 2, Kind.NUMBER),
    TxtField("lectura_anterior", 10, Kind.NUMBER),
    TxtField("fecha_anterior", 8, Kind.DATE),
    TxtField("fecha_lectura", 8, Kind.DATE),
    TxtField("lectura", 10, Kind.NUMBER),
    TxtField("estimada", 1, Kind.FLAG),
    TxtField("lecturista", 6, Kind.KEY),
)
TXT_RECORD_WIDTH = sum(f.width for f in TXT_LAYOUT)
assert TXT_RECORD_WIDTH == 138, TXT_RECORD_WIDTH  # the docstring's layout


def _txt_field(spec: TxtField, value: Cell, record: Record) -> str:
    if value is None:
        return " " * spec.width
    if spec.kind is Kind.DATE and isinstance(value, date):
        return f"{value:%Y%m%d}"
    if spec.kind is Kind.FLAG:
        return "S" if value else "N"
    if spec.kind is Kind.NUMBER:
        text = f"{value:f}" if isinstance(value, Decimal) else str(value)
        text = text.zfill(spec.width)
    else:
        text = str(value).ljust(spec.width)
        text = text[: spec.width] if spec.kind is Kind.TEXT else text
    if len(text) > spec.width:
        raise InvalidInput(
            f"Suministro {record.get('suministro')}: {spec.name} {value} no cabe en {spec.width} posiciones"
        )
    return text


def _txt_bytes(records: Sequence[Record]) -> bytes:
    lines = (
        "".join(_txt_field(spec, record.get(spec.name), record) for spec in TXT_LAYOUT) for record in records
    )
    return b"".join(line.encode(TXT_ENCODING, errors="replace") + b"\r\n" for line in lines)


def _txt_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the file's last line end
    for number, line in enumerate(lines, start=1):
        yield number, line.removesuffix(b"\r")


def _width_error(number: int, line: bytes) -> RowError:
    reason = f"mide {len(line)} caracteres y el registro mide {TXT_RECORD_WIDTH}"
    try:
        if not line.isascii() and len(line.decode("utf-8")) == TXT_RECORD_WIDTH:
            reason += " (el archivo parece UTF-8: debe estar en ISO-8859-1)"
    except UnicodeDecodeError:
        pass
    return RowError(number, "línea", reason)


def _read_txt(data: bytes) -> RawFile:
    rows: list[RawRow] = []
    errors: list[RowError] = []
    for number, line in _txt_lines(data):
        if len(rows) >= MAX_RECORDS:
            errors.append(_too_many(number))
            break
        if len(line) != TXT_RECORD_WIDTH:
            errors.append(_width_error(number, line))
            continue
        text = line.decode(TXT_ENCODING)  # every byte is a latin-1 character: cannot fail
        rows.append(RawRow(number, dict(_txt_cells(text))))
    return RawFile(rows, errors)


def _txt_cells(text: str) -> Iterator[tuple[str, Cell]]:
    start = 0
    for spec in TXT_LAYOUT:
        yield spec.name, text[start : start + spec.width].strip()
        start += spec.width


# XLSX -----------------------------------------------------------------------

XLSX_DATE_FORMAT = "DD/MM/YYYY"
XLSX_TEXT_COLUMNS = frozenset({"ruta", "suministro", "medidor", "lectura", "lecturista"})
XLSX_DATE_COLUMNS = frozenset({"fecha_anterior", "fecha_lectura"})


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, bool):
        return "S" if value else "N"
    if isinstance(value, Decimal):
        # integral values as numbers; others as exact text (an Excel number is a float)
        return int(value) if value == value.to_integral_value() else decimal_text(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write_xlsx(path: Path, records: Sequence[Record]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Ruta"
    sheet.append(COLUMNS)
    for row, record in enumerate(records, start=2):
        for column, name in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=row, column=column, value=_xlsx_value(record.get(name)))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text starting with "=" stays text, never a formula
            if name in XLSX_TEXT_COLUMNS:
                cell.number_format = "@"  # what the collector types stays text
            elif name in XLSX_DATE_COLUMNS:
                cell.number_format = XLSX_DATE_FORMAT
    book.save(path)


def _read_xlsx(path: Path) -> RawFile:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        return RawFile([], [RowError(FILE_LINE, "archivo", f"no es un libro XLSX válido ({exc})")])
    try:
        sheet = book.worksheets[0]
        return _xlsx_rows(sheet.iter_rows(values_only=True))
    finally:
        book.close()


def _xlsx_rows(values: Iterable[tuple[object, ...]]) -> RawFile:
    rows_iter = iter(values)
    columns, errors = _header(list(next(rows_iter, ())))
    rows: list[RawRow] = []
    for number, values_row in enumerate(rows_iter, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values_row):
            continue
        if len(rows) >= MAX_RECORDS:
            errors.append(_too_many(number))
            break
        cells = {name: _xlsx_cell(values_row, i) for name, i in columns.items()}
        rows.append(RawRow(number, cells))
    return RawFile(rows, errors)


def _xlsx_cell(values_row: Sequence[object], index: int) -> Cell:
    value = values_row[index] if index < len(values_row) else None
    if isinstance(value, datetime):
        return value  # a datetime is a date: the parser takes its date part
    if value is None or isinstance(value, str | int | float | Decimal | date):
        return value
    return str(value)  # times, durations: the parser says why they are wrong
