"""The staff web UI (Spanish), server-rendered: pages work without JavaScript.

Sessions are signed HttpOnly cookies (SameSite=Lax); every form that changes
something carries a CSRF token bound to the session, checked before anything runs.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from adapters.report_files import MEDIA_TYPES, WRITERS
from api.cli_support import parse_decimal, parse_uuid
from api.readings_service import ReadingsService
from api.web import page_data
from api.web.context import WebContext
from api.web.deps import SESSION_COOKIE, check_permission, get_context, session_user
from api.web.history import aggregate_history, member_history
from api.web.idempotency import id_for_key
from api.web.reports import REPORT_TITLES, ReportName
from api.web.routes_accounting import report_table
from api.web.routes_auth import login
from api.web.routes_billing import bill_pdf, job_public, start_billing_run
from api.web.routes_cash import collect, receipt_public
from api.web.schemas import BillingRunCreate, InstrumentIn, ReceiptCreate
from api.web.security import SESSION_KIND
from api.web.uploads import uploaded
from domain.cash_desk import INSTRUMENTS, Receipt
from domain.members import normalize_member_number
from domain.money import format_ar
from domain.permissions import Permission as P
from domain.permissions import permissions_of
from domain.readings import ReadingInput
from domain.staff import StaffUser

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["money"] = lambda v: format_ar(Decimal(str(v))) if v is not None else ""
templates.env.filters["day"] = lambda d: d.strftime("%d/%m/%Y") if d else ""
LOGIN_CSRF_COOKIE = "asiento_login_csrf"


class LoginRequired(Exception):
    def __init__(self, path: str) -> None:
        self.path = path


async def to_login(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"/login?next={exc.path}", status_code=303)


def staff(request: Request, context: Annotated[WebContext, Depends(get_context)]) -> StaffUser:
    user = session_user(context, request)
    if user is None:
        raise LoginRequired(request.url.path)
    request.state.user = user
    return user


Staff = Annotated[StaffUser, Depends(staff)]
Ctx = Annotated[WebContext, Depends(get_context)]


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    user: StaffUser | None = getattr(request.state, "user", None)
    token = request.cookies.get(SESSION_COOKIE, "")
    context: WebContext = request.app.state.context
    values |= {
        "user": user,
        "can": permissions_of(user.roles) if user else frozenset(),
        "P": P,
        "csrf": context.signer.csrf_token(token) if user else "",
    }
    return templates.TemplateResponse(request, template, values, status_code=status_code)


def error_page(request: Request, message: str, status_code: int) -> HTMLResponse:
    return render(request, "error.html", status_code, message=message, status=status_code)


def checked_form(request: Request, context: WebContext, csrf: str, permission: P, user: StaffUser) -> None:
    """Before any form changes anything: the token matches this session and the role allows it."""
    if not context.signer.check_csrf(request.cookies.get(SESSION_COOKIE, ""), csrf):
        raise HTTPException(403, detail="El formulario venció o no es de esta sesión: recargue la página")
    check_permission(user, permission)


Csrf = Annotated[str, Form(alias="csrf")]


THOUSANDS_ONLY = re.compile(r"^\d{1,3}(\.\d{3})+$")


def staff_amount(text: str, field: str) -> Decimal:
    """As staff type it in es-AR: ``1.234,56``, ``1234,56`` or ``1.500`` (fifteen hundred); a plain
    ``1234.56`` is read with a decimal point, as a scanner or a pasted figure writes it."""
    cleaned = text.strip().replace("$", "").replace(" ", "")
    if "," in cleaned or THOUSANDS_ONLY.match(cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")
    return parse_decimal(cleaned, field)


# -- login -------------------------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    nonce = secrets.token_urlsafe(24)
    response = render(request, "login.html", next=_local(next), login_csrf=nonce)
    response.set_cookie(LOGIN_CSRF_COOKIE, nonce, httponly=True, samesite="strict", max_age=3600)
    return response


LOCAL_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9/_.=?&%-]*$")


def _local(path: str) -> str:
    """Only paths of this site: a crafted link cannot send staff elsewhere after logging in
    (``//host`` and ``/\\host`` are other sites to a browser)."""
    return path if LOCAL_PATH.match(path) else "/"


@router.post("/login")
def login_submit(
    request: Request,
    context: Ctx,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    login_csrf: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, login_csrf):
        return login_page(request, next)
    try:
        user = login(context, request, username, password)
    except HTTPException as exc:
        nonce = secrets.token_urlsafe(24)
        response = render(
            request,
            "login.html",
            exc.status_code,
            next=_local(next),
            login_csrf=nonce,
            message=exc.detail,
            username=username,
        )
        response.set_cookie(LOGIN_CSRF_COOKIE, nonce, httponly=True, samesite="strict", max_age=3600)
        return response
    token, _ = context.signer.issue(user, SESSION_KIND, context.settings.session_lifetime_s)
    redirect = RedirectResponse(_local(next), status_code=303)
    redirect.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=context.settings.secure_cookies,
        max_age=context.settings.session_lifetime_s,
    )
    redirect.delete_cookie(LOGIN_CSRF_COOKIE)
    return redirect


