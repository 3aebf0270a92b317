"""Named business failures. Messages are in Spanish: staff read them.

Every error carries the ids it concerns, so the API and the CLI can say what,
which field and why. ``assert`` is for programmer errors only.
"""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused; nothing was written."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class InvalidInput(DomainError):
    code = "invalid_input"


class InvalidAmount(InvalidInput):
    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"Importe inválido {value!r}: {reason}")
        self.value = value


class UnknownAccount(NotFound):
    def __init__(self, code: str) -> None:
        super().__init__(f"La cuenta {code} no existe en el plan de cuentas")
        self.account_code = code


class AccountClosed(Conflict):
    def __init__(self, code: str) -> None:
        super().__init__(f"La cuenta {code} está cerrada y no admite imputaciones")
        self.account_code = code


class AccountNotPostable(InvalidInput):
    def __init__(self, code: str) -> None:
        super().__init__(f"La cuenta {code} es de agrupación (no imputable)")
        self.account_code = code


class DuplicateAccount(Conflict):
    def __init__(self, code: str) -> None:
        super().__init__(f"La cuenta {code} ya existe")
        self.account_code = code


class UnbalancedEntry(InvalidInput):
    def __init__(self, debit: object, credit: object) -> None:
        super().__init__(f"El asiento no balancea: debe {debit} ≠ haber {credit}")


class NoOpenFiscalYear(Conflict):
    def __init__(self, day: object) -> None:
        super().__init__(f"No hay ejercicio abierto que contenga la fecha {day}")
        self.day = day


class PeriodClosed(Conflict):
    def __init__(self, day: object, period: str) -> None:
        super().__init__(f"El período {period} está cerrado: no se registran hechos con fecha {day}")
        self.day = day
        self.period = period


class AlreadyRecorded(Conflict):
    """An idempotency key (client-chosen id) was used before."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key} ya estaba registrado: no se registró de nuevo")
        self.key = key


class EntryAlreadyReversed(Conflict):
    def __init__(self, entry_id: object) -> None:
        super().__init__(f"El asiento {entry_id} ya fue revertido")
        self.entry_id = entry_id
