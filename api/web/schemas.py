"""API schemas: what goes over the wire, separate from the domain. Money is a decimal string."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from domain.money import from_cents

T = TypeVar("T")
Text = Field(min_length=1, max_length=200)


class Listing(BaseModel, Generic[T]):
    data: list[T]
    count: int = Field(description="Cuántos hay en total con estos filtros")
    limit: int
    offset: int


class ErrorPublic(BaseModel):
    error: str
    message: str


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: int


class UserPublic(BaseModel):
    username: str
    full_name: str
    roles: list[str]
    permissions: list[str] = []
    active: bool


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    full_name: str = Text
    roles: list[str] = Field(min_length=1, max_length=10)
    password: str = Field(min_length=1, max_length=256)


class RolesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: list[str] = Field(min_length=1, max_length=10)


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=1, max_length=10)
    name: str = Text
    document_type: str = Field(min_length=1, max_length=8, description="CUIT, CUIL o DNI")
    document_number: str = Field(min_length=1, max_length=20)
    vat_condition: str = Field(min_length=1, max_length=4, description="RI, MT, MS, EX, CF o NC")
    address: str = Text
    admission_date: date | None = None
    email: str | None = Field(default=None, max_length=200)
    phones: list[str] = Field(default=[], max_length=5)


class MemberSummary(BaseModel):
    number: str
    name: str
    document_type: str
    document_number: str
    address: str


class MemberPublic(MemberSummary):
    vat_condition: str
    email: str | None
    admission_date: date
    exit_date: date | None
    shares_subscribed: Decimal
    shares_integrated: Decimal
    credit: Decimal
    debit_cbu: str | None


class SupplyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=1, max_length=20)
    member_number: str = Field(min_length=1, max_length=10)
    service: str = Field(min_length=1, max_length=32)
    category: str = Field(min_length=1, max_length=40)
    address: str = Text
    zone: str = Field(default="", max_length=20)
    reading_route: str = Field(default="", max_length=20)
    effective_date: date | None = None


class SupplyConnect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    effective_date: date | None = None
    meter: str | None = Field(default=None, max_length=30)
    digits: int = Field(default=5, ge=3, le=9)
    multiplier: Decimal = Field(default=Decimal(1), gt=0, le=100_000)
    initial: Decimal = Field(default=Decimal(0), ge=0, le=10**9)


class SupplyStateChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: str = Field(description="cut, in_legal_action o terminated")
    reason: str = Text
    effective_date: date | None = None


class SupplyPublic(BaseModel):
    number: str
    member_number: str
    service: str
    category: str
    address: str
    zone: str
    state: str
    state_name: str
    state_since: date
    meter_serial: str | None


class ServicePublic(BaseModel):
    code: str
    name: str
    pricing: str
    unit: str | None


class DocumentPublic(BaseModel):
    document_id: str
    label: str
    kind: str
    supply_number: str | None
    service: str | None
    issue_date: date
    due_date: date
    total: Decimal
    paid: Decimal
    balance: Decimal

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> DocumentPublic:
        total, paid = from_cents(row["total_cents"]), from_cents(row["paid_cents"])
        return cls(
            **{
                k: row[k]
                for k in (
                    "document_id",
                    "label",
                    "kind",
                    "supply_number",
                    "service",
                    "issue_date",
                    "due_date",
                )
            },
            total=total,
            paid=paid,
            balance=total - paid,
        )


class StatementLinePublic(BaseModel):
    document_id: str
    label: str
    supply_number: str | None
    service: str | None
    issue_date: date
    due_date: date
    total: Decimal
    paid: Decimal
    balance: Decimal
    days_overdue: int


class StatementPublic(BaseModel):
    member_number: str
    member_name: str
    as_of: date
    debt: Decimal
    credit: Decimal
    ageing: dict[str, Decimal]
    debt_by_service: dict[str, Decimal]
    lines: list[StatementLinePublic]


class ReadingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    supply_number: str = Field(min_length=1, max_length=20)
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    value: Decimal = Field(ge=0, le=10**9)
    reading_date: date | None = None
    estimated: bool = False


class ReadingPublic(BaseModel):
    supply_number: str
    period: str
    value: Decimal
    consumption_units: Decimal
    held_reason: str | None


class ReadingAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Text


class ImportResult(BaseModel):
    recorded: int
    held_for_review: int
    unread_supplies: list[str]


class BillingRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    service: str | None = Field(default=None, max_length=32)
    zone: str | None = Field(default=None, max_length=20)
    issue_date: date | None = None


class JobPublic(BaseModel):
    id: str
    kind: str
    state: str
    started_by: str
    total: int
    done: int
    result: dict[str, Any]
    error: str | None


class CashSessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    desk: str = Field(min_length=1, max_length=20)
    opening_float: Decimal = Field(default=Decimal(0), ge=0, le=10**10)
    effective_date: date | None = None


class CashSessionClose(BaseModel):
    model_config = ConfigDict(extra="forbid")
    counted: dict[str, Decimal] = Field(description='Contado por medio de pago, p. ej. {"cash": "1500.00"}')
    effective_date: date | None = None


class CashSessionPublic(BaseModel):
    session_id: str
    desk: str
    cashier: str
    session_date: date
    opening_float: Decimal
    closed: bool
    expected: dict[str, Decimal]


class InstrumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(min_length=1, max_length=24)
    amount: Decimal = Field(gt=0, le=10**10)
    reference: str = Field(default="", max_length=80)


class ReceiptCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_number: str | None = Field(default=None, max_length=10)
    barcode: str | None = Field(default=None, max_length=80, description="Código de barras escaneado")
    instruments: list[InstrumentIn] = Field(min_length=1, max_length=20)
    session_id: str | None = Field(default=None, max_length=36)
    effective_date: date | None = None


class AllocationPublic(BaseModel):
    label: str
    amount: Decimal


class ReceiptPublic(BaseModel):
    receipt_id: str
    member_number: str
    total: Decimal
    credit_left: Decimal
    annulled: bool
    allocations: list[AllocationPublic]


class ReceiptAnnul(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Text
    effective_date: date | None = None


class CollectionImportPublic(BaseModel):
    summary: dict[str, Any]


class TreasuryMovementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(min_length=1, max_length=32)
    from_account: str = Field(min_length=1, max_length=32)
    to_account: str = Field(min_length=1, max_length=32)
    amount: Decimal = Field(gt=0, le=10**12)
    reference: str = Field(min_length=1, max_length=80)
    effective_date: date | None = None


class TreasuryMovementPublic(BaseModel):
    movement_id: str
    kind: str
    amount: Decimal


class AccountPublic(BaseModel):
    code: str
    name: str
    account_type: str
    parent_code: str | None
    header: bool
    is_open: bool


class BalanceRowPublic(BaseModel):
    code: str
    name: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


class TrialBalancePublic(BaseModel):
    as_of: date
    rows: list[BalanceRowPublic]
    total_debit: Decimal
    total_credit: Decimal


class EventPublic(BaseModel):
    version: int
    name: str
    recorded_at: str
    recorded_by: str | None
    data: dict[str, Any]


# -- chart of accounts, reversals, audit trail ----------------------------------------------------
class AccountCreate(BaseModel):
    """As ``asiento account add``: a code of dot-separated digits, its type, and optionally its parent."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=32, description="Dígitos separados por puntos, p. ej. 5.2.09")
    name: str = Field(min_length=1, max_length=200)
    account_type: Literal["asset", "liability", "equity", "revenue", "expense"]
    parent_code: str | None = Field(default=None, min_length=1, max_length=32, description="Cuenta madre")
    normal_balance: Literal["debit", "credit"] | None = Field(
        default=None, description="Por omisión, el del tipo de cuenta"
    )
    header: bool = Field(default=False, description="De agrupación (no imputable)")


class EntryReversalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    effective_date: date
    description: str | None = Field(
        default=None, min_length=1, max_length=200, description="Por omisión «Reversión de: …»"
    )


class JournalLinePublic(BaseModel):
    account: str
    debit: Decimal
    credit: Decimal


class JournalEntryPublic(BaseModel):
    entry_id: str
    entry: str = Field(description="AÑO/NÚMERO en el diario")
    effective_date: date
    description: str
    kind: str
    recorded_by: str
    reverses: str | None = Field(description="El asiento que revierte (AÑO/NÚMERO)")
    lines: list[JournalLinePublic]


class TracedEntryPublic(BaseModel):
    entry: str
    date: date
    description: str
    event_position: int
    event: str
    rule: str
    recorded_by: str
    recorded_at: str
    aggregate: str
    lines: list[JournalLinePublic]
    facts: dict[str, Any]


class EntryTracePublic(BaseModel):
    entries: list[TracedEntryPublic]


class AccountTracePublic(BaseModel):
    account: str
    as_of: date
    balance: Decimal
    entries: list[TracedEntryPublic]
    shown: int = Field(description="Asientos mostrados (los últimos, hasta shown_last)")
    shown_last: int


class ChainVerificationPublic(BaseModel):
    intact: bool
    events_checked: int
    broken_at: int | None = Field(description="Posición del primer evento alterado, si lo hay")
    reason: str | None


# -- files: tariffs, reading routes, CAE, reconciliation, automatic debit ----------------------------
class TariffPublic(BaseModel):
    service: str
    valid_from: date
    source_name: str


class CaeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cae: str = Field(pattern=r"^\d{14}$", description="CAE de 14 dígitos otorgado por AFIP")
    cae_due: date = Field(description="Vencimiento del CAE")


class CaePublic(BaseModel):
    invoice_id: str
    cae: str
    cae_due: date


class BankStatementLinePublic(BaseModel):
    line: int
    day: date
    description: str
    amount: Decimal
    reference: str


class BookLinePublic(BaseModel):
    entry: str
    day: date
    description: str
    amount: Decimal
    reference: str


class MatchPublic(BaseModel):
    statement: BankStatementLinePublic
    book: BookLinePublic


class ReconciliationPublic(BaseModel):
    account: str
    date_from: date
    date_to: date
    matched: list[MatchPublic]
    statement_only: list[BankStatementLinePublic]
    books_only: list[BookLinePublic]
    statement_only_total: Decimal
    books_only_total: Decimal
    book_balance: Decimal = Field(description="Saldo según el diario al cierre del período")
    expected_bank_balance: Decimal = Field(description="Saldo que debería mostrar el banco")


class DebitFileCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: str = Field(pattern=r"^\d{4}-\d{2}$", description="AAAA-MM")
    file_number: int = Field(ge=1, le=999_999, description="Número de archivo para el banco")
    file_date: date | None = Field(default=None, description="Fecha del archivo (hoy)")


class DebitResultPublic(BaseModel):
    file_name: str
    orders: int
    debited: int
    rejected: int
    debited_amount: Decimal
