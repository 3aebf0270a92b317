"""``asiento tariff|reading|billing`` commands: the monthly cycle from readings to bills."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import and_, func, select

from adapters.reading_files import FileFormat, RouteRow, write_route_file
from adapters.tariff_files import DEFAULT_TARIFFS_PATH
from api import render
from api.bill_print import print_member_bills
from api.billing_run import BillingRun
from api.cli_support import Opened, parse_day, parse_decimal
from api.readings_service import ReadingsService
from domain.errors import InvalidInput
from domain.members import normalize_member_number
from domain.meter_readings import check_period
from domain.money import format_ar
from domain.readings import ReadingInput
from projections.billing_queries import shift_period
from projections.commercial_tables import held_bills, readings, supplies
from projections.route_queries import route_stops


def register(app: typer.Typer, opened: Opened, acting_user: Callable[[], str]) -> None:
    tariff_app = typer.Typer(help="Cuadros tarifarios.", no_args_is_help=True)
    reading_app = typer.Typer(help="Lecturas de medidores.", no_args_is_help=True)
    billing_app = typer.Typer(help="Facturación.", no_args_is_help=True)
    app.add_typer(tariff_app, name="tariff")
    app.add_typer(reading_app, name="reading")
    app.add_typer(billing_app, name="billing")

    @tariff_app.command("load")
    def tariff_load(
        path: Annotated[Path | None, typer.Argument(help="Archivo o carpeta (los incluidos)")] = None,
    ) -> None:
        """Publica cuadros tarifarios (un archivo por versión)."""
        source = path or DEFAULT_TARIFFS_PATH
        files = sorted(source.glob("*.toml")) if source.is_dir() else [source]
        with opened() as asiento:
            for file in files:
                service, valid_from = asiento.app.publish_tariff(file, recorded_by=acting_user())
                render.console.print(
                    f"Cuadro tarifario de {service} vigente desde {valid_from:%d/%m/%Y}: {file.name}"
                )

    @reading_app.command("record")
    def reading_record(
        supply: str,
        value: str,
        period: Annotated[str, typer.Option(help="AAAA-MM")],
        on: Annotated[str | None, typer.Option("--date", help="Fecha de lectura (hoy)")] = None,
        estimated: Annotated[bool, typer.Option("--estimated")] = False,
    ) -> None:
        """Registra una lectura a mano."""
        reading = ReadingInput(
            supply.strip().upper(),
            parse_day(on, "--date"),
            parse_decimal(value, "lectura"),
            estimated,
            "manual",
        )
        with opened() as asiento:
            recorded = ReadingsService(asiento, recorded_by=acting_user()).record_one(reading, period)
        held = f" RETENIDA: {recorded.held_reason}" if recorded.held_reason else ""
        units = recorded.consumption_units.normalize()
        render.console.print(f"Lectura de {supply} {period}: consumo {units:f}.{held}")

    @reading_app.command("import")
    def reading_import(files: list[Path], period: Annotated[str, typer.Option(help="AAAA-MM")]) -> None:
        """Importa archivos de lectores (CSV, TXT o XLSX), en orden: cada uno todo o nada.

        Un archivo con errores detiene la importación; los anteriores quedan registrados.
        """
        with opened() as asiento:
            results = ReadingsService(asiento, recorded_by=acting_user()).import_files(files, period)
        for file, (checked, unread) in zip(files, results, strict=True):
            held = sum(1 for c in checked if c.held_for_review)
            render.console.print(
                f"{file.name}: {len(checked)} lecturas registradas ({held} retenidas para revisión); "
                f"{len(unread)} suministros sin leer."
            )

    @reading_app.command("route")
    def reading_route(
        route: str,
        output: Annotated[Path, typer.Option("--output", "-o")],
        fmt: Annotated[
            str | None, typer.Option("--format", help="csv, txt o xlsx (por la extensión)")
        ] = None,
    ) -> None:
        """Exporta una ruta de lectura para el lector."""
        period = f"{date.today():%Y-%m}"
        with opened() as asiento, asiento.read() as conn:
            stops = route_stops(conn, before_period=shift_period(period, 1), route=route).get(route, [])
        rows = [RouteRow(*astuple(stop)) for stop in stops]
        if not rows:
            raise InvalidInput(f"La ruta {route} no tiene suministros medidos conectados")
        written = write_route_file(output, rows, FileFormat(fmt) if fmt else None)
        render.console.print(f"Ruta {route}: {len(rows)} suministros en {written}.")

    @reading_app.command("anomalies")
    def reading_anomalies(period: Annotated[str, typer.Option(help="AAAA-MM")]) -> None:
        """Lecturas retenidas para revisión."""
        check_period(period)
        with opened() as asiento, asiento.read() as conn:
            rows = conn.execute(
                select(
                    readings.c.supply_number,
                    readings.c.value,
                    readings.c.consumption_units,
                    readings.c.held_reason,
                )
                .where(and_(readings.c.period == period, readings.c.held_reason.is_not(None)))
                .order_by(readings.c.supply_number)
            ).all()
        for supply, value, units, reason in rows:
            render.console.print(f"{supply:<12} lectura {value:>10} consumo {units:>10}  {reason}")
        render.console.print(f"{len(rows)} lecturas retenidas en {period}.")

    @reading_app.command("accept")
    def reading_accept(supply: str, period: str, note: Annotated[str, typer.Option()]) -> None:
        """Acepta una lectura retenida tal como está."""
        with opened() as asiento:
            reading = asiento.app.meter_reading(supply, period)
            reading.accept(note, recorded_by=acting_user())
            asiento.app.save(reading)
        render.console.print(f"Lectura de {supply} {period} aceptada.")

    @billing_app.command("run")
    def billing_run(
        period: Annotated[str, typer.Option(help="AAAA-MM")],
        service: Annotated[str | None, typer.Option()] = None,
        zone: Annotated[str | None, typer.Option()] = None,
        issue_date: Annotated[str | None, typer.Option(help="Fecha de emisión (hoy)")] = None,
    ) -> None:
        """Factura todos los suministros del período (se puede repetir: no factura dos veces)."""
        with opened() as asiento:
            run = BillingRun(
                asiento,
                period=period,
                issue_date=parse_day(issue_date, "--issue-date"),
                recorded_by=acting_user(),
                service=service,
                zone=zone,
            )
            with asiento.read() as conn:
                total = (
                    conn.execute(select(func.count(func.distinct(supplies.c.member_number)))).scalar() or 0
                )
            with Progress(
                TextColumn("Facturando {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=render.console,
            ) as bar:
                task = bar.add_task(period, total=total)
                report = run.run(progress=lambda members_done: bar.advance(task, members_done))
        render.console.print(
            f"Período {period}: {report.invoices} facturas, {report.documents} documentos de pago, "
            f"{report.estimated} lecturas estimadas, {report.held} retenidas (Ley 24.240), "
            f"{len(report.skipped)} sin facturar; total $ {format_ar(report.total)}."
        )
        for supply, reason in report.skipped[:50]:
            render.console.print(f"  sin facturar {supply}: {reason}")

    @billing_app.command("print")
    def billing_print(
        period: Annotated[str, typer.Option(help="AAAA-MM")],
        member: Annotated[str, typer.Option()],
        output: Annotated[Path, typer.Option("--output", "-o", help="Carpeta")] = Path("facturas"),
    ) -> None:
        """Genera el PDF de la factura consolidada de un asociado."""
        with opened() as asiento:
            paths = print_member_bills(asiento, normalize_member_number(member), period, output)
        for path in paths:
            render.console.print(f"Factura generada: {path}")

    @billing_app.command("cae")
    def billing_cae(
        supply: str,
        period: str,
        cae: Annotated[str, typer.Option(help="CAE de 14 dígitos")],
        due: Annotated[str, typer.Option(help="Vencimiento del CAE AAAA-MM-DD")],
    ) -> None:
        """Registra el CAE que AFIP otorgó a una factura (aparece el QR en la factura impresa)."""
        from api.billing_run import invoice_id

        check_period(period)
        with opened() as asiento:
            asiento.app.record_cae(
                invoice_id(supply.strip().upper(), period),
                cae,
                parse_day(due, "--due"),
                recorded_by=acting_user(),
            )
        render.console.print(f"CAE {cae} registrado en la factura de {supply} {period}.")

    @billing_app.command("held")
    def billing_held(period: Annotated[str, typer.Option(help="AAAA-MM")]) -> None:
        """Facturas retenidas por la Ley 24.240 art. 31."""
        with opened() as asiento, asiento.read() as conn:
            rows = (
                conn.execute(
                    select(held_bills)
                    .where(held_bills.c.period == period)
                    .order_by(held_bills.c.supply_number)
                )
                .mappings()
                .all()
            )
        for row in rows:
            state = "liberada" if row["released"] else "retenida"
            render.console.print(
                f"{row['supply_number']:<12} socio {row['member_number']} {state}: {row['reason']}"
            )
        render.console.print(f"{len(rows)} facturas retenidas en {period}.")

    @billing_app.command("release")
    def billing_release(supply: str, period: str, note: Annotated[str, typer.Option()]) -> None:
        """Libera una factura retenida (verificada): la próxima corrida la emite."""
        with opened() as asiento:
            held = asiento.app.held_bill(supply, period)
            held.release(note, recorded_by=acting_user())
            asiento.app.save(held)
        render.console.print(f"Factura de {supply} {period} liberada: la próxima corrida la emite.")
