"""Tariff tables (cuadros tarifarios): the model, its invariants and which version is in force.

A :class:`TariffTable` is one version of one service's prices, in force from
``valid_from`` until the next version's ``valid_from`` (a later version
supersedes; there is no ``valid_to``). It holds:

- categories (residential, commercial, plan_100mb, ...), each with a monthly
  fixed charge (per beneficiary when the service is priced that way), consumption
  blocks ``(upper_units, rate_per_unit)`` with the last block open, a block mode
  and a minimum consumption;
- bill concepts (cuota capital, fondo de obras, tasa municipal, ...), each a
  base, a rate and flags that decide the invoice line kind;
- VAT rules: rates by the member's VAT condition and the category, and the VAT
  perception on non-categorised users. They are data of the version, so a
  change of rate is a new version, never a code change.

Example: residential, progressive blocks 0–200 at 90 and 200–400 at 110 per kWh;
300 kWh cost 200 × 90 + 100 × 110 = 29,000. In ``reached`` mode the same 300 kWh
reach the second block and cost 300 × 110 = 33,000.

The calculation lives in :mod:`domain.tariff_calc`; this module is pure data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.errors import InvalidInput, NotFound
from domain.money import ZERO

BLOCK_MODES = frozenset({"progressive", "reached"})
# energy: block charges; fixed: fixed charge; charges: both; net: every amount in
# the VAT base (charges + other concepts in the VAT base); fixed_amount: the rate
# is the amount; consumption: rate per billed unit.
CONCEPT_BASES = frozenset({"energy", "fixed", "charges", "net", "fixed_amount", "consumption"})
PERCENT_BASES = frozenset({"energy", "fixed", "charges", "net"})
# RI Responsable Inscripto, MT Monotributo, EX Exento, CF Consumidor Final, NC No categorizado.
VAT_CONDITIONS = ("RI", "MT", "EX", "CF", "NC")
ROUNDING_MODES = frozenset({"half_even", "half_up"})
HUNDRED = Decimal(100)


class InvalidTariff(InvalidInput):
    """A tariff table breaks an invariant: ``where`` (category/concept), ``field`` and ``reason``."""

    def __init__(self, where: str, field: str, reason: str) -> None:
        super().__init__(f"{where}: {field}: {reason}")
        self.where = where
        self.field = field
        self.reason = reason


class UnknownTariffCategory(NotFound):
    def __init__(self, service: str, category: str, valid_from: date) -> None:
        super().__init__(
            f"La categoría tarifaria {category!r} no existe en el cuadro de {service} "
            f"vigente desde {valid_from:%d/%m/%Y}"
        )
        self.service = service
        self.category = category
        self.valid_from = valid_from


@dataclass(frozen=True)
class Block:
    """A consumption block: units above the previous bound up to ``upper_units`` (None: no limit)."""

    upper_units: Decimal | None
    rate_per_unit: Decimal


@dataclass(frozen=True)
class BlockUse:
    """Units billed in one block at its rate (in ``reached`` mode: all units, in the block reached)."""

    number: int  # 1-based, as the clerk numbers the blocks
    lower_units: Decimal
    upper_units: Decimal | None
    rate_per_unit: Decimal
    units: Decimal


@dataclass(frozen=True)
class Category:
    code: str
    description: str
    fixed_charge: Decimal  # per month; per beneficiary when the table is priced per beneficiary
    blocks: tuple[Block, ...] = ()
    block_mode: str = "progressive"
    minimum_units: Decimal = ZERO  # bill at least this many units
    unit: str | None = None  # "kWh", "m3"; None for flat (unmetered) services
    residential: bool = False  # VAT: residential users pay the residential rate

    def __post_init__(self) -> None:
        where = f"categoría {self.code}"
        _non_negative(self.fixed_charge, where, "fixed_charge")
        _non_negative(self.minimum_units, where, "minimum_units")
        if self.block_mode not in BLOCK_MODES:
            choices = " o ".join(sorted(BLOCK_MODES))
            raise InvalidTariff(where, "block_mode", f"{self.block_mode!r}: use {choices}")
        if self.unit is None and (self.blocks or self.minimum_units):
            raise InvalidTariff(where, "unit", "los bloques y el consumo mínimo necesitan unidad (kWh, m3)")
        _check_blocks(self.blocks, where)

    @property
    def metered(self) -> bool:
        return self.unit is not None

    def allocate(self, units: Decimal) -> list[BlockUse]:
        """The blocks that ``units`` fall into; a block covers (lower, upper], so 200 kWh stay in 0–200."""
        uses: list[BlockUse] = []
        lower = ZERO
        for number, block in enumerate(self.blocks, start=1):
            upper = block.upper_units
            if upper is None or units <= upper:  # the block reached
                taken = units if self.block_mode == "reached" else units - lower
                if taken > ZERO:
                    uses.append(BlockUse(number, lower, upper, block.rate_per_unit, taken))
                break
            if self.block_mode == "progressive":
                uses.append(BlockUse(number, lower, upper, block.rate_per_unit, upper - lower))
            lower = upper
        return uses


def _check_blocks(blocks: Sequence[Block], where: str) -> None:
    lower = ZERO
    for number, block in enumerate(blocks, start=1):
        name = f"blocks[{number}]"
        _non_negative(block.rate_per_unit, where, f"{name}.rate_per_unit")
        last = number == len(blocks)
        if block.upper_units is None:
            if not last:
                raise InvalidTariff(where, f"{name}.up_to", "solo el último bloque puede no tener límite")
            continue
        if last:
            raise InvalidTariff(where, f"{name}.up_to", "el último bloque no lleva límite (queda abierto)")
        if block.upper_units <= lower:
            raise InvalidTariff(where, f"{name}.up_to", f"{block.upper_units} debe ser mayor que {lower}")
        lower = block.upper_units


@dataclass(frozen=True)
class BillConcept:
    """A line computed from the service charges: cuota capital, works fund, levies."""

    code: str
    description: str
    base: str
    rate: Decimal  # percent for energy/fixed/charges/net; ARS for fixed_amount; ARS per unit for consumption
    in_vat_base: bool
    credited_to_capital: bool = False
    levy: bool = False  # collected for a third party (municipality, province): outside the VAT base
    categories: frozenset[str] | None = None  # None: every category
    afip_tax_id: int | None = None  # Tributo Id for levies (1 national, 2 provincial, 3 municipal, 99 other)

    def __post_init__(self) -> None:
        where = f"concepto {self.code}"
        if self.base not in CONCEPT_BASES:
            raise InvalidTariff(where, "base", f"{self.base!r}: use {', '.join(sorted(CONCEPT_BASES))}")
        _non_negative(self.rate, where, "rate")
        if self.credited_to_capital and self.levy:
            raise InvalidTariff(where, "levy", "un concepto no puede ser cuota capital y tasa de terceros")
        if (self.credited_to_capital or self.levy) and self.in_vat_base:
            reason = "la cuota capital y las tasas de terceros no integran la base del IVA"
            raise InvalidTariff(where, "in_vat_base", reason)
        if self.afip_tax_id is not None and not (self.levy and 1 <= self.afip_tax_id <= 99):
            raise InvalidTariff(where, "afip_tax_id", "solo para tasas de terceros (levy), entre 1 y 99")

    @property
    def kind(self) -> str:
        """Invoice line kind (domain/invoicing.py)."""
        if self.credited_to_capital:
            return "capital"
        return "levy" if self.levy else "charge"

    def applies_to(self, category: str) -> bool:
        return self.categories is None or category in self.categories


@dataclass(frozen=True)
class VatRules:
    """VAT by condition and category (domain-facts §7), as dated data of the table version."""

    residential_rate: Decimal  # percent, for residential categories
    rate_by_condition: Mapping[str, Decimal]  # percent, for non-residential categories
    exempt_conditions: frozenset[str] = frozenset({"EX"})
    perception_rate: Decimal = ZERO  # percent of the VAT base
    perception_conditions: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self._check_conditions()
        rates = {"residential_rate": self.residential_rate, "perception_rate": self.perception_rate}
        rates |= {f"rate_by_condition.{c}": r for c, r in self.rate_by_condition.items()}
        for name, rate in rates.items():
            if not (rate.is_finite() and ZERO <= rate <= HUNDRED):
                raise InvalidTariff("vat", name, f"{rate} debe estar entre 0 y 100")

    def _check_conditions(self) -> None:
        """Every VAT condition is either exempt or has a rate, never both."""
        named = {"rate_by_condition": self.rate_by_condition, "exempt_conditions": self.exempt_conditions,
                 "perception_conditions": self.perception_conditions}
        for name, conditions in named.items():
            unknown = sorted(set(conditions) - set(VAT_CONDITIONS))
            if unknown:
                names, known = ", ".join(map(repr, unknown)), ", ".join(VAT_CONDITIONS)
                raise InvalidTariff("vat", name, f"condición {names} desconocida; use {known}")
        both = sorted(set(self.rate_by_condition) & self.exempt_conditions)
        if both:
            raise InvalidTariff("vat", "exempt_conditions", f"{', '.join(both)}: exento y con alícuota")
        taxed_or_exempt = set(self.rate_by_condition) | self.exempt_conditions
        missing = [c for c in VAT_CONDITIONS if c not in taxed_or_exempt]
        if missing:
            raise InvalidTariff("vat", "rate_by_condition", f"falta la alícuota para {', '.join(missing)}")

    def rate_for(self, vat_condition: str, category: Category) -> Decimal | None:
        """VAT percent for this member and category; None when the member is exempt."""
        if vat_condition in self.exempt_conditions:
            return None
        return self.residential_rate if category.residential else self.rate_by_condition[vat_condition]

    def perception_for(self, vat_condition: str) -> Decimal | None:
        if vat_condition in self.perception_conditions and self.perception_rate > ZERO:
            return self.perception_rate
        return None


@dataclass(frozen=True)
class TariffTable:
    service: str
    valid_from: date
    description: str
    categories: Mapping[str, Category]
    vat: VatRules
    concepts: tuple[BillConcept, ...] = ()
    per_beneficiary: bool = False  # fixed charge per beneficiary (sepelio, social services)
    rounding: str = "half_even"  # of charge and concept lines; VAT is always half-even (AFIP)
    fixed_charge_label: str = "Cargo fijo"
    consumption_label: str = "Consumo"
    source: str = field(default="", compare=False)  # file it came from, for messages

    def __post_init__(self) -> None:
        where = f"cuadro {self.service} desde {self.valid_from}"
        if self.rounding not in ROUNDING_MODES:
            choices = " o ".join(sorted(ROUNDING_MODES))
            raise InvalidTariff(where, "rounding", f"{self.rounding!r}: use {choices}")
        if not self.categories:
            raise InvalidTariff(where, "category", "el cuadro no tiene categorías")
        for code, category in self.categories.items():
            if code != category.code:
                raise InvalidTariff(where, "category", f"la clave {code!r} no es el código {category.code!r}")
        codes = [c.code for c in self.concepts]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise InvalidTariff(where, "concept", f"código repetido {', '.join(repeated)}")
        for concept in self.concepts:
            self._check_concept_categories(concept)

    def _check_concept_categories(self, concept: BillConcept) -> None:
        unknown = sorted((concept.categories or frozenset()) - set(self.categories))
        if unknown:
            raise InvalidTariff(f"concepto {concept.code}", "categories", f"no existen: {', '.join(unknown)}")

    def category(self, code: str) -> Category:
        try:
            return self.categories[code]
        except KeyError:
            raise UnknownTariffCategory(self.service, code, self.valid_from) from None


def _non_negative(value: Decimal, where: str, name: str) -> None:
    if not value.is_finite() or value < ZERO:
        raise InvalidTariff(where, name, f"{value} debe ser un número mayor o igual a cero")
