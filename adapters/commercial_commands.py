"""Commands of the commercial registry: services, members, supplies.

Mixed into :class:`adapters.application.AsientoApp`: each loads the aggregates
it needs, lets the domain decide, and saves in one transaction.
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from adapters.tariff_files import parse_tariff_text
from domain.billing import HeldBill, held_bill_id
from domain.errors import AlreadyRecorded, InvalidInput, NotFound
from domain.invoicing import Invoice
from domain.members import Member, member_id, normalize_member_number
from domain.meter_readings import MeterReading, reading_id
from domain.services import CATALOG_ID, ServiceCatalog
from domain.supplies import MeterSpec, Supply, supply_id
from domain.tariff_book import TariffBook, tariff_book_id

DEFAULT_SERVICES_PATH = Path(__file__).parent / "data" / "services.toml"


def read_services_file(path: Path | None = None) -> list[dict[str, Any]]:
    source = path or DEFAULT_SERVICES_PATH
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{source}: no se puede leer: {exc}") from None
    rows = data.get("service")
    if not isinstance(rows, list):
        raise InvalidInput(f"{source}: falta la lista [[service]]")
    return rows


class CommercialCommands(Application):
    def services(self) -> ServiceCatalog:
        try:
            catalog: ServiceCatalog = self.repository.get(CATALOG_ID)
        except AggregateNotFoundError:
            return ServiceCatalog()
        return catalog

    def define_services(self, rows: list[dict[str, Any]], *, recorded_by: str) -> int:
        """Define every service of the list not yet defined; returns how many."""
        catalog = self.services()
        added = 0
        for row in rows:
            if row.get("code") in catalog.services:
                continue
            catalog.define(
                str(row.get("code", "")),
                str(row.get("name", "")),
                str(row.get("pricing", "")),
                row.get("unit"),
                recorded_by=recorded_by,
            )
            added += 1
        if added:
            self.save(catalog)
        return added

    def member(self, number: str) -> Member:
        try:
            member: Member = self.repository.get(member_id(number))
        except AggregateNotFoundError:
            raise NotFound(f"El asociado {normalize_member_number(number)} no existe") from None
        return member

    def register_member(self, *, recorded_by: str, **fields: Any) -> str:
        member = Member.register(recorded_by=recorded_by, **fields)
        try:
            self.save(member)
        except IntegrityError:
            raise AlreadyRecorded("El asociado", member.number) from None
        return member.number

    def supply(self, number: str) -> Supply:
        try:
            supply: Supply = self.repository.get(supply_id(number.strip().upper()))
        except AggregateNotFoundError:
            raise NotFound(f"El suministro {number} no existe") from None
        return supply

    def request_supply(self, *, member_number: str, service: str, recorded_by: str, **fields: Any) -> str:
        member = self.member(member_number)
        if member.exit_date is not None:
            raise InvalidInput(f"El asociado {member.number} egresó el {member.exit_date}")
        supply = Supply.request(
            member_number=member.number,
            service=self.services().get(service),
            recorded_by=recorded_by,
            **fields,
        )
        try:
            self.save(supply)
        except IntegrityError:
            raise AlreadyRecorded("El suministro", supply.number) from None
        return supply.number

    def connect_supply(
        self,
        number: str,
        effective_date: date,
        *,
        recorded_by: str,
        meter: MeterSpec | None = None,
        initial_reading: Decimal | None = None,
    ) -> None:
        supply = self.supply(number)
        metered = self.services().get(supply.service).metered
        supply.connect(
            effective_date,
            recorded_by=recorded_by,
            meter=meter,
            initial_reading=initial_reading,
            metered=metered,
        )
        self.save(supply)

    def publish_tariff(self, path: Path, *, recorded_by: str) -> tuple[str, date]:
        """Check a cuadro tarifario file and record it as a version of its service's book."""
        text = path.read_text(encoding="utf-8")
        table = parse_tariff_text(text, path.name)
        self.services().get(table.service)
        try:
            book: TariffBook = self.repository.get(tariff_book_id(table.service))
        except AggregateNotFoundError:
            book = TariffBook.open(table.service)
        book.publish(
            valid_from=table.valid_from, source_name=path.name, source_text=text, recorded_by=recorded_by
        )
        self.save(book)
        return table.service, table.valid_from

    def record_cae(self, invoice_id: UUID, cae: str, cae_due: date, *, recorded_by: str) -> None:
        try:
            invoice: Invoice = self.repository.get(invoice_id)
        except AggregateNotFoundError:
            raise NotFound(f"La factura {invoice_id} no existe") from None
        invoice.record_cae(cae, cae_due, recorded_by=recorded_by)
        self.save(invoice)

    def held_bill(self, supply_number: str, period: str) -> HeldBill:
        try:
            held: HeldBill = self.repository.get(held_bill_id(supply_number.strip().upper(), period))
        except AggregateNotFoundError:
            raise NotFound(f"No hay factura retenida del suministro {supply_number} en {period}") from None
        return held

    def meter_reading(self, supply_number: str, period: str) -> MeterReading:
        try:
            found: MeterReading = self.repository.get(reading_id(supply_number.strip().upper(), period))
        except AggregateNotFoundError:
            raise NotFound(f"No hay lectura del suministro {supply_number} en {period}") from None
        return found

    def change_supply_state(
        self, number: str, state: str, effective_date: date, reason: str, *, recorded_by: str
    ) -> None:
        supply = self.supply(number)
        supply.change_state(state, effective_date, reason, recorded_by=recorded_by)
        self.save(supply)
