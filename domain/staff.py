"""Staff users and their roles: one event-sourced directory for the whole cooperative.

A cooperative has tens of staff users, so the directory is a single aggregate
(like the chart of accounts): logging in loads one aggregate by a known id and
needs no read model. Passwords arrive here already hashed (argon2, in
``api/``): the domain never sees a clear-text password nor does any I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidInput, NotFound
from domain.identity import stable_id
from domain.permissions import ROLES, check_roles

DIRECTORY_ID = stable_id("staff-directory")
USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{2,31}$")
MIN_PASSWORD_CHARS = 10


@dataclass(frozen=True)
class StaffUser:
    username: str
    full_name: str
    roles: tuple[str, ...]
    password_hash: str
    active: bool = True

    def role_names(self) -> str:
        return ", ".join(ROLES[role].name for role in self.roles)


def check_password_strength(password: str) -> None:
    """Checked before hashing: the domain only ever stores the hash."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"La contraseña debe tener al menos {MIN_PASSWORD_CHARS} caracteres")
    if password.strip() != password:
        raise InvalidInput("La contraseña no puede empezar ni terminar con espacios")


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_PATTERN.match(name):
        raise InvalidInput(
            f"Usuario {username!r} inválido: de 3 a 32 letras minúsculas, dígitos, punto o guiones, "
            "empezando por una letra"
        )
    return name


class StaffDirectory(Aggregate):
    """Every staff user; commands check, events only set state."""

    @staticmethod
    def create_id() -> Any:
        return DIRECTORY_ID

    @event("Created")
    def __init__(self) -> None:
        self.users: dict[str, StaffUser] = {}

    # -- queries -----------------------------------------------------------
    def get(self, username: str) -> StaffUser:
        try:
            return self.users[username.strip().lower()]
        except KeyError:
            raise NotFound(f"El usuario {username} no existe") from None

    # -- commands ----------------------------------------------------------
    def add_user(
        self, username: str, full_name: str, roles: list[str], password_hash: str, *, recorded_by: str
    ) -> StaffUser:
        name = check_username(username)
        if name in self.users:
            raise Conflict(f"El usuario {name} ya existe")
        if not full_name.strip():
            raise InvalidInput(f"El usuario {name} necesita nombre y apellido")
        if not password_hash:
            raise InvalidInput(f"El usuario {name} necesita una contraseña")
        checked = check_roles(roles)
        self._user_added(
            username=name,
            full_name=full_name.strip(),
            roles=list(checked),
            password_hash=password_hash,
            recorded_by=recorded_by,
        )
        return self.users[name]

    def set_roles(self, username: str, roles: list[str], *, recorded_by: str) -> None:
        user = self.get(username)
        checked = check_roles(roles)
        if checked != user.roles:
            self._roles_changed(username=user.username, roles=list(checked), recorded_by=recorded_by)

    def change_password(self, username: str, password_hash: str, *, recorded_by: str) -> None:
        user = self.get(username)
        self._password_changed(username=user.username, password_hash=password_hash, recorded_by=recorded_by)

    def set_active(self, username: str, active: bool, *, recorded_by: str) -> None:
        user = self.get(username)
        if user.active != active:
            self._activity_changed(username=user.username, active=active, recorded_by=recorded_by)

    # -- events --------------------------------------------------------------
    @event("UserAdded")
    def _user_added(
        self, username: str, full_name: str, roles: list[str], password_hash: str, recorded_by: str
    ) -> None:
        self.users[username] = StaffUser(username, full_name, tuple(roles), password_hash)

    @event("UserRolesChanged")
    def _roles_changed(self, username: str, roles: list[str], recorded_by: str) -> None:
        self.users[username] = replace(self.users[username], roles=tuple(roles))

    @event("UserPasswordChanged")
    def _password_changed(self, username: str, password_hash: str, recorded_by: str) -> None:
        self.users[username] = replace(self.users[username], password_hash=password_hash)

    @event("UserActivityChanged")
    def _activity_changed(self, username: str, active: bool, recorded_by: str) -> None:
        self.users[username] = replace(self.users[username], active=active)
