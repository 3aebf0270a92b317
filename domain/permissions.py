"""Roles and the actions each may perform (data, not code paths).

Every HTTP route names one permission; a user may act when any of their roles
grants it. The auditor holds only ``*.read`` permissions, so it can never write.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import InvalidInput


class Permission(StrEnum):
    members_read = "members.read"
    members_write = "members.write"
    supplies_write = "supplies.write"
    readings_write = "readings.write"
    billing_read = "billing.read"
    billing_run = "billing.run"
    cash_read = "cash.read"
    cash_operate = "cash.operate"
    cash_annul = "cash.annul"
    collections_read = "collections.read"
    collections_import = "collections.import"
    treasury_read = "treasury.read"
    treasury_write = "treasury.write"
    accounting_read = "accounting.read"
    accounting_write = "accounting.write"
    events_read = "events.read"
    users_read = "users.read"
    users_manage = "users.manage"

    @property
    def read_only(self) -> bool:
        return self.value.endswith(".read")


P = Permission
_READ_ALL = frozenset(p for p in Permission if p.read_only)
_DESK = frozenset({P.members_read, P.billing_read, P.cash_read})


@dataclass(frozen=True)
class Role:
    code: str
    name: str  # as staff read it
    permissions: frozenset[Permission]


ROLES: dict[str, Role] = {
    role.code: role
    for role in (
        Role("administrator", "Administrador", frozenset(Permission)),
        Role(
            "accountant",
            "Contador",
            _READ_ALL | {P.accounting_write, P.treasury_write, P.collections_import},
        ),
        Role(
            "billing_clerk",
            "Facturación",
            _DESK | {P.members_write, P.supplies_write, P.readings_write, P.billing_run, P.events_read},
        ),
        Role("cashier", "Cajero", _DESK | {P.cash_operate}),
        Role("collections_agent", "Gestor de cobranzas", _DESK | {P.collections_read}),
        Role(
            "collections_supervisor",
            "Supervisor de cobranzas",
            _DESK | {P.collections_read, P.collections_import, P.cash_annul, P.events_read},
        ),
        Role(
            "coordinator",
            "Coordinador",
            (_READ_ALL - {P.users_read}) | {P.members_write, P.supplies_write, P.readings_write},
        ),
        Role("back_office", "Administración comercial", _DESK | {P.members_write, P.supplies_write}),
        Role("technician", "Técnico", frozenset({P.members_read, P.supplies_write, P.readings_write})),
        Role("auditor", "Auditor (solo lectura)", _READ_ALL),
    )
}


def check_roles(roles: list[str]) -> tuple[str, ...]:
    """Known role codes, without repeats, in the order given; at least one."""
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise InvalidInput(f"Rol desconocido {', '.join(unknown)}: use {', '.join(ROLES)}")
    if not roles:
        raise InvalidInput("Indique al menos un rol")
    return tuple(dict.fromkeys(roles))


def permissions_of(roles: tuple[str, ...]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLES[role].permissions
    return frozenset(granted)
