"""Aggregates made by the thousand come out exactly as the library makes them.

``BulkCreated`` skips the library's general creation machinery; the event must
hold the same fields in the same order (its stored bytes are hashed by the audit
chain), and the aggregate the same state, both when created and when rebuilt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, UUIDAsHex

from adapters.application import DateAsISO
from domain.billing import HeldBill, PayableDocument
from domain.bulk_aggregate import BulkCreated, replay_created
from domain.cash_desk import Receipt, UnmatchedCollection
from domain.errors import Conflict, InvalidInput
from domain.invoicing import Invoice, PayableInvoice
from domain.members import Member, PayingMember
from domain.meter_readings import MeterReading

D = Decimal
STAMP = datetime(2026, 12, 6, 5, 25, 17, 80822, tzinfo=UTC)


class _OpenCalendar:
    def require_open(self, day: date) -> None:
        pass


def _invoice() -> Any:
    line = {"concept": "cargo_fijo", "description": "Cargo fijo", "kind": "charge", "amount": D("5150.00"),
            "vat_rate": D("21"), "in_vat_base": True}
    return Invoice.issue(
        calendar=_OpenCalendar(),
        lines=[line, {**line, "concept": "iva_21", "kind": "vat", "amount": D("1081.50")}],
        recorded_by="facturacion", period_start=date(2026, 1, 1), period_end=date(2026, 1, 31),
        second_due_date=date(2026, 2, 27), second_due_total=D("6500.00"), consumption_units=D("150.000"),
        payable_document_id=UUID(int=7), effective_date=date(2026, 2, 2), member_number="000001",
        supply_number="E-1", service="electricity", category="residential", vat_condition="CF",
        document_type=6, letter="B", point_of_sale=1, number=12, period="2026-01", due_date=date(2026, 2, 17),
        id=UUID(int=8),
    )


def _payable() -> Any:
    return PayableDocument.issue(
        member_number="000001", period="2026-01", sequence=1, number=3, effective_date=date(2026, 2, 2),
        invoice_ids=[UUID(int=8)], total=D("6231.50"), due_date=date(2026, 2, 17),
        second_due_date=date(2026, 2, 27), second_due_total=D("6418.45"), barcode="1" * 48, recorded_by="f",
    )


def _held() -> Any:
    return HeldBill.hold(supply_number="E-1", member_number="000001", period="2026-01", reason="art. 31",
                         consumption_units=D("900"), average_units=D("300.000"), computed_total=D("99.00"),
                         recorded_by="f")


def _reading() -> Any:
    return MeterReading.record(supply_number="E-1", period="2026-01", reading_date=date(2026, 1, 31),
                               value=D("1150"), previous_value=D("1000"), previous_date=None,
                               consumption_units=D("150"), rollover=False, estimated=True, meter_serial="M1",
                               source="ruta R1", held_reason=None, recorded_by="lecturista")


def _receipt() -> Any:
    return Receipt(effective_date=date(2026, 2, 10), member_number="000001", session_id=None,
                   channel="pagofacil",
                   instruments=[{"kind": "network", "amount": D("6231.50"), "reference": "k"}],
                   allocations=[{"document_id": "ab", "label": "B 00001-00000012", "supply": "E-1",
                                 "service": "electricity", "amount": D("6231.50")}],
                   credit_used=D("0.00"), credit_left=D("0.00"), total=D("6231.50"), recorded_by="f",
                   id=UUID(int=9))  # surcharge left to its default


def _suspense() -> Any:
    return UnmatchedCollection(effective_date=date(2026, 2, 10), network="pagofacil", payment_key="k",
                               amount=D("10.00"), barcode="123", reason="sin documento", recorded_by="f",
                               id=UUID(int=10))


def _member() -> Any:
    return Member(number="000001", name="Pérez, Juan", document_type="DNI", document_number="20000001",
                  vat_condition="CF", address="Calle 1", postal_address="Calle 1", phones=["351 555"],
                  email=None, admission_date=date(2020, 1, 1), board_minute=None, associate=True,
                  recorded_by="mesa", id=UUID(int=11))


MAKERS: list[Callable[[], Any]] = [_invoice, _payable, _held, _reading, _receipt, _suspense, _member]


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from eventsourcing.domain import CanCreateTimestamp

    monkeypatch.setattr(CanCreateTimestamp, "create_timestamp", staticmethod(lambda: STAMP))
    yield


def _the_library_way(monkeypatch: pytest.MonkeyPatch, make: Callable[[], Any]) -> Any:
    with monkeypatch.context() as patched:
        patched.setattr(BulkCreated, "_create", classmethod(Aggregate._create.__func__))  # type: ignore[attr-defined]
        return make()


def _mapper() -> Mapper[UUID]:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


@pytest.mark.parametrize("make", MAKERS, ids=lambda m: m.__name__.strip("_"))
def test_created_the_same_as_the_library_creates(
    monkeypatch: pytest.MonkeyPatch, make: Callable[[], Any]
) -> None:
    fast, library = make(), _the_library_way(monkeypatch, make)
    assert isinstance(fast, BulkCreated)
    (fast_event,), (library_event,) = fast.pending_events, library.pending_events
    assert type(fast_event) is type(library_event)
    assert list(vars(fast_event).items()) == list(vars(library_event).items())  # same fields, same order
    mapper = _mapper()
    assert mapper.to_stored_event(fast_event) == mapper.to_stored_event(library_event)  # the same bytes
    assert vars(fast) == vars(library)


@pytest.mark.parametrize("make", MAKERS, ids=lambda m: m.__name__.strip("_"))
def test_rebuilt_the_same_as_the_library_rebuilds(make: Callable[[], Any]) -> None:
    created = make()
    (event,) = created.collect_events()
    mapper = _mapper()
    stored = mapper.to_domain_event(mapper.to_stored_event(event))
    assert vars(replay_created(stored)) == vars(stored.mutate(None)) == vars(created)


def test_without_an_id_the_library_creates_it() -> None:
    """A receipt at the counter may leave its id to the library: it still gets one."""
    receipt = Receipt(effective_date=date(2026, 2, 10), member_number="1", session_id=None, channel="caja",
                      instruments=[], allocations=[], credit_used=D("0"), credit_left=D("0"), total=D("1"),
                      recorded_by="c")
    assert isinstance(receipt.id, UUID)
    assert len(receipt.pending_events) == 1


def _paid(invoice: Any) -> None:
    invoice.apply_payment(UUID(int=21), D("1000.00"))
    invoice.record_cae("12345678901234", date(2026, 2, 20), recorded_by="afip")


def _credited(member: Any) -> None:
    member.change_credit(UUID(int=22), D("150.00"), reason="recibo")


def _released(held: Any) -> None:
    held.release("verificado en terreno", recorded_by="supervisora")


COMMANDS: list[tuple[Callable[[], Any], Callable[[Any], None]]] = [
    (_invoice, _paid),
    (_member, _credited),
    (_held, _released),
]


@pytest.mark.parametrize(("make", "command"), COMMANDS, ids=lambda f: f.__name__.strip("_"))
def test_commands_trigger_the_same_events_as_the_library(
    monkeypatch: pytest.MonkeyPatch, make: Callable[[], Any], command: Callable[[Any], None]
) -> None:
    fast, library = make(), make()
    fast.collect_events()
    library.collect_events()
    command(fast)
    with monkeypatch.context() as patched:
        patched.setattr(BulkCreated, "trigger_event", Aggregate.trigger_event)
        command(library)
    fast_events, library_events = fast.collect_events(), library.collect_events()
    assert [type(e) for e in fast_events] == [type(e) for e in library_events] and fast_events
    for ours, theirs in zip(fast_events, library_events, strict=True):
        assert list(vars(ours).items()) == list(vars(theirs).items())
    assert vars(fast) == vars(library)


def test_a_payment_applied_directly_is_the_decorated_methods_event() -> None:
    """``apply_payment`` triggers its event itself: the same event, state and bytes as the
    library's decorated method makes from the same arguments."""
    direct, decorated = _invoice(), _invoice()
    direct.collect_events()
    decorated.collect_events()
    direct.apply_payment(UUID(int=21), D("1000.00"))
    decorated._payment_applied(receipt_id=UUID(int=21), amount=D("1000.00"))
    (ours,), (theirs,) = direct.collect_events(), decorated.collect_events()
    assert type(ours) is type(theirs)
    assert list(vars(ours).items()) == list(vars(theirs).items())
    mapper = _mapper()
    assert mapper.to_stored_event(ours) == mapper.to_stored_event(theirs)
    assert vars(direct) == vars(decorated)
    assert direct.paid == D("1000.00")


