"""``asiento service|member|supply`` commands: the commercial registry at the counter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from adapters.commercial_commands import read_services_file
from api import render
from api.cli_support import Opened, parse_day, parse_decimal
from domain.errors import InvalidInput
from domain.money import format_ar
from domain.supplies import STATE_NAMES, check_meter
from projections.account_queries import Statement, member_statement
from projections.capital_queries import member_shares


def register(app: typer.Typer, opened: Opened, acting_user: Callable[[], str]) -> None:
    service_app = typer.Typer(help="Servicios.", no_args_is_help=True)
    member_app = typer.Typer(help="Asociados.", no_args_is_help=True)
    supply_app = typer.Typer(help="Suministros.", no_args_is_help=True)
    app.add_typer(service_app, name="service")
    app.add_typer(member_app, name="member")
    app.add_typer(supply_app, name="supply")

    @service_app.command("load")
    def service_load(file: Annotated[Path | None, typer.Argument()] = None) -> None:
        """Define los servicios de un archivo TOML (por defecto los incluidos)."""
        with opened() as asiento:
            added = asiento.app.define_services(read_services_file(file), recorded_by=acting_user())
        render.console.print(f"{added} servicios definidos.")

    @service_app.command("list")
    def service_list() -> None:
        """Lista los servicios definidos."""
        with opened() as asiento:
            catalog = asiento.app.services()
        for service in catalog.services.values():
            render.console.print(
                f"{service.code:<12} {service.name:<28} {service.pricing:<16} {service.unit or ''}"
            )

    @member_app.command("add")
    def member_add(
        number: str,
        name: str,
        doc_type: Annotated[str, typer.Option("--doc-type", help="CUIT, CUIL o DNI")],
        doc: Annotated[str, typer.Option("--doc", help="Número de documento")],
        vat: Annotated[str, typer.Option("--vat", help="RI, MT, MS, EX, CF o NC")],
        address: Annotated[str, typer.Option(help="Domicilio")],
        admission: Annotated[str | None, typer.Option(help="Fecha de ingreso AAAA-MM-DD (hoy)")] = None,
        email: Annotated[str | None, typer.Option()] = None,
        phone: Annotated[list[str] | None, typer.Option()] = None,
        board_minute: Annotated[
            str | None, typer.Option(help="Acta de consejo que aprobó el ingreso")
        ] = None,
        non_associate: Annotated[
            bool, typer.Option("--non-associate", help="Usuario no asociado: sin capital ni retorno")
        ] = False,
    ) -> None:
        """Registra un asociado (o un usuario no asociado)."""
        with opened() as asiento:
            registered = asiento.app.register_member(
                number=number,
                name=name,
                document_type=doc_type,
                document_number=doc,
                vat_condition=vat,
                address=address,
                admission_date=parse_day(admission, "--admission"),
                email=email,
                phones=phone or [],
                board_minute=board_minute,
                associate=not non_associate,
                recorded_by=acting_user(),
            )
        who = "Usuario no asociado" if non_associate else "Asociado"
        render.console.print(f"{who} {registered} {name} registrado.")

    @member_app.command("admission-minute")
    def member_admission_minute(
        number: str,
        board_minute: Annotated[str, typer.Option("--board-minute", help="Acta del consejo")],
    ) -> None:
        """Registra el acta de consejo del ingreso de un asociado que se dio de alta sin ella."""
        with opened() as asiento:
            asiento.app.record_admission_minute(number, board_minute, recorded_by=acting_user())
        render.console.print(f"Asociado {number}: acta de ingreso {board_minute}.")

    @member_app.command("leave")
    def member_leave(
        number: str,
        cause: Annotated[str, typer.Option(help="Causa: renuncia, exclusión, fallecimiento, ...")],
        on: Annotated[str | None, typer.Option("--date", help="Fecha de egreso (hoy)")] = None,
    ) -> None:
        """Registra el egreso de un asociado con su causa (Registro de Asociados)."""
        with opened() as asiento:
            asiento.app.record_member_exit(number, parse_day(on, "--date"), cause, recorded_by=acting_user())
        render.console.print(f"Asociado {number}: egreso registrado.")

    @member_app.command("show")
    def member_show(number: str) -> None:
        """Datos del asociado, capital y suministros con su estado."""
        from sqlalchemy import select

        from domain.members import normalize_member_number
        from projections.commercial_tables import members, supplies

        key = normalize_member_number(number)
        with opened() as asiento, asiento.read() as conn:
            row = conn.execute(select(members).where(members.c.number == key)).mappings().first()
            if row is None:
                raise InvalidInput(f"El asociado {key} no existe")
            shares = member_shares(conn, key, date.today())
            own = (
                conn.execute(
                    select(supplies).where(supplies.c.member_number == key).order_by(supplies.c.number)
                )
                .mappings()
                .all()
            )
        render.console.print(
            f"Asociado {row['number']} {row['name']} — {row['document_type']} "
            f"{row['document_number']} — IVA {row['vat_condition']} — {row['address']}"
        )
        capital = (
            "usuario no asociado"
            if shares is None
            else f"capital suscripto $ {format_ar(shares[0])}, integrado $ {format_ar(shares[1])}"
        )
        render.console.print(f"Ingreso {row['admission_date']:%d/%m/%Y}; {capital}")
        for s in own:
            render.console.print(
                f"  {s['number']:<12} {s['service']:<12} {s['category']:<16} "
                f"{STATE_NAMES[s['state']]} desde {s['state_since']:%d/%m/%Y}"
            )

    @member_app.command("statement")
    def member_statement_cmd(
        number: str,
        as_of: Annotated[str | None, typer.Option("--as-of")] = None,
        as_known_at: Annotated[str, typer.Option("--as-known-at", help="AAAA-MM-DDTHH:MM[:SS]")] = "",
        fmt: Annotated[str, typer.Option("--format", "-f", help="table o json")] = "table",
    ) -> None:
        """Estado de cuenta del asociado: documentos, saldos, deuda por suministro y servicio, antigüedad."""
        from api.as_known import books_as_known
        from api.cli_support import parse_known_at
        from domain.members import normalize_member_number

        member, day = normalize_member_number(number), parse_day(as_of, "--as-of")
        with opened() as asiento, books_as_known(asiento, parse_known_at(as_known_at)) as conn:
            statement = member_statement(conn, member, day)
        if fmt == "json":
            render.print_json(statement_json(statement))
        else:
            print_statement(statement)

    @supply_app.command("add")
    def supply_add(
        number: str,
        member: Annotated[str, typer.Option(help="Número de asociado")],
        service: Annotated[str, typer.Option(help="Código de servicio")],
        category: Annotated[str, typer.Option(help="Categoría tarifaria")],
        address: Annotated[str, typer.Option(help="Domicilio del suministro")],
        zone: Annotated[str, typer.Option()] = "",
        group: Annotated[str, typer.Option()] = "",
        reading_route: Annotated[str, typer.Option()] = "",
        distribution_route: Annotated[str, typer.Option()] = "",
        beneficiaries: Annotated[int, typer.Option()] = 1,
        on: Annotated[str | None, typer.Option("--date")] = None,
    ) -> None:
        """Solicita un suministro para un asociado."""
        with opened() as asiento:
            created = asiento.app.request_supply(
                number=number,
                member_number=member,
                service=service,
                category=category,
                address=address,
                zone=zone,
                group=group,
                reading_route=reading_route,
                distribution_route=distribution_route,
                beneficiaries=beneficiaries,
                effective_date=parse_day(on, "--date"),
                recorded_by=acting_user(),
            )
        render.console.print(f"Suministro {created} solicitado.")

    @supply_app.command("connect")
    def supply_connect(
        number: str,
        on: Annotated[str | None, typer.Option("--date")] = None,
        meter: Annotated[str | None, typer.Option(help="Número de serie del medidor")] = None,
        digits: Annotated[int, typer.Option()] = 5,
        multiplier: Annotated[str, typer.Option()] = "1",
        initial: Annotated[str, typer.Option(help="Lectura inicial")] = "0",
    ) -> None:
        """Conecta (o reconecta) un suministro; los medidos con su medidor y lectura inicial."""
        spec = check_meter(meter, digits, parse_decimal(multiplier, "--multiplier")) if meter else None
        with opened() as asiento:
            asiento.app.connect_supply(
                number,
                parse_day(on, "--date"),
                recorded_by=acting_user(),
                meter=spec,
                initial_reading=parse_decimal(initial, "--initial") if meter else None,
            )
        render.console.print(f"Suministro {number} conectado.")

    def state_command(state: str) -> Callable[..., None]:
        def command(
            number: str,
            reason: Annotated[str, typer.Option(help="Motivo")],
            on: Annotated[str | None, typer.Option("--date")] = None,
        ) -> None:
            with opened() as asiento:
                asiento.app.change_supply_state(
                    number, state, parse_day(on, "--date"), reason, recorded_by=acting_user()
                )
            render.console.print(f"Suministro {number}: {STATE_NAMES[state]}.")

        command.__doc__ = f"Pasa el suministro a «{STATE_NAMES[state]}»."
        return command

    supply_app.command("cut")(state_command("cut"))
    supply_app.command("legal")(state_command("in_legal_action"))
    supply_app.command("terminate")(state_command("terminated"))


def statement_json(statement: Statement) -> dict[str, Any]:
    return {
        "member": {"number": statement.member_number, "name": statement.member_name},
        "as_of": statement.as_of.isoformat(),
        "documents": [
            {
                "document_id": ln.document_id,
                "label": ln.label,
                "supply": ln.supply_number,
                "service": ln.service,
                "issue_date": ln.issue_date.isoformat(),
                "due_date": ln.due_date.isoformat(),
                "total": str(ln.total),
                "paid": str(ln.paid),
                "balance": str(ln.balance),
                "days_overdue": ln.days_overdue(statement.as_of),
            }
            for ln in statement.lines
        ],
        "debt_by_supply": {k: str(v) for k, v in statement.debt_by("supply_number").items()},
        "debt_by_service": {k: str(v) for k, v in statement.debt_by("service").items()},
        "ageing": {k: str(v) for k, v in statement.ageing().items()},
        "totals": {"debt": str(statement.debt), "credit": str(statement.credit)},
    }


def print_statement(statement: Statement) -> None:
    table = Table(
        title=f"Estado de cuenta de {statement.member_number} {statement.member_name} "
        f"al {statement.as_of:%d/%m/%Y}"
    )
    for header, justify in (
        ("Documento", "left"),
        ("Suministro", "left"),
        ("Emisión", "left"),
        ("Vencimiento", "left"),
        ("Importe", "right"),
        ("Pagado", "right"),
        ("Saldo", "right"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for ln in statement.lines:
        table.add_row(
            ln.label,
            ln.supply_number or "",
            f"{ln.issue_date:%d/%m/%Y}",
            f"{ln.due_date:%d/%m/%Y}",
            format_ar(ln.total),
            format_ar(ln.paid),
            format_ar(ln.balance),
        )
    table.add_row("Deuda total", "", "", "", "", "", format_ar(statement.debt), style="bold")
    if statement.credit:
        table.add_row("Saldo a favor", "", "", "", "", "", format_ar(statement.credit), style="bold")
    render.console.print(table)
    for name, amount in statement.ageing().items():
        render.console.print(f"  {name:<16} {format_ar(amount):>16}")
