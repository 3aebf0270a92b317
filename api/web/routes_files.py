"""Files in and out: tariff tables, reading routes, AFIP CAE, bank reconciliation, automatic debit."""

from __future__ import annotations

import csv
import tempfile
from dataclasses import astuple
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Response, UploadFile
from fastapi import Path as PathParam

from adapters.bank_statements import read_bank_statement
from adapters.reading_files import FileFormat, RouteRow, write_route_file
from api.cli_support import parse_uuid
from api.debit_service import export_debit_request, import_debit_result
from api.web.deps import BillingRun, CollectionsImport, Context, ReadingsWrite, TreasuryWrite
from api.web.reports import check_range
from api.web.schemas import (
    BankStatementLinePublic,
    BookLinePublic,
    CaeCreate,
    CaePublic,
    DebitFileCreate,
    DebitResultPublic,
    MatchPublic,
    ReconciliationPublic,
    TariffPublic,
)
from api.web.uploads import uploaded
from domain.errors import InvalidInput, NotFound
from domain.invoicing import Invoice
from domain.meter_readings import check_period
from domain.reconciliation import BookLine, StatementLine, reconcile
from projections import queries
from projections.billing_queries import shift_period
from projections.route_queries import route_stops

router = APIRouter(prefix="/api/v1")
ROUTE_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=iso-8859-1",  # fixed width, as the collectors' devices read it
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Period = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="AAAA-MM")]


def _utf8(path: Path) -> None:
    """Uploaded text files are UTF-8: anything else is the client's mistake, told in Spanish."""
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"El archivo {path.name} no está en UTF-8; no se tomó nada") from None


# -- tariff tables --------------------------------------------------------------------------------
@router.post("/tariffs", tags=["servicios"], status_code=201)
def publish_tariff(context: Context, file: UploadFile, actor: BillingRun) -> TariffPublic:
    """Publica un cuadro tarifario (TOML, como ``asiento tariff load``); un archivo con errores no se toma."""
    with uploaded(file) as path:
        _utf8(path)

        def publish() -> tuple[str, date]:
            try:
                return context.asiento.app.publish_tariff(path, recorded_by=actor.username)
            except NotFound as exc:  # the file names a service that is not defined: the file is wrong
                raise InvalidInput(f"{path.name}: {exc.message}") from None

        service, valid_from = context.command(publish)
        return TariffPublic(service=service, valid_from=valid_from, source_name=path.name)