def _payable(invoice: Invoice) -> PayableInvoice:
    """What ``api.collections_service`` builds from the invoices read model."""
    return PayableInvoice(
        id=invoice.id,
        member_number=invoice.member_number,
        supply_number=invoice.supply_number,
        service=invoice.service,
        letter=invoice.letter,
        point_of_sale=invoice.point_of_sale,
        number=invoice.number,
        effective_date=invoice.effective_date,
        due_date=invoice.due_date,
        total=invoice.total,
    )


def test_a_payable_invoice_follows_every_later_event_of_an_invoice() -> None:
    """Every event class of ``Invoice`` after its issue, applied to a payable invoice, leaves
    the version and the amounts the invoice has: an event class added to ``Invoice`` must
    be added here, and must apply to both."""
    invoice = _invoice()
    later: set[str] = set()
    payable = _payable(invoice)
    invoice.collect_events()
    invoice.apply_payment(UUID(int=31), D("400.00"))
    invoice.record_cae("12345678901234", date(2026, 2, 20), recorded_by="afip")
    invoice.reverse_payment(UUID(int=31), D("400.00"))
    invoice.apply_payment(UUID(int=32), D("150.25"))
    for event in invoice.collect_events():
        later.add(type(event).__name__)
        event.mutate(payable)
    declared = {
        name
        for name, value in vars(Invoice).items()
        if isinstance(value, type) and issubclass(value, Invoice.Event)
        and name not in ("Event", "Created", "InvoiceIssued")  # the library's bases, and the issue
    }
    assert later == declared == {"PaymentApplied", "PaymentReversed", "CaeRecorded"}
    assert (payable.version, payable.paid, payable.balance) == (invoice.version, D("150.25"), invoice.balance)
    assert (payable.cae, payable.cae_due) == (invoice.cae, invoice.cae_due)
    assert payable.cae_due == date(2026, 2, 20)


