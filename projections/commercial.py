"""Members, supplies, readings and billing documents as read models.

Creations arrive in bulk (a billing run, a reading import) and are buffered as
tuples for one bulk insert per table; any update first flushes the buffers, so
the rows change in log order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table, bindparam, func

from domain.billing import HeldBill, PayableDocument
from domain.invoicing import Invoice
from domain.members import Member
from domain.meter_readings import MeterReading
from domain.money import to_cents
from domain.services import ServiceCatalog
from domain.supplies import Supply
from projections.bulk import add_to_column, insert_rows
from projections.commercial_tables import (
    held_bills,
    invoices,
    members,
    meter_changes,
    payable_documents,
    readings,
    services,
    supplies,
)
from projections.runner import LoggedEvent, PlannedProjection, stored_text
from projections.tables import metadata


def topic(aggregate: type, name: str) -> str:
    return get_topic(getattr(aggregate, name))


def _cents(amount: Decimal | None) -> int | None:
    return None if amount is None else to_cents(amount)


# One write of a page, in log order, in plain values (picklable for planning workers):
#   ("rows", {table: [row, ...]})                         new rows, one bulk insert per table
#   ("changes", [((table, columns, kept), [params])])     same-shape changes, one executemany each
#   ("update", table, key column, key, {column: value}, {column: added})
#   ("meter_changed", supply aggregate hex, meter_changes row without the supply number, meter)
#   ("capital", {member number: cents})                   cuota capital billed in the page
Op = tuple[Any, ...]


# A reading's row, in table order around its id (third) and position (last).
_READING_FIELDS = (
    "supply_number", "period", "reading_date", "value", "previous_value", "previous_date",
    "consumption_units", "rollover", "estimated", "held_reason", "source",
)


class _Page:
    """One page's writes, planned without the database: creations buffered as tuples, changes batched.

    A change to a row created in this same page (a supply requested and
    connected in one save, a reading recorded and accepted) edits the buffered
    tuple instead of costing an UPDATE; other changes of the same shape in a row
    of events run as one ``executemany``. Log order is kept: a change never
    passes an earlier change of another shape, and ``update`` (additive or
    computed values) comes after everything queued before it.
    """

    def __init__(self) -> None:
        self.ops: list[Op] = []
        self.pending: dict[str, list[tuple[Any, ...]]] = {}
        self.buffered: dict[tuple[str, str], int] = {}  # (table, aggregate id) -> index in pending rows
        self.changes: list[tuple[tuple[str, tuple[str, ...], frozenset[str]], list[dict[str, Any]]]] = []
        # Cuota capital billed in this page, per member: one additive update each at the end.
        self.capital_cents: dict[str, int] = defaultdict(int)

    def add_capital(self, member_number: str, cents: int) -> None:
        self.capital_cents[member_number] += cents

    def finish(self) -> list[Op]:
        self.flush()
        if self.capital_cents:
            self.ops.append(("capital", dict(self.capital_cents)))
        return self.ops

    def add(
        self, table: Table, row: tuple[Any, ...], key: str | None = None, *, as_text: bool = False
    ) -> None:
        """Buffer a new row; ``key`` (its aggregate id) lets later changes in the page edit it here.
        ``as_text``: the row's values are already as stored (``LoggedEvent.stored_texts``)."""
        rows = self.pending.setdefault(table.name, [])
        if key is not None:
            self.buffered[(table.name, key)] = len(rows)
        rows.append(row if as_text else tuple([stored_text(value) for value in row]))

    def change(
        self, table: Table, event: LoggedEvent, values: dict[str, Any], keep: frozenset[str] = frozenset()
    ) -> None:
        """Set columns of the event's row to plain values; columns in ``keep`` only where still null."""
        key = event.originator_id.hex
        index = self.buffered.get((table.name, key))
        if index is not None:
            rows = self.pending[table.name]
            row = list(rows[index])
            names = table.columns.keys()
            for name, value in values.items():
                position = names.index(name)
                if name not in keep or row[position] is None:
                    row[position] = stored_text(value)
            rows[index] = tuple(row)
            return
        shape = (table.name, tuple(values), keep)
        if not self.changes or self.changes[-1][0] != shape:
            self.changes.append((shape, []))
        self.changes[-1][1].append({"k_id": key, **{f"v_{name}": value for name, value in values.items()}})

    def update(
        self,
        table: Table,
        key_column: str,
        key: Any,
        values: dict[str, Any] | None = None,
        added: dict[str, int] | None = None,
    ) -> None:
        """Set ``values`` and add ``added`` to columns of the row whose ``key_column`` is ``key``."""
        self.flush()
        self.ops.append(("update", table.name, key_column, key, values or {}, added or {}))

    def update_row(
        self,
        table: Table,
        event: LoggedEvent,
        values: dict[str, Any] | None = None,
        added: dict[str, int] | None = None,
    ) -> None:
        """``update`` of the event's own row (by its aggregate id)."""
        self.update(table, "aggregate_id", event.originator_id.hex, values, added)

    def meter_changed(self, aggregate_hex: str, row: tuple[Any, ...], meter: dict[str, Any]) -> None:
        self.flush()
        self.ops.append(("meter_changed", aggregate_hex, row, meter))

    def flush(self) -> None:
        if self.pending:
            self.ops.append(("rows", self.pending))
            self.pending = {}
        self.buffered.clear()
        if self.changes:
            self.ops.append(("changes", self.changes))
            self.changes = []


