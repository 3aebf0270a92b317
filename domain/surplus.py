"""Distribution of the year's surplus (excedentes, Ley 20.337 art. 42).

From the closed year's result (revenue minus expenses):

1. Split it between services to associates and to non-associates in proportion to
   the operations billed to each (service charges, net of VAT, levies and cuota
   capital); the non-associates' part goes whole to the special reserve (not
   distributable). The non-associates' part is rounded half-even to the cent and
   the associates' part is the rest, so the two always add up to the result.
2. The associates' part first absorbs accumulated losses of prior years.
3. Of what remains (the distributable surplus): 5% legal reserve, 5% social
   assistance fund, 5% cooperative education fund (each rounded half-even).
4. Optional interest on integrated capital at the rate the assembly sets, never
   above the BNA discount rate plus one point; per associate, on the capital
   integrated at year end, rounded half-even to the cent.
5. The rest is the retorno, shared in proportion to each associate's operations:
   each share is cut to the cent and the cents left over go one each to the
   largest remainders (ties: lower member number), so the shares add up to the
   retorno to the cent and none is negative.

A hand-worked example is in ``tests/unit/test_surplus.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidInput
from domain.identity import stable_id
from domain.money import CENT, ZERO, format_ar, round_half_even

RESERVE_RATE = Decimal("0.05")  # each of the three art. 42 reserves
INTEREST_CAP_OVER_BNA_POINTS = Decimal("1")  # art. 42 inc. 4: BNA discount rate + 1 point
RETORNO_DESTINATIONS = ("capital", "account")


def surplus_distribution_id(year: int) -> UUID:
    return stable_id("surplus-distribution", year)


@dataclass(frozen=True)
class SurplusInputs:
    year: int
    result: Decimal  # revenue − expenses of the fiscal year
    operations: Mapping[str, Decimal]  # per associate: operations billed in the year
    non_associate_operations: Decimal
    prior_losses: Decimal  # accumulated losses of prior years not yet absorbed
    capital: Mapping[str, Decimal]  # per associate: integrated capital at year end
    interest_rate_percent: Decimal = ZERO  # yearly, set by the assembly; 0 = no interest


@dataclass(frozen=True)
class MemberShare:
    """Field names of one associate's line as stored in the event."""

    member_number: str
    operations: Decimal
    capital: Decimal
    interest: Decimal
    retorno: Decimal


@dataclass(frozen=True)
class SurplusProposal:
    year: int
    result: Decimal
    associates_surplus: Decimal
    special_reserve: Decimal  # services to non-associates
    prior_losses: Decimal
    loss_offset: Decimal
    distributable: Decimal
    legal_reserve: Decimal
    assistance_fund: Decimal
    education_fund: Decimal
    interest_rate_percent: Decimal
    interest_total: Decimal
    retorno_total: Decimal
    shares: tuple[MemberShare, ...]

    def parts(self) -> Decimal:
        """Every destination added up: always equals the result."""
        return (
            self.special_reserve
            + self.loss_offset
            + self.legal_reserve
            + self.assistance_fund
            + self.education_fund
            + self.interest_total
            + self.retorno_total
        )


def check_interest_rate(rate_percent: Decimal, bna_discount_rate_percent: Decimal) -> None:
    cap = bna_discount_rate_percent + INTEREST_CAP_OVER_BNA_POINTS
    if rate_percent < ZERO:
        raise InvalidInput(f"Tasa de interés sobre cuotas sociales negativa: {rate_percent}%")
    if rate_percent > cap:
        raise InvalidInput(
            f"Tasa de interés sobre cuotas sociales {rate_percent}% mayor que el tope de {cap}% "
            f"(tasa de descuento del BNA {bna_discount_rate_percent}% + 1 punto, Ley 20.337 art. 42)"
        )