def test_a_payable_invoice_pays_as_the_invoice_pays() -> None:
    """The same checks and the same event, to the byte, at the next version."""
    invoice = _invoice()
    payable = _payable(invoice)
    invoice.collect_events()
    invoice.apply_payment(UUID(int=41), D("1000.00"))
    payable.apply_payment(UUID(int=41), D("1000.00"))
    (ours,), (theirs,) = payable.collect_events(), invoice.collect_events()
    assert type(ours) is type(theirs)
    assert list(vars(ours).items()) == list(vars(theirs).items())
    mapper = _mapper()
    assert mapper.to_stored_event(ours) == mapper.to_stored_event(theirs)
    for amount, error in ((D("0"), InvalidInput), (payable.balance + D("0.01"), Conflict)):
        with pytest.raises(error) as by_payable:
            payable.apply_payment(UUID(int=42), amount)
        with pytest.raises(error) as by_invoice:
            invoice.apply_payment(UUID(int=42), amount)
        assert str(by_payable.value) == str(by_invoice.value)
    assert payable.collect_events() == [] == invoice.collect_events()
    assert (payable.version, payable.balance) == (invoice.version, invoice.balance)


def _every_later_member_event(member: Member) -> None:
    """One of each event class of ``Member`` after its registration, credit changes among them."""
    member.change_credit(UUID(int=51), D("300.00"), reason="recibo")
    member.change_vat_condition("MT", date(2026, 3, 1), recorded_by="mesa")
    member.subscribe_shares("1000.00", date(2026, 3, 2), integrated="100.00", account="1.1.01.01",
                            recorded_by="mesa")  # CapitalSubscribed and CapitalIntegrated
    member.change_credit(UUID(int=52), D("-120.50"), reason="recibo")
    other = _member()
    other.number = "000002"
    member.transfer_shares(other, "50.00", date(2026, 3, 5), capital_held=D("100.00"), board_minute="Acta 7",
                           board_date=date(2026, 3, 4), recorded_by="mesa")
    member.adhere_to_debit("2850590940090418135201", date(2026, 3, 6), recorded_by="mesa")
    member.cancel_debit(date(2026, 3, 7), recorded_by="mesa")
    member.record_admission_minute("Acta 1", recorded_by="mesa")
    member._shares_subscribed(amount=D("10.00"), effective_date=date(2026, 3, 8), recorded_by="mesa")
    member._shares_integrated(amount=D("10.00"), effective_date=date(2026, 3, 8), recorded_by="mesa")
    member.leave(date(2026, 3, 9), "renuncia", recorded_by="mesa")