# -- reading routes -------------------------------------------------------------------------------
@router.get(
    "/readings/routes/{route}",
    tags=["lecturas"],
    responses={200: {"content": {t: {} for t in ROUTE_MEDIA_TYPES.values()}}},
)
def reading_route(
    context: Context,
    route: Annotated[str, PathParam(min_length=1, max_length=32)],
    _: ReadingsWrite,
    period: Period | None = None,
    file_format: Annotated[Literal["csv", "txt", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """La ruta de lectura para el lector (como ``asiento reading route``): cada suministro medido
    conectado en orden de recorrido, con su última lectura anterior al período (por omisión, el mes en curso).
    """
    wanted = period or f"{date.today():%Y-%m}"
    check_period(wanted)
    with context.asiento.read() as conn:
        stops = route_stops(conn, before_period=shift_period(wanted, 1), route=route).get(route, [])
    rows = [RouteRow(*astuple(stop)) for stop in stops]
    if not rows:
        raise NotFound(f"La ruta {route} no tiene suministros medidos conectados")
    with tempfile.TemporaryDirectory(prefix="asiento-ruta-") as folder:
        path = Path(folder) / f"ruta.{file_format}"
        content = write_route_file(path, rows, FileFormat(file_format)).read_bytes()
    safe = "".join(c for c in route if (c.isascii() and c.isalnum()) or c in "-_") or "ruta"  # a header
    name = f"ruta-{safe}-{wanted}.{file_format}"
    return Response(
        content,
        media_type=ROUTE_MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# -- AFIP CAE -----------------------------------------------------------------------------------------
@router.post("/invoices/{invoice_id}/cae", tags=["facturación"])
def record_cae(context: Context, invoice_id: str, body: CaeCreate, actor: BillingRun) -> CaePublic:
    """Registra el CAE que AFIP otorgó a una factura y su vencimiento; una factura con CAE no admite otro."""
    found = parse_uuid(invoice_id, "Factura")
    if not isinstance(context.asiento.app._load(found, "La factura"), Invoice):
        raise NotFound(f"La factura {found.hex} no existe")
    context.command(
        lambda: context.asiento.app.record_cae(found, body.cae, body.cae_due, recorded_by=actor.username)
    )
    invoice: Invoice = context.asiento.app._load(found, "La factura")
    assert invoice.cae is not None and invoice.cae_due is not None
    return CaePublic(invoice_id=found.hex, cae=invoice.cae, cae_due=invoice.cae_due)


# -- bank reconciliation ------------------------------------------------------------------------------
def _statement_line(s: StatementLine) -> BankStatementLinePublic:
    return BankStatementLinePublic(
        line=s.line, day=s.day, description=s.description, amount=s.amount, reference=s.reference
    )


def _book_line(b: BookLine) -> BookLinePublic:
    return BookLinePublic(
        entry=b.entry, day=b.day, description=b.description, amount=b.amount, reference=b.reference
    )


@router.post("/treasury/reconciliations", tags=["tesorería"])
def reconcile_statement(
    context: Context,
    file: UploadFile,
    account: Annotated[
        str, Form(min_length=1, max_length=32, description="Cuenta bancaria, p. ej. 1.1.01.10")
    ],
    date_from: Annotated[date, Form()],
    date_to: Annotated[date, Form()],
    _: TreasuryWrite,
) -> ReconciliationPublic:
    """Concilia el extracto del banco (CSV ``fecha;descripcion;importe;referencia``) con el diario.

    No registra nada: devuelve lo conciliado y las partidas sin contrapartida de cada lado.
    Como todo POST, es de quien opera la tesorería (el auditor solo lee).
    """
    check_range(date_from, date_to)
    with uploaded(file) as path:
        _utf8(path)
        try:
            lines = read_bank_statement(path)
        except (csv.Error, ArithmeticError) as exc:  # a malformed row, an amount like "sNaN"
            raise InvalidInput(
                f"El extracto {path.name} no es un CSV válido ({exc}); no se tomó nada"
            ) from None
    with context.asiento.read() as conn:
        queries.get_account(conn, account)
        result = reconcile(lines, queries.bank_book_lines(conn, account, date_from, date_to))
        book = queries.ledger(conn, account, date_from, date_to).closing_balance
    return ReconciliationPublic(
        account=account,
        date_from=date_from,
        date_to=date_to,
        matched=[MatchPublic(statement=_statement_line(s), book=_book_line(b)) for s, b in result.matched],
        statement_only=[_statement_line(s) for s in result.statement_only],
        books_only=[_book_line(b) for b in result.books_only],
        statement_only_total=result.statement_only_total,
        books_only_total=result.books_only_total,
        book_balance=book,
        expected_bank_balance=book + result.statement_only_total - result.books_only_total,
    )


# -- automatic debit ----------------------------------------------------------------------------------
@router.post(
    "/debit-files",
    tags=["cobranzas"],
    responses={200: {"content": {"text/plain": {}}}},
)
def export_debit_file(context: Context, body: DebitFileCreate, _: CollectionsImport) -> Response:
    """El archivo de débitos del período para el banco (como ``asiento debit export``).

    Cada documento abierto de cada asociado adherido. No registra nada; la respuesta del banco
    se importa en POST /debit-files/results.
    """
    check_period(body.period)
    with tempfile.TemporaryDirectory(prefix="asiento-debito-") as folder:
        path = Path(folder) / "debitos.txt"
        report = context.command(
            lambda: export_debit_request(
                context.asiento, body.period, body.file_number, path, body.file_date or date.today()
            )
        )
        content = path.read_bytes()
    name = f"debitos-{body.period}-{body.file_number:06d}.txt"
    return Response(
        content,
        media_type="text/plain; charset=iso-8859-1",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Debit-Orders": str(report.orders),
        },
    )


@router.post("/debit-files/results", tags=["cobranzas"], status_code=201)
def import_debit_file(context: Context, file: UploadFile, actor: CollectionsImport) -> DebitResultPublic:
    """La respuesta del banco (como ``asiento debit import``): lo debitado se cobra, lo rechazado queda
    abierto con el motivo del banco. El mismo archivo dos veces es un conflicto: nada se registra dos veces.
    """
    with uploaded(file) as path:
        report = context.command(
            lambda: import_debit_result(context.asiento, path, recorded_by=actor.username)
        )
        name = path.name
    return DebitResultPublic(
        file_name=name,
        orders=report.orders,
        debited=report.debited,
        rejected=report.rejected,
        debited_amount=report.debited_amount,
    )
