"""Tariff files: the shipped samples load and bill as hand-worked, and every mistake is named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import adapters.tariff_files as tariff_files
from adapters.tariff_files import (
    DEFAULT_TARIFFS_PATH,
    TariffFileError,
    load_tariff_book,
    parse_tariff_text,
    read_tariff_file,
)
from domain.money import D
from domain.tariff_calc import compute_bill

# -- the shipped samples --------------------------------------------------------------------------


def test_shipped_tables_load() -> None:
    book = load_tariff_book()
    assert sorted(book) == ["electricity", "internet", "sepelio", "water"]
    electricity = book["electricity"][0]
    assert list(electricity.categories) == [
        "residential", "commercial", "industrial", "rural", "public_lighting", "social_tariff",
    ]
    residential = electricity.categories["residential"]
    assert [b.upper_units for b in residential.blocks] == [D("200"), D("400"), D("800"), None]
    assert residential.block_mode == "progressive" and residential.unit == "kWh"
    assert electricity.categories["industrial"].block_mode == "reached"
    concepts = {c.code: c.kind for c in electricity.concepts}
    assert concepts == {
        "cuota_capital": "capital", "fondo_obras": "charge",
        "fondo_provincial": "levy", "tasa_municipal": "levy",
    }
    water = book["water"][0]
    assert {c.minimum_units for c in water.categories.values()} == {D("10")}
    plans = sorted(book["internet"][0].categories)
    assert plans == ["empresa_300mb", "plan_100mb", "plan_300mb", "plan_50mb"]
    assert all(c.unit is None for c in book["internet"][0].categories.values())
    assert book["sepelio"][0].per_beneficiary


def test_shipped_electricity_bill_by_hand() -> None:
    versions = load_tariff_book()["electricity"]
    calc = compute_bill(versions, "residential", D("350"), date(2026, 3, 1), date(2026, 3, 31), "CF")
    # fixed 5,150.00; 0–200: 200 × 92.54 = 18,508.00; 200–400: 150 × 108.31 = 16,246.50;
    # cuota capital 15% × 34,754.50 = 5,213.175 → 5,213.18 (half-even: 7 is odd, goes up);
    # fondo de obras 1,200.00 (in the VAT base); fondo provincial 350 × 0.85 = 297.50 (levy);
    # net = 5,150.00 + 34,754.50 + 1,200.00 = 41,104.50; tasa municipal 6% = 2,466.27 (levy);
    # VAT 21% × 41,104.50 = 8,631.945 → 8,631.94 (half-even: 4 is even, stays);
    # total 41,104.50 + 5,213.18 + 297.50 + 2,466.27 + 8,631.94 = 57,713.39.
    assert [(ln["concept"], ln["kind"], ln["amount"]) for ln in calc.lines] == [
        ("cargo_fijo", "charge", D("5150.00")),
        ("consumo_1", "charge", D("18508.00")),
        ("consumo_2", "charge", D("16246.50")),
        ("cuota_capital", "capital", D("5213.18")),
        ("fondo_obras", "charge", D("1200.00")),
        ("fondo_provincial", "levy", D("297.50")),
        ("tasa_municipal", "levy", D("2466.27")),
        ("iva_21", "vat", D("8631.94")),
    ]
    assert calc.totals.total == D("57713.39")
    assert calc.lines[1]["description"] == "Energía 0 a 200 kWh: 200 kWh × $ 92,54"


@pytest.mark.parametrize(
    ("service", "category", "consumption", "vat_condition", "beneficiaries", "total"),
    [
        # 10 m3 minimum: 4,200 + 10 × 310 + fondo de obras 900 = 8,200.00; saneamiento 2% × 7,300 = 146.00;
        # VAT 21% 1,722.00; NC perception 13.5% × 8,200 = 1,107.00; total 11,175.00.
        ("water", "residential", "6", "NC", 1, "11175.00"),
        # 19,900.00 + VAT 21% 4,179.00
        ("internet", "plan_100mb", "0", "CF", 1, "24079.00"),
        # 3 × 3,200 + fondo solidario 500 = 10,100.00 + VAT 21% 2,121.00
        ("sepelio", "basico", "0", "CF", 3, "12221.00"),
        # public lighting, exempt municipality: 12,000 × 98.60 = 1,183,200.00 + 12,000 × 0.85 = 10,200.00
        ("electricity", "public_lighting", "12000", "EX", 1, "1193400.00"),
    ],
)
def test_shipped_samples_bill_by_hand(
    service: str, category: str, consumption: str, vat_condition: str, beneficiaries: int, total: str,
) -> None:
    versions = load_tariff_book()[service]
    calc = compute_bill(versions, category, D(consumption), date(2026, 3, 1), date(2026, 3, 31),
                        vat_condition, beneficiaries)
    assert calc.totals.total == D(total)


def test_parse_text_names_the_source() -> None:
    text = (DEFAULT_TARIFFS_PATH / "internet.toml").read_text(encoding="utf-8")
    assert parse_tariff_text(text, "internet.toml").service == "internet"
    with pytest.raises(TariffFileError, match=r"^cuadro-publicado\.toml: sintaxis TOML inválida"):
        parse_tariff_text(text + "\n[[[", "cuadro-publicado.toml")


# -- every mistake ------------------------------------------------------------------------------

TARIFF = """
[tariff]
service = "electricity"
valid_from = 2026-01-01
description = "Prueba"
unit = "kWh"
"""
VAT = """
[vat]
residential_rate = "21"
perception_rate = "13.5"
perception_conditions = ["NC"]