def test_a_paying_member_follows_every_later_event_of_a_member() -> None:
    """What ``adapters.bulk_load.load_paying_members`` does with a member's log: only credit
    changes are applied, every other event only moves the version. Every event class of
    ``Member`` is made here, so one added to ``Member`` fails this test until it is listed,
    and one that changes the credit leaves the paying member's credit behind."""
    member = _member()
    paying = PayingMember(id=member.id, number=member.number)
    for registered in member.collect_events():
        paying.follow(registered.originator_version)
    _every_later_member_event(member)
    later: list[str] = []
    for event in member.collect_events():
        later.append(type(event).__name__)
        paying.follow(event.originator_version, event if isinstance(event, Member.CreditChanged) else None)
    declared = {
        name
        for name, value in vars(Member).items()
        if isinstance(value, type) and issubclass(value, Member.Event)
        and name not in ("Event", "Created", "MemberRegistered")  # the library's bases, and the registration
    }
    assert set(later) == declared and len(declared) == 11
    assert later.count("CreditChanged") == 2
    assert (paying.version, paying.credit) == (member.version, member.credit) == (13, D("179.50"))


def test_a_paying_member_changes_credit_as_the_member_does() -> None:
    """The same check and the same event, to the byte, at the next version."""
    member = _member()
    paying = PayingMember(id=member.id, number=member.number)
    paying.follow(member.version)
    member.collect_events()
    member.change_credit(UUID(int=61), D("250.00"), reason="recibo")
    paying.change_credit(UUID(int=61), D("250.00"), reason="recibo")
    (ours,), (theirs,) = paying.collect_events(), member.collect_events()
    assert type(ours) is type(theirs)
    assert list(vars(ours).items()) == list(vars(theirs).items())
    assert _mapper().to_stored_event(ours) == _mapper().to_stored_event(theirs)
    with pytest.raises(Conflict) as by_paying:
        paying.change_credit(UUID(int=62), D("-250.01"), reason="recibo")
    with pytest.raises(Conflict) as by_member:
        member.change_credit(UUID(int=62), D("-250.01"), reason="recibo")
    assert str(by_paying.value) == str(by_member.value)
    paying.change_credit(UUID(int=63), D("0"), reason="recibo")  # no change, no event
    member.change_credit(UUID(int=63), D("0"), reason="recibo")
    assert paying.collect_events() == [] == member.collect_events()
    assert (paying.version, paying.credit) == (member.version, member.credit) == (2, D("250.00"))
