"""``asiento capital``, ``asiento surplus`` and ``asiento report member-register``:
member capital, the Registro de Asociados and the art. 42 distribution (Ley 20.337)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from adapters.member_register_files import register_csv, write_register_xlsx
from api import capital_service, render
from api.cli_support import Opened, parse_day, parse_decimal
from domain.errors import InvalidInput
from domain.members import normalize_member_number
from domain.money import ZERO, format_ar
from domain.surplus import SurplusProposal
from projections.capital_queries import RegisterRow, approval_of, member_register, pending_integrations

DateOpt = Annotated[str | None, typer.Option("--date", help="Fecha AAAA-MM-DD (hoy)")]
AccountOpt = Annotated[str, typer.Option("--account", help="Cuenta de caja o banco")]
RateOpt = Annotated[
    str, typer.Option("--interest-rate", help="Interés anual % sobre cuotas sociales (0: sin interés)")
]


class RegisterFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def register(
    app: typer.Typer, report_app: typer.Typer, opened: Opened, acting_user: Callable[[], str]
) -> None:
    capital_app = typer.Typer(help="Capital de los asociados (cuotas sociales).", no_args_is_help=True)
    surplus_app = typer.Typer(help="Distribución de excedentes (art. 42 Ley 20.337).", no_args_is_help=True)
    app.add_typer(capital_app, name="capital")
    app.add_typer(surplus_app, name="surplus")
    _capital_commands(capital_app, opened, acting_user)
    _pending_command(capital_app, opened)
    _reimbursement_commands(capital_app, opened, acting_user)
    _surplus_commands(surplus_app, opened, acting_user)

    @report_app.command("member-register")
    def member_register_cmd(
        as_of: Annotated[str | None, typer.Option("--as-of", help="Fecha AAAA-MM-DD (hoy)")] = None,
        fmt: Annotated[RegisterFormat, typer.Option("--format", "-f")] = RegisterFormat.table,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Archivo (csv, xlsx)")] = None,
    ) -> None:
        """Registro de Asociados: ingreso y acta, datos, documento, domicilio, capital, egreso."""
        day = parse_day(as_of, "--as-of")
        with opened() as asiento, asiento.read() as conn:
            rows = list(member_register(conn, day))
        if fmt in (RegisterFormat.csv, RegisterFormat.xlsx) and output is None:
            raise InvalidInput(f"--format {fmt.value} necesita --output ARCHIVO")
        if fmt == RegisterFormat.csv:
            assert output is not None
            output.write_bytes(register_csv(rows))
        elif fmt == RegisterFormat.xlsx:
            assert output is not None
            write_register_xlsx(rows, output, title=f"Registro de Asociados al {day:%d/%m/%Y}")
        elif fmt == RegisterFormat.json:
            render.print_json({"as_of": day.isoformat(), "members": [_register_json(r) for r in rows]})
            return
        else:
            _print_register(rows, f"Registro de Asociados al {day:%d/%m/%Y}")
            return
        render.console.print(f"Registro de Asociados al {day:%d/%m/%Y}: {len(rows)} asociados en {output}.")


def _capital_commands(capital_app: typer.Typer, opened: Opened, acting_user: Callable[[], str]) -> None:
    @capital_app.command("subscribe")
    def subscribe(
        number: str,
        amount: str,
        integrate: Annotated[str, typer.Option("--integrate", help="Integrado en el acto (al menos 5%)")],
        account: AccountOpt = "1.1.01.01",
        board_minute: Annotated[str | None, typer.Option("--board-minute", help="Acta del consejo")] = None,
        on: DateOpt = None,
    ) -> None:
        """Suscribe cuotas sociales integrando en el acto al menos el 5%."""
        with opened() as asiento:
            asiento.app.subscribe_shares(
                number,
                amount,
                parse_day(on, "--date"),
                integrated=integrate,
                account=account,
                board_minute=board_minute,
                recorded_by=acting_user(),
            )
        render.console.print(f"Asociado {number}: suscribe $ {amount}, integra $ {integrate}.")

    @capital_app.command("integrate")
    def integrate(number: str, amount: str, account: AccountOpt = "1.1.01.01", on: DateOpt = None) -> None:
        """Integra cuotas sociales suscriptas (la cuota capital facturada integra sola)."""
        with opened() as asiento:
            asiento.app.integrate_shares(
                number, amount, parse_day(on, "--date"), account=account, recorded_by=acting_user()
            )
        render.console.print(f"Asociado {number}: integra $ {amount}.")

    @capital_app.command("transfer")
    def transfer(
        from_number: Annotated[str, typer.Argument(metavar="CEDENTE")],
        to_number: Annotated[str, typer.Argument(metavar="CESIONARIO")],
        amount: str,
        board_minute: Annotated[str, typer.Option("--board-minute", help="Acta del consejo que la aprobó")],
        board_date: Annotated[str, typer.Option("--board-date", help="Fecha de esa reunión AAAA-MM-DD")],
        on: Annotated[str | None, typer.Option("--date", help="Inscripción en el registro (hoy)")] = None,
    ) -> None:
        """Transfiere cuotas sociales entre asociados; rige desde su inscripción en el registro."""
        with opened() as asiento:
            capital_service.transfer(
                asiento,
                from_number,
                to_number,
                amount,
                parse_day(on, "--date"),
                board_minute=board_minute,
                board_date=parse_day(board_date, "--board-date"),
                recorded_by=acting_user(),
            )
        render.console.print(f"Transferidos $ {amount} del asociado {from_number} al {to_number}.")

    @capital_app.command("show")
    def show(number: str, as_of: Annotated[str | None, typer.Option("--as-of")] = None) -> None:
        """Movimientos del capital de un asociado y su saldo integrado."""
        from sqlalchemy import select

        from projections.capital_tables import capital_movements

        key, day = normalize_member_number(number), parse_day(as_of, "--as-of")
        with opened() as asiento, asiento.read() as conn:
            query = (
                select(capital_movements)
                .where(capital_movements.c.member_number == key, capital_movements.c.effective_date <= day)
                .order_by(capital_movements.c.effective_date, capital_movements.c.position)
            )
            rows = conn.execute(query).mappings().all()
        table = Table(title=f"Capital del asociado {key} al {day:%d/%m/%Y}")
        for header in ("Fecha", "Movimiento", "Referencia", "Suscripto", "Integrado"):
            table.add_column(header, justify="right" if header in ("Suscripto", "Integrado") else "left")
        for r in rows:
            table.add_row(
                f"{r['effective_date']:%d/%m/%Y}",
                KIND_NAMES[r["kind"]],
                r["reference"],
                format_ar(Decimal(r["subscribed_cents"]) / 100),
                format_ar(Decimal(r["integrated_cents"]) / 100),
            )
        subscribed = sum((Decimal(r["subscribed_cents"]) for r in rows), ZERO) / 100
        integrated = sum((Decimal(r["integrated_cents"]) for r in rows), ZERO) / 100
        table.add_row("", "Saldo", "", format_ar(subscribed), format_ar(integrated), style="bold")
        render.console.print(table)


def _pending_command(capital_app: typer.Typer, opened: Opened) -> None:
    @capital_app.command("pending")
    def pending(as_of: Annotated[str | None, typer.Option("--as-of")] = None) -> None:
        """Suscripciones sin integrar del todo, con su vencimiento a 5 años (art. 25)."""
        day = parse_day(as_of, "--as-of")
        with opened() as asiento, asiento.read() as conn:
            rows = pending_integrations(conn, day)
        table = Table(title=f"Capital suscripto pendiente de integración al {day:%d/%m/%Y}")
        for header in ("Asociado", "Suscripción", "Pendiente", "Vence", ""):
            table.add_column(header)
        for r in rows:
            overdue = "VENCIDO" if r.due_date < day else ""
            table.add_row(
                r.member_number,
                f"{r.subscribed_on:%d/%m/%Y}",
                format_ar(r.pending),
                f"{r.due_date:%d/%m/%Y}",
                overdue,
            )
        render.console.print(table)


KIND_NAMES = {
    "subscription": "Suscripción",
    "integration": "Integración",
    "billed": "Cuota capital facturada",
    "transfer": "Transferencia",
    "reimbursement": "Pedido de reembolso",
    "retorno": "Retorno capitalizado",
}


def _reimbursement_commands(capital_app: typer.Typer, opened: Opened, acting_user: Callable[[], str]) -> None:
    @capital_app.command("reimburse-request")
    def reimburse_request(number: str, on: DateOpt = None) -> None:
        """Pide el reembolso del capital integrado de un asociado que egresó (entra en la cola)."""
        with opened() as asiento:
            amount = capital_service.request_reimbursement(
                asiento, number, parse_day(on, "--date"), recorded_by=acting_user()
            )
        render.console.print(f"Asociado {number}: pedido de reembolso de $ {format_ar(amount)} en la cola.")

    @capital_app.command("reimburse")
    def reimburse(account: AccountOpt = "1.1.01.10", on: DateOpt = None) -> None:
        """Paga la cola de reembolsos en orden de pedido, hasta el tope anual (art. 32)."""
        with opened() as asiento:
            paid, cap = capital_service.pay_reimbursements(
                asiento, parse_day(on, "--date"), account=account, recorded_by=acting_user()
            )
        render.console.print(
            f"Reembolsos pagados: $ {format_ar(paid)} (tope del ejercicio {cap.fiscal_year}: "
            f"{cap.cap_percent}% de $ {format_ar(cap.integrated_capital)}, capital integrado al cierre "
            f"de {cap.base_year})."
        )

    @capital_app.command("queue")
    def queue() -> None:
        """La cola de reembolsos: pedidos pendientes en orden."""
        with opened(catch_up=False) as asiento:
            waiting = asiento.app.reimbursement_queue().waiting()
        table = Table(title="Cola de reembolsos de cuotas sociales")
        for header in ("Orden", "Asociado", "Pedido", "Importe", "Pagado", "Pendiente"):
            table.add_column(header)
        for place, r in enumerate(waiting, start=1):
            table.add_row(
                str(place),
                r.member_number,
                f"{r.requested_on:%d/%m/%Y}",
                format_ar(r.amount),
                format_ar(r.paid),
                format_ar(r.pending),
            )
        render.console.print(table)


def _surplus_commands(surplus_app: typer.Typer, opened: Opened, acting_user: Callable[[], str]) -> None:

    @surplus_app.command("compute")
    def compute(
        year: int,
        interest_rate: RateOpt = "0",
        fmt: Annotated[str, typer.Option("--format", "-f", help="table o json")] = "table",
    ) -> None:
        """Propuesta de distribución de excedentes de un ejercicio cerrado."""
        with opened() as asiento:
            rate = parse_decimal(interest_rate, "--interest-rate")
            proposal = capital_service.compute_surplus(asiento, year, rate)
            with asiento.read() as conn:
                approval = approval_of(conn, year)
        if fmt == "json":
            payload = proposal_json(proposal)
            approved = None if approval is None else {"minute": approval[0], "date": approval[1].isoformat()}
            render.print_json({**payload, "approved": approved})
            return
        print_proposal(proposal)
        if approval is not None:
            render.console.print(
                f"Ya aprobada por la asamblea: acta {approval[0]} del {approval[1]:%d/%m/%Y}."
            )

    @surplus_app.command("approve")
    def approve(
        year: int,
        assembly_minute: Annotated[str, typer.Option("--assembly-minute", help="Acta de la asamblea")],
        retorno_to: Annotated[str, typer.Option("--retorno-to", help="capital o account (cuenta corriente)")],
        on: Annotated[str | None, typer.Option("--date", help="Fecha de la asamblea (hoy)")] = None,
        interest_rate: RateOpt = "0",
    ) -> None:
        """Registra la distribución aprobada por la asamblea: la contabiliza y acredita a cada asociado."""
        with opened() as asiento:
            capital_service.approve_surplus(
                asiento,
                year,
                assembly_minute=assembly_minute,
                assembly_date=parse_day(on, "--date"),
                retorno_to=retorno_to,
                interest_rate_percent=parse_decimal(interest_rate, "--interest-rate"),
                recorded_by=acting_user(),
            )
        where = "al capital" if retorno_to == "capital" else "a la cuenta corriente"
        render.console.print(f"Distribución del ejercicio {year} aprobada; retornos acreditados {where}.")


def _register_json(row: RegisterRow) -> dict[str, Any]:
    return {
        "number": row.number,
        "name": row.name,
        "document_type": row.document_type,
        "document_number": row.document_number,
        "address": row.address,
        "admission_date": row.admission_date.isoformat(),
        "board_minute": row.board_minute,
        "subscribed": str(row.subscribed),
        "integrated": str(row.integrated),
        "transferred_in": str(row.transferred_in),
        "transferred_out": str(row.transferred_out),
        "exit_date": row.exit_date.isoformat() if row.exit_date else None,
        "exit_cause": row.exit_cause,
    }


def _print_register(rows: list[RegisterRow], title: str) -> None:
    table = Table(title=title)
    for header in (
        "Nº",
        "Ingreso",
        "Acta",
        "Nombre",
        "Documento",
        "Domicilio",
        "Suscripto",
        "Integrado",
        "Recibido",
        "Transferido",
        "Egreso",
        "Causa",
    ):
        table.add_column(header)
    for r in rows:
        table.add_row(
            r.number,
            f"{r.admission_date:%d/%m/%Y}",
            r.board_minute,
            r.name,
            f"{r.document_type} {r.document_number}",
            r.address,
            format_ar(r.subscribed),
            format_ar(r.integrated),
            format_ar(r.transferred_in),
            format_ar(r.transferred_out),
            f"{r.exit_date:%d/%m/%Y}" if r.exit_date else "",
            r.exit_cause,
        )
    render.console.print(table)


PROPOSAL_PARTS = (
    ("result", "Excedente del ejercicio"),
    ("special_reserve", "Reserva especial (servicios a no asociados)"),
    ("associates_surplus", "Excedente por servicios a asociados"),
    ("prior_losses", "Pérdidas acumuladas de ejercicios anteriores"),
    ("loss_offset", "Absorción de pérdidas"),
    ("distributable", "Excedente repartible"),
    ("legal_reserve", "Reserva legal 5%"),
    ("assistance_fund", "Fondo de acción asistencial y laboral 5%"),
    ("education_fund", "Fondo de educación y capacitación cooperativa 5%"),
    ("interest_total", "Interés sobre cuotas sociales"),
    ("retorno_total", "Retorno a los asociados"),
)


def proposal_json(p: SurplusProposal) -> dict[str, Any]:
    payload: dict[str, Any] = {"year": p.year, "interest_rate_percent": str(p.interest_rate_percent)}
    payload.update({key: str(getattr(p, key)) for key, _ in PROPOSAL_PARTS})
    payload["members"] = [
        {
            "number": s.member_number,
            "operations": str(s.operations),
            "capital": str(s.capital),
            "interest": str(s.interest),
            "retorno": str(s.retorno),
        }
        for s in p.shares
    ]
    return payload


def print_proposal(p: SurplusProposal) -> None:
    summary = Table(title=f"Distribución de excedentes del ejercicio {p.year} (art. 42 Ley 20.337)")
    summary.add_column("Concepto")
    summary.add_column("Importe", justify="right")
    for key, name in PROPOSAL_PARTS:
        summary.add_row(name, format_ar(getattr(p, key)))
    render.console.print(summary)
    shares = Table(title="Por asociado")
    for header in ("Asociado", "Operaciones", "Capital integrado", "Interés", "Retorno"):
        shares.add_column(header, justify="left" if header == "Asociado" else "right")
    for s in p.shares:
        shares.add_row(
            s.member_number,
            format_ar(s.operations),
            format_ar(s.capital),
            format_ar(s.interest),
            format_ar(s.retorno),
        )
    render.console.print(shares)
