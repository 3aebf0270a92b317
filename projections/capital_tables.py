"""Read models of member capital and surplus distributions. Money in integer cents."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, Index, Integer, String, Table

from projections.tables import metadata

# Associates and non-associate customers (the members table predates the distinction).
capital_members = Table(
    "capital_members",
    metadata,
    Column("number", String(10), primary_key=True),
    Column("aggregate_id", String(32), nullable=False, unique=True),
    Column("associate", Boolean, nullable=False),
)

# Every change of a member's capital, dated: the Registro de Asociados sums them.
# Signed deltas: a transfer out or a reimbursement request subtracts.
capital_movements = Table(
    "capital_movements",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("member_number", String(10), nullable=False),
    Column("effective_date", Date, nullable=False),
    # subscription, integration, billed (cuota capital), transfer, reimbursement, retorno
    Column("kind", String(16), nullable=False),
    Column("subscribed_cents", BigInteger, nullable=False),
    Column("integrated_cents", BigInteger, nullable=False),
    Column("transferred_cents", BigInteger, nullable=False),
    Column("counterpart", String(10)),  # the other member of a transfer
    Column("reference", String(100), nullable=False),  # board minute, invoice, year
    Index("ix_capital_movements_member", "member_number", "effective_date"),
)

surplus_distributions = Table(
    "surplus_distributions",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("assembly_date", Date, nullable=False),
    Column("assembly_minute", String(100), nullable=False),
    Column("retorno_to", String(10), nullable=False),
    Column("result_cents", BigInteger, nullable=False),
    Column("special_reserve_cents", BigInteger, nullable=False),
    Column("prior_losses_cents", BigInteger, nullable=False),
    Column("loss_offset_cents", BigInteger, nullable=False),
    Column("legal_reserve_cents", BigInteger, nullable=False),
    Column("assistance_fund_cents", BigInteger, nullable=False),
    Column("education_fund_cents", BigInteger, nullable=False),
    Column("interest_rate_percent", String(12), nullable=False),
    Column("interest_total_cents", BigInteger, nullable=False),
    Column("retorno_total_cents", BigInteger, nullable=False),
)

surplus_shares = Table(
    "surplus_shares",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("member_number", String(10), primary_key=True),
    Column("operations_cents", BigInteger, nullable=False),
    Column("capital_cents", BigInteger, nullable=False),
    Column("interest_cents", BigInteger, nullable=False),
    Column("retorno_cents", BigInteger, nullable=False),
)
