"""Health, API tokens and staff users."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from api.web.deps import ApiUser, Context, UsersManage, UsersRead
from api.web.schemas import RolesUpdate, TokenCreate, TokenPublic, UserCreate, UserPublic
from api.web.security import API_KIND
from domain.permissions import permissions_of
from domain.staff import StaffUser

router = APIRouter(prefix="/api/v1")


def user_public(user: StaffUser) -> UserPublic:
    return UserPublic(
        username=user.username,
        full_name=user.full_name,
        roles=list(user.roles),
        permissions=sorted(p.value for p in permissions_of(user.roles)),
        active=user.active,
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "desconocido"


def login(context: Context, request: Request, username: str, password: str) -> StaffUser:
    """Check a password under the throttle; refuses with 429 once too many attempts failed."""
    keys = (f"user:{username.strip().lower()}", f"ip:{client_address(request)}")
    if context.throttle.blocked(*keys):
        raise HTTPException(429, detail="Demasiados intentos fallidos: espere unos minutos")
    user = context.staff.authenticate(username, password)
    if user is None:
        context.throttle.failed(*keys)
        raise HTTPException(401, detail="Usuario o contraseña incorrectos")
    context.throttle.succeeded(*keys)
    return user


@router.get("/health", tags=["sistema"])
def health(context: Context) -> dict[str, str]:
    """Sin autenticación: el servidor responde y la base está accesible."""
    with context.asiento.read() as conn:
        conn.exec_driver_sql("SELECT 1")
    return {"status": "ok"}


@router.post("/auth/token", tags=["sistema"], responses={401: {}, 429: {}})
def issue_token(context: Context, request: Request, body: TokenCreate) -> TokenPublic:
    user = login(context, request, body.username, body.password)
    token, expires_at = context.signer.issue(user, API_KIND, context.settings.api_token_lifetime_s)
    return TokenPublic(access_token=token, expires_at=expires_at)


@router.get("/me", tags=["sistema"])
def me(user: ApiUser) -> UserPublic:
    return user_public(user)


@router.get("/users", tags=["usuarios"])
def list_users(context: Context, _: UsersRead) -> list[UserPublic]:
    directory = context.staff.directory()
    return [user_public(user) for user in sorted(directory.users.values(), key=lambda u: u.username)]


@router.post("/users", tags=["usuarios"], status_code=201)
def add_user(context: Context, body: UserCreate, actor: UsersManage) -> UserPublic:
    user = context.command(
        lambda: context.staff.add(
            body.username, body.full_name, body.roles, body.password, recorded_by=actor.username
        )
    )
    return user_public(user)


@router.put("/users/{username}/roles", tags=["usuarios"])
def set_roles(
    context: Context,
    username: str,
    body: RolesUpdate,
    actor: UsersManage,
) -> UserPublic:
    user = context.command(lambda: context.staff.set_roles(username, body.roles, recorded_by=actor.username))
    return user_public(user)
