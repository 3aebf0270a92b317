"""Chart of accounts (plan de cuentas) as one event-sourced aggregate.

Accounts have a code such as ``1.1.03.01``, a Spanish name, a type, a normal
balance and a parent (the hierarchy used by reports). Group accounts
(``header``) only total their children: they take no postings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    AccountClosed,
    AccountNotPostable,
    DuplicateAccount,
    InvalidInput,
    UnknownAccount,
)
from domain.identity import stable_id

CODE_PATTERN = re.compile(r"^\d+(\.\d+)*$")


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    EXPENSE = "expense"

    @property
    def default_normal_balance(self) -> Side:
        return Side.DEBIT if self in (AccountType.ASSET, AccountType.EXPENSE) else Side.CREDIT

    @property
    def is_result(self) -> bool:
        """Revenue and expense accounts close into the result of the year."""
        return self in (AccountType.REVENUE, AccountType.EXPENSE)


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"

    @property
    def opposite(self) -> Side:
        return Side.CREDIT if self is Side.DEBIT else Side.DEBIT


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    account_type: AccountType
    normal_balance: Side
    parent_code: str | None
    header: bool
    is_open: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "account_type": self.account_type.value,
            "normal_balance": self.normal_balance.value,
            "parent_code": self.parent_code,
            "header": self.header,
            "is_open": self.is_open,
        }


CHART_ID = stable_id("chart-of-accounts")


class ChartOfAccounts(Aggregate):
    """The cooperative's single chart; commands check, events only set state."""

    @staticmethod
    def create_id() -> Any:
        return CHART_ID

    @event("Created")
    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}

    # -- queries -----------------------------------------------------------
    def get(self, code: str) -> Account:
        try:
            return self.accounts[code]
        except KeyError:
            raise UnknownAccount(code) from None

    def require_postable(self, code: str) -> Account:
        account = self.get(code)
        if not account.is_open:
            raise AccountClosed(code)
        if account.header:
            raise AccountNotPostable(code)
        return account

    # -- commands ----------------------------------------------------------
    def open_account(
        self,
        code: str,
        name: str,
        account_type: AccountType | str,
        *,
        parent_code: str | None = None,
        normal_balance: Side | str | None = None,
        header: bool = False,
        recorded_by: str = "system",
    ) -> None:
        code = code.strip()
        if not CODE_PATTERN.match(code):
            raise InvalidInput(f"Código de cuenta inválido {code!r}: use dígitos separados por puntos")
        if not name.strip():
            raise InvalidInput(f"La cuenta {code} necesita un nombre")
        if code in self.accounts:
            raise DuplicateAccount(code)
        kind = _account_type(account_type)
        side = _side(normal_balance) if normal_balance else kind.default_normal_balance
        if parent_code is not None:
            parent = self.get(parent_code)
            if not parent.header:
                raise InvalidInput(f"La cuenta madre {parent_code} de {code} no es de agrupación")
            if parent.account_type is not kind:
                raise InvalidInput(
                    f"La cuenta {code} ({kind.value}) no puede colgar de {parent_code} "
                    f"({parent.account_type.value})"
                )
        self._account_opened(
            code=code,
            name=name.strip(),
            account_type=kind.value,
            normal_balance=side.value,
            parent_code=parent_code,
            header=header,
            recorded_by=recorded_by,
        )

    def close_account(self, code: str, *, recorded_by: str = "system") -> None:
        account = self.get(code)
        if not account.is_open:
            raise AccountClosed(code)
        self._account_closed(code=code, recorded_by=recorded_by)

    # -- events --------------------------------------------------------------
    @event("AccountOpened")
    def _account_opened(
        self,
        code: str,
        name: str,
        account_type: str,
        normal_balance: str,
        parent_code: str | None,
        header: bool,
        recorded_by: str,
    ) -> None:
        self.accounts[code] = Account(
            code, name, AccountType(account_type), Side(normal_balance), parent_code, header
        )

    @event("AccountClosed")
    def _account_closed(self, code: str, recorded_by: str) -> None:
        current = self.accounts[code]
        self.accounts[code] = Account(
            current.code,
            current.name,
            current.account_type,
            current.normal_balance,
            current.parent_code,
            current.header,
            is_open=False,
        )


def _account_type(value: AccountType | str) -> AccountType:
    try:
        return AccountType(value)
    except ValueError:
        allowed = ", ".join(t.value for t in AccountType)
        raise InvalidInput(f"Tipo de cuenta inválido {value!r}: use {allowed}") from None


def _side(value: Side | str) -> Side:
    try:
        return Side(value)
    except ValueError:
        raise InvalidInput(f"Saldo normal inválido {value!r}: use debit o credit") from None