def _write(conn: Connection, ops: list[Op]) -> None:
    """Run a page's planned writes in order."""
    tables = metadata.tables
    for op in ops:
        kind = op[0]
        if kind == "rows":
            for name, rows in op[1].items():
                insert_rows(conn, tables[name], rows)
        elif kind == "changes":
            for (name, columns, keep), params in op[1]:
                conn.execute(_change_statement(tables[name], columns, keep), params)
        elif kind == "update":
            _, name, key_column, key, values, added = op
            table = tables[name]
            assignments = {**values, **{column: table.c[column] + cents for column, cents in added.items()}}
            conn.execute(table.update().where(table.c[key_column] == key).values(assignments))
        elif kind == "meter_changed":
            _write_meter_change(conn, op[1], op[2], op[3])
        else:  # capital
            add_to_column(conn, members, "number", "shares_integrated_cents", op[1])


def _change_statement(table: Table, columns: tuple[str, ...], keep: frozenset[str]) -> Any:
    values = {
        name: func.coalesce(table.c[name], bindparam(f"v_{name}")) if name in keep else bindparam(f"v_{name}")
        for name in columns
    }
    return table.update().where(table.c.aggregate_id == bindparam("k_id")).values(values)


def _write_meter_change(
    conn: Connection, supply_hex: str, row: tuple[Any, ...], meter: dict[str, Any]
) -> None:
    """The old meter's row (the event names the supply's aggregate: its number is read here), then
    the new meter on the supply."""
    number = conn.execute(
        supplies.select().with_only_columns(supplies.c.number).where(supplies.c.aggregate_id == supply_hex)
    ).scalar_one()
    insert_rows(conn, meter_changes, [(number, *row)])
    conn.execute(supplies.update().where(supplies.c.number == number).values(meter))


Handler = Callable[[_Page, LoggedEvent], None]


