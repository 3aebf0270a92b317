"""``asiento export beancount|hledger``: the journal of a period as independent books.

Wired by ``api.cli`` with ``register(export_app, opened)``. The read models are
brought up to date before reading; the file is written beside the target and
renamed at the end, so a failed export never leaves half a file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Annotated, TextIO

import typer
from sqlalchemy import Connection

from adapters.beancount import ExportSummary, export_beancount, export_hledger
from api import render
from api.bootstrap import Asiento

Exporter = Callable[[Connection, TextIO, date | None, date | None], ExportSummary]
Opener = Callable[..., AbstractContextManager[Asiento]]

OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="Archivo a escribir")]
FromOpt = Annotated[str | None, typer.Option("--from", help="Desde AAAA-MM-DD (abre con saldos)")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Hasta AAAA-MM-DD (cierra con aserciones)")]


def register(export_app: typer.Typer, opened: Opener) -> None:
    @export_app.command("beancount")
    def beancount(output: OutputOpt, date_from: FromOpt = None, date_to: ToOpt = None) -> None:
        """Libro diario como libros de Beancount v3 (verificables con bean-check)."""
        run_export(opened, export_beancount, output, date_from, date_to)

    @export_app.command("hledger")
    def hledger(output: OutputOpt, date_from: FromOpt = None, date_to: ToOpt = None) -> None:
        """Libro diario como diario de hledger (con aserciones de saldo)."""
        run_export(opened, export_hledger, output, date_from, date_to)


def run_export(
    opened: Opener, exporter: Exporter, output: Path, date_from: str | None, date_to: str | None
) -> ExportSummary:
    from api.cli_support import parse_day

    start = parse_day(date_from, "--from") if date_from else None
    end = parse_day(date_to, "--to") if date_to else None
    partial = output.with_name(f".{output.name}.partial")
    with opened(catch_up=False) as asiento:
        asiento.runner.catch_up()
        with asiento.read() as conn:
            try:
                with partial.open("w", encoding="utf-8", newline="\n") as out:
                    summary = exporter(conn, out, start, end)
                os.replace(partial, output)
            finally:
                partial.unlink(missing_ok=True)
    render.console.print(describe(summary, output), markup=False, highlight=False, soft_wrap=True)
    return summary


def describe(summary: ExportSummary, output: Path) -> str:
    period = "sin asientos"
    if summary.date_to:
        start = summary.date_from.isoformat() if summary.date_from else "el inicio"
        period = f"desde {start} hasta {summary.date_to.isoformat()}"
    return f"Exportados {summary.entries} asientos y {summary.accounts} cuentas ({period}) a {output}."
