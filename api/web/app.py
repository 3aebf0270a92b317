"""The FastAPI application: JSON API under /api/v1, the staff UI everywhere else.

``create_app`` takes an opened store, so tests wire a temporary database here
and ``asiento serve`` the configured one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.bootstrap import Asiento
from api.web import (
    routes_accounting,
    routes_auth,
    routes_billing,
    routes_capital,
    routes_cash,
    routes_commands,
    routes_files,
    routes_ledger,
    routes_members,
    routes_more,
    ui,
)
from api.web.context import WebContext, WebSettings
from api.web.deps import Context, session_user, user_from_token
from api.web.errors import error_body, status_for, validation_message
from api.web.security import API_KIND, LoginThrottle
from domain.errors import DomainError

STATIC = Path(__file__).parent / "static"
OPENAPI_PATH = "/api/v1/openapi.json"
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_input",
    429: "too_many_attempts",
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def install_error_handlers(app: FastAPI) -> None:
    """One mapping (``status_for``); the API answers JSON, the UI a Spanish page."""

    async def domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        if _is_api(request):
            return JSONResponse(error_body(exc.code, exc.message), status_code=status_for(exc))
        return ui.error_page(request, exc.message, status_for(exc))

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if _is_api(request):
            return JSONResponse(error_body("invalid_input", validation_message(exc)), status_code=422)
        return ui.error_page(request, validation_message(exc), 422)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if _is_api(request) or exc.status_code == 405:
            body = error_body(HTTP_CODES.get(exc.status_code, "error"), str(exc.detail))
            return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
        return ui.error_page(request, str(exc.detail), exc.status_code)

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(ui.LoginRequired, ui.to_login)


def create_app(
    asiento: Asiento,
    settings: WebSettings | None = None,
    *,
    hasher: PasswordHasher | None = None,
    throttle: LoginThrottle | None = None,
) -> FastAPI:
    app = FastAPI(
        title="Asiento",
        description="API de gestión contable y comercial para cooperativas de servicios.",
        version="1",
        docs_url=None,  # served below, behind authentication like every other page
        redoc_url=None,
        openapi_url=None,
        responses=_common_responses(),
    )
    app.state.context = WebContext(asiento, settings or WebSettings.from_env(), hasher, throttle)
    for module in (
        routes_auth,
        routes_members,
        routes_billing,
        routes_cash,
        routes_accounting,
        routes_more,
        routes_commands,
        routes_capital,
        routes_ledger,
        routes_files,
    ):
        app.include_router(module.router)
    app.include_router(ui.router)
    install_docs(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_handlers(app)
    app.middleware("http")(security_headers)
    return app


# Inline style attributes draw the consumption bars; scripts come only from /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


async def security_headers(request: Request, call_next: Any) -> Response:
    response: Response = await call_next(request)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.url.path != "/docs":  # Swagger UI loads its script and styles from its CDN
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def install_docs(app: FastAPI) -> None:
    """OpenAPI for a token or a staff session; the interactive docs for a staff session."""

    @app.get(OPENAPI_PATH, include_in_schema=False)
    def openapi(request: Request, context: Context) -> JSONResponse:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        user = user_from_token(context, token, API_KIND) if token else session_user(context, request)
        if user is None:
            raise HTTPException(
                401,
                detail="Falta un token válido: pida uno en POST /api/v1/auth/token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def docs(user: ui.Staff) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=OPENAPI_PATH, title="Asiento — API")


def _common_responses() -> dict[int | str, dict[str, Any]]:
    from api.web.schemas import ErrorPublic

    return {code: {"model": ErrorPublic} for code in (401, 403, 404, 409, 422)}
