"""Computing one supply's bill for one period from the tariff versions in force.

``compute_bill`` returns the invoice lines in the shape of ``domain/invoicing.py``
(``concept, description, kind, amount, vat_rate, in_vat_base``) and the totals
of :mod:`domain.tariff_totals`.

Order of the work, per version in force (one version unless the tariff changed
inside the period):

1. billed units = max(consumption, minimum_units); the blocks are allocated on
   the whole period's billed units with the table's bounds, so a proration never
   gives the member more of the cheap block than a whole month would;
2. service lines: fixed charge (× beneficiaries) and one line per block used,
   each × days_in_force / days_in_period, then rounded to cents with the table's
   rounding (rounding point 1);
3. concepts, in file order, on the cent-rounded lines of the same version:
   ``energy``/``fixed``/``charges`` first, then ``net`` (charges plus concepts in
   the VAT base); each rounded to cents (rounding point 2);
4. after all versions: VAT per rate (rounding point 3, half-even, AFIP) and the
   VAT perception on the taxed base (rounding point 4, half-even).

Proration presentation: lines are **per version**, with the same concept codes
("cargo_fijo", "consumo_2", "cuota_capital"), and the descriptions say
"(cuadro desde 16/03/2026: 16 de 31 días)". Lines of zero amount are left out.

Worked example (residential, progressive 0–200 at 90, 200–400 at 110, fixed
5,000, cuota capital 15% of energy, 300 kWh, a consumidor final):
fixed 5,000.00; block 1: 200 × 90 = 18,000.00; block 2: 100 × 110 = 11,000.00;
cuota capital 15% × 29,000.00 = 4,350.00 (not in the VAT base);
VAT 21% × 34,000.00 = 7,140.00; total 34,000.00 + 4,350.00 + 7,140.00 = 45,490.00.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain import tariff_text as text
from domain.errors import InvalidInput
from domain.money import ZERO, D, round_half_even, round_half_up
from domain.tariff_totals import BillTotals, bill_totals, vat_base_by_rate, vat_lines
from domain.tariff_versions import VersionSpan, check_same_service, versions_in_force
from domain.tariffs import (
    HUNDRED,
    PERCENT_BASES,
    VAT_CONDITIONS,
    BillConcept,
    BlockUse,
    Category,
    TariffTable,
)

Line = dict[str, Any]  # one invoice line, in the shape of domain/invoicing.py
MAX_PERIOD_DAYS = 366  # a billing period is at most a year: a longer one is a typo in a date
MAX_BENEFICIARIES = 99


class InvalidConsumption(InvalidInput):
    def __init__(self, category: str, consumption: object, reason: str) -> None:
        super().__init__(f"Consumo {consumption} inválido para la categoría {category}: {reason}")
        self.category = category


class InvalidBillingPeriod(InvalidInput):
    def __init__(self, start: date, end: date, reason: str) -> None:
        super().__init__(f"Período {start:%d/%m/%Y} a {end:%d/%m/%Y} inválido: {reason}")


class UnknownVatCondition(InvalidInput):
    def __init__(self, vat_condition: str) -> None:
        super().__init__(f"Condición de IVA {vat_condition!r} desconocida; use {', '.join(VAT_CONDITIONS)}")
        self.vat_condition = vat_condition


class InvalidBeneficiaries(InvalidInput):
    def __init__(self, service: str, beneficiaries: int, reason: str) -> None:
        super().__init__(f"Cantidad de beneficiarios {beneficiaries} inválida para {service}: {reason}")


@dataclass(frozen=True)
class BillCalculation:
    service: str
    category: str
    vat_condition: str
    period_start: date
    period_end: date
    consumption: Decimal  # as measured, in ``unit``
    billed_units: Decimal  # max(consumption, minimum) of the last version in force
    unit: str | None
    beneficiaries: int
    spans: tuple[VersionSpan, ...]  # the versions in force and their days
    lines: list[Line]
    totals: BillTotals


def compute_bill(
    versions: Sequence[TariffTable],
    category: str,
    consumption: Decimal,
    period_start: date,
    period_end: date,
    vat_condition: str,
    beneficiaries: int = 1,
) -> BillCalculation:
    """The bill of one supply for ``period_start..period_end`` (both inclusive)."""
    check_same_service(versions)
    _check_period(period_start, period_end)
    if vat_condition not in VAT_CONDITIONS:
        raise UnknownVatCondition(vat_condition)
    spans = versions_in_force(versions, period_start, period_end)
    consumption = D(consumption)
    period_days = (period_end - period_start).days + 1
    works = [_SpanWork(span, span.table.category(category), period_days, len(spans) > 1, vat_condition)
             for span in spans]
    lines = [line for work in works for line in work.compute(consumption, beneficiaries)]
    lines += vat_lines(lines)
    lines += _perception_lines(lines, works)
    last = spans[-1].table.category(category)
    return BillCalculation(
        service=spans[0].table.service, category=category, vat_condition=vat_condition,
        period_start=period_start, period_end=period_end, consumption=consumption,
        billed_units=max(consumption, last.minimum_units), unit=last.unit, beneficiaries=beneficiaries,
        spans=tuple(spans), lines=lines, totals=bill_totals(lines),
    )


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise InvalidBillingPeriod(start, end, "el fin es anterior al inicio")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidBillingPeriod(start, end, f"dura más de {MAX_PERIOD_DAYS} días")


def _perception_lines(lines: list[Line], works: list[_SpanWork]) -> list[Line]:
    """Rounding point 4: Σ (taxed base of each version × its perception rate), once per bill, half-even."""
    due = sum((work.perception_due() for work in works), ZERO)
    amount = round_half_even(due)
    if not amount:
        return []
    rates = {work.perception_rate for work in works if work.perception_rate is not None}
    shown_rate = f" {text.percent(rates.pop())}" if len(rates) == 1 else ""
    base = sum(vat_base_by_rate(lines).values(), ZERO)
    description = f"Percepción de IVA RG 2408{shown_rate} s/ {text.money(base)}"
    return [_line("percepcion_iva", description, "perception", amount)]


def _line(
    concept: str, description: str, kind: str, amount: Decimal,
    vat_rate: Decimal | None = None, in_vat_base: bool = False,
) -> Line:
    return {"concept": concept, "description": description, "kind": kind, "amount": amount,
            "vat_rate": vat_rate, "in_vat_base": in_vat_base}


class _SpanWork:
    """The lines of one table version over its days of the period."""

    def __init__(
        self, span: VersionSpan, category: Category, period_days: int, prorated: bool, vat_condition: str,
    ) -> None:
        self.span = span
        self.table = span.table
        self.category = category
        self.period_days = period_days
        self.note = text.span_note(span, period_days) if prorated else ""
        self.vat_rate = self.table.vat.rate_for(vat_condition, category)  # None: exempt member
        self.perception_rate = self.table.vat.perception_for(vat_condition)
        self.lines: list[Line] = []

    def compute(self, consumption: Decimal, beneficiaries: int) -> list[Line]:
        """Service lines then concept lines of this version (kept for the perception)."""
        self.check(consumption, beneficiaries)
        service_lines = self.service_lines(consumption, beneficiaries)
        self.lines = service_lines + self.concept_lines(service_lines, consumption)
        return self.lines

    def check(self, consumption: Decimal, beneficiaries: int) -> None:
        code, service = self.category.code, self.table.service
        if not consumption.is_finite() or consumption < ZERO:
            raise InvalidConsumption(code, consumption, "debe ser un número mayor o igual a cero")
        if not self.category.metered and consumption != ZERO:
            raise InvalidConsumption(code, consumption, "la categoría no se mide: el consumo debe ser 0")
        if not 1 <= beneficiaries <= MAX_BENEFICIARIES:
            raise InvalidBeneficiaries(service, beneficiaries, f"debe estar entre 1 y {MAX_BENEFICIARIES}")
        if beneficiaries != 1 and not self.table.per_beneficiary:
            raise InvalidBeneficiaries(service, beneficiaries, "el servicio no se cobra por beneficiario")

    def prorated(self, amount: Decimal) -> Decimal:
        """Rounding points 1 and 2: the version's share of the period, then cents (table's rounding)."""
        return self.rounded(amount * self.span.days / self.period_days)

    def rounded(self, amount: Decimal) -> Decimal:
        return round_half_up(amount) if self.table.rounding == "half_up" else round_half_even(amount)

    def charge(self, concept: str, description: str, amount: Decimal) -> Line:
        """A service charge: in the VAT base at the member's rate (None: exempt)."""
        return _line(concept, description + self.note, "charge", amount, self.vat_rate, True)

    def service_lines(self, consumption: Decimal, beneficiaries: int) -> list[Line]:
        fixed_description = self.table.fixed_charge_label
        if self.table.per_beneficiary:
            fixed_description += f": {beneficiaries} × {text.money(self.category.fixed_charge)}"
        fixed_amount = self.prorated(self.category.fixed_charge * beneficiaries)
        lines = [self.charge("cargo_fijo", fixed_description, fixed_amount)]
        uses = self.category.allocate(self.billed(consumption))
        lines += [self.block_line(use, consumption) for use in uses]
        return [ln for ln in lines if ln["amount"]]

    def billed(self, consumption: Decimal) -> Decimal:
        return max(consumption, self.category.minimum_units)

    def block_line(self, use: BlockUse, consumption: Decimal) -> Line:
        unit = self.category.unit
        shown_units = use.units * self.span.days / self.period_days
        where = text.block_range(use, unit)
        label = self.table.consumption_label
        if where:
            label += f" (escalón {where})" if self.category.block_mode == "reached" else f" {where}"
        description = f"{label}: {text.units(shown_units, unit)} × {text.rate(use.rate_per_unit)}"
        if consumption < self.category.minimum_units:
            description += f" (consumo mínimo; medido {text.units(consumption, unit)})"
        return self.charge(f"consumo_{use.number}", description, self.prorated(use.units * use.rate_per_unit))

    def concept_lines(self, service_lines: list[Line], consumption: Decimal) -> list[Line]:
        energy = sum((ln["amount"] for ln in service_lines if ln["concept"] != "cargo_fijo"), ZERO)
        fixed = sum((ln["amount"] for ln in service_lines if ln["concept"] == "cargo_fijo"), ZERO)
        bases = {"energy": energy, "fixed": fixed, "charges": energy + fixed}
        applicable = [c for c in self.table.concepts if c.applies_to(self.category.code)]
        done = {c.code: self.concept_line(c, bases, consumption) for c in applicable if c.base != "net"}
        taxable = [ln["amount"] for ln in done.values() if ln["in_vat_base"]]
        bases["net"] = bases["charges"] + sum(taxable, ZERO)
        done |= {c.code: self.concept_line(c, bases, consumption) for c in applicable if c.base == "net"}
        return [done[c.code] for c in applicable if done[c.code]["amount"]]  # file order

    def concept_line(self, concept: BillConcept, bases: dict[str, Decimal], consumption: Decimal) -> Line:
        if concept.base in PERCENT_BASES:  # already this version's share: no proration again
            base = bases[concept.base]
            amount = self.rounded(base * concept.rate / HUNDRED)
            description = f"{concept.description} {text.percent(concept.rate)} s/ {text.money(base)}"
        elif concept.base == "consumption":
            billed_units = self.billed(consumption) if self.category.metered else ZERO
            amount = self.prorated(billed_units * concept.rate)
            shown_units = billed_units * self.span.days / self.period_days
            description = (f"{concept.description}: {text.units(shown_units, self.category.unit)}"
                           f" × {text.rate(concept.rate)}")
        else:  # fixed_amount
            amount, description = self.prorated(concept.rate), concept.description
        if concept.in_vat_base:
            return self.charge(concept.code, description, amount)
        return _line(concept.code, description + self.note, concept.kind, amount)

    def perception_due(self) -> Decimal:
        """Unrounded perception on this version's taxed lines."""
        if self.perception_rate is None:
            return ZERO
        return sum(vat_base_by_rate(self.lines).values(), ZERO) * self.perception_rate / HUNDRED
