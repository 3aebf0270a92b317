"""Billing runs (started in the background, watched by polling), held bills, bill PDFs."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import func, select

from api.bill_print import print_member_bills
from api.billing_run import BillingRun
from api.cli_support import parse_uuid
from api.web.context import Job, WebContext
from api.web.deps import BillingRead, Context, Paging
from api.web.deps import BillingRun as BillingRunner
from api.web.schemas import BillingRunCreate, JobPublic
from domain.errors import NotFound
from domain.members import normalize_member_number
from domain.meter_readings import check_period
from domain.staff import StaffUser
from projections.commercial_tables import held_bills, supplies

router = APIRouter(prefix="/api/v1")


def job_public(job: Job) -> JobPublic:
    return JobPublic(
        id=job.id.hex,
        kind=job.kind,
        state=job.state,
        started_by=job.started_by,
        total=job.total,
        done=job.done,
        result=job.result,
        error=job.error,
    )


def start_billing_run(context: WebContext, body: BillingRunCreate, actor: StaffUser) -> Job:
    """Checks the request now (a bad period is a 422, not a failed job), then bills in the background."""
    run = BillingRun(
        context.asiento,
        period=body.period,
        issue_date=body.issue_date or date.today(),
        recorded_by=actor.username,
        service=body.service,
        zone=body.zone,
    )
    with context.asiento.read() as conn:
        members = conn.execute(select(func.count(func.distinct(supplies.c.member_number)))).scalar() or 0

    def work(job: Job) -> None:
        def advance(members_done: int) -> None:
            job.done += members_done

        report = run.run(progress=advance)
        job.result = {
            "period": report.period,
            "invoices": report.invoices,
            "documents": report.documents,
            "held": report.held,
            "estimated": report.estimated,
            "total": str(report.total),
            "skipped": len(report.skipped),
        }

    return context.start_job("billing_run", actor.username, int(members), work)


@router.post("/billing-runs", tags=["facturación"], status_code=202)
def launch(context: Context, body: BillingRunCreate, actor: BillingRunner) -> JobPublic:
    """Factura el período (idempotente: no factura dos veces); el avance en GET /billing-runs/{id}."""
    return job_public(start_billing_run(context, body, actor))


@router.get("/billing-runs/{run_id}", tags=["facturación"])
def progress(context: Context, run_id: str, _: BillingRead) -> JobPublic:
    job = context.jobs.get(parse_uuid(run_id, "Corrida"))
    if job is None or job.kind != "billing_run":
        raise NotFound(f"La corrida de facturación {run_id} no existe (o el servidor se reinició)")
    return job_public(job)


@router.get("/billing/held", tags=["facturación"])
def held(
    context: Context, _: BillingRead, page: Paging, period: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")]
) -> list[dict[str, object]]:
    """Facturas retenidas por la Ley 24.240 art. 31 en el período."""
    check_period(period)
    h = held_bills.c
    with context.asiento.read() as conn:
        rows = conn.execute(
            select(h.supply_number, h.member_number, h.reason, h.released)
            .where(h.period == period)
            .order_by(h.supply_number)
            .limit(page.limit)
            .offset(page.offset)
        ).mappings()
        return [dict(r) for r in rows]


def bill_pdf(context: WebContext, member: str, period: str, sequence: int) -> bytes:
    check_period(period)
    with tempfile.TemporaryDirectory(prefix="asiento-pdf-") as folder:
        paths = print_member_bills(context.asiento, normalize_member_number(member), period, Path(folder))
        if not 1 <= sequence <= len(paths):
            raise NotFound(f"El asociado {member} no tiene la factura {sequence} del período {period}")
        return paths[sequence - 1].read_bytes()


@router.get(
    "/members/{number}/bills/{period}/pdf",
    tags=["facturación"],
    responses={200: {"content": {"application/pdf": {}}}},
)
def bill(
    context: Context,
    number: str,
    period: str,
    _: BillingRead,
    sequence: Annotated[int, Query(ge=1, le=99)] = 1,
) -> Response:
    content = bill_pdf(context, number, period, sequence)
    filename = f"factura-{normalize_member_number(number)}-{period}-{sequence}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
