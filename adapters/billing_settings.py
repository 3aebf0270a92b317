"""The cooperative's billing parameters (adapters/data/billing.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.errors import InvalidInput

DEFAULT_BILLING_PATH = Path(__file__).parent / "data" / "billing.toml"


@dataclass(frozen=True)
class CooperativeData:
    name: str
    cuit: str
    address: str
    iibb: str
    activity_start: date
    vat_condition: str
    inaes_registration: str


@dataclass(frozen=True)
class BillingSettings:
    cooperative: CooperativeData
    point_of_sale: int
    document_kind: str  # invoice | public_services
    first_due_days: int
    second_due_days: int
    second_due_surcharge_percent: Decimal
    company_code: int
    interest_deferred_services: frozenset[str] = frozenset()


def load_billing_settings(path: Path | None = None) -> BillingSettings:
    source = path or DEFAULT_BILLING_PATH
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        coop: dict[str, Any] = data["cooperative"]
        docs, dues, barcode = data["documents"], data["due_dates"], data["barcode"]
        settings = BillingSettings(
            cooperative=CooperativeData(
                name=coop["name"],
                cuit=coop["cuit"],
                address=coop["address"],
                iibb=coop["iibb"],
                activity_start=coop["activity_start"],
                vat_condition=coop["vat_condition"],
                inaes_registration=coop["inaes_registration"],
            ),
            point_of_sale=int(docs["point_of_sale"]),
            document_kind=str(docs["kind"]),
            first_due_days=int(dues["first_due_days"]),
            second_due_days=int(dues["second_due_days"]),
            second_due_surcharge_percent=Decimal(str(dues["second_due_surcharge_percent"])),
            company_code=int(barcode["company_code"]),
            interest_deferred_services=frozenset(data.get("late_interest", {}).get("deferred_services", [])),
        )
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{source}: no se puede leer: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"{source}: falta o es inválido el dato {exc}") from None
    if settings.document_kind not in ("invoice", "public_services"):
        raise InvalidInput(f"{source}: documents.kind debe ser invoice o public_services")
    if not 1 <= settings.first_due_days <= 60 or not 1 <= settings.second_due_days <= 60:
        raise InvalidInput(f"{source}: los plazos de vencimiento deben estar entre 1 y 60 días")
    return settings
