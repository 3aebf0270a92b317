"""The ``asiento`` command line (Spanish output, ``--format json`` for machines).

Every command that records facts runs the projections right after, so reports
are current when the command returns. Errors print one line and exit non-zero;
a refused command writes nothing.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from eventsourcing.persistence import IntegrityError
from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError

from adapters.commercial_commands import read_services_file
from adapters.entry_files import read_entry_file
from adapters.store import DEFAULT_DATABASE_URL, StoreConfigError
from api import render, year_end
from api.bootstrap import Asiento, bootstrap
from api.cli_billing import register as register_billing
from api.cli_capital import register as register_capital
from api.cli_cash import register as register_cash
from api.cli_commercial import register as register_commercial
from api.cli_payments import register as register_payments
from api.cli_statements import register as register_statements
from api.cli_support import parse_day, parse_known_at
from api.cli_web import register as register_web
from api.export_cli import register as register_export
from domain.errors import AlreadyRecorded, DomainError, InvalidInput
from domain.journal import JournalEntry
from domain.money import format_ar
from ledger_rules import load_chart
from ledger_rules.model import AccountSpec, PostingError, RuleError
from projections import queries
from projections.runner import ProjectionFailed

app = typer.Typer(
    help="Asiento: gestión contable y comercial para cooperativas de servicios.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
account_app = typer.Typer(help="Plan de cuentas.", no_args_is_help=True)
entry_app = typer.Typer(help="Asientos manuales.", no_args_is_help=True)
period_app = typer.Typer(help="Ejercicios y períodos.", no_args_is_help=True)
report_app = typer.Typer(help="Informes contables.", no_args_is_help=True)
rules_app = typer.Typer(help="Reglas de imputación.", no_args_is_help=True)
export_app = typer.Typer(help="Exportaciones.", no_args_is_help=True)
for sub, name in (
    (account_app, "account"),
    (entry_app, "entry"),
    (period_app, "period"),
    (report_app, "report"),
    (rules_app, "rules"),
    (export_app, "export"),
):
    app.add_typer(sub, name=name)


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table (personas) o json")]
DateOpt = Annotated[str, typer.Option(help="Fecha AAAA-MM-DD")]


def acting_user() -> str:
    return os.environ.get("ASIENTO_USER") or getpass.getuser() or "system"


@contextmanager
def opened(*, catch_up: bool = True, installing_chart: bool = False) -> Iterator[Asiento]:
    """Open the store; after the command, bring the read models up to date."""
    asiento = bootstrap(installing_chart=installing_chart)
    try:
        yield asiento
        if catch_up:
            asiento.runner.catch_up()
    finally:
        asiento.close()


def fail(message: str) -> None:
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


# -- init / demo ----------------------------------------------------------------------
@app.command()
def init(
    chart: Annotated[Path | None, typer.Option(help="Plan de cuentas TOML (por defecto el incluido)")] = None,
    year: Annotated[int | None, typer.Option(help="Ejercicio a abrir (por defecto el año en curso)")] = None,
) -> None:
    """Inicializa la base: plan de cuentas y ejercicio en curso (se puede repetir sin duplicar)."""
    with opened(installing_chart=True) as asiento:
        opened_accounts = asiento.app.install_chart(load_chart(chart), recorded_by=acting_user())
        asiento.app.define_services(read_services_file(), recorded_by=acting_user())
        fiscal_year = year or date.today().year
        calendar = asiento.app.calendar()
        if fiscal_year not in calendar.years:
            asiento.app.open_fiscal_year(fiscal_year, recorded_by=acting_user())
    render.console.print(
        f"Base inicializada en {asiento.config.url}: {opened_accounts} cuentas nuevas, "
        f"ejercicio {fiscal_year} abierto."
    )


@app.command()
def demo(
    members: Annotated[int, typer.Option(help="Cantidad de asociados")] = 2_000,
    months: Annotated[int, typer.Option(help="Meses de lecturas y facturación (hasta 36)")] = 12,
    seed: Annotated[int, typer.Option(help="Semilla: la misma da la misma cooperativa")] = 7,
) -> None:
    """Crea una cooperativa de ejemplo: asociados, suministros, lecturas y facturación de cada mes."""
    from api.cli_web import ensure_demo_users, print_demo_users
    from api.demo import demo_progress, print_summary, run_demo

    with opened(installing_chart=True) as asiento, demo_progress() as progress:
        summary = run_demo(
            asiento, recorded_by=acting_user(), members=members, months=months, seed=seed, progress=progress
        )
        demo_users = ensure_demo_users(asiento, acting_user())
    print_summary(summary)
    print_demo_users(demo_users)


# -- accounts -------------------------------------------------------------------------------
class AccountTypeName(StrEnum):
    asset = "asset"
    liability = "liability"
    equity = "equity"
    revenue = "revenue"
    expense = "expense"


@account_app.command("add")
def account_add(
    code: str,
    name: str,
    account_type: Annotated[AccountTypeName, typer.Option("--type", help="Tipo de cuenta")],
    parent: Annotated[str | None, typer.Option(help="Cuenta madre (de agrupación)")] = None,
    normal_balance: Annotated[str | None, typer.Option(help="debit o credit")] = None,
    header: Annotated[bool, typer.Option("--header", help="De agrupación (no imputable)")] = False,
) -> None:
    """Agrega una cuenta al plan."""
    spec = AccountSpec(code, name, account_type.value, parent, normal_balance, header)
    with opened() as asiento:
        asiento.app.open_account(spec, recorded_by=acting_user())
    render.console.print(f"Cuenta {code} {name} agregada.")


@account_app.command("close")
def account_close(code: str) -> None:
    """Cierra una cuenta: no admite más imputaciones."""
    with opened() as asiento:
        asiento.app.close_account(code, recorded_by=acting_user())
    render.console.print(f"Cuenta {code} cerrada.")


@account_app.command("list")
def account_list(fmt: FormatOpt = Format.table) -> None:
    """Lista el plan de cuentas."""
    with opened() as asiento, asiento.read() as conn:
        accounts = queries.list_accounts(conn)
    if fmt is Format.json:
        render.print_json(render.accounts_json(accounts))
    else:
        render.print_accounts(accounts)


# -- entries ------------------------------------------------------------------------------------
@entry_app.command("post")
def entry_post(file: Path) -> None:
    """Registra los asientos de un archivo TOML o JSON (todos o ninguno)."""
    drafts = read_entry_file(file)
    with opened() as asiento:
        chart, calendar = asiento.app.chart(), asiento.app.calendar()
        entries = [
            JournalEntry.post(
                effective_date=d.effective_date,
                description=d.description,
                lines=d.lines,
                chart=chart,
                calendar=calendar,
                recorded_by=acting_user(),
                entry_id=d.entry_id,
            )
            for d in drafts
        ]
        try:
            asiento.app.save(*entries)
        except IntegrityError:
            raise AlreadyRecorded("Uno de los asientos del archivo", file) from None
    for entry in entries:
        render.console.print(f"Asiento registrado: {entry.id} ({entry.description})")


@entry_app.command("reverse")
def entry_reverse(
    entry: Annotated[str, typer.Argument(help="UUID del asiento o AÑO/NÚMERO, p. ej. 2026/15")],
    on: Annotated[str | None, typer.Option("--date", help="Fecha de la reversión (hoy)")] = None,
    description: Annotated[str | None, typer.Option(help="Descripción")] = None,
) -> None:
    """Revierte un asiento manual con un asiento nuevo de signo contrario."""
    effective_date = parse_day(on, "--date") if on else date.today()
    with opened() as asiento:
        entry_id = _resolve_entry(asiento, entry)
        reversal = asiento.app.reverse_entry(
            entry_id, effective_date=effective_date, recorded_by=acting_user(), description=description
        )
    render.console.print(f"Asiento {entry} revertido por {reversal}.")


def _resolve_entry(asiento: Asiento, text: str) -> UUID:
    if "/" in text:
        year, _, number = text.partition("/")
        if not (year.isdigit() and number.isdigit()):
            raise InvalidInput(f"Asiento {text!r}: use AÑO/NÚMERO, p. ej. 2026/15")
        asiento.runner.catch_up()
        with asiento.read() as conn:
            return UUID(queries.entry_originator(conn, int(year), int(number)))
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInput(f"Asiento {text!r}: use un UUID o AÑO/NÚMERO") from None


# -- periods ---------------------------------------------------------------------------------------
@period_app.command("open")
def period_open(
    year: int,
    start: Annotated[str | None, typer.Option(help="Inicio AAAA-MM-DD (1 de enero)")] = None,
    end: Annotated[str | None, typer.Option(help="Cierre AAAA-MM-DD (un año después)")] = None,
) -> None:
    """Abre un ejercicio."""
    start_date = parse_day(start, "--start") if start else None
    end_date = parse_day(end, "--end") if end else None
    with opened() as asiento:
        newly_opened, opening = year_end.open_year(
            asiento, year, start_date, end_date, recorded_by=acting_user()
        )
    if newly_opened:
        render.console.print(f"Ejercicio {year} abierto.")
    if opening is not None:
        what = "registrado" if opening.entry_id else "no necesario: no hay saldos patrimoniales"
        render.console.print(f"Asiento de apertura del ejercicio {year} {what}.")


@period_app.command("close")
def period_close(period: Annotated[str, typer.Argument(help="AAAA (ejercicio) o AAAA-MM (mes)")]) -> None:
    """Cierra un mes o un ejercicio: no se registran más hechos con fecha en él.

    Cerrar un ejercicio registra el asiento de cierre (ingresos y egresos a
    Resultado del ejercicio) y bloquea el año en un solo acto.
    """
    with opened() as asiento:
        if not period.isdigit():
            asiento.app.close_period(period, recorded_by=acting_user())
            render.console.print(f"Período {period} cerrado.")
            return
        outcome = year_end.close_year(asiento, int(period), recorded_by=acting_user())
    kind = "excedente" if outcome.result >= 0 else "pérdida"
    render.console.print(
        f"Ejercicio {period} cerrado. Resultado del ejercicio: {kind} $ {format_ar(abs(outcome.result))}."
    )


@period_app.command("reopen")
def period_reopen(year: int, reason: Annotated[str, typer.Option(help="Motivo (obligatorio)")]) -> None:
    """Reabre un ejercicio cerrado, dejando constancia del motivo."""
    with opened() as asiento:
        asiento.app.reopen_fiscal_year(year, reason, recorded_by=acting_user())
    render.console.print(
        f"Ejercicio {year} reabierto: {reason}. Se anularon su asiento de cierre y el de apertura siguiente."
    )


@period_app.command("list")
def period_list(fmt: FormatOpt = Format.table) -> None:
    """Lista los ejercicios y sus meses cerrados."""
    with opened() as asiento, asiento.read() as conn:
        years = queries.list_fiscal_years(conn)
    if fmt is Format.json:
        render.print_json(
            {
                "years": [
                    {
                        "year": y,
                        "start": s.isoformat(),
                        "end": e.isoformat(),
                        "closed": c,
                        "closed_months": [m for m in months.split(",") if m],
                    }
                    for y, s, e, c, months in years
                ],
                "totals": {"count": len(years)},
            }
        )
        return
    for y, s, e, c, months in years:
        state = "cerrado" if c else "abierto"
        render.console.print(
            f"Ejercicio {y}: {s:%d/%m/%Y} a {e:%d/%m/%Y}, {state}; meses cerrados: {months or 'ninguno'}"
        )


# -- reports ----------------------------------------------------------------------------------------
@report_app.command("trial-balance")
def report_trial_balance(
    as_of: Annotated[str, typer.Option("--as-of")] = "",
    as_known_at: Annotated[str, typer.Option("--as-known-at", help="AAAA-MM-DDTHH:MM[:SS] hora local")] = "",
    fmt: FormatOpt = Format.table,
) -> None:
    """Balance de sumas y saldos a una fecha (y, si se indica, tal como se conocía en un momento)."""
    day = parse_day(as_of, "--as-of") if as_of else date.today()
    known = parse_known_at(as_known_at)
    with opened() as asiento, asiento.read() as conn:
        tb = queries.trial_balance(conn, day, known)
    if fmt is Format.json:
        render.print_json(render.trial_balance_json(tb))
    else:
        render.print_trial_balance(tb)


@report_app.command("cash-closing")
def report_cash_closing(
    day: Annotated[str, typer.Option("--date")] = "",
    as_known_at: Annotated[str, typer.Option("--as-known-at", help="AAAA-MM-DDTHH:MM[:SS] hora local")] = "",
    fmt: FormatOpt = Format.table,
) -> None:
    """Cierre de caja del día: por sesión y por medio de pago."""
    from api.as_known import books_as_known
    from domain.cash_desk import INSTRUMENTS
    from projections.cash_queries import cash_closing

    when = parse_day(day, "--date")
    with opened() as asiento, books_as_known(asiento, parse_known_at(as_known_at)) as conn:
        closing = cash_closing(conn, when)
    if fmt is Format.json:
        render.print_json(
            {
                "date": when.isoformat(),
                "sessions": [
                    {
                        "session_id": s.session_id,
                        "desk": s.desk,
                        "cashier": s.cashier,
                        "closed": s.closed,
                        "opening_float": str(s.opening_float),
                        "receipts": s.receipts,
                        "annulled": s.annulled,
                        "by_instrument": {k: str(v) for k, v in sorted(s.by_instrument.items())},
                        "cash_surplus": str(s.cash_surplus),
                        "cash_shortage": str(s.cash_shortage),
                    }
                    for s in closing.sessions
                ],
                "totals": {k: str(v) for k, v in closing.by_instrument().items()},
            }
        )
        return
    for session in closing.sessions:
        state = "cerrada" if session.closed else "abierta"
        render.console.print(
            f"Caja {session.desk} ({session.cashier}), {state}: {session.receipts} recibos, "
            f"{session.annulled} anulados; fondo $ {format_ar(session.opening_float)}"
        )
        for kind, amount in sorted(session.by_instrument.items()):
            render.console.print(f"    {INSTRUMENTS.get(kind, kind):<44} $ {format_ar(amount):>14}")
        if session.cash_surplus or session.cash_shortage:
            render.console.print(
                f"    sobrante $ {format_ar(session.cash_surplus)}  faltante $ "
                f"{format_ar(session.cash_shortage)}"
            )
    render.console.print(f"Total del {when:%d/%m/%Y}:")
    for kind, amount in closing.by_instrument().items():
        render.console.print(f"    {INSTRUMENTS.get(kind, kind):<44} $ {format_ar(amount):>14}")


@report_app.command("journal")
def report_journal(
    date_from: Annotated[str, typer.Option("--from")],
    date_to: Annotated[str, typer.Option("--to")],
    as_known_at: Annotated[str, typer.Option("--as-known-at", help="AAAA-MM-DDTHH:MM[:SS] hora local")] = "",
    fmt: FormatOpt = Format.table,
) -> None:
    """Asientos del diario entre dos fechas, uno por hecho (ver también report diario)."""
    start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    known = parse_known_at(as_known_at)
    with opened() as asiento, asiento.read() as conn:
        entries = queries.journal(conn, start, end, known)
    if fmt is Format.json:
        render.print_json(render.journal_json(entries, start, end))
    else:
        render.print_journal(entries, start, end)


@report_app.command("ledger")
def report_ledger(
    account: str,
    date_from: Annotated[str, typer.Option("--from")],
    date_to: Annotated[str, typer.Option("--to")],
    as_known_at: Annotated[str, typer.Option("--as-known-at", help="AAAA-MM-DDTHH:MM[:SS] hora local")] = "",
    fmt: FormatOpt = Format.table,
) -> None:
    """Libro Mayor de una cuenta entre dos fechas."""
    start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    known = parse_known_at(as_known_at)
    with opened() as asiento, asiento.read() as conn:
        book = queries.ledger(conn, account, start, end, known)
    if fmt is Format.json:
        render.print_json(render.ledger_json(book))
    else:
        render.print_ledger(book)


# -- rebuild / rules -------------------------------------------------------------------------------------
PARALLEL_REBUILD_PAGES = 20  # longer logs are rebuilt with window workers by default
@app.command()
def rebuild(
    name: Annotated[str, typer.Argument(help="Proyección o 'all'")] = "all",
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Procesos que leen, aplican las reglas y escriben tramos del registro por turno "
            "(0: todo en este proceso; por omisión, uno por núcleo si el registro es largo)",
        ),
    ] = -1,
) -> None:
    """Borra una proyección y la reconstruye desde el registro de eventos."""
    from api.parallel_catch_up import default_workers
    from api.parallel_catch_up import rebuild as rebuild_projections

    if not -1 <= workers <= 32:
        raise InvalidInput("--workers: use un número entre 0 y 32")
    with opened(catch_up=False) as asiento:
        names = list(asiento.runner.projections) if name == "all" else [name]
        unknown = set(names) - set(asiento.runner.projections)
        if unknown:
            known = ", ".join(asiento.runner.projections)
            raise InvalidInput(f"Proyección desconocida {name!r}; use {known} o all")
        if workers == -1:  # a worker costs about half a second to start: only for long logs
            long_log = asiento.runner.head() > PARALLEL_REBUILD_PAGES * asiento.runner.page_size
            workers = default_workers() if long_log else 0
        read = rebuild_projections(asiento, names, workers=workers)
    render.console.print(f"Reconstruidas {', '.join(names)}: {read} eventos leídos.")


@app.command()
def trace(
    target: Annotated[str, typer.Argument(help="Asiento AÑO/NÚMERO o código de cuenta")],
    as_of: Annotated[str, typer.Option("--as-of")] = "",
    fmt: FormatOpt = Format.table,
) -> None:
    """Del saldo al hecho: líneas del diario, el evento y la regla que las produjo, quién y cuándo."""
    from api.tracing import trace_account, trace_entry

    day = parse_day(as_of, "--as-of")
    with opened() as asiento:
        found = trace_entry(asiento, target) if "/" in target else trace_account(asiento, target, day)
    if fmt is Format.json:
        render.print_json(found)
        return
    for item in found["entries"]:
        render.console.print(
            f"Asiento {item['entry']} del {item['date']}: {item['description']}\n"
            f"  evento {item['event_position']} {item['event']}, regla {item['rule']}, "
            f"registrado por {item['recorded_by']} el {item['recorded_at']}"
        )
        for line in item["lines"]:
            render.console.print(
                f"    {line['account']:<10} debe {line['debit']:>14} haber {line['credit']:>14}"
            )
        for key, value in item["facts"].items():
            render.console.print(f"    · {key}: {value}")
    if "balance" in found:
        render.console.print(f"Saldo de {target} al {day:%d/%m/%Y}: {found['balance']}")


@app.command()
def verify(
    deep: Annotated[
        bool, typer.Option("--deep", help="Además reconstruye todas las proyecciones aparte y las compara")
    ] = False,
    scratch: Annotated[
        str, typer.Option("--scratch", help="Base vacía para reconstruir (por omisión, una temporal)")
    ] = "",
) -> None:
    """Recalcula la cadena de hashes del registro de eventos y nombra el primer evento alterado."""
    from api.deep_verify import verify_deep
    from projections.audit_chain import verify as verify_chain

    with opened() as asiento:
        asiento.runner.catch_up()
        with asiento.read() as conn:
            checked, broken = verify_chain(conn, asiento.app.recorder)
        if broken is not None:
            fail(f"la cadena se rompe en el evento {broken.position}: {broken.reason}")
        render.console.print(f"Registro íntegro: {checked} eventos verificados.")
        if not deep:
            return
        report = verify_deep(asiento, scratch or None)
    if report.difference is not None:
        d = report.difference
        fail(f"la proyección difiere de su reconstrucción en {d.table} {d.key}: {d.detail}")
    render.console.print(
        f"Proyecciones idénticas a su reconstrucción desde el registro: {report.tables} tablas, "
        f"{report.rows} filas, hasta el evento {report.position}."
    )


@rules_app.command("check")
def rules_check(
    path: Annotated[Path | None, typer.Argument(help="Archivo o carpeta de reglas")] = None,
) -> None:
    """Valida un conjunto de reglas y muestra qué imputa cada tipo de evento."""
    from api.rules_view import print_rule_book

    print_rule_book(path)


register_export(export_app, opened)
register_statements(report_app, opened)
register_commercial(app, opened, acting_user)
register_billing(app, opened, acting_user)
register_cash(app, opened, acting_user)
register_payments(app, opened, acting_user)
register_capital(app, report_app, opened, acting_user)
register_web(app, opened, acting_user)


def main() -> Any:
    try:
        return app(standalone_mode=False)
    except DomainError as exc:
        typer.secho(f"Error: {exc.message}", fg=typer.colors.RED, err=True)
        sys.exit(1)
    except (RuleError, PostingError, ProjectionFailed, StoreConfigError) as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(1)
    except (StoreInterfaceError, StoreOperationalError, SQLAlchemyOperationalError) as exc:
        # The database cannot be reached or opened: say which one, not a traceback.
        url = os.environ.get("ASIENTO_DATABASE_URL") or DEFAULT_DATABASE_URL
        cause = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        typer.secho(f"Error: no se puede abrir la base {url}: {cause}", fg=typer.colors.RED, err=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.secho("Interrumpido.", err=True)
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
