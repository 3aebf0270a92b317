"""Tariff tables (cuadros tarifarios) written by the billing clerks in TOML.

One file is one version of one service's table; a new version (new prices from a
date) is a new file with a later ``valid_from``. A folder of files is a tariff
book: ``{service: [versions, oldest first]}``. The format, in short::

    [tariff]
    service = "electricity"          # the service code used by supplies and posting rules
    valid_from = 2026-03-01          # in force from this day until the next version
    description = "Cuadro tarifario marzo 2026"
    unit = "kWh"                     # of every category, unless the category says otherwise
    # optional: rounding = "half_even" | "half_up", per_beneficiary = false,
    #           fixed_charge_label = "Cargo fijo", consumption_label = "Energía"

    [vat]
    residential_rate = "21"          # residential categories
    exempt_conditions = ["EX"]
    perception_rate = "13.5"         # % of the VAT base
    perception_conditions = ["NC"]
    [vat.rate_by_condition]          # non-residential categories
    RI = "27"
    MT = "27"
    NC = "27"
    CF = "21"

    [category.residential]
    description = "Residencial"
    residential = true
    fixed_charge = "5200.00"
    block_mode = "progressive"       # or "reached"
    minimum_units = "0"
    blocks = [ { up_to = "200", rate_per_unit = "95.40" }, { rate_per_unit = "158.60" } ]

    [[concept]]
    code = "cuota_capital"
    description = "Cuota capital"
    base = "energy"                  # energy, fixed, charges, net, fixed_amount, consumption
    rate = "15"
    credited_to_capital = true       # or levy = true; in_vat_base: default true only for revenue
    categories = ["residential"]     # optional: only these categories

Amounts are written as text ("95.40") or integers: a TOML float would lose
cents, so it is refused. Every error names the file, the category or concept,
the field and the reason, in Spanish (:class:`TariffFileError`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from domain.errors import InvalidInput
from domain.tariffs import BillConcept, Block, Category, InvalidTariff, TariffTable, VatRules

DEFAULT_TARIFFS_PATH = Path(__file__).parent / "data" / "tariffs"
MAX_FILE_BYTES = 1_000_000  # far above a real table
MAX_FILES = 500
MAX_DECIMAL_PLACES = 6  # rates per kWh carry up to 4 in practice

_FILE_KEYS = frozenset({"tariff", "vat", "category", "concept"})
_TARIFF_KEYS = frozenset(
    {
        "service",
        "valid_from",
        "description",
        "unit",
        "rounding",
        "per_beneficiary",
        "fixed_charge_label",
        "consumption_label",
    }
)
_VAT_KEYS = frozenset(
    {
        "residential_rate",
        "rate_by_condition",
        "exempt_conditions",
        "perception_rate",
        "perception_conditions",
    }
)
_CATEGORY_KEYS = frozenset(
    {
        "description",
        "residential",
        "fixed_charge",
        "block_mode",
        "minimum_units",
        "unit",
        "blocks",
    }
)
_BLOCK_KEYS = frozenset({"up_to", "rate_per_unit"})
_CONCEPT_KEYS = frozenset(
    {
        "code",
        "description",
        "base",
        "rate",
        "in_vat_base",
        "credited_to_capital",
        "levy",
        "categories",
        "afip_tax_id",
    }
)


class TariffFileError(InvalidInput):
    """A tariff file is wrong: ``file``, ``where`` (category, concept, section), ``field``, ``reason``."""

    def __init__(self, file: str, where: str, field: str, reason: str) -> None:
        place = ": ".join(part for part in (file, where, field) if part)
        super().__init__(f"{place}: {reason}")
        self.file = file
        self.where = where
        self.field = field
        self.reason = reason


def load_tariff_book(path: Path = DEFAULT_TARIFFS_PATH) -> dict[str, list[TariffTable]]:
    """Every ``*.toml`` of a folder (or one file), grouped by service, oldest version first."""
    book: dict[str, list[TariffTable]] = {}
    for file in _tariff_files(path):
        table = read_tariff_file(file)
        versions = book.setdefault(table.service, [])
        for other in versions:
            if other.valid_from == table.valid_from:
                reason = f"misma vigencia ({table.valid_from}) que {other.source}: cambie valid_from"
                raise TariffFileError(str(file), "tariff", "valid_from", reason)
        versions.append(table)
    return {service: sorted(v, key=lambda t: t.valid_from) for service, v in sorted(book.items())}


def read_tariff_file(path: Path) -> TariffTable:
    reader = _Reader(str(path))
    return reader.build(reader.load(path))


def parse_tariff_text(text: str, source_name: str) -> TariffTable:
    """A table from the text of a file (as kept in the ``TariffTablePublished`` event)."""
    reader = _Reader(source_name)
    return reader.build(reader.parse(text))


def _tariff_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise TariffFileError(str(path), "", "", "la carpeta no tiene cuadros tarifarios *.toml")
        if len(files) > MAX_FILES:
            raise TariffFileError(str(path), "", "", f"más de {MAX_FILES} archivos de cuadros")
        return files
    if not path.is_file():
        raise TariffFileError(str(path), "", "", "no existe el archivo o la carpeta de cuadros tarifarios")
    return [path]


class _Reader:
    """Reads one file; every error names it."""

    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, where: str, field: str, reason: str) -> TariffFileError:
        return TariffFileError(self.file, where, field, reason)

    def load(self, path: Path) -> Mapping[str, Any]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise self.error("", "", f"no se puede leer el archivo: {exc.strerror}") from None
        if len(data) > MAX_FILE_BYTES:
            raise self.error("", "", f"el archivo supera {MAX_FILE_BYTES} bytes")
        try:
            return self.parse(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise self.error("", "", "el archivo no está en UTF-8") from None

    def parse(self, text: str) -> Mapping[str, Any]:
        if len(text) > MAX_FILE_BYTES:
            raise self.error("", "", f"el archivo supera {MAX_FILE_BYTES} bytes")
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise self.error("", "", f"sintaxis TOML inválida: {exc}") from None

    def build(self, raw: Mapping[str, Any]) -> TariffTable:
        try:
            return self.table(raw)
        except InvalidTariff as exc:  # an invariant of the model: say it with the file's name
            raise TariffFileError(self.file, exc.where, exc.field, exc.reason) from None

    def table(self, raw: Mapping[str, Any]) -> TariffTable:
        self.keys(raw, _FILE_KEYS, "", "")
        header = self.section(raw, "tariff", "")
        self.keys(header, _TARIFF_KEYS, "tariff", "")
        categories_raw = self.section(raw, "category", "")
        if not categories_raw:
            raise self.error("category", "", "el cuadro no tiene categorías ([category.CODIGO])")
        default_unit = self.optional_text(header, "unit", "tariff")
        return TariffTable(
            service=self.text(header, "service", "tariff"),
            valid_from=self.day(header, "valid_from", "tariff"),
            description=self.text(header, "description", "tariff"),
            categories={
                code: self.category(code, self.mapping(value, f"categoría {code}", ""), default_unit)
                for code, value in categories_raw.items()
            },
            vat=self.vat(self.section(raw, "vat", "")),
            concepts=tuple(self.concept(n, item) for n, item in enumerate(self.concept_list(raw), start=1)),
            per_beneficiary=self.flag(header, "per_beneficiary", "tariff", default=False),
            rounding=self.optional_text(header, "rounding", "tariff") or "half_even",
            fixed_charge_label=self.optional_text(header, "fixed_charge_label", "tariff") or "Cargo fijo",
            consumption_label=self.optional_text(header, "consumption_label", "tariff") or "Consumo",
            source=self.file,
        )

    def category(self, code: str, raw: Mapping[str, Any], default_unit: str | None) -> Category:
        where = f"categoría {code}"
        self.keys(raw, _CATEGORY_KEYS, where, "")
        blocks_raw = raw.get("blocks", [])
        if not isinstance(blocks_raw, list):
            reason = "debe ser una lista de bloques [{ up_to = ..., rate_per_unit = ... }]"
            raise self.error(where, "blocks", reason)
        return Category(
            code=code,
            description=self.text(raw, "description", where),
            fixed_charge=self.decimal(raw, "fixed_charge", where),
            blocks=tuple(self.block(item, where, n) for n, item in enumerate(blocks_raw, start=1)),
            block_mode=self.optional_text(raw, "block_mode", where) or "progressive",
            minimum_units=self.decimal(raw, "minimum_units", where, default=Decimal(0)),
            unit=self.optional_text(raw, "unit", where) or default_unit,
            residential=self.flag(raw, "residential", where, default=False),
        )

    def block(self, item: object, where: str, number: int) -> Block:
        name = f"blocks[{number}]"
        block = self.mapping(item, where, name)
        self.keys(block, _BLOCK_KEYS, where, name)
        upper = self.decimal(block, "up_to", where, prefix=name) if "up_to" in block else None
        rate_per_unit = self.decimal(block, "rate_per_unit", where, prefix=name)
        return Block(upper_units=upper, rate_per_unit=rate_per_unit)

    def vat(self, raw: Mapping[str, Any]) -> VatRules:
        self.keys(raw, _VAT_KEYS, "vat", "")
        by_condition = self.section(raw, "rate_by_condition", "vat")
        return VatRules(
            residential_rate=self.decimal(raw, "residential_rate", "vat"),
            rate_by_condition={
                str(c): self.decimal(by_condition, c, "vat", prefix="rate_by_condition") for c in by_condition
            },
            exempt_conditions=_or(self.codes(raw, "exempt_conditions", "vat"), frozenset({"EX"})),
            perception_rate=self.decimal(raw, "perception_rate", "vat", default=Decimal(0)),
            perception_conditions=_or(self.codes(raw, "perception_conditions", "vat"), frozenset()),
        )

    def concept_list(self, raw: Mapping[str, Any]) -> list[object]:
        items = raw.get("concept", [])
        if not isinstance(items, list):
            raise self.error("concept", "", "los conceptos se escriben como [[concept]]")
        return items

    def concept(self, number: int, item: object) -> BillConcept:
        raw = self.mapping(item, f"concepto {number}", "")
        where = f"concepto {raw.get('code', number)}"
        self.keys(raw, _CONCEPT_KEYS, where, "")
        capital = self.flag(raw, "credited_to_capital", where, default=False)
        levy = self.flag(raw, "levy", where, default=False)
        tax_id = raw.get("afip_tax_id")
        if tax_id is not None and (not isinstance(tax_id, int) or isinstance(tax_id, bool)):
            reason = f"debe ser un número entero (Id de tributo AFIP), no {tax_id!r}"
            raise self.error(where, "afip_tax_id", reason)
        return BillConcept(
            code=self.text(raw, "code", where),
            description=self.text(raw, "description", where),
            base=self.text(raw, "base", where),
            rate=self.decimal(raw, "rate", where),
            # Revenue concepts are taxed unless the file says otherwise; capital and levies never are.
            in_vat_base=self.flag(raw, "in_vat_base", where, default=not (capital or levy)),
            credited_to_capital=capital,
            levy=levy,
            categories=self.codes(raw, "categories", where),
            afip_tax_id=tax_id,
        )

    # -- field readers -------------------------------------------------------------------------

    def keys(self, raw: Mapping[str, Any], allowed: Collection[str], where: str, field: str) -> None:
        unknown = sorted(set(raw) - set(allowed))
        if unknown:
            names = ", ".join(map(repr, unknown))
            valid = ", ".join(sorted(allowed))
            raise self.error(where, field, f"clave desconocida {names}; válidas: {valid}")

    def mapping(self, value: object, where: str, field: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(where, field, f"debe ser una tabla, no {value!r}")
        return value

    def section(self, raw: Mapping[str, Any], key: str, parent: str) -> Mapping[str, Any]:
        """A required table: ``[key]`` at the top (parent ""), or ``[parent.key]``."""
        if key not in raw:
            raise self.error(parent, key, f"falta la sección [{f'{parent}.{key}' if parent else key}]")
        return self.mapping(raw[key], parent, key)

    def text(self, raw: Mapping[str, Any], key: str, where: str) -> str:
        value = self.optional_text(raw, key, where)
        if value is None:
            raise self.error(where, key, "falta (es obligatorio)")
        return value

    def optional_text(self, raw: Mapping[str, Any], key: str, where: str) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(where, key, f"debe ser un texto no vacío, no {value!r}")
        return value.strip()

    def flag(self, raw: Mapping[str, Any], key: str, where: str, *, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise self.error(where, key, f"debe ser true o false, no {value!r}")
        return value

    def day(self, raw: Mapping[str, Any], key: str, where: str) -> date:
        value = raw.get(key)
        if value is None:
            raise self.error(where, key, "falta la fecha (AAAA-MM-DD, sin comillas)")
        if isinstance(value, datetime):
            raise self.error(where, key, f"{value} lleva hora: escriba solo la fecha AAAA-MM-DD")
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.error(where, key, f"{value!r} no es una fecha AAAA-MM-DD") from None

    def codes(self, raw: Mapping[str, Any], key: str, where: str) -> frozenset[str] | None:
        """A list of codes; None when the key is absent (an empty list is a real, empty choice)."""
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(where, key, f"debe ser una lista de códigos entre comillas, no {value!r}")
        return frozenset(value)

    def decimal(
        self,
        raw: Mapping[str, Any],
        key: str,
        where: str,
        *,
        default: Decimal | None = None,
        prefix: str = "",
    ) -> Decimal:
        field = f"{prefix}.{key}" if prefix else key
        value = raw.get(key)
        if value is None:
            if default is None:
                raise self.error(where, field, "falta (es obligatorio)")
            return default
        if isinstance(value, float):
            reason = f'escriba el número entre comillas, p. ej. "{value}": sin comillas pierde centavos'
            raise self.error(where, field, reason)
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise self.error(where, field, f"debe ser un número, no {value!r}")
        return self.parse_number(str(value).strip(), where, field)

    def parse_number(self, text: str, where: str, field: str) -> Decimal:
        try:
            number = Decimal(text)
        except InvalidOperation:
            reason = f'{text!r} no es un número (use punto decimal: "95.40")'
            raise self.error(where, field, reason) from None
        if not number.is_finite():
            raise self.error(where, field, f"{text!r} no es un número finito")
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > MAX_DECIMAL_PLACES:
            raise self.error(where, field, f"{text} tiene más de {MAX_DECIMAL_PLACES} decimales")
        if number < 0:
            raise self.error(where, field, f"{text} es negativo")
        return number


def _or(codes: frozenset[str] | None, default: frozenset[str]) -> frozenset[str]:
    return default if codes is None else codes