class CommercialProjection(PlannedProjection):
    name = "commercial"

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {
            topic(ServiceCatalog, "ServiceDefined"): self._service_defined,
            topic(Member, "MemberRegistered"): self._member_registered,
            topic(Member, "VatConditionChanged"): self._member_vat_changed,
            topic(Member, "SharesSubscribed"): self._member_shares,
            topic(Member, "SharesIntegrated"): self._member_integrated,
            topic(Member, "CapitalSubscribed"): self._member_shares,
            topic(Member, "CapitalIntegrated"): self._member_integrated,
            topic(Member, "MemberLeft"): self._member_left,
            topic(Member, "AdmissionMinuteRecorded"): self._member_admission_minute,
            topic(Member, "CreditChanged"): self._member_credit,
            topic(Member, "DebitAdhered"): self._member_debit,
            topic(Member, "DebitCancelled"): self._member_debit,
            topic(Supply, "SupplyRequested"): self._supply_requested,
            topic(Supply, "SupplyConnected"): self._supply_connected,
            topic(Supply, "SupplyStateChanged"): self._supply_state,
            topic(Supply, "MeterChanged"): self._meter_changed,
            topic(Supply, "CategoryChanged"): self._category_changed,
            topic(MeterReading, "ReadingRecorded"): self._reading_recorded,
            topic(MeterReading, "ReadingAccepted"): self._reading_accepted,
            topic(MeterReading, "ReadingCorrected"): self._reading_corrected,
            topic(Invoice, "InvoiceIssued"): self._invoice_issued,
            topic(Invoice, "CaeRecorded"): self._cae_recorded,
            topic(PayableDocument, "PayableDocumentIssued"): self._payable_issued,
            topic(HeldBill, "BillHeld"): self._bill_held,
            topic(HeldBill, "BillReleased"): self._bill_released,
        }

    def topics(self) -> frozenset[str]:
        return frozenset(self.handlers)

    def tables(self) -> Sequence[Table]:
        return (services, members, supplies, meter_changes, readings, invoices, payable_documents, held_bills)

    def plan_page(self, events: Sequence[LoggedEvent]) -> list[Op]:
        """The page's writes in order, without the database (see ``Op``)."""
        page = _Page()
        for event in events:
            self.handlers[event.topic](page, event)
        return page.finish()

    def write_planned(self, conn: Connection, plan: list[Op]) -> None:
        _write(conn, plan)

    # -- services and members ---------------------------------------------------------
    def _service_defined(self, page: _Page, event: LoggedEvent) -> None:
        d = event.data
        page.add(services, (d["code"], d["name"], d["pricing"], d["unit"]))

    def _member_registered(self, page: _Page, event: LoggedEvent) -> None:
        d = event.data
        page.add(
            members,
            (
                d["number"],
                event.originator_id.hex,
                d["name"],
                d["document_type"],
                d["document_number"],
                d["vat_condition"],
                d["address"],
                d["postal_address"],
                ", ".join(d["phones"]),
                d["email"],
                d["admission_date"],
                d["board_minute"],
                None,
                None,
                0,
                0,
                0,
                None,
            ),
        )

    def _member_vat_changed(self, page: _Page, event: LoggedEvent) -> None:
        page.update_row(members, event, {"vat_condition": event.data["vat_condition"]})

    def _member_shares(self, page: _Page, event: LoggedEvent) -> None:
        cents = to_cents(event.data["amount"])
        page.update_row(members, event, added={"shares_subscribed_cents": cents})

    def _member_integrated(self, page: _Page, event: LoggedEvent) -> None:
        cents = to_cents(event.data["amount"])
        page.update_row(members, event, added={"shares_integrated_cents": cents})

    def _member_credit(self, page: _Page, event: LoggedEvent) -> None:
        cents = to_cents(event.data["delta"])
        page.update_row(members, event, added={"credit_cents": cents})

    def _member_debit(self, page: _Page, event: LoggedEvent) -> None:
        page.update_row(members, event, {"debit_cbu": event.data.get("cbu")})

    def _member_admission_minute(self, page: _Page, event: LoggedEvent) -> None:
        page.update_row(members, event, {"board_minute": event.data["board_minute"]})

    def _member_left(self, page: _Page, event: LoggedEvent) -> None:
        left = {"exit_date": event.data["exit_date"], "exit_cause": event.data["cause"]}
        page.update_row(members, event, left)

    # -- supplies ---------------------------------------------------------------------------
    def _supply_requested(self, page: _Page, event: LoggedEvent) -> None:
        d = event.data
        page.add(
            supplies,
            (
                d["number"],
                event.originator_id.hex,
                d["member_number"],
                d["service"],
                d["category"],
                d["address"],
                d["group"],
                d["zone"],
                d["reading_route"],
                d["distribution_route"],
                d["beneficiaries"],
                "requested",
                d["effective_date"],
                None,
                None,
                None,
                None,
                None,
            ),
            key=event.originator_id.hex,
        )

    def _supply_connected(self, page: _Page, event: LoggedEvent) -> None:
        d = event.data
        values: dict[str, Any] = {
            "state": "connected",
            "state_since": d["effective_date"],
            "connected_on": d["effective_date"],  # the first connection: a reconnection keeps it
        }
        if d["meter"] is not None:
            values.update(
                meter_serial=d["meter"]["serial"],
                meter_digits=d["meter"]["digits"],
                meter_multiplier=d["meter"]["multiplier"],
                initial_reading=d["initial_reading"],
            )
        page.change(supplies, event, values, keep=frozenset({"connected_on"}))

    def _supply_state(self, page: _Page, event: LoggedEvent) -> None:
        page.change(
            supplies, event, {"state": event.data["state"], "state_since": event.data["effective_date"]}
        )

    def _meter_changed(self, page: _Page, event: LoggedEvent) -> None:
        d = event.data
        page.meter_changed(
            event.originator_id.hex,
            (
                d["effective_date"],
                d["old_meter"]["serial"],
                d["old_meter"]["digits"],
                d["old_meter"]["multiplier"],
                d["final_reading"],
                d["meter"]["serial"],
                d["initial_reading"],
            ),
            {
                "meter_serial": d["meter"]["serial"],
                "meter_digits": d["meter"]["digits"],
                "meter_multiplier": d["meter"]["multiplier"],
            },
        )

    def _category_changed(self, page: _Page, event: LoggedEvent) -> None:
        page.update_row(supplies, event, {"category": event.data["category"]})

    # -- readings ---------------------------------------------------------------------------
    def _reading_recorded(self, page: _Page, event: LoggedEvent) -> None:
        supply_number, period, *measured = event.stored_texts(_READING_FIELDS)
        key = event.originator_hex
        page.add(readings, (supply_number, period, key, *measured, event.position), key=key, as_text=True)

    def _reading_accepted(self, page: _Page, event: LoggedEvent) -> None:
        page.change(readings, event, {"held_reason": None})

    def _reading_corrected(self, page: _Page, event: LoggedEvent) -> None:
        d = event.data
        corrected = {"value": d["value"], "consumption_units": d["consumption_units"], "held_reason": None}
        page.update_row(readings, event, corrected)

    # -- billing documents --------------------------------------------------------------------
    def _invoice_issued(self, page: _Page, event: LoggedEvent) -> None:
        d = event.data
        capital = sum((ln["amount"] for ln in d["lines"] if ln["kind"] == "capital"), Decimal(0))
        if capital:
            page.add_capital(d["member_number"], to_cents(capital))
        payable = d["payable_document_id"]
        page.add(
            invoices,
            (
                event.originator_id.hex,
                d["supply_number"],
                d["member_number"],
                d["service"],
                d["category"],
                d["period"],
                d["document_type"],
                d["letter"],
                d["point_of_sale"],
                d["number"],
                d["effective_date"],
                d["due_date"],
                d["second_due_date"],
                _cents(d["second_due_total"]),
                to_cents(d["total"]),
                d["consumption_units"],
                payable.hex if payable else None,
                event.position,
                None,
                None,
            ),
        )

    def _cae_recorded(self, page: _Page, event: LoggedEvent) -> None:
        cae = {"cae": event.data["cae"], "cae_due": event.data["cae_due"]}
        page.update(invoices, "invoice_id", event.originator_id.hex, cae)

    def _payable_issued(self, page: _Page, event: LoggedEvent) -> None:
        d = event.data
        page.add(
            payable_documents,
            (
                event.originator_id.hex,
                d["member_number"],
                d["period"],
                d["sequence"],
                d["number"],
                d["effective_date"],
                d["due_date"],
                d["second_due_date"],
                to_cents(d["total"]),
                to_cents(d["second_due_total"]),
                d["barcode"],
            ),
        )

    def _bill_held(self, page: _Page, event: LoggedEvent) -> None:
        d = event.data
        page.add(
            held_bills,
            (
                d["supply_number"],
                d["period"],
                event.originator_id.hex,
                d["member_number"],
                d["reason"],
                d["consumption_units"],
                d["average_units"],
                to_cents(d["computed_total"]),
                False,
            ),
        )

    def _bill_released(self, page: _Page, event: LoggedEvent) -> None:
        page.update_row(held_bills, event, {"released": True})
