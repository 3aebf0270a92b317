"""Reading routes out to the collectors and readings back in: CSV, fixed-width TXT, XLSX."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from adapters.reading_files import (
    FileFormat,
    ReadingFileError,
    RouteRow,
    import_reading_file,
    read_reading_file,
    write_route_file,
)
from adapters.reading_formats import TXT_RECORD_WIDTH
from domain.reading_review import AnomalyReason, SupplyMeterInfo
from domain.readings import Meter, ReadingInput

ROUTE = [
    RouteRow(
        "R07", 1, "1001", "Muñoz, José", "San Martín 123", "A-55501", 5, Decimal(95_000), date(2026, 2, 15)
    ),
    RouteRow(
        "R07", 2, "1002", "Pérez Ana", "Ruta 5 km 3; lote 2", "CT-9", 5, Decimal("1234.5"), date(2026, 2, 16)
    ),
]
MARCH_16 = date(2026, 3, 16)
READINGS = {
    "1001": ReadingInput("1001", MARCH_16, Decimal(1_200), False, "L07"),
    "1002": ReadingInput("1002", MARCH_16, Decimal("1240.25"), True, "L07"),
}
METERS = {
    "1001": SupplyMeterInfo(
        "1001", Meter("A-55501", 5), Decimal(95_000), date(2026, 2, 15), [Decimal(6_000)] * 6
    ),
    "1002": SupplyMeterInfo("1002", Meter("CT-9", 5, Decimal(40)), Decimal("1234.5"), date(2026, 2, 16)),
    "1005": SupplyMeterInfo("1005", Meter("M-5", 5), Decimal(1_000), date(2026, 2, 15)),
    "1006": SupplyMeterInfo("1006", Meter("B-6", 4), Decimal(500), date(2026, 2, 15)),
}
FORMATS = list(FileFormat)


def route_file(tmp_path: Path, fmt: FileFormat, **kwargs: object) -> Path:
    return write_route_file(tmp_path / f"ruta.{fmt.value}", ROUTE, **kwargs)  # type: ignore[arg-type]


def csv_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "lecturas.csv"
    path.write_bytes("".join(f"{line}\r\n" for line in lines).encode("utf-8"))
    return path


def errors_of(caught: pytest.ExceptionInfo[ReadingFileError]) -> list[tuple[int, str]]:
    return [(error.line, error.field) for error in caught.value.errors]


# export, byte for byte ------------------------------------------------------------------


def test_csv_route_byte_for_byte(tmp_path: Path) -> None:
    expected = (
        "ruta;orden;suministro;titular;domicilio;medidor;digitos;lectura_anterior;fecha_anterior;"
        "fecha_lectura;lectura;estimada;lecturista\r\n"
        "R07;1;1001;Muñoz, José;San Martín 123;A-55501;5;95000;15/02/2026;;;;\r\n"
        'R07;2;1002;Pérez Ana;"Ruta 5 km 3; lote 2";CT-9;5;1234,5;16/02/2026;;;;\r\n'
    ).encode()
    assert route_file(tmp_path, FileFormat.CSV).read_bytes() == expected


def test_txt_route_byte_for_byte(tmp_path: Path) -> None:
    # ruta(6) orden(5) suministro(10) titular(30) domicilio(30) medidor(12) digitos(2)
    # lectura_anterior(10) fecha_anterior(8) | fecha_lectura(8) lectura(10) estimada(1) lecturista(6)
    blank_reading = " " * 8 + " " * 10 + " " + " " * 6
    expected = (
        "R07   00001" + "1001      " + "Muñoz, José                   " + "San Martín 123                "
        "A-55501     05" + "0000095000" + "20260215" + blank_reading + "\r\n"
        "R07   00002" + "1002      " + "Pérez Ana                     " + "Ruta 5 km 3; lote 2           "
        "CT-9        05" + "00001234.5" + "20260216" + blank_reading + "\r\n"
    ).encode("iso-8859-1")
    written = route_file(tmp_path, FileFormat.TXT).read_bytes()
    assert written == expected
    assert b"Mu\xf1oz, Jos\xe9" in written  # ISO-8859-1: one byte per letter
    assert {len(line) for line in written.split(b"\r\n")[:-1]} == {TXT_RECORD_WIDTH}


def test_txt_cuts_long_names_and_replaces_characters_latin1_lacks(tmp_path: Path) -> None:
    row = RouteRow("R1", 1, "5", "Łukasz Wójcik de la Santísima Trinidad", "x", "M", 5, Decimal(0), MARCH_16)
    written = write_route_file(tmp_path / "r.txt", [row]).read_bytes()
    assert written[21:51].decode("iso-8859-1") == "?ukasz Wójcik de la Santísima "
    assert len(written) == TXT_RECORD_WIDTH + 2


def test_xlsx_route_read_back_with_openpyxl(tmp_path: Path) -> None:
    rows = [*ROUTE, RouteRow("R07", 3, "000123", "=SUMA(A1)", "", "M-1", 6, Decimal(7), date(2026, 2, 17))]
    path = write_route_file(tmp_path / "ruta.xlsx", rows)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.title == "Ruta"
    assert [cell.value for cell in sheet[1]][:4] == ["ruta", "orden", "suministro", "titular"]
    values = [cell.value for cell in sheet[2]]
    assert values[:9] == [
        "R07",
        1,
        "1001",
        "Muñoz, José",
        "San Martín 123",
        "A-55501",
        5,
        95000,
        datetime(2026, 2, 15),
    ]
    assert values[9:] == [None, None, None, None]
    assert sheet["H3"].value == "1234,5"  # not a float
    assert sheet["C4"].value == "000123"  # leading zeros kept: a text cell
    assert (sheet["D4"].value, sheet["D4"].data_type) == ("=SUMA(A1)", "s")  # never a formula
    assert sheet["I2"].number_format == "DD/MM/YYYY"
    assert sheet["K2"].number_format == "@"  # what the collector types stays text


# round trip -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_blank_route_imports_as_unread(tmp_path: Path, fmt: FileFormat) -> None:
    parsed = read_reading_file(route_file(tmp_path, fmt))
    assert (parsed.readings, parsed.unread_supplies) == ([], ["1001", "1002"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_export_fill_import(tmp_path: Path, fmt: FileFormat) -> None:
    path = route_file(tmp_path, fmt, readings=READINGS)
    parsed = read_reading_file(path)
    assert [item.reading for item in parsed.readings] == [
        ReadingInput("1001", MARCH_16, Decimal(1_200), False, "L07", "A-55501"),
        ReadingInput("1002", MARCH_16, Decimal("1240.25"), True, "L07", "CT-9"),
    ]
    first_line = 1 if fmt is FileFormat.TXT else 2
    assert [item.line for item in parsed.readings] == [first_line, first_line + 1]

    result = import_reading_file(path, METERS.get)
    first, second = result.readings
    assert (first.consumption_units, first.rollover, first.held_for_review) == (6_200, True, False)
    assert (second.consumption_units, second.reading.estimated) == (Decimal("230.00"), True)
    assert result.unread_supplies == []


def test_partial_route_lists_the_supplies_not_read(tmp_path: Path) -> None:
    path = route_file(tmp_path, FileFormat.CSV, readings={"1002": READINGS["1002"]})
    result = import_reading_file(path, METERS.get)
    assert [checked.reading.supply_number for checked in result.readings] == ["1002"]
    assert result.unread_supplies == ["1001"]


def test_outlier_is_imported_but_held_for_review(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "suministro;fecha_lectura;lectura;lecturista", "1001;16/03/2026;10000;L07")
    (checked,) = import_reading_file(path, METERS.get).readings
    assert checked.consumption_units == 15_000  # 2.5 × the usual 6 000
    assert checked.held_for_review
    assert checked.anomalies[0].reason is AnomalyReason.HIGH_CONSUMPTION
    assert checked.line == 2


def test_csv_accepts_free_column_order_bom_iso_dates_and_decimal_point(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes(
        "\ufeffLecturista;Lectura;Fecha lectura;Suministro\r\nL1;1240.5;2026-03-16;1002\r\n".encode()
    )
    (item,) = read_reading_file(path).readings
    assert item.reading == ReadingInput("1002", MARCH_16, Decimal("1240.5"), False, "L1")


# XLSX cells typed by the collector ------------------------------------------------------


def fill_xlsx(path: Path, value_1001: object, value_1002: object) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for row, value in ((2, value_1001), (3, value_1002)):
        sheet.cell(row=row, column=10, value=datetime(2026, 3, 16))
        sheet.cell(row=row, column=11, value=value)
        sheet.cell(row=row, column=13, value="L07")
    book.save(path)


def test_xlsx_integral_float_cell_is_accepted(tmp_path: Path) -> None:
    path = route_file(tmp_path, FileFormat.XLSX)
    fill_xlsx(path, 1200.0, 1240)
    values = [item.reading.value for item in read_reading_file(path).readings]
    assert values == [Decimal(1200), Decimal(1240)]
    assert all(isinstance(v, Decimal) for v in values)


def test_xlsx_float_with_decimals_is_refused_and_text_accepted(tmp_path: Path) -> None:
    path = route_file(tmp_path, FileFormat.XLSX)
    fill_xlsx(path, 1200, 1240.25)
    with pytest.raises(ReadingFileError) as caught:
        read_reading_file(path)
    assert errors_of(caught) == [(3, "lectura")]
    assert "escríbalo como texto" in caught.value.errors[0].reason
    fill_xlsx(path, 1200, "1240,25")
    assert read_reading_file(path).readings[1].reading.value == Decimal("1240.25")


def test_not_an_xlsx_file(tmp_path: Path) -> None:
    path = tmp_path / "l.xlsx"
    path.write_bytes(b"suministro;lectura\r\n")
    with pytest.raises(ReadingFileError) as caught:
        read_reading_file(path)
    assert errors_of(caught) == [(0, "archivo")]


# every bad row, nothing imported ----------------------------------------------------------


def test_every_bad_row_is_reported_with_line_field_and_reason(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "suministro;medidor;fecha_lectura;lectura;estimada;lecturista",
        "1001;A-55501;16/03/2026;1200;N;L07",  # 2: good
        "1002;CT-9;31/02/2026;12x;Q;",  # 3: date, value, flag, reader
        ";A;16/03/2026;5;N;L07",  # 4: no supply
        "1001;A-55501;16/03/2026;1300;N;L07",  # 5: repeated supply
        "1003;B-3;16/03/2026;1.234,5;N;L07",  # 6: thousands separator
        "1004;M-4;16/03/2026;;N;L07",  # 7: a date without a reading
        "9999;X;16/03/2026;10;N;L07",  # 8: supply not in the store
        "1005;OTRO;16/03/2026;1240;N;L07",  # 9: another meter
        "1006;B-6;16/03/2026;400;N;L07",  # 10: went back, not a rollover
    )
    with pytest.raises(ReadingFileError) as caught:
        import_reading_file(path, METERS.get)
    assert errors_of(caught) == [
        (3, "fecha_lectura"),
        (3, "lectura"),
        (3, "estimada"),
        (3, "lecturista"),
        (4, "suministro"),
        (5, "suministro"),
        (6, "lectura"),
        (7, "lectura"),
        (8, "suministro"),
        (9, "medidor"),
        (10, "lectura"),
    ]
    reasons = [error.reason for error in caught.value.errors]
    assert reasons[0] == "'31/02/2026' no es una fecha válida (use DD/MM/AAAA)"
    assert reasons[3] == "falta el código de lecturista"
    assert reasons[5] == "el suministro 1001 está repetido (ya figura en la línea 2)"
    assert reasons[7] == "falta la lectura"
    assert reasons[8] == "el suministro 9999 no existe o no tiene medidor"
    assert "no corresponde a una vuelta" in reasons[10]
    message = caught.value.message
    assert message.startswith("El archivo lecturas.csv tiene 11 errores; no se importó ninguna lectura")
    assert "línea 9, medidor: el medidor OTRO no es el instalado en el suministro (M-5)" in message


@pytest.mark.parametrize("fmt", FORMATS)
def test_repeated_supply_in_any_format(tmp_path: Path, fmt: FileFormat) -> None:
    path = write_route_file(tmp_path / f"r.{fmt.value}", [ROUTE[0], ROUTE[1], ROUTE[0]], readings=READINGS)
    with pytest.raises(ReadingFileError) as caught:
        read_reading_file(path)
    offset = 0 if fmt is FileFormat.TXT else 1
    assert errors_of(caught) == [(3 + offset, "suministro")]
    assert f"ya figura en la línea {1 + offset}" in caught.value.errors[0].reason


def test_missing_required_column(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "suministro;fecha_lectura;lectura", "1001;16/03/2026;1200")
    with pytest.raises(ReadingFileError) as caught:
        read_reading_file(path)
    assert errors_of(caught)[0] == (1, "lecturista")


def test_csv_row_with_another_field_count(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "suministro;fecha_lectura;lectura;lecturista", "1001;16/03/2026;1200")
    with pytest.raises(ReadingFileError) as caught:
        read_reading_file(path)
    assert errors_of(caught) == [(2, "fila")]


def test_csv_not_in_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes(
        "suministro;fecha_lectura;lectura;lecturista\r\n1001;16/03/2026;1;Muñoz\r\n".encode("latin-1")
    )
    with pytest.raises(ReadingFileError) as caught:
        read_reading_file(path)
    assert errors_of(caught) == [(2, "archivo")]
    assert "UTF-8" in caught.value.errors[0].reason


def test_wrong_txt_width_is_a_row_error(tmp_path: Path) -> None:
    path = route_file(tmp_path, FileFormat.TXT, readings=READINGS)
    first, second, end = path.read_bytes().split(b"\r\n")
    path.write_bytes(first + b"\r\n" + second[:-1] + b"\r\n" + end)
    with pytest.raises(ReadingFileError) as caught:
        read_reading_file(path)
    assert errors_of(caught) == [(2, "línea")]
    assert caught.value.errors[0].reason == "mide 137 caracteres y el registro mide 138"


def test_txt_saved_as_utf8_is_caught_by_width(tmp_path: Path) -> None:
    path = route_file(tmp_path, FileFormat.TXT, readings=READINGS)
    path.write_bytes(path.read_bytes().decode("iso-8859-1").encode("utf-8"))
    with pytest.raises(ReadingFileError) as caught:
        read_reading_file(path)
    assert errors_of(caught) == [(1, "línea"), (2, "línea")]
    assert "parece UTF-8: debe estar en ISO-8859-1" in caught.value.errors[0].reason


def test_txt_reads_muñoz_from_iso_8859_1(tmp_path: Path) -> None:
    path = route_file(tmp_path, FileFormat.TXT, readings=READINGS)
    assert "Muñoz, José" in path.read_bytes().decode("iso-8859-1")
    assert len(read_reading_file(path).readings) == 2


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "lecturas.dat"
    path.write_text("x")
    with pytest.raises(ReadingFileError, match="formato desconocido"):
        read_reading_file(path)


def test_xlsx_errors_name_the_sheet_row_past_empty_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Suministro", "Fecha lectura", "Lectura", "Lecturista"])
    sheet.append(["1001", datetime(2026, 3, 16), 1200, "L07"])
    sheet.append([])
    sheet.append(["1002", "16/13/2026", "1240,25", "L07"])
    path = tmp_path / "l.xlsx"
    book.save(path)
    with pytest.raises(ReadingFileError) as caught:
        read_reading_file(path)
    assert errors_of(caught) == [(4, "fecha_lectura")]
