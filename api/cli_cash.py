"""``asiento cash open|receipt|annul|close``: the cash desk from the command line."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import typer
from sqlalchemy import Connection, and_, select

from adapters.billing_settings import load_billing_settings
from adapters.interest_rates import load_interest_rates
from api import render
from api.cli_support import Opened, parse_day, parse_uuid
from api.counter import record_counter_receipt
from domain.cash_desk import INSTRUMENTS
from domain.errors import InvalidInput
from domain.members import normalize_member_number
from domain.money import format_ar
from projections.commercial_tables import account_documents


def open_invoice_ids(conn: Connection, member_number: str) -> list[UUID]:
    """The member's documents with a balance (bills and rejected cheques); each decides its own balance."""
    d = account_documents.c
    rows = conn.execute(
        select(d.document_id).where(
            and_(
                d.member_number == member_number,
                d.kind.in_(("invoice", "rejected_cheque")),
                d.total_cents > d.paid_cents,
            )
        )
    )
    return [UUID(document_id) for (document_id,) in rows]


def _instruments(pairs: list[str]) -> list[dict[str, str]]:
    """kind=amount[:reference], e.g. cash=1500.00 or cheque=25000:CH-123 Banco Nación."""
    found = []
    for pair in pairs:
        kind, _, rest = pair.partition("=")
        amount, _, reference = rest.partition(":")
        if not kind or not amount:
            raise InvalidInput(
                f"Medio de pago {pair!r}: use tipo=importe[:referencia], tipos {', '.join(INSTRUMENTS)}"
            )
        found.append({"kind": kind.strip(), "amount": amount.strip(), "reference": reference.strip()})
    return found


def register(app: typer.Typer, opened: Opened, acting_user: Callable[[], str]) -> None:
    cash_app = typer.Typer(help="Caja: sesiones, recibos, anulaciones y arqueo.", no_args_is_help=True)
    app.add_typer(cash_app, name="cash")

    @cash_app.command("open")
    def cash_open(
        desk: Annotated[str, typer.Option(help="Caja")],
        opening_float: Annotated[str, typer.Option("--float", help="Fondo de apertura")] = "0",
        on: Annotated[str | None, typer.Option("--date")] = None,
    ) -> None:
        """Abre una sesión de caja con su fondo."""
        with opened() as asiento:
            session = asiento.app.open_cash_session(
                desk=desk,
                cashier=acting_user(),
                effective_date=parse_day(on, "--date"),
                opening_float=opening_float,
                recorded_by=acting_user(),
            )
        render.console.print(f"Sesión de caja abierta: {session}")

    @cash_app.command("receipt")
    def cash_receipt(
        member: Annotated[str, typer.Option(help="Número de asociado")],
        pay: Annotated[list[str], typer.Option(help="tipo=importe[:referencia]; repetible")],
        session: Annotated[str | None, typer.Option(help="Sesión de caja")] = None,
        invoice: Annotated[list[str] | None, typer.Option(help="Factura elegida (id); repetible")] = None,
        on: Annotated[str | None, typer.Option("--date")] = None,
        interest: Annotated[
            bool, typer.Option("--interest", help="Cobrar intereses por mora con nota de débito")
        ] = False,
    ) -> None:
        """Cobra: aplica primero el saldo a favor y luego el pago, a lo más antiguo o a lo elegido."""
        number = normalize_member_number(member)
        day = parse_day(on, "--date")
        with opened() as asiento:
            with asiento.read_alone() as conn:
                candidates = open_invoice_ids(conn, number)
            if interest:
                settings = load_billing_settings()
                notes = asiento.app.charge_late_interest(
                    member_number=number,
                    effective_date=day,
                    open_invoice_ids=candidates,
                    rates=load_interest_rates(),
                    point_of_sale=settings.point_of_sale,
                    due_days=0,
                    recorded_by=acting_user(),
                )
                candidates += [note.id for note in notes]
                for note in notes:
                    render.console.print(
                        f"Nota de débito {note.letter} {note.point_of_sale:05d}-{note.number:08d}: "
                        f"intereses $ {format_ar(note.total)}"
                    )
            session_id = parse_uuid(session, "Sesión") if session else None
            chosen = [parse_uuid(i, "Factura") for i in invoice or []]
            receipt = record_counter_receipt(
                asiento,
                member_number=number,
                instruments=_instruments(pay),
                effective_date=parse_day(on, "--date"),
                open_invoice_ids=candidates,
                recorded_by=acting_user(),
                session_id=session_id,
                chosen=chosen,
            )
        render.console.print(f"Recibo {receipt.id}: $ {format_ar(receipt.total)}")
        for allocation in receipt.allocations:
            render.console.print(f"  {allocation['label']:<24} $ {format_ar(allocation['amount']):>14}")
        if receipt.credit_left:
            render.console.print(f"  Saldo a favor del socio: $ {format_ar(receipt.credit_left)}")

    @cash_app.command("annul")
    def cash_annul(
        receipt: str,
        reason: Annotated[str, typer.Option(help="Motivo")],
        on: Annotated[str | None, typer.Option("--date")] = None,
    ) -> None:
        """Anula un recibo: reabre lo que pagó y revierte sus imputaciones."""
        with opened() as asiento:
            asiento.app.annul_receipt(
                parse_uuid(receipt, "Recibo"), reason, parse_day(on, "--date"), recorded_by=acting_user()
            )
        render.console.print(f"Recibo {receipt} anulado: {reason}")

    @cash_app.command("close")
    def cash_close(
        session: Annotated[str, typer.Option(help="Sesión de caja")],
        count: Annotated[list[str], typer.Option(help="tipo=importe contado; repetible")],
        on: Annotated[str | None, typer.Option("--date")] = None,
    ) -> None:
        """Cierra la sesión con el arqueo por medio de pago; la diferencia de efectivo se contabiliza."""
        counted = {item["kind"]: item["amount"] for item in _instruments(count)}
        with opened() as asiento:
            closed = asiento.app.close_cash_session(
                parse_uuid(session, "Sesión"), counted, parse_day(on, "--date"), recorded_by=acting_user()
            )
        for kind, expected in closed.expected.items():
            render.console.print(
                f"  {INSTRUMENTS[kind]:<40} esperado $ {format_ar(expected):>14} "
                f"contado $ {format_ar(Decimal(counted.get(kind, '0'))):>14}"
            )
        render.console.print(f"Sesión {session} cerrada.")
