"""Aggregates made by the thousand: the same objects as the library makes, made faster.

A billing run creates an invoice and a payable document per supply, a reading
import a reading per meter, a collection file a receipt per payment. The
library's ``Aggregate`` creation is general: it coerces and filters the keyword
arguments three times, builds the "created" event through its frozen
dataclass ``__init__`` (one ``object.__setattr__`` per field: twenty-six for an
invoice) and then rebuilds the arguments of ``__init__`` from the event. That
was two thirds of an invoice's ``issue`` (15 of 23.6 us, measured).

``BulkCreated`` keeps every step's result and does the steps directly, for
the only way our commands create these aggregates (with a given ``id``, every
field a keyword): the event's ``__dict__`` holds the same fields in the same
order with the same defaults, so it stores the same bytes, and ``__init__``
gets the same arguments. Anything else (no ``id``, a given timestamp) goes the
library's way. ``replay_created`` does the same for the first event when an
aggregate is rebuilt from its log (``adapters/bulk_load.py``). Tests compare
both ways, event and aggregate, for every class that uses it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate, CanInitAggregate, CanMutateAggregate
from eventsourcing.utils import get_topic, resolve_topic

B = TypeVar("B", bound="BulkCreated")

_MISSING = object()


class _EventFields:
    """An event class's fields in dataclass order, with their defaults: its ``__init__`` without
    the frozen dataclass's ``object.__setattr__`` per field."""

    def __init__(self, event_class: type[Any]) -> None:
        self.fields: list[tuple[str, Any]] = []  # (name, default or _MISSING)
        for item in dataclasses.fields(event_class):
            if item.default is not dataclasses.MISSING:
                default: Any = item.default
            elif item.default_factory is not dataclasses.MISSING:
                raise TypeError(f"{event_class.__qualname__}.{item.name}: a default factory is not supported")
            else:
                default = _MISSING
            self.fields.append((item.name, default))

    def event_state(self, values: Mapping[str, Any]) -> dict[str, Any]:
        state = {}
        for name, default in self.fields:
            value = values.get(name, default)
            if value is _MISSING:
                raise TypeError(f"falta el campo {name!r} del evento")
            state[name] = value
        return state

    def event(self, event_class: type[Any], values: Mapping[str, Any]) -> Any:
        event = object.__new__(event_class)
        object.__setattr__(event, "__dict__", self.event_state(values))  # what __init__ would set
        return event


_event_fields: dict[type, _EventFields] = {}


def _fields_of(event_class: type[Any]) -> _EventFields:
    found = _event_fields.get(event_class)
    if found is None:
        found = _event_fields[event_class] = _EventFields(event_class)
    return found


class _Creation:
    """What creating one aggregate class through one "created" event class needs, worked out once."""

    def __init__(self, aggregate: type[Aggregate], event_class: type[Any]) -> None:
        self.topic = get_topic(aggregate)
        self.fields = _fields_of(event_class)
        init: Callable[..., None] = aggregate.__init__
        code = init.__code__
        params = code.co_varnames[1 : code.co_argcount + code.co_kwonlyargcount]
        self.init = init
        self.init_takes_id = "id" in params
        self.init_params = [name for name in params if name != "id"]

    def build(self, aggregate_class: type[B], state: Mapping[str, Any]) -> B:
        """The aggregate as ``CanInitAggregate.mutate`` builds it from the event's state."""
        aggregate = aggregate_class.__new__(aggregate_class)
        aggregate.__base_init__(state["originator_id"], state["originator_version"], state["timestamp"])
        arguments = {name: state[name] for name in self.init_params if name in state}
        if self.init_takes_id:
            arguments["id"] = state["originator_id"]
        self.init(aggregate, **arguments)
        return aggregate


_creations: dict[tuple[type, type], _Creation] = {}


def _creation(aggregate: type[Aggregate], event_class: type[Any]) -> _Creation:
    key = (aggregate, event_class)
    found = _creations.get(key)
    if found is None:
        found = _creations[key] = _Creation(aggregate, event_class)
    return found


class BulkCreated(Aggregate):
    """An ``Aggregate`` whose creation with a given id skips the library's general machinery."""

    @classmethod
    def _create(
        cls: type[B], event_class: type[CanInitAggregate[UUID]], *, id: UUID | None = None, **kwargs: Any
    ) -> B:
        if id.__class__ is not UUID or "timestamp" in kwargs or event_class.apply is not _PLAIN_APPLY:
            return super()._create(event_class, id=id, **kwargs)
        creation = _creation(cls, event_class)
        timestamp: datetime = event_class.create_timestamp()
        event = creation.fields.event(
            event_class,
            {
                **kwargs,
                "originator_topic": creation.topic,
                "originator_id": id,
                "originator_version": cls.INITIAL_VERSION,
                "timestamp": timestamp,
            },
        )
        aggregate = creation.build(cls, event.__dict__)
        aggregate.pending_events.append(event)
        return aggregate

    def trigger_event(self, event_class: type[CanMutateAggregate[UUID]], **kwargs: Any) -> None:
        """The library's ``trigger_event`` (a payment applied, a credit changed), the event made
        without its frozen dataclass ``__init__``: then applied and kept as the library does."""
        if "timestamp" in kwargs:
            super().trigger_event(event_class, **kwargs)
            return
        self.pending_events.append(next_event(self, event_class, kwargs))


class StandIn:
    """An object that stands for an aggregate in a bulk command, holding only what the command
    reads (``domain.invoicing.PayableInvoice``, ``domain.members.PayingMember``).

    Its loader brings its version to the log's; its new events are made by ``next_event`` at
    the versions that follow, and saved as events: it is never kept as an aggregate."""

    id: UUID
    version: int
    pending_events: list[Any]

    def trigger(self, event_class: type[CanMutateAggregate[UUID]], **values: Any) -> None:
        self.pending_events.append(next_event(self, event_class, values))

    def collect_events(self) -> list[Any]:
        events, self.pending_events = self.pending_events, []
        return events


def next_event(target: Any, event_class: type[CanMutateAggregate[UUID]], values: Mapping[str, Any]) -> Any:
    """``target``'s next event of ``event_class``, stamped now and applied to ``target``.

    ``target`` is an aggregate, or a ``StandIn`` with the attributes the event's ``apply``
    changes."""
    event = _fields_of(event_class).event(
        event_class,
        {
            **values,
            "originator_id": target.id,
            "originator_version": target.version + 1,
            "timestamp": event_class.create_timestamp(),
        },
    )
    event.mutate(target)
    return event


def replay_created(event: Any) -> Any:
    """The aggregate a stored "created" event makes, as ``event.mutate(None)`` makes it."""
    aggregate_class: type[Any] = resolve_topic(event.originator_topic)
    if not issubclass(aggregate_class, BulkCreated) or type(event).apply is not _PLAIN_APPLY:
        return event.mutate(None)
    return _creation(aggregate_class, type(event)).build(aggregate_class, event.__dict__)


_PLAIN_APPLY = CanInitAggregate.apply  # "created" events that add nothing to __init__
