"""``asiento serve`` and ``asiento user add|list|role|password|disable``."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Annotated

import typer

from api import render
from api.bootstrap import Asiento
from api.cli_support import Opened
from api.web.staff_accounts import StaffAccounts
from domain.errors import InvalidInput
from domain.permissions import ROLES

# One demo user per role; the passwords are printed by ``asiento demo`` (a demo, not production).
DEMO_USERS = (
    ("admin", "Ada Administradora", "administrator"),
    ("contador", "Carlos Contador", "accountant"),
    ("facturacion", "Fabiana Facturación", "billing_clerk"),
    ("cajero", "Camilo Cajero", "cashier"),
    ("gestor", "Gabriela Gestora", "collections_agent"),
    ("supervisor", "Sergio Supervisor", "collections_supervisor"),
    ("coordinador", "Cora Coordinadora", "coordinator"),
    ("administracion", "Andrés Administración", "back_office"),
    ("tecnico", "Tomás Técnico", "technician"),
    ("auditor", "Aurora Auditora", "auditor"),
)


ROLES_HELP = "Rol; repetible: " + ", ".join(ROLES)


def demo_password(username: str) -> str:
    return f"{username}-demo-2026"


def ensure_demo_users(asiento: Asiento, recorded_by: str) -> list[tuple[str, str, str]]:
    """Adds the demo users that are missing; returns (user, password, role name) for every one."""
    accounts = StaffAccounts(asiento.app)
    existing = accounts.directory().users
    for username, full_name, role in DEMO_USERS:
        if username not in existing:
            accounts.add(username, full_name, [role], demo_password(username), recorded_by=recorded_by)
    return [(u, demo_password(u), ROLES[role].name) for u, _, role in DEMO_USERS]


def print_demo_users(users: list[tuple[str, str, str]]) -> None:
    render.console.print("Usuarios de demostración (usuario / contraseña / rol):")
    for username, password, role in users:
        render.console.print(f"  {username:<16} {password:<26} {role}")


def _password(given: str | None) -> str:
    if given:
        return given
    first = getpass.getpass("Contraseña: ")
    if getpass.getpass("Repita la contraseña: ") != first:
        raise InvalidInput("Las contraseñas no coinciden")
    return first


def register(app: typer.Typer, opened: Opened, acting_user: Callable[[], str]) -> None:
    user_app = typer.Typer(help="Usuarios del personal y sus roles.", no_args_is_help=True)
    app.add_typer(user_app, name="user")

    @user_app.command("add")
    def user_add(
        username: str,
        full_name: Annotated[str, typer.Option("--name", help="Nombre y apellido")],
        role: Annotated[list[str], typer.Option(help=ROLES_HELP)],
        password: Annotated[
            str | None, typer.Option(help="Contraseña (si falta, se pide sin mostrarla)")
        ] = None,
    ) -> None:
        """Crea un usuario (contraseña guardada con argon2)."""
        secret = _password(password)
        with opened(catch_up=False) as asiento:
            user = StaffAccounts(asiento.app).add(
                username, full_name, role, secret, recorded_by=acting_user()
            )
        render.console.print(f"Usuario {user.username} creado: {user.role_names()}.")

    @user_app.command("list")
    def user_list() -> None:
        """Lista los usuarios con sus roles."""
        with opened(catch_up=False) as asiento:
            users = StaffAccounts(asiento.app).directory().users
        for user in sorted(users.values(), key=lambda u: u.username):
            state = "" if user.active else " (deshabilitado)"
            render.console.print(f"{user.username:<16} {user.full_name:<30} {user.role_names()}{state}")
        render.console.print(f"{len(users)} usuarios.")

    @user_app.command("role")
    def user_role(username: str, role: Annotated[list[str], typer.Option(help=ROLES_HELP)]) -> None:
        """Reemplaza los roles de un usuario."""
        with opened(catch_up=False) as asiento:
            user = StaffAccounts(asiento.app).set_roles(username, role, recorded_by=acting_user())
        render.console.print(f"Usuario {user.username}: {user.role_names()}.")

    @user_app.command("password")
    def user_password(username: str, password: Annotated[str | None, typer.Option()] = None) -> None:
        """Cambia la contraseña (cierra las sesiones y tokens anteriores)."""
        secret = _password(password)
        with opened(catch_up=False) as asiento:
            StaffAccounts(asiento.app).change_password(username, secret, recorded_by=acting_user())
        render.console.print(f"Contraseña de {username} cambiada.")

    @user_app.command("disable")
    def user_disable(username: str) -> None:
        """Deshabilita un usuario: no puede ingresar ni usar sus tokens."""
        with opened(catch_up=False) as asiento:
            StaffAccounts(asiento.app).set_active(username, False, recorded_by=acting_user())
        render.console.print(f"Usuario {username} deshabilitado.")

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Dirección donde escuchar")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Puerto")] = 8000,
    ) -> None:
        """Sirve la aplicación web del personal y la API (/api/v1, documentación en /docs)."""
        import uvicorn

        from api.web.app import create_app

        with opened() as asiento:
            asiento.runner.catch_up()
            web = create_app(asiento)
            if web.state.context.settings.generated_secret:
                render.console.print(
                    "Sin ASIENTO_SECRET_KEY: las sesiones terminan al reiniciar el servidor."
                )
            render.console.print(f"Asiento en http://{host}:{port}/ (API en http://{host}:{port}/docs)")
            uvicorn.run(web, host=host, port=port, log_level="warning")
