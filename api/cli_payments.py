"""``asiento payments import|suspense``: collection networks' result files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from api import render
from api.cli_support import Opened, parse_day, parse_uuid
from api.collections_service import CollectionImport
from domain.money import format_ar, from_cents
from projections.commercial_tables import collections_in_suspense


def register(app: typer.Typer, opened: Opened, acting_user: Callable[[], str]) -> None:
    payments_app = typer.Typer(help="Cobranzas por redes y bancos.", no_args_is_help=True)
    app.add_typer(payments_app, name="payments")

    @payments_app.command("import")
    def payments_import(
        file: Path, network: Annotated[str, typer.Option(help="pagofacil, rapipago, ...")]
    ) -> None:
        """Importa el archivo de rendición de una red: cada pago una sola vez."""
        with opened() as asiento:
            report = CollectionImport(asiento, recorded_by=acting_user()).run(file, network)
        render.console.print(
            f"{report.file_name}: {report.payments} pagos; {report.receipts} imputados "
            f"($ {format_ar(report.collected)}), "
            f"{report.in_suspense} a imputar ($ {format_ar(report.suspense_amount)}), "
            f"{report.already_recorded} ya registrados."
        )
        for key, reason in report.reasons[:50]:
            render.console.print(f"  a imputar {key}: {reason}")

    treasury_app = typer.Typer(
        help="Tesorería: depósitos, transferencias, gastos bancarios.", no_args_is_help=True
    )
    app.add_typer(treasury_app, name="treasury")

    @treasury_app.command("move")
    def treasury_move(
        kind: Annotated[str, typer.Option(help="cash_deposit, cheque_deposit, transfer o bank_fee")],
        source: Annotated[str, typer.Option("--from", help="Cuenta de origen")],
        target: Annotated[str, typer.Option("--to", help="Cuenta de destino")],
        amount: Annotated[str, typer.Option()],
        reference: Annotated[str, typer.Option(help="Boleta, extracto, número de transferencia")] = "",
        on: Annotated[str | None, typer.Option("--date")] = None,
    ) -> None:
        """Registra un movimiento de tesorería (contabilizado por las reglas de tesorería)."""
        with opened() as asiento:
            asiento.app.record_treasury_movement(
                effective_date=parse_day(on, "--date"),
                kind=kind,
                from_account=source,
                to_account=target,
                amount=amount,
                reference=reference,
                recorded_by=acting_user(),
            )
        render.console.print(f"Movimiento registrado: {kind} {source} -> {target} $ {amount}")

    @treasury_app.command("balances")
    def treasury_balances(as_of: Annotated[str | None, typer.Option("--as-of")] = None) -> None:
        """Saldos de caja, valores y bancos (cuentas 1.1.01.*) según el diario."""
        from projections import queries

        day = parse_day(as_of, "--as-of")
        with opened() as asiento, asiento.read() as conn:
            rows = [r for r in queries.trial_balance(conn, day).rows if r.code.startswith("1.1.01.")]
        for row in rows:
            render.console.print(f"{row.code:<10} {row.name:<48} $ {format_ar(row.balance):>16}")

    @treasury_app.command("reconcile")
    def treasury_reconcile(
        account: Annotated[str, typer.Option(help="Cuenta bancaria del plan, p. ej. 1.1.01.10")],
        statement: Annotated[Path, typer.Option(help="Extracto CSV: fecha;descripcion;importe;referencia")],
        date_from: Annotated[str, typer.Option("--from")],
        date_to: Annotated[str, typer.Option("--to")],
    ) -> None:
        """Concilia el extracto del banco con el diario: partidas sin contrapartida de cada lado."""
        from adapters.bank_statements import read_bank_statement
        from domain.reconciliation import reconcile
        from projections import queries

        start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
        lines = read_bank_statement(statement)
        with opened() as asiento, asiento.read() as conn:
            result = reconcile(lines, queries.bank_book_lines(conn, account, start, end))
            book = queries.ledger(conn, account, start, end).closing_balance
        render.console.print(f"{len(result.matched)} movimientos conciliados.")
        for s_line in result.statement_only:
            render.console.print(
                f"  solo en el extracto  {s_line.day:%d/%m/%Y} {s_line.description:<40} "
                f"$ {format_ar(s_line.amount):>14}"
            )
        for b_line in result.books_only:
            render.console.print(
                f"  solo en el diario    {b_line.day:%d/%m/%Y} {b_line.entry:<10} "
                f"{b_line.description[:30]:<30} $ {format_ar(b_line.amount):>14}"
            )
        render.console.print(
            f"Saldo según diario $ {format_ar(book)}; saldo que debería mostrar el banco $ "
            f"{format_ar(book + result.statement_only_total - result.books_only_total)}"
        )

    @treasury_app.command("cheques")
    def treasury_cheques(
        state: Annotated[str | None, typer.Option(help="portfolio, deposited, ...")] = None,
    ) -> None:
        """Cartera de cheques de terceros."""
        from domain.cheques import STATES
        from projections.commercial_tables import cheques

        query = select(cheques).order_by(cheques.c.received_on, cheques.c.reference)
        if state:
            query = query.where(cheques.c.state == state)
        with opened() as asiento, asiento.read() as conn:
            rows = conn.execute(query).mappings().all()
        total = sum(row["amount_cents"] for row in rows)
        for row in rows:
            render.console.print(
                f"{row['cheque_id'][:8]} {row['reference']:<28} socio {row['member_number']} "
                f"$ {format_ar(from_cents(row['amount_cents'])):>14} {STATES[row['state']]} "
                f"desde {row['state_since']:%d/%m/%Y}"
            )
        render.console.print(f"{len(rows)} cheques por $ {format_ar(from_cents(total))}.")

    @treasury_app.command("cheque")
    def treasury_cheque(
        cheque: str,
        action: Annotated[str, typer.Argument(help="deposit, endorse o reject")],
        detail: Annotated[str, typer.Option(help="Cuenta bancaria, proveedor o motivo del rechazo")],
        on: Annotated[str | None, typer.Option("--date")] = None,
    ) -> None:
        """Deposita, endosa o registra el rechazo de un cheque de terceros (id completo)."""

        with opened() as asiento:
            moved = asiento.app.move_cheque(
                parse_uuid(cheque, "Cheque"),
                action,
                parse_day(on, "--date"),
                detail=detail,
                recorded_by=acting_user(),
            )
        render.console.print(f"Cheque {moved.reference}: {action} ({detail}).")

    debit_app = typer.Typer(help="Débito automático.", no_args_is_help=True)
    app.add_typer(debit_app, name="debit")

    @debit_app.command("adhere")
    def debit_adhere(
        member: str,
        cbu: Annotated[str, typer.Option(help="CBU de 22 dígitos")],
        on: Annotated[str | None, typer.Option("--date")] = None,
    ) -> None:
        """Adhiere un asociado al débito automático."""
        with opened() as asiento:
            found = asiento.app.member(member)
            found.adhere_to_debit(cbu, parse_day(on, "--date"), recorded_by=acting_user())
            asiento.app.save(found)
        render.console.print(f"Asociado {found.number} adherido al débito automático.")

    @debit_app.command("export")
    def debit_export(
        period: Annotated[str, typer.Option(help="AAAA-MM")],
        file_number: Annotated[int, typer.Option()],
        output: Annotated[Path, typer.Option("--output", "-o")],
        on: Annotated[str | None, typer.Option("--date")] = None,
    ) -> None:
        """Genera el archivo de débitos del período para el banco."""
        from api.debit_service import export_debit_request

        with opened() as asiento:
            report = export_debit_request(asiento, period, file_number, output, parse_day(on, "--date"))
        render.console.print(f"{report.orders} débitos en {output}.")

    @debit_app.command("import")
    def debit_import(file: Path) -> None:
        """Importa la respuesta del banco: debitados se cobran, rechazados quedan abiertos."""
        from api.debit_service import import_debit_result

        with opened() as asiento:
            report = import_debit_result(asiento, file, recorded_by=acting_user())
        render.console.print(
            f"{report.debited} debitados ($ {format_ar(report.debited_amount)}), "
            f"{report.rejected} rechazados."
        )

    @payments_app.command("suspense")
    def payments_suspense() -> None:
        """Cobranzas a imputar: lo que las redes cobraron sin documento que coincida."""
        with opened() as asiento, asiento.read() as conn:
            rows = (
                conn.execute(select(collections_in_suspense).order_by(collections_in_suspense.c.payment_date))
                .mappings()
                .all()
            )
        for row in rows:
            render.console.print(
                f"{row['payment_date']:%d/%m/%Y} {row['network']:<10} $ "
                f"{format_ar(from_cents(row['amount_cents'])):>14}  {row['reason']}"
            )
        render.console.print(f"{len(rows)} cobranzas a imputar.")
