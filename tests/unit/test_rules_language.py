"""The posting-rule language: load-time checks, the default rules, and evaluation.

Rule files are written as text into ``tmp_path``; events are plain
:class:`EventRecord` values, so no database or application is involved.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.chart import Side
from domain.money import D
from ledger_rules import (
    EventRecord,
    Posting,
    PostingError,
    ProposedEntry,
    RuleBook,
    RuleError,
    language,
    load_rule_book,
)

DEFAULT_BOOK = load_rule_book()
DIMS = {"member": "1001", "supply": "55", "service": "electricity"}

# A small chart for hand-written rule files: the codes that take postings.
ACCOUNTS = frozenset({"1.1", "1.2", "1.9", "2.1", "2.2", "4.1", "4.2"})

BASE = """
[ruleset]
name = "prueba"
valid_from = 2020-01-01

[[rule]]
name = "factura"
event = "InvoiceIssued"
description = "Factura {number:08d} socio {member_number}"
dimensions = { member = "member_number" }

[[rule.posting]]
side = "debit"
account = { lookup = "deudores", key = "service" }
amount = "total"

[[rule.posting]]
side = "credit"
account = "4.1"
amount = { sum = "lines", field = "amount", where = { kind = "charge" } }

[[rule.posting]]
side = "credit"
account = "2.1"
amount = { sum = "lines", where = { kind = ["vat", "levy", "capital", "perception"] } }

