"""Cooperative parameters (adapters/data/cooperative.toml): reimbursement cap and BNA rates."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from domain.errors import InvalidInput

DEFAULT_PATH = Path(__file__).parent / "data" / "cooperative.toml"


@dataclass(frozen=True)
class CooperativeSettings:
    reimbursement_cap_percent: Decimal
    bna_discount_rates: tuple[tuple[date, Decimal], ...]  # (valid from, annual %), by date

    def bna_discount_rate(self, on: date) -> Decimal:
        """The BNA discount rate in force on a date."""
        in_force = [rate for valid_from, rate in self.bna_discount_rates if valid_from <= on]
        if not in_force:
            raise InvalidInput(f"No hay tasa de descuento del BNA cargada vigente al {on:%d/%m/%Y}")
        return in_force[-1]


def load_cooperative_settings(path: Path | None = None) -> CooperativeSettings:
    source = path or DEFAULT_PATH
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        cap = Decimal(str(data["reimbursement_cap_percent"]))
        rates = sorted(
            (row["valid_from"], Decimal(str(row["annual_percent"]))) for row in data["bna_discount_rate"]
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, InvalidOperation) as exc:
        raise InvalidInput(f"{source}: parámetros de la cooperativa ilegibles ({exc})") from None
    if cap < 5:
        raise InvalidInput(f"{source}: reimbursement_cap_percent {cap} menor que el 5% (Ley 20.337 art. 32)")
    if any(not isinstance(valid_from, date) for valid_from, _ in rates):
        raise InvalidInput(f"{source}: valid_from de bna_discount_rate debe ser una fecha AAAA-MM-DD")
    return CooperativeSettings(cap, tuple(rates))