@router.post("/logout")
def logout(request: Request, context: Ctx, user: Staff, csrf: Csrf) -> Response:
    checked_form(request, context, csrf, P.members_read, user)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# -- members -------------------------------------------------------------------------------------------
@router.get("/")
def home(user: Staff) -> Response:
    return RedirectResponse("/socios", status_code=303)


@router.get("/socios")
def search(
    request: Request, context: Ctx, user: Staff, q: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    check_permission(user, P.members_read)
    found, count = page_data.search(context, q)
    if q and count == 1:
        return RedirectResponse(f"/socios/{found[0]['number']}", status_code=303)
    return render(request, "search.html", q=q, found=found, count=count)


@router.get("/socios/{number}")
def member_page(request: Request, context: Ctx, number: str, user: Staff) -> Response:
    check_permission(user, P.members_read)
    return render(request, "member.html", **page_data.member_360(context, normalize_member_number(number)))


@router.get("/socios/{number}/historial")
def member_events(request: Request, context: Ctx, number: str, user: Staff) -> Response:
    check_permission(user, P.events_read)
    key = normalize_member_number(number)
    events = member_history(context.asiento, key, 500, 0)
    return render(request, "history.html", title=f"Historial del asociado {key}", events=events)


@router.get("/documentos/{aggregate_id}/historial")
def document_events(request: Request, context: Ctx, aggregate_id: str, user: Staff) -> Response:
    check_permission(user, P.events_read)
    events = aggregate_history(context.asiento, parse_uuid(aggregate_id, "Documento"), 500, 0)
    return render(request, "history.html", title=f"Historial del documento {aggregate_id}", events=events)


@router.get("/socios/{number}/facturas/{period}/pdf")
def member_bill(context: Ctx, number: str, period: str, user: Staff, sequence: int = 1) -> Response:
    check_permission(user, P.billing_read)
    return Response(bill_pdf(context, number, period, sequence), media_type="application/pdf")


# -- readings --------------------------------------------------------------------------------------------
@router.get("/lecturas")
def readings_page(
    request: Request,
    context: Ctx,
    user: Staff,
    period: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")] = "",
    message: str = "",
) -> Response:
    check_permission(user, P.members_read)
    shown = period or f"{date.today():%Y-%m}"
    return render(
        request, "readings.html", period=shown, held=page_data.held(context, shown), message=message
    )


@router.post("/lecturas/registrar")
def reading_record(
    request: Request,
    context: Ctx,
    user: Staff,
    csrf: Csrf,
    supply: Annotated[str, Form(max_length=20)],
    value: Annotated[str, Form(max_length=20)],
    period: Annotated[str, Form(pattern=r"^\d{4}-\d{2}$")],
) -> Response:
    checked_form(request, context, csrf, P.readings_write, user)
    reading = ReadingInput(
        supply.strip().upper(), date.today(), staff_amount(value, "lectura"), False, "manual"
    )
    service = ReadingsService(context.asiento, recorded_by=user.username)
    recorded = context.command(lambda: service.record_one(reading, period))
    note = f" — retenida: {recorded.held_reason}" if recorded.held_reason else ""
    text = f"Lectura de {reading.supply_number}: consumo {recorded.consumption_units.normalize():f}{note}"
    return RedirectResponse(f"/lecturas?period={period}&message={text}", status_code=303)


@router.post("/lecturas/importar")
def reading_import(
    request: Request,
    context: Ctx,
    user: Staff,
    csrf: Csrf,
    file: UploadFile,
    period: Annotated[str, Form(pattern=r"^\d{4}-\d{2}$")],
) -> Response:
    checked_form(request, context, csrf, P.readings_write, user)
    service = ReadingsService(context.asiento, recorded_by=user.username)
    with uploaded(file) as path:
        checked, unread = context.command(lambda: service.import_file(path, period))
    held = sum(1 for c in checked if c.held_for_review)
    text = f"{len(checked)} lecturas registradas ({held} retenidas); {len(unread)} sin leer"
    return RedirectResponse(f"/lecturas?period={period}&message={text}", status_code=303)


@router.post("/lecturas/aceptar")
def reading_accept(
    request: Request,
    context: Ctx,
    user: Staff,
    csrf: Csrf,
    supply: Annotated[str, Form(max_length=20)],
    period: Annotated[str, Form(pattern=r"^\d{4}-\d{2}$")],
    note: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    checked_form(request, context, csrf, P.readings_write, user)

    def accept() -> None:
        reading = context.asiento.app.meter_reading(supply, period)
        reading.accept(note, recorded_by=user.username)
        context.asiento.app.save(reading)

    context.command(accept)
    return RedirectResponse(
        f"/lecturas?period={period}&message=Lectura de {supply} aceptada", status_code=303
    )


# -- billing -----------------------------------------------------------------------------------------------
@router.get("/facturacion")
def billing_page(request: Request, user: Staff) -> Response:
    check_permission(user, P.billing_read)
    return render(request, "billing.html", period=f"{date.today():%Y-%m}")


@router.post("/facturacion")
def billing_launch(
    request: Request,
    context: Ctx,
    user: Staff,
    csrf: Csrf,
    period: Annotated[str, Form(pattern=r"^\d{4}-\d{2}$")],
    issue_date: Annotated[date | None, Form()] = None,
) -> Response:
    checked_form(request, context, csrf, P.billing_run, user)
    job = start_billing_run(context, BillingRunCreate(period=period, issue_date=issue_date), user)
    return RedirectResponse(f"/facturacion/{job.id.hex}", status_code=303)


@router.get("/facturacion/{run_id}")
def billing_progress(request: Request, context: Ctx, run_id: str, user: Staff) -> Response:
    check_permission(user, P.billing_read)
    job = context.jobs.get(parse_uuid(run_id, "Corrida"))
    if job is None:
        raise HTTPException(404, detail="La corrida no existe (o el servidor se reinició)")
    return render(request, "billing_job.html", job=job_public(job))


# -- cash desk ------------------------------------------------------------------------------------
@router.get("/caja")
def cash_page(request: Request, context: Ctx, user: Staff, member: str = "") -> Response:
    check_permission(user, P.cash_read)
    session = page_data.open_session_of(context, user.username)
    statement = page_data.statement_or_none(context, member) if member else None
    return render(
        request, "cash.html", session=session, member=member, statement=statement, instruments=INSTRUMENTS
    )


@router.post("/caja/abrir")
def cash_open(
    request: Request,
    context: Ctx,
    user: Staff,
    csrf: Csrf,
    desk: Annotated[str, Form(max_length=20)],
    opening_float: Annotated[str, Form(max_length=20)] = "0",
) -> Response:
    checked_form(request, context, csrf, P.cash_operate, user)
    context.command(
        lambda: context.asiento.app.open_cash_session(
            desk=desk,
            cashier=user.username,
            effective_date=date.today(),
            opening_float=opening_float,
            recorded_by=user.username,
        )
    )
    return RedirectResponse("/caja", status_code=303)


@router.post("/caja/cobrar")
def cash_collect(
    request: Request,
    context: Ctx,
    user: Staff,
    csrf: Csrf,
    session_id: Annotated[str, Form(max_length=36)],
    amount: Annotated[str, Form(max_length=20)],
    kind: Annotated[str, Form(max_length=24)] = "cash",
    code: Annotated[str, Form(max_length=80)] = "",
    reference: Annotated[str, Form(max_length=80)] = "",
    request_key: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """``code`` is a member number typed, or a bill's barcode scanned (a scanner types digits + Enter)."""
    checked_form(request, context, csrf, P.cash_operate, user)
    text = code.strip()
    is_barcode = len(text) > 10 and text.isdigit()
    body = ReceiptCreate(
        member_number=None if is_barcode else text,
        barcode=text if is_barcode else None,
        instruments=[InstrumentIn(kind=kind, amount=staff_amount(amount, "importe"), reference=reference)],
        session_id=session_id,
    )
    receipt = collect(context, body, user, id_for_key("receipt", user.username, request_key or None))
    return RedirectResponse(f"/caja/recibos/{receipt.id.hex}", status_code=303)


@router.get("/caja/recibos/{receipt_id}")
def receipt_page(request: Request, context: Ctx, receipt_id: str, user: Staff) -> Response:
    check_permission(user, P.cash_read)
    receipt = context.asiento.app._load(parse_uuid(receipt_id, "Recibo"), "El recibo")
    if not isinstance(receipt, Receipt):
        raise HTTPException(404, detail=f"El recibo {receipt_id} no existe")
    statement = page_data.statement_or_none(context, receipt.member_number)
    return render(
        request,
        "receipt.html",
        receipt=receipt_public(receipt),
        statement=statement,
        day=receipt.effective_date,
        instruments=INSTRUMENTS,
        raw=receipt,
    )


@router.post("/caja/cerrar")
async def cash_close(request: Request, context: Ctx, user: Staff) -> Response:
    """The count per instrument (``count_<kind>``): the cash difference is posted as surplus or shortage."""
    form = await request.form()
    checked_form(request, context, str(form.get("csrf", "")), P.cash_operate, user)
    session_id = parse_uuid(str(form.get("session_id", "")), "Sesión")
    counted = {
        kind: str(form[f"count_{kind}"]).strip()
        for kind in INSTRUMENTS
        if str(form.get(f"count_{kind}", "")).strip()
    }
    closed = await run_in_threadpool(
        context.command,
        lambda: context.asiento.app.close_cash_session(
            session_id, counted, date.today(), recorded_by=user.username
        ),
    )
    return render(request, "cash_closed.html", session=closed, counted=counted, instruments=INSTRUMENTS)


# -- reports ----------------------------------------------------------------------------------------
@router.get("/informes")
def reports_page(
    request: Request,
    context: Ctx,
    user: Staff,
    name: ReportName = ReportName.trial_balance,
    as_of: Annotated[date | None, Query()] = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    account: Annotated[str | None, Query()] = None,
) -> Response:
    check_permission(user, P.accounting_read)
    table = report_table(context, name, as_of, date_from, date_to, account or None)
    query = str(request.url.query)
    return render(
        request,
        "reports.html",
        table=table,
        name=name,
        names=list(ReportName),
        titles=REPORT_TITLES,
        query=query,
        as_of=as_of,
        date_from=date_from,
        date_to=date_to,
        account=account or "",
    )


@router.get("/informes/descargar")
def report_download(
    request: Request,
    context: Ctx,
    user: Staff,
    name: ReportName = ReportName.trial_balance,
    file_format: Annotated[str, Query(alias="format", pattern="^(csv|xlsx|pdf)$")] = "csv",
    as_of: Annotated[date | None, Query()] = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    account: Annotated[str | None, Query()] = None,
) -> Response:
    check_permission(user, P.accounting_read)
    table = report_table(context, name, as_of, date_from, date_to, account or None)
    return Response(
        WRITERS[file_format](table),
        media_type=MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name.value}.{file_format}"'},
    )