[vat.rate_by_condition]
RI = "27"
MT = "27"
NC = "27"
CF = "21"
"""
BLOCKS = """blocks = [
    { up_to = "200", rate_per_unit = "90" },
    { rate_per_unit = "110" },
]
"""
CATEGORY = """
[category.residential]
description = "Residencial"
residential = true
fixed_charge = "5000.00"
""" + BLOCKS
CONCEPT = """
[[concept]]
code = "cuota_capital"
description = "Cuota capital"
base = "energy"
rate = "15"
credited_to_capital = true
"""
VALID = TARIFF + VAT + CATEGORY + CONCEPT


def write(tmp_path: Path, text: str, name: str = "cuadro.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def changed(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def test_the_base_file_is_valid(tmp_path: Path) -> None:
    table = read_tariff_file(write(tmp_path, VALID))
    assert table.source == str(tmp_path / "cuadro.toml")
    assert table.concepts[0].in_vat_base is False
    assert table.vat.exempt_conditions == frozenset({"EX"})  # the default


def in_concept(extra: str) -> str:
    return changed("credited_to_capital = true", f"credited_to_capital = true\n{extra}")


def in_vat(extra: str) -> str:
    return changed('residential_rate = "21"', f'residential_rate = "21"\n{extra}')


RES, CAPITAL, TABLE = "categoría residential", "concepto cuota_capital", "cuadro electricity desde 2026-01-01"
FIRST_BLOCK, LAST_BLOCK = '{ up_to = "200", rate_per_unit = "90" },', '{ rate_per_unit = "110" },'

MISTAKES = [
    # (file text, where, field, reason fragment)
    ("extra = 1\n" + VALID, "", "", "clave desconocida 'extra'"),
    (VAT + CATEGORY, "", "tariff", "falta la sección [tariff]"),
    (TARIFF + CATEGORY, "", "vat", "falta la sección [vat]"),
    ("vat = 21\n" + TARIFF + CATEGORY, "", "vat", "debe ser una tabla"),
    (TARIFF + VAT, "", "category", "falta la sección [category]"),
    (TARIFF + VAT + "[category]\n", "category", "", "no tiene categorías"),
    # [tariff]
    (changed('service = "electricity"\n', ""), "tariff", "service", "falta"),
    (changed('service = "electricity"', "service = 3"), "tariff", "service", "texto no vacío"),
    (changed("valid_from = 2026-01-01\n", ""), "tariff", "valid_from", "falta la fecha"),
    (changed("2026-01-01", '"2026-13-01"'), "tariff", "valid_from", "no es una fecha"),
    (changed("2026-01-01", "2026-01-01T10:00:00"), "tariff", "valid_from", "lleva hora"),
    (changed('unit = "kWh"', 'unidad = "kWh"'), "tariff", "", "clave desconocida 'unidad'"),
    (changed('unit = "kWh"', 'unit = "kWh"\nrounding = "up"'), TABLE, "rounding", "'up'"),
    (changed('unit = "kWh"', 'unit = "kWh"\nper_beneficiary = "si"'), "tariff", "per_beneficiary",
     "true o false"),
    (changed('unit = "kWh"\n', ""), RES, "unit", "necesitan unidad"),
    # categories
    (TARIFF + VAT + '[category]\nresidential = "x"\n', RES, "", "debe ser una tabla"),
    (changed('description = "Residencial"\n', ""), RES, "description", "falta"),
    (changed("residential = true", 'residential = "si"'), RES, "residential", "true o false"),
    (changed("residential = true", 'precio = "1"'), RES, "", "clave desconocida 'precio'"),
    (changed('fixed_charge = "5000.00"\n', ""), RES, "fixed_charge", "falta"),
    (changed('"5000.00"', "5000.5"), RES, "fixed_charge", "entre comillas"),
    (changed('"5000.00"', "true"), RES, "fixed_charge", "debe ser un número"),
    (changed('"5000.00"', '"-1"'), RES, "fixed_charge", "negativo"),
    (changed('"5000.00"', '"cinco mil"'), RES, "fixed_charge", "no es un número"),
    (changed('"5000.00"', '"5000,00"'), RES, "fixed_charge", "punto decimal"),
    (changed('"5000.00"', '"Infinity"'), RES, "fixed_charge", "finito"),
    (changed('"5000.00"', '"1.1234567"'), RES, "fixed_charge", "más de 6 decimales"),
    (changed("residential = true", 'block_mode = "escalonado"'), RES, "block_mode", "'escalonado'"),
    (changed("residential = true", 'minimum_units = "-10"'), RES, "minimum_units", "negativo"),
    (changed(BLOCKS, 'blocks = "x"\n'), RES, "blocks", "lista de bloques"),
    (changed(FIRST_BLOCK, '"200",'), RES, "blocks[1]", "debe ser una tabla"),
    (changed(FIRST_BLOCK, '{ hasta = "200", rate_per_unit = "90" },'), RES, "blocks[1]",
     "clave desconocida 'hasta'"),
    (changed(FIRST_BLOCK, '{ up_to = "200" },'), RES, "blocks[1].rate_per_unit", "falta"),
    (changed(LAST_BLOCK, '{ up_to = "100", rate_per_unit = "1" },\n{ rate_per_unit = "1" },'), RES,
     "blocks[2].up_to", "mayor que 200"),
    (changed(LAST_BLOCK, '{ up_to = "400", rate_per_unit = "110" },'), RES, "blocks[2].up_to",
     "el último bloque no lleva límite"),
    (changed(FIRST_BLOCK, '{ rate_per_unit = "90" },'), RES, "blocks[1].up_to", "solo el último bloque"),
    # concepts
    (changed("[[concept]]", "[concept]"), "concept", "", "[[concept]]"),
    (changed('code = "cuota_capital"\n', ""), "concepto 1", "code", "falta"),
    (in_concept("cuenta = 1"), CAPITAL, "", "clave desconocida 'cuenta'"),
    (changed('base = "energy"', 'base = "energia"'), CAPITAL, "base", "'energia'"),
    (changed('rate = "15"\n', ""), CAPITAL, "rate", "falta"),
    (in_concept("levy = true"), CAPITAL, "levy", "cuota capital y tasa"),
    (in_concept("in_vat_base = true"), CAPITAL, "in_vat_base", "no integran la base del IVA"),
    (changed("credited_to_capital = true", 'credited_to_capital = "si"'), CAPITAL, "credited_to_capital",
     "true o false"),
    (in_concept('categories = ["hotel"]'), CAPITAL, "categories", "no existen: hotel"),
    (in_concept('categories = "residential"'), CAPITAL, "categories", "lista de códigos"),
    (in_concept('afip_tax_id = "3"'), CAPITAL, "afip_tax_id", "número entero"),
    (in_concept("afip_tax_id = 3"), CAPITAL, "afip_tax_id", "solo para tasas"),
    (VALID + CONCEPT, TABLE, "concept", "código repetido cuota_capital"),
    # [vat]
    (changed('residential_rate = "21"\n', ""), "vat", "residential_rate", "falta"),
    (changed('"21"\nperception_rate', '"121"\nperception_rate'), "vat", "residential_rate", "entre 0 y 100"),
    (in_vat('rate = "21"'), "vat", "", "clave desconocida 'rate'"),
    (in_vat('exempt_conditions = ["EX", "ONG"]'), "vat", "exempt_conditions", "condición 'ONG' desconocida"),
    (changed("[vat.rate_by_condition]", "[vat.tasas]"), "vat", "", "clave desconocida 'tasas'"),
    (changed('CF = "21"\n', ""), "vat", "rate_by_condition", "falta la alícuota para CF"),
    (changed('CF = "21"', 'CF = "21"\nXX = "21"'), "vat", "rate_by_condition", "condición 'XX' desconocida"),
    (changed('CF = "21"', 'CF = "21"\nEX = "0"'), "vat", "exempt_conditions", "EX: exento y con alícuota"),
    (changed('CF = "21"', "CF = 21.0"), "vat", "rate_by_condition.CF", "entre comillas"),
    (changed('["NC"]', '"NC"'), "vat", "perception_conditions", "lista de códigos"),
    (changed('["NC"]', '["NN"]'), "vat", "perception_conditions", "'NN'"),
]


@pytest.mark.parametrize(("text", "where", "field", "reason"), MISTAKES)
def test_every_mistake_is_named(tmp_path: Path, text: str, where: str, field: str, reason: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(TariffFileError) as caught:
        read_tariff_file(path)
    error = caught.value
    assert (error.file, error.where, error.field) == (str(path), where, field), error.message
    assert reason in error.reason, error.message
    assert error.message.startswith(str(path))


def test_file_level_mistakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TariffFileError, match="no se puede leer el archivo"):
        read_tariff_file(tmp_path / "no-existe.toml")
    bad_encoding = tmp_path / "latin1.toml"
    bad_encoding.write_bytes(VALID.replace("Prueba", "Año").encode("latin-1"))
    with pytest.raises(TariffFileError, match="no está en UTF-8"):
        read_tariff_file(bad_encoding)
    with pytest.raises(TariffFileError, match=r"sintaxis TOML inválida: .*line"):
        read_tariff_file(write(tmp_path, VALID + "\nrate = \n"))
    monkeypatch.setattr(tariff_files, "MAX_FILE_BYTES", 100)
    with pytest.raises(TariffFileError, match="supera 100 bytes"):
        read_tariff_file(write(tmp_path, VALID))


def test_a_book_is_a_folder_of_versions(tmp_path: Path) -> None:
    write(tmp_path, VALID, "electricity-2026-01.toml")
    write(tmp_path, VALID.replace("2026-01-01", "2026-03-16"), "electricity-2026-03.toml")
    book = load_tariff_book(tmp_path)
    assert [t.valid_from for t in book["electricity"]] == [date(2026, 1, 1), date(2026, 3, 16)]
    one_file = load_tariff_book(tmp_path / "electricity-2026-01.toml")
    assert [t.valid_from for t in one_file["electricity"]] == [date(2026, 1, 1)]


def test_book_mistakes(tmp_path: Path) -> None:
    with pytest.raises(TariffFileError, match="no existe el archivo o la carpeta"):
        load_tariff_book(tmp_path / "nada")
    with pytest.raises(TariffFileError, match=r"no tiene cuadros tarifarios \*\.toml"):
        load_tariff_book(tmp_path)
    first = write(tmp_path, VALID, "a.toml")
    second = write(tmp_path, VALID, "b.toml")
    with pytest.raises(TariffFileError) as caught:
        load_tariff_book(tmp_path)
    assert caught.value.file == str(second)
    assert caught.value.field == "valid_from"
    assert f"misma vigencia (2026-01-01) que {first}" in caught.value.reason
