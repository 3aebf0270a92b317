"""The one mapping from domain errors to HTTP statuses, for the API and the UI alike."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from domain.errors import Conflict, DomainError, InvalidInput, NotFound

STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
)


def status_for(error: DomainError) -> int:
    for kind, status in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 422  # any other refusal is about what was asked, not about the server


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": code, "message": message}


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "solicitud"


def validation_message(exc: RequestValidationError) -> str:
    """Spanish, one line per field: which field and why."""
    problems = [f"{_field(tuple(e.get('loc', ())))}: {e.get('msg', 'inválido')}" for e in exc.errors()]
    return "Datos inválidos — " + "; ".join(problems)


def install_api_error_handlers(app: FastAPI) -> None:
    async def domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return JSONResponse(error_body(exc.code, exc.message), status_code=status_for(exc))

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse(error_body("invalid_input", validation_message(exc)), status_code=422)

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
