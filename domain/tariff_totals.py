"""Bill totals as AFIP reads them, derived from the invoice lines alone.

The invoice event stores only its lines, so everything AFIP asks for must be
derivable from them; this module is that one derivation, used when computing
a bill and usable again by the VAT book and the WSFEv1 export:

======================================  ============================  ===========
line                                    total                         WSFEv1
======================================  ============================  ===========
charge, in_vat_base, vat_rate set       ``net_taxed`` (per rate)      ImpNeto
charge, in_vat_base, vat_rate None      ``exempt`` (exempt member)    ImpOpEx
charge not in_vat_base; capital         ``non_taxed``                 ImpTotConc
vat                                     ``vat`` (per rate)            ImpIVA
levy; perception                        ``levies``; ``perception``    ImpTrib
======================================  ============================  ===========

Rounding point (AFIP, domain-facts §1): VAT per rate is
``round_half_even(Σ cent-rounded base lines at that rate × rate / 100)``, once
per rate, never per line; so ``total`` is exactly the sum of the lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.money import ZERO, round_half_even
from domain.tariff_text import money, percent
from domain.tariffs import HUNDRED


@dataclass(frozen=True)
class BillTotals:
    net_taxed: Decimal  # VAT base (ImpNeto) = Σ vat_base_by_rate
    exempt: Decimal  # charges to an exempt member (ImpOpEx)
    non_taxed: Decimal  # cuota capital and charges outside the VAT base (ImpTotConc)
    vat_base_by_rate: Mapping[Decimal, Decimal]  # percent → base (Iva.BaseImp)
    vat_by_rate: Mapping[Decimal, Decimal]  # percent → VAT (Iva.Importe)
    vat: Decimal  # ImpIVA
    perception: Decimal  # VAT perception (Tributo 6)
    levies: Decimal  # third-party levies (Tributos)
    capital: Decimal  # cuota capital (part of non_taxed)
    total: Decimal  # ImpTotal = Σ lines

    @property
    def other_taxes(self) -> Decimal:
        """ImpTrib: levies and perceptions travel as Tributos."""
        return self.levies + self.perception


def vat_base_by_rate(lines: Sequence[Mapping[str, Any]]) -> dict[Decimal, Decimal]:
    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        if line["kind"] == "charge" and line["in_vat_base"] and line["vat_rate"] is not None:
            rate = line["vat_rate"]
            bases[rate] = bases.get(rate, ZERO) + line["amount"]
    return dict(sorted(bases.items()))


def vat_amount(base: Decimal, rate: Decimal) -> Decimal:
    """Rounding point: VAT of one rate, on the cent-rounded base, half-even (AFIP)."""
    return round_half_even(base * rate / HUNDRED)


def vat_lines(lines: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One ``vat`` line per rate; a rate whose VAT rounds to zero gets no line."""
    result = []
    for rate, base in vat_base_by_rate(lines).items():
        amount = vat_amount(base, rate)
        if amount:
            result.append({
                "concept": f"iva_{percent(rate).rstrip('%').replace(',', '_')}",
                "description": f"IVA {percent(rate)} s/ {money(base)}",
                "kind": "vat",
                "amount": amount,
                "vat_rate": rate,
                "in_vat_base": False,
            })
    return result


def bill_totals(lines: Sequence[Mapping[str, Any]]) -> BillTotals:
    """Classify every line once (the billing run calls this for every supply)."""
    sums = {key: ZERO for key in ("exempt", "non_taxed", "vat", "perception", "levy", "capital", "total")}
    vat_by_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        amount, kind = line["amount"], line["kind"]
        sums["total"] += amount
        if kind == "charge":
            if not line["in_vat_base"]:
                sums["non_taxed"] += amount
            elif line["vat_rate"] is None:
                sums["exempt"] += amount
        elif kind == "vat":
            sums["vat"] += amount
            vat_by_rate[line["vat_rate"]] = vat_by_rate.get(line["vat_rate"], ZERO) + amount
        else:  # capital, levy, perception
            sums[kind] += amount
    bases = vat_base_by_rate(lines)
    return BillTotals(
        net_taxed=sum(bases.values(), ZERO),
        exempt=sums["exempt"],
        non_taxed=sums["non_taxed"] + sums["capital"],
        vat_base_by_rate=bases,
        vat_by_rate={rate: vat_by_rate.get(rate, ZERO) for rate in bases},
        vat=sums["vat"],
        perception=sums["perception"],
        levies=sums["levy"],
        capital=sums["capital"],
        total=sums["total"],
    )
