"""The late-payment interest rate table (adapters/data/interest_rates.toml)."""

from __future__ import annotations

import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path

from domain.errors import InvalidInput
from domain.interest import InterestRates, RatePeriod

DEFAULT_RATES_PATH = Path(__file__).parent / "data" / "interest_rates.toml"


def load_interest_rates(path: Path | None = None) -> InterestRates:
    source = path or DEFAULT_RATES_PATH
    try:
        rows = tomllib.loads(source.read_text(encoding="utf-8"))["rate"]
        periods = [
            RatePeriod(
                row["valid_from"],
                Decimal(str(row["annual_percent"])),
                Decimal(str(row["cap"])) if "cap" in row else None,
            )
            for row in rows
        ]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, InvalidOperation) as exc:
        raise InvalidInput(f"{source}: tabla de tasas ilegible ({exc})") from None
    return InterestRates(tuple(periods))
