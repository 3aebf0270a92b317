"""Member capital, the Registro de Asociados and the art. 42 distribution, through the real
commands on SQLite and PostgreSQL. The year is the hand-worked one of tests/unit/test_surplus.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from adapters.member_register_files import register_csv, write_register_xlsx
from api import capital_service, year_end
from api.bootstrap import Asiento
from domain.chart import Side
from domain.errors import Conflict, InvalidInput
from domain.money import D
from projections.capital_queries import member_register
from projections.commercial_tables import members
from projections.tables import journal_lines
from tests.integration.helpers import entry, invoice_header

CASH, BANK = "1.1.01.01", "1.1.01.10"


def register(asiento: Asiento, number: str, name: str, doc: tuple[str, str], address: str, **kw: Any) -> None:
    asiento.app.register_member(
        number=number,
        name=name,
        document_type=doc[0],
        document_number=doc[1],
        vat_condition="RI" if doc[0] == "CUIT" and doc[1].startswith("30") else "CF",
        address=address,
        recorded_by="test",
        **kw,
    )


def invoice(asiento: Asiento, n: int, member: str, charge: str, capital: str | None = None) -> None:
    lines = [{"concept": "energy", "kind": "charge", "amount": charge}]
    if capital:
        lines.append({"concept": "cuota_capital", "kind": "capital", "amount": capital})
    vat = (D(charge) * D("0.21")).quantize(D("0.01"))
    lines.append({"concept": "vat21", "kind": "vat", "amount": str(vat), "vat_rate": "21"})
    header = invoice_header(
        n,
        member_number=member,
        supply_number=f"E-{member}",
        effective_date=date(2026, 6, 1),
        period="2026-05",
        due_date=date(2026, 6, 15),
    )
    asiento.app.issue_invoice(lines=lines, recorded_by="test", **header)


def hand_worked_year(asiento: Asiento) -> None:
    """2025 closed with a 3,000.00 loss; 2026 as in the unit test, closed; 2027 open."""
    app = asiento.app
    app.open_fiscal_year(2025, recorded_by="test")
    entry(asiento, date(2025, 6, 30), ("5.3.01", Side.DEBIT, "3000.00"), (CASH, Side.CREDIT, "3000.00"))
    year_end.close_year(asiento, 2025, recorded_by="test")
    register(
        asiento,
        "1",
        "Pérez, Juan",
        ("CUIT", "20267565393"),
        "San Martín 123",
        admission_date=date(2025, 1, 10),
        board_minute="Acta 101",
    )
    register(
        asiento,
        "2",
        "Gómez, Ana María",
        ("DNI", "23456789"),
        "Mitre 5; piso 2",
        admission_date=date(2025, 1, 10),
        board_minute="Acta 101",
    )
    register(
        asiento,
        "3",
        "Cooperativa Agrícola Ltda.",
        ("CUIT", "30500010912"),
        "Ruta 3 km 7",
        admission_date=date(2025, 3, 15),
        board_minute="Acta 104",
    )
    register(
        asiento,
        "9",
        "Comercio Norte SA",
        ("CUIT", "30500010912"),
        "Ruta 3 km 9",
        admission_date=date(2025, 3, 15),
        associate=False,
    )
    app.subscribe_shares(
        "1",
        "20000.00",
        date(2026, 1, 10),
        integrated="1000.00",
        account=CASH,
        board_minute="Acta 110",
        recorded_by="test",
    )
    app.integrate_shares("1", "4000.00", date(2026, 2, 1), account=BANK, recorded_by="test")
    app.subscribe_shares(
        "2", "3000.00", date(2026, 1, 10), integrated="3000.00", account=CASH, recorded_by="test"
    )
    capital_service.transfer(
        asiento,
        "2",
        "3",
        "1000.00",
        date(2026, 3, 5),
        board_minute="Acta 112",
        board_date=date(2026, 3, 1),
        recorded_by="test",
    )
    invoice(asiento, 1, "000001", "120000.00", capital="1500.00")
    invoice(asiento, 2, "000002", "45000.00")
    invoice(asiento, 3, "000003", "35000.00", capital="333.33")
    invoice(asiento, 4, "000009", "50000.00")
    entry(
        asiento,
        date(2026, 6, 30),
        ("5.1.01", Side.DEBIT, "180000.00"),
        ("2.1.01.02", Side.CREDIT, "180000.00"),
    )
    entry(
        asiento, date(2026, 6, 30), ("5.2.01", Side.DEBIT, "19876.54"), ("2.1.04.01", Side.CREDIT, "19876.54")
    )
    year_end.close_year(asiento, 2026, recorded_by="test")
    year_end.open_year(asiento, 2027, None, None, recorded_by="test")
    asiento.runner.catch_up()


def lines_of(asiento: Asiento, rule: str) -> list[tuple[str, int, int, str | None]]:
    query = (
        select(
            journal_lines.c.account_code,
            journal_lines.c.debit_cents,
            journal_lines.c.credit_cents,
            journal_lines.c.member,
        )
        .where(journal_lines.c.rule == rule)
        .order_by(journal_lines.c.entry_id, journal_lines.c.line_no)
    )
    with asiento.read() as conn:
        return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]


def integrated(asiento: Asiento, as_of: date) -> dict[str, Decimal]:
    with asiento.read() as conn:
        return {row.number: row.integrated for row in member_register(conn, as_of)}


def test_hand_worked_year_distributed_to_capital(asiento: Asiento) -> None:
    hand_worked_year(asiento)
    proposal = capital_service.compute_surplus(asiento, 2026, D("10"))
    assert (proposal.result, proposal.special_reserve, proposal.prior_losses, proposal.distributable) == (
        D("50123.46"),
        D("10024.69"),
        D("3000.00"),
        D("37098.77"),
    )
    assert [(s.member_number, s.operations, s.capital, s.interest, s.retorno) for s in proposal.shares] == [
        ("000001", D("120000.00"), D("6500.00"), D("650.00"), D("18330.37")),
        ("000002", D("45000.00"), D("2000.00"), D("200.00"), D("6873.89")),
        ("000003", D("35000.00"), D("1333.33"), D("133.33"), D("5346.36")),
    ]
    capital_service.approve_surplus(
        asiento,
        2026,
        assembly_minute="Asamblea 45",
        assembly_date=date(2027, 4, 30),
        retorno_to="capital",
        interest_rate_percent=D("10"),
        recorded_by="test",
    )
    asiento.runner.catch_up()
    assert lines_of(asiento, "excedentes-distribuidos") == [
        ("3.3.01", 5_012_346, 0, None),
        ("3.2.02", 0, 1_002_469, None),
        ("3.3.01", 0, 300_000, None),
        ("3.2.01", 0, 185_494, None),
        ("2.1.07.01", 0, 185_494, None),
        ("2.1.07.02", 0, 185_494, None),
        ("3.1.01", 0, 3_153_395, None),  # retornos 30,550.62 + interest 983.33
    ]
    assert integrated(asiento, date(2027, 4, 29)) == {
        "000001": D("6500.00"),
        "000002": D("2000.00"),
        "000003": D("1333.33"),
    }
    assert integrated(asiento, date(2027, 4, 30)) == {
        "000001": D("25480.37"),
        "000002": D("9073.89"),
        "000003": D("6813.02"),
    }
    with pytest.raises(Conflict, match="ya fue aprobada"):
        capital_service.approve_surplus(
            asiento,
            2026,
            assembly_minute="Asamblea 46",
            assembly_date=date(2027, 5, 2),
            retorno_to="account",
            recorded_by="test",
        )
    asiento.runner.catch_up()
    assert len(lines_of(asiento, "excedentes-distribuidos")) == 7


def test_retorno_to_the_current_account_becomes_each_members_credit(asiento: Asiento) -> None:
    hand_worked_year(asiento)
    capital_service.approve_surplus(
        asiento,
        2026,
        assembly_minute="Asamblea 45",
        assembly_date=date(2027, 4, 30),
        retorno_to="account",
        interest_rate_percent=D("10"),
        recorded_by="test",
    )
    asiento.runner.catch_up()
    with asiento.read() as conn:
        credit = dict(
            conn.execute(select(members.c.number, members.c.credit_cents).order_by(members.c.number)).all()
        )
    assert credit == {"000001": 1_898_037, "000002": 707_389, "000003": 547_969, "000009": 0}
    assert lines_of(asiento, "excedentes-distribuidos")[-1] == ("2.1.05.02", 0, 3_153_395, None)
    assert asiento.app.member("1").credit == D("18980.37")  # the write side can apply it to the next bill
    assert integrated(asiento, date(2027, 12, 31))["000001"] == D("6500.00")


def test_surplus_needs_a_closed_year_and_an_interest_rate_within_the_bna_cap(asiento: Asiento) -> None:
    with pytest.raises(Conflict, match="no está cerrado"):
        capital_service.compute_surplus(asiento, 2026)
    hand_worked_year(asiento)
    with pytest.raises(InvalidInput, match=r"mayor que el tope de 33.00%"):
        capital_service.compute_surplus(asiento, 2026, D("33.01"))  # BNA 32.00% in force at 31/12/2026
    with pytest.raises(Conflict, match="posterior al cierre"):
        capital_service.approve_surplus(
            asiento,
            2026,
            assembly_minute="A",
            assembly_date=date(2026, 12, 31),
            retorno_to="capital",
            recorded_by="test",
        )
    asiento.runner.catch_up()
    assert lines_of(asiento, "excedentes-distribuidos") == []


def test_transfers_count_the_cuota_capital_billed(asiento: Asiento) -> None:
    hand_worked_year(asiento)
    with pytest.raises(InvalidInput, match=r"tiene \$ 1.333,33 de capital integrado"):
        capital_service.transfer(
            asiento,
            "3",
            "1",
            "1333.34",
            date(2027, 2, 10),
            board_minute="Acta 120",
            board_date=date(2027, 2, 1),
            recorded_by="test",
        )
    capital_service.transfer(
        asiento,
        "3",
        "1",
        "1333.33",
        date(2027, 2, 10),
        board_minute="Acta 120",
        board_date=date(2027, 2, 1),
        recorded_by="test",
    )
    asiento.runner.catch_up()
    assert lines_of(asiento, "capital-transferido") == [
        ("3.1.01", 100_000, 0, "000002"),
        ("3.1.01", 0, 100_000, "000003"),
        ("3.1.01", 133_333, 0, "000003"),
        ("3.1.01", 0, 133_333, "000001"),
    ]
    assert integrated(asiento, date(2027, 2, 10)) == {
        "000001": D("7833.33"),
        "000002": D("2000.00"),
        "000003": D("0.00"),
    }


def test_reimbursements_in_request_order_within_five_percent_a_year(asiento: Asiento) -> None:
    hand_worked_year(asiento)
    app = asiento.app
    with pytest.raises(Conflict, match="registre el egreso"):
        capital_service.request_reimbursement(asiento, "2", date(2027, 1, 16), recorded_by="test")
    app.record_member_exit("2", date(2027, 1, 15), "Renuncia", recorded_by="test")
    app.record_member_exit("3", date(2027, 1, 20), "Disolución de la persona jurídica", recorded_by="test")
    assert capital_service.request_reimbursement(asiento, "2", date(2027, 1, 16), recorded_by="test") == D(
        "2000.00"
    )
    assert capital_service.request_reimbursement(asiento, "3", date(2027, 1, 21), recorded_by="test") == D(
        "1333.33"
    )
    # cap: 5% of 9,833.33 integrated at 31/12/2026 = 491.66; all of it to the first request
    paid, cap = capital_service.pay_reimbursements(
        asiento, date(2027, 3, 1), account=BANK, recorded_by="test"
    )
    assert (paid, cap.base_year, cap.integrated_capital) == (D("491.66"), 2026, D("9833.33"))
    with pytest.raises(Conflict, match="ya está usado"):
        capital_service.pay_reimbursements(asiento, date(2027, 9, 1), account=BANK, recorded_by="test")
    year_end.close_year(asiento, 2027, recorded_by="test")
    year_end.open_year(asiento, 2028, None, None, recorded_by="test")
    # 31/12/2027: 9,833.33 − 3,333.33 requested = 6,500.00; cap 325.00, still to the first request
    paid, cap = capital_service.pay_reimbursements(
        asiento, date(2028, 3, 1), account=BANK, recorded_by="test"
    )
    assert (paid, cap.integrated_capital) == (D("325.00"), D("6500.00"))
    waiting = [(r.member_number, r.pending) for r in app.reimbursement_queue().waiting()]
    assert waiting == [("000002", D("1183.34")), ("000003", D("1333.33"))]
    asiento.runner.catch_up()
    assert lines_of(asiento, "reembolsos-pagados") == [
        ("2.1.05.05", 49_166, 0, None),
        (BANK, 0, 49_166, None),
        ("2.1.05.05", 32_500, 0, None),
        (BANK, 0, 32_500, None),
    ]
    assert lines_of(asiento, "reembolso-pedido") == [
        ("3.1.01", 200_000, 0, "000002"),
        ("2.1.05.05", 0, 200_000, "000002"),
        ("3.1.01", 133_333, 0, "000003"),
        ("2.1.05.05", 0, 133_333, "000003"),
    ]


EXPECTED_CSV = (
    "Número de asociado;Fecha de ingreso;Acta de consejo de ingreso;Apellido y nombre o razón social;"
    "Tipo de documento;Número de documento;Domicilio;Capital suscripto;Capital integrado;"
    "Cuotas recibidas por transferencia;Cuotas transferidas a otros;Fecha de egreso;Causa de egreso\r\n"
    "000001;10/01/2025;Acta 101;Pérez, Juan;CUIT;20267565393;San Martín 123;21500,00;6500,00;0,00;0,00;;\r\n"
    '000002;10/01/2025;Acta 101;Gómez, Ana María;DNI;23456789;"Mitre 5; piso 2";2000,00;2000,00;0,00;1000,00;'
    "15/01/2027;Renuncia\r\n"
    "000003;15/03/2025;Acta 104;Cooperativa Agrícola Ltda.;CUIT;30500010912;Ruta 3 km 7;1333,33;1333,33;"
    "1000,00;0,00;;\r\n"
).encode()


def test_member_register_csv_byte_for_byte_and_xlsx_cells(asiento: Asiento, tmp_path: Path) -> None:
    hand_worked_year(asiento)
    asiento.app.record_member_exit("2", date(2027, 1, 15), "Renuncia", recorded_by="test")
    asiento.runner.catch_up()
    with asiento.read() as conn:
        rows = list(member_register(conn, date(2027, 1, 31)))
        before = [r.number for r in member_register(conn, date(2025, 2, 1))]
    assert before == ["000001", "000002"]  # 000003 admitted later; 000009 is not an associate
    assert register_csv(rows) == EXPECTED_CSV
    path = tmp_path / "registro.xlsx"
    write_register_xlsx(rows, path, title="Registro de Asociados al 31/01/2027")
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert sheet["A1"].value == "Registro de Asociados al 31/01/2027"
    assert sheet["H2"].value == "Capital suscripto"
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert values[1][:8] == [
        "000002",
        _midnight(2025, 1, 10),
        "Acta 101",
        "Gómez, Ana María",
        "DNI",
        "23456789",
        "Mitre 5; piso 2",
        2000,
    ]
    assert values[1][8:] == [2000, 0, 1000, _midnight(2027, 1, 15), "Renuncia"]
    assert [row[8] for row in values] == [6500, 2000, 1333.33]
    assert [row[11] for row in values] == [None, _midnight(2027, 1, 15), None]


def _midnight(year: int, month: int, day: int) -> Any:
    from datetime import datetime

    return datetime(year, month, day)


def test_rebuilding_the_capital_projection_gives_the_same_rows(asiento: Asiento) -> None:
    from projections.capital_tables import (
        capital_members,
        capital_movements,
        surplus_distributions,
        surplus_shares,
    )

    hand_worked_year(asiento)
    capital_service.approve_surplus(
        asiento,
        2026,
        assembly_minute="Asamblea 45",
        assembly_date=date(2027, 4, 30),
        retorno_to="capital",
        interest_rate_percent=D("10"),
        recorded_by="test",
    )
    asiento.app.record_member_exit("2", date(2027, 5, 15), "Renuncia", recorded_by="test")
    capital_service.request_reimbursement(asiento, "2", date(2027, 5, 16), recorded_by="test")
    asiento.runner.catch_up()
    tables = (capital_members, capital_movements, surplus_distributions, surplus_shares)

    def rows() -> list[list[tuple[Any, ...]]]:
        with asiento.read() as conn:
            return [
                [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))] for t in tables
            ]

    incremental = rows()
    assert [len(t) for t in incremental] == [4, 13, 1, 3]
    asiento.runner.rebuild(["capital"])
    assert rows() == incremental


def test_the_years_result_leaves_out_the_year_closing_entries(asiento: Asiento) -> None:
    """Closing entries (rule ``year_closing``, posted by ``period close``) move revenue and expenses to
    the result of the year: the surplus must be the same with or without them."""
    from sqlalchemy import insert

    from projections.capital_queries import operations_of_year, year_result

    hand_worked_year(asiento)
    # What closing entries would post for member 000001's revenue and the energy bought; counted,
    # they would make the result 50,123.46 − 120,000.00 + 180,000.00 = 110,123.46.
    closing = [
        ("4.1.01.01", 12_000_000, 0, "000001"),
        ("5.1.01", 0, 18_000_000, None),
        ("3.3.02", 6_000_000, 0, None),
    ]
    with asiento.engine.begin() as conn:
        conn.execute(
            insert(journal_lines),
            [
                {
                    "entry_id": 9_000_000,
                    "line_no": n,
                    "account_code": code,
                    "effective_date": date(2026, 12, 31),
                    "debit_cents": debit,
                    "credit_cents": credit,
                    "event_position": 9_000_000,
                    "rule": "year_closing",
                    "member": member,
                }
                for n, (code, debit, credit, member) in enumerate(closing)
            ],
        )
    with asiento.read() as conn:
        assert year_result(conn, date(2026, 1, 1), date(2026, 12, 31)) == D("50123.46")
        assert operations_of_year(conn, date(2026, 1, 1), date(2026, 12, 31)).by_associate["000001"] == D(
            "120000.00"
        )
    assert capital_service.compute_surplus(asiento, 2026).result == D("50123.46")


def test_capital_facts_in_a_closed_year_or_to_an_unknown_account_write_nothing(asiento: Asiento) -> None:
    from domain.errors import PeriodClosed

    hand_worked_year(asiento)
    position = asiento.app.recorder.max_notification_id()
    with pytest.raises(PeriodClosed, match="ejercicio 2026"):
        asiento.app.integrate_shares("1", "100.00", date(2026, 12, 1), account=CASH, recorded_by="test")
    with pytest.raises(InvalidInput, match=r"caja_y_bancos.*'5\.1\.01'"):
        asiento.app.integrate_shares("1", "100.00", date(2027, 1, 5), account="5.1.01", recorded_by="test")
    assert asiento.app.recorder.max_notification_id() == position


def test_pending_integrations_fall_due_five_years_after_each_subscription(asiento: Asiento) -> None:
    from projections.capital_queries import PendingIntegration, pending_integrations

    hand_worked_year(asiento)
    asiento.app.subscribe_shares(
        "1", "10000.00", date(2027, 2, 1), integrated="500.00", account=CASH, recorded_by="test"
    )
    asiento.runner.catch_up()
    with asiento.read() as conn:
        # integrations 1,000 + 4,000 + 500 pay the oldest subscription first
        assert pending_integrations(conn, date(2027, 12, 31)) == [
            PendingIntegration("000001", date(2026, 1, 10), D("14500.00"), date(2031, 1, 10)),
            PendingIntegration("000001", date(2027, 2, 1), D("10000.00"), date(2032, 2, 1)),
        ]
        assert pending_integrations(conn, date(2026, 1, 31)) == [
            PendingIntegration("000001", date(2026, 1, 10), D("19000.00"), date(2031, 1, 10)),
        ]


def test_shares_events_of_older_logs_find_their_member(asiento: Asiento) -> None:
    """Events from before issue 5 carry no member number: the capital projection takes it from
    a registration in the same page or, registered before, reads it when it writes the page;
    a rebuild gives the same rows."""
    from projections.capital_tables import capital_movements
    from tests.integration.cooperative import member

    member(asiento, "1", "CF")
    asiento.runner.catch_up()  # member 1 registered in an earlier page
    first = asiento.app.member("1")
    first._shares_subscribed(amount=D("500.00"), effective_date=date(2020, 2, 1), recorded_by="t")
    member(asiento, "2", "CF")  # member 2 registered in the same page as its legacy event
    second = asiento.app.member("2")
    second._shares_integrated(amount=D("250.00"), effective_date=date(2020, 3, 1), recorded_by="t")
    asiento.app.save(first, second)

    def movements() -> list[tuple[Any, ...]]:
        m = capital_movements.c
        with asiento.read() as conn:
            return [
                tuple(row)
                for row in conn.execute(
                    select(m.member_number, m.kind, m.subscribed_cents, m.integrated_cents).order_by(
                        m.position
                    )
                )
            ]

    asiento.runner.catch_up()
    expected = [("000001", "subscription", 50000, 0), ("000002", "integration", 0, 25000)]
    assert movements() == expected
    asiento.runner.rebuild(["capital"])
    assert movements() == expected
