"""A tiny cooperative for integration tests, built through the real commands."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from api.bootstrap import Asiento
from api.readings_service import ReadingsService
from domain.readings import ReadingInput
from domain.supplies import check_meter

TARIFFS = "adapters/data/tariffs"
CUITS = {"RI": "30500010912", "CF": "20267565393"}


def setup_services(asiento: Asiento) -> None:
    from pathlib import Path

    from adapters.commercial_commands import read_services_file

    asiento.app.define_services(read_services_file(), recorded_by="test")
    for path in sorted(Path(TARIFFS).glob("*.toml")):
        asiento.app.publish_tariff(path, recorded_by="test")


def member(asiento: Asiento, number: str, vat: str = "CF", name: str | None = None) -> str:
    document_type, document = ("CUIT", CUITS[vat]) if vat in CUITS else ("DNI", f"2{number.zfill(7)}")
    return asiento.app.register_member(
        number=number,
        name=name or f"Socio {number}",
        document_type=document_type,
        document_number=document,
        vat_condition=vat,
        address=f"Calle {number}",
        admission_date=date(2020, 1, 1),
        recorded_by="test",
    )


def metered(
    asiento: Asiento,
    number: str,
    member_number: str,
    *,
    service: str = "electricity",
    category: str = "residential",
    initial: str = "1000",
    digits: int = 5,
    multiplier: str = "1",
    connected: date = date(2023, 12, 1),
) -> str:
    asiento.app.request_supply(
        number=number,
        member_number=member_number,
        service=service,
        category=category,
        address="Calle 1",
        reading_route="R1",
        effective_date=connected,
        recorded_by="test",
    )
    asiento.app.connect_supply(
        number,
        connected,
        recorded_by="test",
        meter=check_meter(f"M-{number}", digits, Decimal(multiplier)),
        initial_reading=Decimal(initial),
    )
    return number


def flat(
    asiento: Asiento,
    number: str,
    member_number: str,
    *,
    service: str = "internet",
    category: str = "plan_100mb",
    beneficiaries: int = 1,
) -> str:
    asiento.app.request_supply(
        number=number,
        member_number=member_number,
        service=service,
        category=category,
        address="Calle 1",
        beneficiaries=beneficiaries,
        effective_date=date(2025, 12, 1),
        recorded_by="test",
    )
    asiento.app.connect_supply(number, date(2025, 12, 1), recorded_by="test")
    return number


def read(asiento: Asiento, supply: str, period: str, value: str, day: date | None = None) -> None:
    year, month = (int(p) for p in period.split("-"))
    reading = ReadingInput(supply, day or date(year, month, 28), Decimal(value), False, "test")
    ReadingsService(asiento, recorded_by="test").record_one(reading, period)