[lookup.deudores]
electricity = "1.1"
water = "1.2"
"""


# -- helpers -------------------------------------------------------------------
def line(kind: str, amount: str, vat_rate: str | None = None) -> dict[str, Any]:
    return {
        "concept": kind,
        "description": "",
        "kind": kind,
        "amount": D(amount),
        "vat_rate": D(vat_rate) if vat_rate is not None else None,
        "in_vat_base": kind == "charge",
    }


def invoice(
    lines: Iterable[Mapping[str, Any]],
    *,
    service: str = "electricity",
    category: str = "residential",
    on: date = date(2024, 3, 1),
    position: int = 41,
    **changes: Any,
) -> EventRecord:
    lines = list(lines)
    data: dict[str, Any] = {
        "effective_date": on,
        "member_number": "1001",
        "supply_number": "55",
        "service": service,
        "category": category,
        "vat_condition": "consumidor_final",
        "document_type": 6,
        "letter": "B",
        "point_of_sale": 3,
        "number": 1234,
        "period": "2024-02",
        "due_date": date(2024, 3, 15),
        "lines": lines,
        "total": sum((ln["amount"] for ln in lines), Decimal("0.00")),
        "recorded_by": "facturacion",
    }
    data.update(changes)
    return EventRecord("InvoiceIssued", position, on, data)


def with_data(event: EventRecord, **changes: Any) -> EventRecord:
    return EventRecord(event.name, event.position, event.effective_date, {**event.data, **changes})


def write(tmp_path: Path, text: str, name: str = "reglas.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path) -> RuleBook:
    return load_rule_book(path, account_codes=ACCOUNTS)


def only_entry(book: RuleBook, event: EventRecord) -> ProposedEntry:
    entries = book.entries_for(event)
    assert len(entries) == 1
    return entries[0]


def postings(entry: ProposedEntry) -> list[tuple[str, Side, Decimal]]:
    return [(p.account, p.side, p.amount) for p in entry.postings]


def assert_balanced(entry: ProposedEntry) -> None:
    debit = sum((p.amount for p in entry.postings if p.side is Side.DEBIT), Decimal(0))
    credit = sum((p.amount for p in entry.postings if p.side is Side.CREDIT), Decimal(0))
    assert debit == credit
    assert all(p.amount > 0 for p in entry.postings)


# -- the default rules ---------------------------------------------------------
def test_default_rules_post_the_hand_worked_invoice() -> None:
    event = invoice(
        [
            line("charge", "6000.00", "21"),
            line("charge", "4000.00", "21"),
            line("capital", "1500.00"),
            line("vat", "2100.00", "21"),
            line("levy", "600.00"),
        ]
    )
    assert event.data["total"] == D("14200.00")

    entry = only_entry(DEFAULT_BOOK, event)

    assert entry.rule == "factura-emitida"
    assert entry.description == "Factura B 00003-00001234 socio 1001"
    assert entry.postings == (
        Posting("1.1.03.01", Side.DEBIT, D("14200.00"), DIMS),  # deudores energía
        Posting("4.1.01.01", Side.CREDIT, D("10000.00"), DIMS),  # ventas energía residencial
        Posting("3.1.03", Side.CREDIT, D("1500.00"), DIMS),  # capital por cuota capital
        Posting("2.1.02.01", Side.CREDIT, D("2100.00"), DIMS),  # IVA débito fiscal 21%
        Posting("2.1.03.01", Side.CREDIT, D("600.00"), DIMS),  # tasas de terceros
    )


def test_default_rules_separate_vat_27_and_perception() -> None:
    event = invoice(
        [
            line("charge", "5000.00", "27"),
            line("vat", "1350.00", "27.00"),
            line("perception", "675.00"),
        ],
        service="water",
        category="commercial",
    )
    entry = only_entry(DEFAULT_BOOK, event)
    assert postings(entry) == [
        ("1.1.03.02", Side.DEBIT, D("7025.00")),
        ("4.1.02", Side.CREDIT, D("5000.00")),
        ("2.1.02.02", Side.CREDIT, D("1350.00")),
        ("2.1.02.03", Side.CREDIT, D("675.00")),
    ]


def test_postings_that_come_to_zero_are_left_out() -> None:
    event = invoice([line("charge", "100.00"), line("capital", "0.00"), line("vat", "21.00", "21")])
    accounts = [p.account for p in only_entry(DEFAULT_BOOK, event).postings]
    assert accounts == ["1.1.03.01", "4.1.01.01", "2.1.02.01"]


def test_a_negative_amount_posts_on_the_other_side() -> None:
    # A credit note reuses the invoice's rules with negative amounts.
    event = invoice([line("charge", "-1000.00"), line("vat", "-210.00", "21")])
    entry = only_entry(DEFAULT_BOOK, event)
    assert postings(entry) == [
        ("1.1.03.01", Side.CREDIT, D("1210.00")),
        ("4.1.01.01", Side.DEBIT, D("1000.00")),
        ("2.1.02.01", Side.DEBIT, D("210.00")),
    ]
    assert_balanced(entry)


def test_lookup_by_service_and_category_falls_back_to_the_service() -> None:
    industrial = invoice([line("charge", "10.00")], category="industrial")
    unusual = invoice([line("charge", "10.00")], category="cooperativa_propia")
    assert only_entry(DEFAULT_BOOK, industrial).postings[1].account == "4.1.01.03"
    assert only_entry(DEFAULT_BOOK, unusual).postings[1].account == "4.1.01.09"


def test_a_service_missing_from_a_table_without_default_stops_posting() -> None:
    event = invoice([line("charge", "10.00")], service="cable_submarino", position=77)
    with pytest.raises(PostingError) as caught:
        DEFAULT_BOOK.entries_for(event)
    error = caught.value
    assert (error.position, error.event_name, error.rule) == (
        77,
        "InvoiceIssued",
        "factura-emitida",
    )
    assert "deudores_por_servicio" in error.cause
    assert "cable_submarino" in error.cause
    assert "default" in error.cause


def test_a_line_kind_no_posting_collects_unbalances_the_entry() -> None:
    # VAT at 10.5% has no account in the default rules: nothing is posted half.
    event = invoice([line("charge", "100.00"), line("vat", "10.50", "10.5")], position=12)
    with pytest.raises(PostingError) as caught:
        DEFAULT_BOOK.entries_for(event)
    error = caught.value
    assert (error.position, error.event_name, error.rule) == (
        12,
        "InvoiceIssued",
        "factura-emitida",
    )
    assert "no balancea" in error.cause
    assert "110,50" in error.cause and "100,00" in error.cause
    assert "evento 12 (InvoiceIssued), regla 'factura-emitida'" in str(error)


def test_amounts_are_rounded_half_even_to_cents() -> None:
    event = invoice([line("charge", "10.00")], total=D("10.005"))
    # 10.005 rounds to 10.00 (half to even), so the entry still balances.
    assert postings(only_entry(DEFAULT_BOOK, event))[0] == ("1.1.03.01", Side.DEBIT, D("10.00"))


def test_events_without_rules_give_no_entries() -> None:
    other = EventRecord("PaymentReceived", 3, date(2024, 1, 1), {"amount": D("1.00")})
    assert DEFAULT_BOOK.entries_for(other) == []
    # Every default rule names an event of the catalogue; this one has none.
    assert "PaymentReceived" not in DEFAULT_BOOK.event_names()
    assert {"InvoiceIssued", "ReceiptIssued", "TreasuryMovementRecorded"} <= DEFAULT_BOOK.event_names()


@pytest.mark.parametrize(
    ("changes", "cause"),
    [
        ({"total": "14200"}, "el campo 'total' no es un número"),
        ({"total": 14200.0}, "el campo 'total' no es un número"),
        ({"lines": [{"kind": "charge", "amount": "10"}]}, "amount = '10', que no es un número"),
        ({"lines": [{"kind": "charge"}]}, "le falta el campo 'amount'"),
        ({"number": "A-1"}, "la descripción no se puede armar"),
    ],
)
def test_bad_event_data_is_a_posting_error(changes: dict[str, Any], cause: str) -> None:
    event = with_data(invoice([line("charge", "10.00")]), **changes)
    with pytest.raises(PostingError) as caught:
        DEFAULT_BOOK.entries_for(event)
    assert cause in caught.value.cause


def test_a_missing_field_is_a_posting_error() -> None:
    event = invoice([line("charge", "10.00")])
    data = dict(event.data)
    del data["total"]
    with pytest.raises(PostingError, match="no trae el campo 'total'"):
        DEFAULT_BOOK.entries_for(EventRecord(event.name, event.position, event.effective_date, data))
    data = {**event.data, "lines": None}
    with pytest.raises(PostingError, match="no trae la lista de líneas 'lines'"):
        DEFAULT_BOOK.entries_for(EventRecord(event.name, event.position, event.effective_date, data))


def test_describe_lists_every_posting_of_the_default_rules() -> None:
    rows = [r for r in DEFAULT_BOOK.describe() if r.ruleset == "general"]
    assert [(r.side, r.account) for r in rows][:3] == [
        (Side.DEBIT, "tabla deudores_por_servicio según service"),
        (Side.CREDIT, "tabla ventas_por_servicio según service/category"),
        (Side.CREDIT, "3.1.03"),
    ]
    first = rows[0]
    assert (first.ruleset, first.valid_from, first.valid_to) == ("general", date(2000, 1, 1), None)
    assert (first.event, first.rule, first.amount) == ("InvoiceIssued", "factura-emitida", "total")
    assert first.dimensions == "member=member_number, service=service, supply=supply_number"
    assert rows[3].amount == "suma de lines.amount donde kind = vat y vat_rate = 21"


def literal_blocks(doc: str) -> list[str]:
    """The indented blocks that follow ``::`` in a docstring, dedented."""
    blocks = []
    for part in doc.split("::\n\n")[1:]:
        kept = []
        for text in part.splitlines():
            if text and not text.startswith("    "):
                break
            kept.append(text)
        blocks.append(textwrap.dedent("\n".join(kept)))
    return blocks


def test_the_worked_example_of_the_language_docstring_holds(tmp_path: Path) -> None:
    rules, journal = literal_blocks(language.__doc__ or "")
    book = load_rule_book(write(tmp_path, rules))
    event = invoice([line("charge", "10000.00"), line("vat", "2100.00", "21")], category="industrial")
    entry = only_entry(book, event)
    assert entry.description == "Factura B 00003-00001234 socio 1001"
    assert postings(entry) == [
        ("1.1.03.01", Side.DEBIT, D("12100.00")),
        ("4.1.01.03", Side.CREDIT, D("10000.00")),
        ("2.1.02.01", Side.CREDIT, D("2100.00")),
    ]
    assert "debit  1.1.03.01   12,100.00" in journal
    assert "credit 4.1.01.03   10,000.00" in journal


# -- evaluation of hand-written rules -------------------------------------------
def test_lookup_default_entry_catches_unlisted_keys(tmp_path: Path) -> None:
    book = load(write(tmp_path, BASE + 'default = "1.9"\n'))
    entry = only_entry(book, invoice([line("charge", "5.00")], service="gas"))
    assert entry.postings[0] == Posting("1.9", Side.DEBIT, D("5.00"), {"member": "1001"})
    assert entry.description == "Factura 00001234 socio 1001"


def test_where_lists_numbers_and_booleans(tmp_path: Path) -> None:
    text = BASE.replace(
        'where = { kind = ["vat", "levy", "capital", "perception"] }',
        'where = { kind = ["vat", "levy"], vat_rate = ["21", 27] }',
    ) + (
        '\n[[rule.posting]]\nside = "credit"\naccount = "2.2"\n'
        'amount = { sum = "lines", where = { in_vat_base = false, kind = ["levy", "capital"] } }\n'
    )
    book = load(write(tmp_path, text.replace("[lookup.deudores]", "[lookup.deudores]\n")))
    event = invoice(
        [
            line("charge", "100.00"),
            line("vat", "21.00", "21.00"),
            line("vat", "2.70", "27"),
            line("capital", "5.00"),
            line("levy", "1.00"),
        ]
    )
    assert postings(only_entry(book, event)) == [
        ("1.1", Side.DEBIT, D("129.70")),
        ("4.1", Side.CREDIT, D("100.00")),
        ("2.1", Side.CREDIT, D("23.70")),
        ("2.2", Side.CREDIT, D("6.00")),
    ]


def test_posting_dimensions_add_to_and_override_the_rule_dimensions(tmp_path: Path) -> None:
    text = BASE.replace(
        'account = "4.1"\n',
        'account = "4.1"\ndimensions = { member = "supply_number", zone = "period" }\n',
    )
    entry = only_entry(load(write(tmp_path, text)), invoice([line("charge", "1.00")]))
    assert entry.postings[0].dimensions == {"member": "1001"}
    assert entry.postings[1].dimensions == {"member": "55", "zone": "2024-02"}


def test_the_rule_set_in_force_at_the_event_date_applies(tmp_path: Path) -> None:
    old = BASE.replace("valid_from = 2020-01-01", "valid_from = 2020-01-01\nvalid_to = 2023-12-31")
    new = (
        BASE.replace('name = "prueba"', 'name = "prueba-2024"')
        .replace("valid_from = 2020-01-01", "valid_from = 2024-01-01")
        .replace('name = "factura"', 'name = "factura-2024"')
        .replace('account = "4.1"', 'account = "4.2"')
    )
    write(tmp_path, old, "a.toml")
    write(tmp_path, new, "b.toml")
    book = load(tmp_path)

    before = only_entry(book, invoice([line("charge", "1.00")], on=date(2023, 12, 31)))
    after = only_entry(book, invoice([line("charge", "1.00")], on=date(2024, 1, 1)))
    assert (before.rule, before.postings[1].account) == ("factura", "4.1")
    assert (after.rule, after.postings[1].account) == ("factura-2024", "4.2")

    with pytest.raises(PostingError, match="no hay reglas vigentes el 2019-12-31"):
        book.entries_for(invoice([line("charge", "1.00")], on=date(2019, 12, 31)))


def test_a_gap_between_rule_sets_is_a_posting_error(tmp_path: Path) -> None:
    text = BASE.replace("valid_from = 2020-01-01", "valid_from = 2020-01-01\nvalid_to = 2020-12-31")
    book = load(write(tmp_path, text))
    with pytest.raises(PostingError) as caught:
        book.entries_for(invoice([line("charge", "1.00")], on=date(2021, 1, 1), position=5))
    assert caught.value.position == 5
    assert "prueba desde 2020-01-01 hasta 2020-12-31" in caught.value.cause


def test_every_rule_for_the_event_makes_its_own_entry(tmp_path: Path) -> None:
    second = (
        '\n[[rule]]\nname = "memo"\nevent = "InvoiceIssued"\ndescription = "Memo {period}"\n'
        '[[rule.posting]]\nside = "debit"\naccount = "1.9"\namount = "total"\n'
        '[[rule.posting]]\nside = "credit"\naccount = "2.2"\namount = "total"\n'
    )
    book = load(write(tmp_path, BASE.replace("[lookup.deudores]", second + "[lookup.deudores]")))
    entries = book.entries_for(invoice([line("charge", "3.00")]))
    assert [(e.rule, e.description) for e in entries] == [
        ("factura", "Factura 00001234 socio 1001"),
        ("memo", "Memo 2024-02"),
    ]


# -- load-time errors ----------------------------------------------------------
LOAD_ERRORS = [
    # (id, text to replace in BASE, replacement, rule named, fragment of the cause)
    ("toml", 'side = "debit"', "side = debit", None, "sintaxis TOML inválida"),
    (
        "no ruleset",
        '[ruleset]\nname = "prueba"\nvalid_from = 2020-01-01',
        "",
        None,
        "falta la tabla [ruleset]",
    ),
    (
        "bad date",
        "valid_from = 2020-01-01",
        'valid_from = "ayer"',
        None,
        "valid_from debe ser una fecha",
    ),
    (
        "to before from",
        "valid_from = 2020-01-01",
        "valid_from = 2020-01-01\nvalid_to = 2019-01-01",
        None,
        "valid_to 2019-01-01 es anterior",
    ),
    (
        "unknown file key",
        "[ruleset]",
        "[reglas]\nx = 1\n[ruleset]",
        None,
        "clave desconocida 'reglas'",
    ),
    ("no rules", "[[rule]]", "[[otra]]", None, "clave desconocida 'otra'"),
    (
        "unknown event",
        'event = "InvoiceIssued"',
        'event = "FacturaEmitida"',
        "factura",
        "tipo de evento desconocido 'FacturaEmitida'",
    ),
    (
        "unknown rule key",
        'event = "InvoiceIssued"',
        'event = "InvoiceIssued"\nevnto = 1',
        "factura",
        "clave desconocida 'evnto'",
    ),
    (
        "unknown amount field",
        'amount = "total"',
        'amount = "importe"',
        "factura",
        "posting 1: amount: campo desconocido 'importe'",
    ),
    (
        "amount is a line list",
        'amount = "total"',
        'amount = "lines"',
        "factura",
        "'lines' es una lista de líneas",
    ),
    (
        "unknown line list",
        'sum = "lines", field = "amount", where = { kind = "charge" }',
        'sum = "renglones", where = { kind = "charge" }',
        "factura",
        "lista de líneas desconocida 'renglones'",
    ),
    (
        "unknown line field",
        'field = "amount", where = { kind = "charge" }',
        'field = "importe", where = { kind = "charge" }',
        "factura",
        "campo de línea desconocido 'importe'",
    ),
    (
        "unknown where field",
        'where = { kind = "charge" }',
        'where = { tipo = "charge" }',
        "factura",
        "where: campo de línea desconocido 'tipo'",
    ),
    (
        "float in where",
        'where = { kind = "charge" }',
        "where = { vat_rate = 10.5 }",
        "factura",
        'use texto ("10.5")',
    ),
    (
        "empty where list",
        'where = { kind = "charge" }',
        "where = { kind = [] }",
        "factura",
        "ninguna línea coincidiría",
    ),
    (
        "unknown dimension field",
        'dimensions = { member = "member_number" }',
        'dimensions = { member = "socio" }',
        "factura",
        "dimensión member: campo desconocido 'socio'",
    ),
    (
        "unknown dimension",
        'dimensions = { member = "member_number" }',
        'dimensions = { socio = "member_number" }',
        "factura",
        "dimensión desconocida socio",
    ),
    (
        "unknown placeholder",
        'description = "Factura {number:08d} socio {member_number}"',
        'description = "Factura {numero}"',
        "factura",
        "description: campo desconocido 'numero'",
    ),
    (
        "attribute placeholder",
        'description = "Factura {number:08d} socio {member_number}"',
        'description = "Factura {lines[0]}"',
        "factura",
        "use {campo} con el nombre de un campo",
    ),
    (
        "unbalanced braces",
        'description = "Factura {number:08d} socio {member_number}"',
        'description = "Factura {number"',
        "factura",
        "plantilla de descripción inválida",
    ),
    (
        "no description",
        'description = "Factura {number:08d} socio {member_number}"',
        "",
        "factura",
        "falta 'description'",
    ),
    (
        "unknown lookup key field",
        'key = "service"',
        'key = ["servicio"]',
        "factura",
        "key: campo desconocido 'servicio'",
    ),
    (
        "missing table",
        'lookup = "deudores"',
        'lookup = "clientes"',
        "factura",
        "la tabla de búsqueda 'clientes' no existe; tablas: deudores",
    ),
    (
        "key parts",
        'water = "1.2"',
        '"water/rural" = "1.2"',
        "factura",
        "tiene claves de 2 partes pero se busca por 1 campo",
    ),
    (
        "unknown account",
        'account = "4.1"',
        'account = "4.9"',
        "factura",
        "posting 2: la cuenta '4.9' no está en el plan de cuentas",
    ),
    (
        "unknown account in table",
        'water = "1.2"',
        'water = "1.7"',
        "factura",
        "tabla 'deudores': la cuenta '1.7' no está en el plan de cuentas",
    ),
    ("bad side", 'side = "debit"', 'side = "debe"', "factura", "side inválido 'debe'"),
    (
        "one side",
        'side = "debit"',
        'side = "credit"',
        "factura",
        "todas las imputaciones van al haber",
    ),
    (
        "no postings",
        "[[rule.posting]]",
        "[[rule.postings]]",
        "factura",
        "clave desconocida 'postings'",
    ),
    ("no account", 'account = "4.1"\n', "", "factura", "posting 2: falta 'account'"),
    ("no amount", 'amount = "total"\n', "", "factura", "posting 1: falta 'amount'"),
]


@pytest.mark.parametrize(
    ("old", "new", "rule", "cause"),
    [case[1:] for case in LOAD_ERRORS],
    ids=[case[0] for case in LOAD_ERRORS],
)
def test_load_errors_name_file_rule_and_cause(
    tmp_path: Path, old: str, new: str, rule: str | None, cause: str
) -> None:
    assert old in BASE
    path = write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(RuleError) as caught:
        load(path)
    error = caught.value
    assert error.file == str(path)
    assert error.rule == rule
    assert cause in error.cause
    assert str(path) in str(error) and cause in str(error)
    if rule:
        assert f"regla {rule!r}" in str(error)


def test_a_rule_without_postings_cannot_balance(tmp_path: Path) -> None:
    text = BASE.split("[[rule.posting]]")[0] + '[lookup.deudores]\nwater = "1.2"\n'
    with pytest.raises(RuleError) as caught:
        load(write(tmp_path, text))
    assert caught.value.rule == "factura"
    assert "la regla no tiene imputaciones" in caught.value.cause


def one_rule(*postings: tuple[str, str, str]) -> str:
    """A rule file with one rule whose postings are (side, account, amount as TOML)."""
    head = (
        '[ruleset]\nname = "corto"\nvalid_from = 2020-01-01\n'
        '[[rule]]\nname = "corta"\nevent = "InvoiceIssued"\ndescription = "F {number}"\n'
    )
    body = "".join(
        f'[[rule.posting]]\nside = "{side}"\naccount = "{account}"\namount = {amount}\n'
        for side, account, amount in postings
    )
    return head + body


def test_an_amount_without_counterpart_cannot_balance(tmp_path: Path) -> None:
    # Debit total twice, credit it once: after cancelling, a debit of total is left.
    text = one_rule(("debit", "1.1", '"total"'), ("debit", "1.2", '"total"'), ("credit", "4.1", '"total"'))
    with pytest.raises(RuleError) as caught:
        load(write(tmp_path, text))
    assert caught.value.rule == "corta"
    assert "al debe quedan importes sin contrapartida (total)" in caught.value.cause


def test_the_same_sum_written_twice_on_one_side_cannot_balance(tmp_path: Path) -> None:
    charges = '{ sum = "lines", where = { kind = "charge" } }'
    text = one_rule(("debit", "1.1", charges), ("credit", "4.1", charges), ("credit", "4.2", charges))
    with pytest.raises(RuleError, match="al haber quedan importes sin contrapartida"):
        load(write(tmp_path, text))


def test_identical_amounts_on_both_sides_balance(tmp_path: Path) -> None:
    book = load(write(tmp_path, one_rule(("debit", "1.1", '"total"'), ("credit", "4.1", '"total"'))))
    entry = only_entry(book, invoice([line("charge", "2.00")]))
    assert postings(entry) == [("1.1", Side.DEBIT, D("2.00")), ("4.1", Side.CREDIT, D("2.00"))]
    assert entry.postings[0].dimensions == {}


def test_overlapping_rule_sets_for_an_event_are_refused(tmp_path: Path) -> None:
    write(tmp_path, BASE, "a.toml")
    later = write(
        tmp_path,
        BASE.replace('name = "prueba"', 'name = "prueba-2"')
        .replace("valid_from = 2020-01-01", "valid_from = 2023-06-01")
        .replace('name = "factura"', 'name = "factura-2"'),
        "b.toml",
    )
    with pytest.raises(RuleError) as caught:
        load(tmp_path)
    error = caught.value
    assert (error.file, error.rule) == (str(later), "factura-2")
    assert "se superpone con 'prueba' (2020-01-01 a sin fin" in error.cause
    assert "InvoiceIssued" in error.cause


def test_rule_names_are_unique_across_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        BASE.replace("valid_from = 2020-01-01", "valid_from = 2020-01-01\nvalid_to = 2020-12-31"),
        "a.toml",
    )
    second = write(
        tmp_path,
        BASE.replace('name = "prueba"', 'name = "prueba-2"').replace("2020-01-01", "2021-01-01"),
        "b.toml",
    )
    with pytest.raises(RuleError) as caught:
        load(tmp_path)
    assert (caught.value.file, caught.value.rule) == (str(second), "factura")
    assert "nombre de regla repetido (también en el conjunto 'prueba'" in caught.value.cause


def test_rule_names_are_unique_within_a_file(tmp_path: Path) -> None:
    rule = BASE[BASE.index("[[rule]]") : BASE.index("[lookup.deudores]")]
    path = write(tmp_path, BASE.replace("[lookup.deudores]", rule + "[lookup.deudores]"))
    with pytest.raises(RuleError) as caught:
        load(path)
    assert (caught.value.file, caught.value.rule) == (str(path), "factura")
    assert "nombre de regla repetido en el archivo" in caught.value.cause


def test_an_unused_table_still_names_real_accounts(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + '\n[lookup.sobrante]\ngas = "8.8"\n')
    with pytest.raises(RuleError) as caught:
        load(path)
    assert (caught.value.file, caught.value.rule) == (str(path), None)
    assert "tabla de búsqueda 'sobrante', clave 'gas': la cuenta '8.8'" in caught.value.cause


def test_group_accounts_of_the_default_chart_take_no_postings(tmp_path: Path) -> None:
    text = BASE.replace('account = "4.1"', 'account = "4.1.01"').replace('"1.1"', '"1.1.03.01"')
    text = text.replace('"1.2"', '"1.1.03.02"').replace('"2.1"', '"2.1.02.01"')
    path = write(tmp_path, text)
    with pytest.raises(RuleError) as caught:
        load_rule_book(path)  # the default chart's codes
    assert "la cuenta '4.1.01' no está en el plan de cuentas como cuenta imputable" in caught.value.cause


def test_an_empty_rule_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="no tiene archivos de reglas"):
        load(tmp_path)
    with pytest.raises(RuleError, match="no existe"):
        load(tmp_path / "falta.toml")


def test_the_toml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[ruleset]\nname = "x"\nvalid_from = 2020-01-01\n\n[[rule]\n')
    with pytest.raises(RuleError, match=r"line 5"):
        load(path)


# -- property: the default rules always balance --------------------------------
cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100)
kinds = st.sampled_from(
    [
        ("charge", None),
        ("capital", None),
        ("levy", None),
        ("perception", None),
        ("vat", "21"),
        ("vat", "27"),
    ]
)
services = st.sampled_from(["electricity", "water", "sewer", "gas", "internet", "telephony", "tv", "sepelio"])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(kinds, cents), min_size=1, max_size=12),
    services,
    st.sampled_from(["residential", "industrial", "rural", "otra"]),
)
def test_default_invoice_entries_balance_and_debit_the_total(
    raw_lines: list[tuple[tuple[str, str | None], Decimal]], service: str, category: str
) -> None:
    lines = [line(kind, str(amount), rate) for (kind, rate), amount in raw_lines]
    event = invoice(lines, service=service, category=category)

    entry = only_entry(DEFAULT_BOOK, event)

    assert_balanced(entry)
    debits = [p for p in entry.postings if p.side is Side.DEBIT]
    assert [p.amount for p in debits] == [event.data["total"]]
    assert sum(p.amount for p in entry.postings if p.side is Side.CREDIT) == event.data["total"]


# -- property: one pass over the lines sums what a naive filter sums -------------
KINDS = ["charge", "capital", "levy", "vat", "perception"]
wheres = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.lists(st.sampled_from(KINDS), min_size=1, max_size=3, unique=True),
        "vat_rate": st.lists(st.sampled_from(["21", "27"]), min_size=1, max_size=2, unique=True),
        "in_vat_base": st.booleans(),
    },
)
random_lines = st.lists(
    st.builds(
        lambda kind, rate, amount: {
            **line(kind, str(amount), rate),
            "in_vat_base": kind == "charge",
        },
        st.sampled_from(KINDS),
        st.sampled_from([None, "21", "27.00"]),
        cents,
    ),
    max_size=10,
)


def toml_where(where: dict[str, Any]) -> str:
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        return "[" + ", ".join(f'"{x}"' for x in v) + "]"

    return "{ " + ", ".join(f"{k} = {value(v)}" for k, v in where.items()) + " }"


def naive_sum(lines: list[dict[str, Any]], where: dict[str, Any]) -> Decimal:
    def matches(ln: dict[str, Any]) -> bool:
        if "kind" in where and ln["kind"] not in where["kind"]:
            return False
        rates = {Decimal(r) for r in where.get("vat_rate", [])}
        if "vat_rate" in where and (ln["vat_rate"] is None or ln["vat_rate"] not in rates):
            return False
        return "in_vat_base" not in where or ln["in_vat_base"] is where["in_vat_base"]

    return sum((ln["amount"] for ln in lines if matches(ln)), Decimal("0.00"))


@settings(max_examples=150, deadline=None)
@given(st.lists(wheres, min_size=1, max_size=6), random_lines)
def test_line_sums_match_a_naive_filter(
    tmp_path_factory: pytest.TempPathFactory,
    where_list: list[dict[str, Any]],
    lines: list[dict[str, Any]],
) -> None:
    postings = []
    for index, where in enumerate(where_list):
        amount = f'{{ sum = "lines", where = {toml_where(where)} }}'
        postings += [("debit", f"9.{index}", amount), ("credit", "8.1", amount)]
    path = write(tmp_path_factory.mktemp("rules"), one_rule(*postings))
    book = load_rule_book(path, account_codes={"8.1", *(f"9.{i}" for i in range(6))})

    entries = book.entries_for(invoice(lines))

    debits = {p.account: p.amount for e in entries for p in e.postings if p.side is Side.DEBIT}
    expected = {f"9.{i}": naive_sum(lines, where) for i, where in enumerate(where_list)}
    assert debits == {account: amount for account, amount in expected.items() if amount}


def test_a_receipt_posts_each_instrument_and_credits_each_service() -> None:
    """Cash 50,000 + IVA certificate 2,500 + credit used 100 pay electricity 40,000 and water 12,000;
    600 is left as credit: debits 52,600 = credits 52,600."""
    receipt = EventRecord(
        "ReceiptIssued",
        9,
        date(2026, 3, 10),
        {
            "member_number": "000001",
            "credit_used": D("100.00"),
            "credit_left": D("600.00"),
            "surcharge": D("0.00"),
            "instruments": [
                {"kind": "cash", "amount": D("50000.00"), "reference": ""},
                {"kind": "retention_iva", "amount": D("2500.00"), "reference": "C-1"},
            ],
            "allocations": [
                {
                    "document_id": "a",
                    "label": "B 1",
                    "supply": "E-1",
                    "service": "electricity",
                    "amount": D("40000.00"),
                },
                {
                    "document_id": "b",
                    "label": "B 2",
                    "supply": "W-1",
                    "service": "water",
                    "amount": D("12000.00"),
                },
            ],
        },
    )
    (entry,) = DEFAULT_BOOK.entries_for(receipt)
    postings = {(p.side, p.account): p.amount for p in entry.postings}
    assert postings == {
        (Side.DEBIT, "1.1.01.01"): D("50000.00"),
        (Side.DEBIT, "1.1.04.10"): D("2500.00"),
        (Side.DEBIT, "2.1.05.02"): D("100.00"),
        (Side.CREDIT, "2.1.05.02"): D("600.00"),
        (Side.CREDIT, "1.1.03.01"): D("40000.00"),
        (Side.CREDIT, "1.1.03.02"): D("12000.00"),
    }
    assert entry.postings[0].dimensions == {"member": "000001"}
