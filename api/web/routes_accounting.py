"""Chart of accounts, journal and reports (JSON, or CSV/XLSX/PDF downloads)."""

from __future__ import annotations

from datetime import date
from itertools import islice
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from adapters.report_files import MEDIA_TYPES, WRITERS, ReportTable
from api.statements import build_balance_sheet, build_income_statement
from api.web.context import WebContext
from api.web.deps import AccountingRead, CashRead, Context, Paging
from api.web.reports import (
    ReportName,
    cash_closing_table,
    check_range,
    diario_table,
    journal_table,
    ledger_table,
    member_register_table,
    statement_table,
    trial_balance_table,
)
from api.web.schemas import AccountPublic, BalanceRowPublic, TrialBalancePublic
from domain.errors import InvalidInput
from projections import queries

router = APIRouter(prefix="/api/v1")
Day = Annotated[date | None, Query()]


@router.get("/accounts", tags=["contabilidad"])
def accounts(context: Context, _: AccountingRead) -> list[AccountPublic]:
    with context.asiento.read() as conn:
        rows = queries.list_accounts(conn)
    return [
        AccountPublic(
            code=a.code,
            name=a.name,
            account_type=a.account_type,
            parent_code=a.parent_code,
            header=a.header,
            is_open=a.is_open,
        )
        for a in rows
    ]


@router.get("/accounts/{code}", tags=["contabilidad"])
def account(context: Context, code: str, _: AccountingRead) -> AccountPublic:
    with context.asiento.read() as conn:
        a = queries.get_account(conn, code)
    return AccountPublic(
        code=a.code,
        name=a.name,
        account_type=a.account_type,
        parent_code=a.parent_code,
        header=a.header,
        is_open=a.is_open,
    )


@router.get("/journal", tags=["contabilidad"])
def journal(
    context: Context,
    _: AccountingRead,
    page: Paging,
    date_from: Annotated[date, Query(alias="from")],
    date_to: Annotated[date, Query(alias="to")],
) -> list[dict[str, Any]]:
    """Asientos del período en orden, con sus líneas."""
    check_range(date_from, date_to)
    with context.asiento.read() as conn:
        entries = list(
            islice(queries.iter_journal(conn, date_from, date_to), page.offset, page.offset + page.limit)
        )
    return [
        {
            "entry": f"{e.fiscal_year}/{e.number}",
            "effective_date": e.effective_date.isoformat(),
            "description": e.description,
            "rule": e.rule,
            "recorded_by": e.recorded_by,
            "lines": [
                {"account": ln.account_code, "debit": str(ln.debit), "credit": str(ln.credit)}
                for ln in e.lines
            ],
        }
        for e in entries
    ]


@router.get("/reports/trial-balance", tags=["informes"])
def trial_balance(context: Context, _: AccountingRead, as_of: Day = None) -> TrialBalancePublic:
    with context.asiento.read() as conn:
        tb = queries.trial_balance(conn, as_of or date.today())
    return TrialBalancePublic(
        as_of=tb.as_of,
        total_debit=tb.total_debit,
        total_credit=tb.total_credit,
        rows=[
            BalanceRowPublic(code=r.code, name=r.name, debit=r.debit, credit=r.credit, balance=r.balance)
            for r in tb.rows
        ],
    )


def report_table(
    context: WebContext,
    name: ReportName,
    as_of: date | None,
    date_from: date | None,
    date_to: date | None,
    account: str | None,
) -> ReportTable:
    today = date.today()
    start, end = date_from or today.replace(month=1, day=1), date_to or today
    with context.asiento.read() as conn:
        if name is ReportName.trial_balance:
            return trial_balance_table(conn, as_of or today)
        if name is ReportName.cash_closing:
            return cash_closing_table(conn, as_of or today)
        if name is ReportName.balance_sheet:
            return statement_table(build_balance_sheet(conn, as_of or today))
        if name is ReportName.member_register:
            return member_register_table(conn, as_of or today)
        check_range(start, end)
        if name is ReportName.journal:
            return journal_table(conn, start, end)
        if name is ReportName.income_statement:
            return statement_table(build_income_statement(conn, start, end))
        if name is ReportName.diario:
            return diario_table(conn, start, end)
        if not account:
            raise InvalidInput("account: indique la cuenta del mayor")
        return ledger_table(conn, account, start, end)


@router.get("/reports/{name}/table", tags=["informes"])
def report_json(
    context: Context,
    name: ReportName,
    _: AccountingRead,
    as_of: Day = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    account: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    """Cualquier informe como tabla: título, columnas y filas (importes como texto decimal)."""
    table = report_table(context, name, as_of, date_from, date_to, account)
    return {
        "title": table.title,
        "columns": list(table.columns),
        "rows": [[None if c is None else str(c) for c in row] for row in table.rows],
    }


@router.get(
    "/reports/{name}/download",
    tags=["informes"],
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}},
)
def report_download(
    context: Context,
    name: ReportName,
    _: AccountingRead,
    file_format: Annotated[Literal["csv", "xlsx", "pdf"], Query(alias="format")] = "csv",
    as_of: Day = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    account: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    table = report_table(context, name, as_of, date_from, date_to, account)
    return Response(
        WRITERS[file_format](table),
        media_type=MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name.value}.{file_format}"'},
    )


@router.get("/reports/cash-closing", tags=["informes"])
def cash_closing_json(context: Context, _: CashRead, as_of: Day = None) -> dict[str, Any]:
    return report_json(context, ReportName.cash_closing, _, as_of)