def largest_remainder(total: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Split ``total`` (cents) in proportion to ``weights``: the parts add up to it exactly."""
    weight_sum = sum(weights.values(), ZERO)
    if total < ZERO or weight_sum <= ZERO or any(w < ZERO for w in weights.values()):
        raise InvalidInput("El reparto necesita un total no negativo y pesos positivos")
    exact = {key: total * weight / weight_sum for key, weight in weights.items()}
    shares = {key: value.quantize(CENT, rounding=ROUND_DOWN) for key, value in exact.items()}
    cents_left = int((total - sum(shares.values(), ZERO)) / CENT)
    by_remainder = sorted(exact, key=lambda key: (-(exact[key] - shares[key]), key))
    for key in by_remainder[:cents_left]:
        shares[key] += CENT
    return shares


def propose(inputs: SurplusInputs) -> SurplusProposal:
    if inputs.result <= ZERO:
        loss = "; la pérdida se absorbe con los excedentes de ejercicios siguientes" if inputs.result else ""
        raise InvalidInput(
            f"El ejercicio {inputs.year} no tuvo excedente (resultado $ {format_ar(inputs.result)}): "
            f"no hay nada que distribuir{loss}"
        )
    operations = {m: ops for m, ops in inputs.operations.items() if ops > ZERO}
    associates_ops = sum(operations.values(), ZERO)
    if associates_ops <= ZERO:
        raise InvalidInput(f"El ejercicio {inputs.year} no tiene operaciones con asociados: no hay retorno")
    total_ops = associates_ops + max(inputs.non_associate_operations, ZERO)
    special = round_half_even(inputs.result * max(inputs.non_associate_operations, ZERO) / total_ops)
    associates_surplus = inputs.result - special
    offset = min(inputs.prior_losses, associates_surplus)
    distributable = associates_surplus - offset
    reserve = round_half_even(distributable * RESERVE_RATE)
    interest = {
        m: round_half_even(capital * inputs.interest_rate_percent / 100)
        for m, capital in sorted(inputs.capital.items())
        if capital > ZERO
    }
    interest_total = sum(interest.values(), ZERO)
    retorno_total = distributable - 3 * reserve - interest_total
    if retorno_total < ZERO:
        raise InvalidInput(
            f"El interés sobre cuotas sociales ($ {interest_total}) supera lo distribuible después de "
            f"las reservas ($ {distributable - 3 * reserve}): baje la tasa"
        )
    retornos = (
        largest_remainder(retorno_total, operations) if retorno_total else dict.fromkeys(operations, ZERO)
    )
    members = sorted(set(operations) | set(interest))
    shares = tuple(
        MemberShare(
            m,
            operations.get(m, ZERO),
            inputs.capital.get(m, ZERO),
            interest.get(m, ZERO),
            retornos.get(m, ZERO),
        )
        for m in members
    )
    return SurplusProposal(
        year=inputs.year,
        result=inputs.result,
        associates_surplus=associates_surplus,
        special_reserve=special,
        prior_losses=inputs.prior_losses,
        loss_offset=offset,
        distributable=distributable,
        legal_reserve=reserve,
        assistance_fund=reserve,
        education_fund=reserve,
        interest_rate_percent=inputs.interest_rate_percent,
        interest_total=interest_total,
        retorno_total=retorno_total,
        shares=shares,
    )


class SurplusDistribution(Aggregate):
    """The assembly's approval of one year's distribution; the id derives from the year,
    so a year is approved once."""

    @event("SurplusDistributionApproved")
    def __init__(
        self,
        year: int,
        effective_date: date,
        assembly_minute: str,
        retorno_to: str,
        result: Decimal,
        special_reserve: Decimal,
        prior_losses: Decimal,
        loss_offset: Decimal,
        legal_reserve: Decimal,
        assistance_fund: Decimal,
        education_fund: Decimal,
        interest_rate_percent: Decimal,
        interest_total: Decimal,
        retorno_total: Decimal,
        to_capital: Decimal,
        to_account: Decimal,
        shares: list[dict[str, object]],
        recorded_by: str,
        id: UUID | None = None,
    ) -> None:
        self.year = year
        self.retorno_to = retorno_to

    @staticmethod
    def id_for(year: int) -> UUID:
        return surplus_distribution_id(year)

    @classmethod
    def approve(
        cls,
        proposal: SurplusProposal,
        *,
        assembly_minute: str,
        assembly_date: date,
        year_end: date,
        retorno_to: str,
        recorded_by: str,
    ) -> SurplusDistribution:
        if retorno_to not in RETORNO_DESTINATIONS:
            raise InvalidInput(f"--retorno-to {retorno_to!r}: use capital o account (cuenta corriente)")
        if not assembly_minute.strip():
            raise InvalidInput(
                "Indique el acta de la asamblea que aprobó la distribución (--assembly-minute)"
            )
        if assembly_date <= year_end:
            raise Conflict(
                f"La asamblea ({assembly_date:%d/%m/%Y}) debe ser posterior al cierre del ejercicio "
                f"{proposal.year} ({year_end:%d/%m/%Y})"
            )
        credited = proposal.retorno_total + proposal.interest_total
        return cls(
            year=proposal.year,
            effective_date=assembly_date,
            assembly_minute=assembly_minute.strip(),
            retorno_to=retorno_to,
            result=proposal.result,
            special_reserve=proposal.special_reserve,
            prior_losses=proposal.prior_losses,
            loss_offset=proposal.loss_offset,
            legal_reserve=proposal.legal_reserve,
            assistance_fund=proposal.assistance_fund,
            education_fund=proposal.education_fund,
            interest_rate_percent=proposal.interest_rate_percent,
            interest_total=proposal.interest_total,
            retorno_total=proposal.retorno_total,
            to_capital=credited if retorno_to == "capital" else ZERO,
            to_account=credited if retorno_to == "account" else ZERO,
            shares=[share.__dict__.copy() for share in proposal.shares],
            recorded_by=recorded_by,
            id=surplus_distribution_id(proposal.year),
        )
