"""`asiento report balance-sheet | income-statement | diario | subdiario`: the statements and books."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from adapters.billing_settings import load_billing_settings
from adapters.statement_files import (
    statement_rows,
    write_statement_csv,
    write_statement_pdf,
    write_statement_xlsx,
)
from api import render
from api.bootstrap import Asiento
from api.cli_support import parse_day, parse_known_at
from api.statements import build_balance_sheet, build_income_statement
from domain.errors import InvalidInput, NotFound
from domain.money import format_ar
from domain.statements import Statement
from ledger_rules.books import load_subledgers, summarized_events
from projections.diario_queries import DiarioEntry, DiarioLine, diario, subledger_entries
from projections.queries import JournalLineRow

Opener = Callable[[], AbstractContextManager[Asiento]]


class StatementFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    pdf = "pdf"


class BookFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


StatementFormatOpt = Annotated[
    StatementFormat, typer.Option("--format", "-f", help="table, json, csv, xlsx o pdf")
]
BookFormatOpt = Annotated[BookFormat, typer.Option("--format", "-f", help="table, json o csv")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Archivo (csv, xlsx y pdf)")]
KnownOpt = Annotated[
    str, typer.Option("--as-known-at", help="AAAA-MM-DDTHH:MM[:SS]: como se conocía entonces")
]
CompareOpt = Annotated[bool, typer.Option("--compare/--no-compare", help="Columna del año anterior")]


def statement_json(statement: Statement) -> dict[str, Any]:
    return {
        "title": statement.title,
        "subtitle": statement.subtitle,
        "columns": list(statement.column_labels),
        "rows": [
            {"code": code, "name": label, "level": level, "group": bold, "amounts": [str(a) for a in amounts]}
            for code, label, level, bold, amounts in statement_rows(statement)
        ],
        "totals": {label: [str(a) for a in amounts] for label, amounts in statement.summary},
    }


def print_statement(statement: Statement) -> None:
    table = Table(title=f"{statement.title}\n{statement.subtitle}", show_lines=False)
    table.add_column("Cuenta")
    table.add_column("Descripción")
    for label in statement.column_labels:
        table.add_column(label, justify="right")
    for code, label, level, bold, amounts in statement_rows(statement):
        style = "bold" if bold else None
        table.add_row(code, "  " * level + label, *(format_ar(a) for a in amounts), style=style)
    render.console.print(table)


def emit_statement(statement: Statement, fmt: StatementFormat, output: Path | None) -> None:
    if fmt is StatementFormat.table:
        print_statement(statement)
        return
    if fmt is StatementFormat.json:
        render.print_json(statement_json(statement))
        return
    if output is None:
        raise InvalidInput(f"--format {fmt.value} necesita --output ARCHIVO")
    cooperative = load_billing_settings().cooperative.name
    if fmt is StatementFormat.csv:
        write_statement_csv(statement, output)
    elif fmt is StatementFormat.xlsx:
        write_statement_xlsx(statement, output, cooperative)
    else:
        write_statement_pdf(statement, output, cooperative)
    render.console.print(f"{statement.title} escrito en {output}")


def diario_json(entries: Iterable[DiarioEntry]) -> dict[str, Any]:
    rows = [
        {
            "fiscal_year": e.fiscal_year,
            "number": e.number,
            "date": e.effective_date.isoformat(),
            "description": e.description,
            "reference": e.reference,
            "rule": e.rule,
            "lines": [
                {"account": ln.account, "name": ln.name, "debit": str(ln.debit), "credit": str(ln.credit)}
                for ln in e.lines
            ],
        }
        for e in entries
    ]
    return {"entries": rows, "totals": {"entries": len(rows)}}


def diario_csv(entries: Iterable[DiarioEntry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["ejercicio", "numero", "fecha", "referencia", "descripcion", "cuenta", "nombre", "debe", "haber"]
    )
    for e in entries:
        for ln in e.lines:
            writer.writerow(
                [
                    e.fiscal_year,
                    e.number,
                    e.effective_date.isoformat(),
                    e.reference,
                    e.description,
                    ln.account,
                    ln.name,
                    str(ln.debit),
                    str(ln.credit),
                ]
            )
    return buffer.getvalue()


def print_diario(entries: Iterable[DiarioEntry], title: str) -> None:
    render.console.print(title)
    for e in entries:
        render.console.print(
            f"[bold]N° {e.number}[/bold]  {e.effective_date:%d/%m/%Y}  {e.description}  (ref. {e.reference})"
        )
        for ln in e.lines:
            indent = "" if ln.debit else "        "
            amount = ln.debit or ln.credit
            side = "D" if ln.debit else "H"
            render.console.print(
                f"    {indent}{ln.account:<12} {ln.name[:48]:<48} {side} {format_ar(amount):>16}"
            )


def emit_book(entries: list[DiarioEntry], fmt: BookFormat, output: Path | None, title: str) -> None:
    if fmt is BookFormat.json:
        render.print_json(diario_json(entries))
    elif fmt is BookFormat.csv:
        text = diario_csv(entries)
        if output is None:
            print(text, end="")
        else:
            output.write_text(text, encoding="utf-8")
            render.console.print(f"{title} escrito en {output}")
    else:
        print_diario(entries, title)


def register(report_app: typer.Typer, opened: Opener) -> None:
    @report_app.command("balance-sheet")
    def balance_sheet_cmd(
        as_of: Annotated[str, typer.Option("--as-of", help="Fecha AAAA-MM-DD")],
        as_known_at: KnownOpt = "",
        compare: CompareOpt = True,
        fmt: StatementFormatOpt = StatementFormat.table,
        output: OutputOpt = None,
    ) -> None:
        """Estado de situación patrimonial a una fecha, con el año anterior al lado."""
        day, known = parse_day(as_of, "--as-of"), parse_known_at(as_known_at)
        with opened() as asiento, asiento.read() as conn:
            statement = build_balance_sheet(conn, day, compare=compare, as_known_at=known)
        emit_statement(statement, fmt, output)

    @report_app.command("income-statement")
    def income_statement_cmd(
        date_from: Annotated[str, typer.Option("--from", help="Desde AAAA-MM-DD")],
        date_to: Annotated[str, typer.Option("--to", help="Hasta AAAA-MM-DD")],
        as_known_at: KnownOpt = "",
        compare: CompareOpt = True,
        fmt: StatementFormatOpt = StatementFormat.table,
        output: OutputOpt = None,
    ) -> None:
        """Estado de resultados de un período, con el mismo período del año anterior."""
        start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
        known = parse_known_at(as_known_at)
        with opened() as asiento, asiento.read() as conn:
            statement = build_income_statement(conn, start, end, compare=compare, as_known_at=known)
        emit_statement(statement, fmt, output)

    @report_app.command("diario")
    def diario_cmd(
        date_from: Annotated[str, typer.Option("--from", help="Desde AAAA-MM-DD")],
        date_to: Annotated[str, typer.Option("--to", help="Hasta AAAA-MM-DD")],
        as_known_at: KnownOpt = "",
        detail: Annotated[bool, typer.Option("--detail", help="Sin resúmenes: todos los asientos")] = False,
        fmt: BookFormatOpt = BookFormat.table,
        output: OutputOpt = None,
    ) -> None:
        """Libro Diario: numeración correlativa por ejercicio, con resúmenes diarios de los subdiarios."""
        start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
        summarized = frozenset() if detail else summarized_events(load_subledgers())
        with opened() as asiento, asiento.read() as conn:
            entries = list(diario(conn, start, end, summarized, parse_known_at(as_known_at)))
        emit_book(entries, fmt, output, f"Libro Diario del {start:%d/%m/%Y} al {end:%d/%m/%Y}")

    @report_app.command("subdiario")
    def subdiario_cmd(
        name: Annotated[str, typer.Argument(help="ventas, cobranzas (ledger_rules/data/books.toml)")],
        date_from: Annotated[str, typer.Option("--from", help="Desde AAAA-MM-DD")],
        date_to: Annotated[str, typer.Option("--to", help="Hasta AAAA-MM-DD")],
        as_known_at: KnownOpt = "",
        fmt: BookFormatOpt = BookFormat.table,
        output: OutputOpt = None,
    ) -> None:
        """Subdiario (de Ventas, de Cobranzas): el detalle de lo que el Diario resume."""
        books = load_subledgers()
        if name not in books:
            raise NotFound(f"El subdiario {name!r} no existe; hay: {', '.join(sorted(books))}")
        start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
        with opened() as asiento, asiento.read() as conn:
            rows = subledger_entries(conn, books[name].events, start, end, parse_known_at(as_known_at))
            entries = [
                DiarioEntry(
                    r.fiscal_year,
                    r.number,
                    r.effective_date,
                    r.description,
                    f"{r.fiscal_year}/{r.number}",
                    r.rule,
                    [_line(ln) for ln in r.lines],
                )
                for r in rows
            ]
        emit_book(entries, fmt, output, f"{books[name].title} del {start:%d/%m/%Y} al {end:%d/%m/%Y}")


def _line(line: JournalLineRow) -> DiarioLine:
    return DiarioLine(line.account_code, line.account_name, line.debit, line.credit)
