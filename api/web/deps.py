"""Dependencies shared by the routes: the context, the acting user, permission checks, paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.web.context import WebContext
from api.web.security import API_KIND, SESSION_KIND, password_fingerprint
from domain.permissions import Permission, permissions_of
from domain.staff import StaffUser

SESSION_COOKIE = "asiento_sesion"
MAX_PAGE = 500
bearer = HTTPBearer(auto_error=False, description="Token de `POST /api/v1/auth/token`")


def get_context(request: Request) -> WebContext:
    context: WebContext = request.app.state.context
    return context


Context = Annotated[WebContext, Depends(get_context)]


def user_from_token(context: WebContext, token: str, kind: str) -> StaffUser | None:
    claims = context.signer.read(token, kind)
    if claims is None:
        return None
    user = context.staff.active_user(claims.username)
    if user is None or password_fingerprint(user) != claims.fingerprint:
        return None
    return user


def api_user(
    context: Context, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> StaffUser:
    user = user_from_token(context, credentials.credentials, API_KIND) if credentials else None
    if user is None:
        raise HTTPException(
            401,
            detail="Falta un token válido: pida uno en POST /api/v1/auth/token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


ApiUser = Annotated[StaffUser, Depends(api_user)]


def check_permission(user: StaffUser, permission: Permission) -> None:
    if permission not in permissions_of(user.roles):
        raise HTTPException(
            403, detail=f"El usuario {user.username} no tiene permiso para {permission.value}"
        )


def allowed(permission: Permission) -> Callable[[StaffUser], StaffUser]:
    """A dependency: the API user, if one of their roles grants ``permission``."""

    def dependency(user: ApiUser) -> StaffUser:
        check_permission(user, permission)
        return user

    return dependency


def session_user(context: WebContext, request: Request) -> StaffUser | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    return user_from_token(context, token, SESSION_KIND) if token else None


class Page:
    """Explicit paging: every list says how many it returns at most."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Hasta {MAX_PAGE}")] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset


Paging = Annotated[Page, Depends()]


def _acting(permission: Permission) -> Any:
    return Depends(allowed(permission))


# The acting user, once a role of theirs grants the named permission (else 401/403).
MembersRead = Annotated[StaffUser, _acting(Permission.members_read)]
MembersWrite = Annotated[StaffUser, _acting(Permission.members_write)]
SuppliesWrite = Annotated[StaffUser, _acting(Permission.supplies_write)]
ReadingsWrite = Annotated[StaffUser, _acting(Permission.readings_write)]
BillingRead = Annotated[StaffUser, _acting(Permission.billing_read)]
BillingRun = Annotated[StaffUser, _acting(Permission.billing_run)]
CashRead = Annotated[StaffUser, _acting(Permission.cash_read)]
CashOperate = Annotated[StaffUser, _acting(Permission.cash_operate)]
CashAnnul = Annotated[StaffUser, _acting(Permission.cash_annul)]
CollectionsRead = Annotated[StaffUser, _acting(Permission.collections_read)]
CollectionsImport = Annotated[StaffUser, _acting(Permission.collections_import)]
TreasuryRead = Annotated[StaffUser, _acting(Permission.treasury_read)]
TreasuryWrite = Annotated[StaffUser, _acting(Permission.treasury_write)]
AccountingRead = Annotated[StaffUser, _acting(Permission.accounting_read)]
AccountingWrite = Annotated[StaffUser, _acting(Permission.accounting_write)]
EventsRead = Annotated[StaffUser, _acting(Permission.events_read)]
UsersRead = Annotated[StaffUser, _acting(Permission.users_read)]
UsersManage = Annotated[StaffUser, _acting(Permission.users_manage)]
