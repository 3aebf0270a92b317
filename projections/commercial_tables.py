"""Read models of the commercial cycle. Money in integer cents, units as text decimals."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, Index, Integer, Numeric, String, Table, Text

from projections.tables import metadata

services = Table(
    "services",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("pricing", String(20), nullable=False),
    Column("unit", String(10)),
)

members = Table(
    "members",
    metadata,
    Column("number", String(10), primary_key=True),
    Column("aggregate_id", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("document_type", String(8), nullable=False),
    Column("document_number", String(20), nullable=False),
    Column("vat_condition", String(4), nullable=False),
    Column("address", String(200), nullable=False),
    Column("postal_address", String(200), nullable=False),
    Column("phones", String(200), nullable=False),
    Column("email", String(200)),
    Column("admission_date", Date, nullable=False),
    Column("board_minute", String(50)),
    Column("exit_date", Date),
    Column("exit_cause", String(200)),
    Column("shares_subscribed_cents", BigInteger, nullable=False),
    Column("shares_integrated_cents", BigInteger, nullable=False),
    Column("credit_cents", BigInteger, nullable=False),  # overpayments not yet applied
    Column("debit_cbu", String(22)),  # adhered to automatic debit
    Index("ix_members_name", "name"),
    Index("ix_members_document", "document_number"),
)

supplies = Table(
    "supplies",
    metadata,
    Column("number", String(20), primary_key=True),
    Column("aggregate_id", String(32), nullable=False, unique=True),
    Column("member_number", String(10), nullable=False),
    Column("service", String(32), nullable=False),
    Column("category", String(40), nullable=False),
    Column("address", String(200), nullable=False),
    Column("group_code", String(20), nullable=False),
    Column("zone", String(20), nullable=False),
    Column("reading_route", String(20), nullable=False),
    Column("distribution_route", String(20), nullable=False),
    Column("beneficiaries", Integer, nullable=False),
    Column("state", String(20), nullable=False),
    Column("state_since", Date, nullable=False),
    Column("meter_serial", String(30)),
    Column("meter_digits", Integer),
    Column("meter_multiplier", Numeric(12, 4)),
    Column("initial_reading", Numeric(14, 3)),
    Column("connected_on", Date),
    Index("ix_supplies_member", "member_number"),
    Index("ix_supplies_route", "reading_route"),
)

meter_changes = Table(
    "meter_changes",
    metadata,
    Column("supply_number", String(20), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("old_serial", String(30), nullable=False),
    Column("old_digits", Integer, nullable=False),
    Column("old_multiplier", Numeric(12, 4), nullable=False),
    Column("final_reading", Numeric(14, 3), nullable=False),
    Column("new_serial", String(30), nullable=False),
    Column("initial_reading", Numeric(14, 3), nullable=False),
)

readings = Table(
    "readings",
    metadata,
    Column("supply_number", String(20), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("aggregate_id", String(32), nullable=False, unique=True),
    Column("reading_date", Date, nullable=False),
    Column("value", Numeric(14, 3), nullable=False),
    Column("previous_value", Numeric(14, 3)),
    Column("previous_date", Date),
    Column("consumption_units", Numeric(14, 3), nullable=False),
    Column("rollover", Boolean, nullable=False),
    Column("estimated", Boolean, nullable=False),
    Column("held_reason", Text),
    Column("source", String(40), nullable=False),
    Column("event_position", BigInteger, nullable=False),
)

invoices = Table(
    "invoices",
    metadata,
    Column("invoice_id", String(32), primary_key=True),
    Column("supply_number", String(20), nullable=False),
    Column("member_number", String(10), nullable=False),
    Column("service", String(32), nullable=False),
    Column("category", String(40), nullable=False),
    Column("period", String(7), nullable=False),
    Column("document_type", Integer, nullable=False),
    Column("letter", String(1), nullable=False),
    Column("point_of_sale", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("second_due_date", Date),
    Column("second_due_total_cents", BigInteger),
    Column("total_cents", BigInteger, nullable=False),
    Column("consumption_units", Numeric(14, 3)),
    Column("payable_document_id", String(32)),
    Column("event_position", BigInteger, nullable=False),
    Column("cae", String(14)),
    Column("cae_due", Date),
    Index("ix_invoices_supply_period", "supply_number", "period"),
    Index("ix_invoices_member", "member_number", "issue_date"),
    Index("ix_invoices_number", "point_of_sale", "document_type", "number", unique=True),
    # a collection file's payments name documents; their invoices are found through this
    Index("ix_invoices_payable", "payable_document_id"),
)

payable_documents = Table(
    "payable_documents",
    metadata,
    Column("document_id", String(32), primary_key=True),
    Column("member_number", String(10), nullable=False),
    Column("period", String(7), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("second_due_date", Date, nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("second_due_total_cents", BigInteger, nullable=False),
    Column("barcode", String(80), nullable=False),
    Index("ix_payable_member", "member_number", "period"),
    Index("ix_payable_barcode", "barcode", unique=True),
)

held_bills = Table(
    "held_bills",
    metadata,
    Column("supply_number", String(20), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("aggregate_id", String(32), nullable=False, unique=True),
    Column("member_number", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("consumption_units", Numeric(14, 3), nullable=False),
    Column("average_units", Numeric(14, 3), nullable=False),
    Column("computed_total_cents", BigInteger, nullable=False),
    Column("released", Boolean, nullable=False),
)

# -- member current account --------------------------------------------------------------
account_documents = Table(
    "account_documents",
    metadata,
    Column("document_id", String(32), primary_key=True),
    Column("member_number", String(10), nullable=False),
    Column("supply_number", String(20)),
    Column("service", String(32)),
    Column("kind", String(20), nullable=False),  # invoice, debit_note, credit_note, ...
    Column("label", String(40), nullable=False),  # "Factura B 0001-00001234"
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("paid_cents", BigInteger, nullable=False),
    Column("event_position", BigInteger, nullable=False),
    Index("ix_account_documents_member", "member_number", "issue_date"),
)

receipts = Table(
    "receipts",
    metadata,
    Column("receipt_id", String(32), primary_key=True),
    Column("member_number", String(10), nullable=False),
    Column("session_id", String(32)),
    Column("channel", String(40), nullable=False),
    Column("receipt_date", Date, nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("credit_used_cents", BigInteger, nullable=False),
    Column("credit_left_cents", BigInteger, nullable=False),
    Column("annulled_on", Date),
    Column("annulment_reason", Text),
    Column("event_position", BigInteger, nullable=False),
    Index("ix_receipts_member", "member_number", "receipt_date"),
    Index("ix_receipts_session", "session_id"),
)

receipt_instruments = Table(
    "receipt_instruments",
    metadata,
    Column("receipt_id", String(32), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("kind", String(24), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("reference", String(80), nullable=False),
)

cash_sessions = Table(
    "cash_sessions",
    metadata,
    Column("session_id", String(32), primary_key=True),
    Column("desk", String(20), nullable=False),
    Column("cashier", String(100), nullable=False),
    Column("session_date", Date, nullable=False),
    Column("opening_float_cents", BigInteger, nullable=False),
    Column("closed_on", Date),
    Column("cash_surplus_cents", BigInteger),
    Column("cash_shortage_cents", BigInteger),
)

collections_in_suspense = Table(
    "collections_in_suspense",
    metadata,
    Column("payment_key", String(120), primary_key=True),
    Column("network", String(20), nullable=False),
    Column("payment_date", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("barcode", String(80), nullable=False),
    Column("reason", Text, nullable=False),
    Column("aggregate_id", String(32), nullable=False, unique=True),
)

cheques = Table(
    "cheques",
    metadata,
    Column("cheque_id", String(32), primary_key=True),
    Column("receipt_id", String(32), nullable=False),
    Column("member_number", String(10), nullable=False),
    Column("reference", String(80), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("state", String(12), nullable=False),
    Column("state_since", Date, nullable=False),
    Column("bank_account", String(32)),
    Column("endorsed_to", String(200)),
    Column("rejection_reason", Text),
    Index("ix_cheques_state", "state", "received_on"),
)

document_payments = Table(
    "document_payments",
    metadata,
    Column("receipt_id", String(32), primary_key=True),
    Column("document_id", String(32), primary_key=True),
    Column("supply_number", String(20), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("annulled", Boolean, nullable=False),
    Column("interest_invoice_id", String(32)),  # the bill that charged its late interest
    Index("ix_document_payments_supply", "supply_number", "paid_on"),
)
