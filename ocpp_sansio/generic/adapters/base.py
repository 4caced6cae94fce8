"""Machinery shared by the version adapters: dispatch, loss bookkeeping, enumeration maps.

An adapter class declares its conversions with two decorators:

- :func:`converts` on a method turning one generic class into a version message
  (``(self, message, ctx) -> version message``, or ``raise ctx.refuse(...)``), naming the
  version action(s) it may produce and notes for the mapping table;
- :func:`reads` on a method turning one version message (by action and kind) into a generic
  message, naming the version fields it reads: every other field found set is reported lost
  (the check runs after the method, so the table in ``docs/generated/generic-mapping.md``
  and the behaviour come from the same declaration).
"""

import enum
import importlib
from collections.abc import Callable, Collection, Iterable, Mapping
from types import ModuleType
from typing import Any, ClassVar, Literal, TypeVar

import attrs

from ...actions import ActionTable, Direction, actions_for
from ...version import Version
from ..common import GenericMessage, Role
from ..operations import OPERATIONS, OperationSpec
from ..outcome import Converted, GenericUsageError, Loss, LossKind, Unsupported, UnsupportedReason
from ..txmap import TransactionMap

Kind = Literal["request", "response"]
F = TypeVar("F", bound=Callable[..., Any])


class Refused(Exception):
    """Raised inside a conversion method to end it with an :class:`Unsupported` outcome; the
    entry points catch it and return the outcome (they never raise it)."""

    def __init__(self, outcome: Unsupported) -> None:
        super().__init__(outcome.detail)
        self.outcome = outcome


class Ctx:
    """One conversion in progress: where losses are recorded and refusals built."""

    __slots__ = ("adapter", "lost", "now", "operation", "request")

    def __init__(self, adapter: "BaseAdapter", operation: str, request: Any,
                 now: float | None) -> None:
        self.adapter = adapter
        self.operation = operation
        self.request = request
        self.now = now
        self.lost: list[Loss] = []

    def drop(self, path: str, detail: str = "") -> None:
        self.lost.append(Loss(path, LossKind.DROPPED, detail))

    def approx(self, path: str, detail: str) -> None:
        self.lost.append(Loss(path, LossKind.APPROXIMATED, detail))

    def default(self, path: str, detail: str) -> None:
        self.lost.append(Loss(path, LossKind.DEFAULTED, detail))

    def normalized(self, path: str, detail: str) -> None:
        self.lost.append(Loss(path, LossKind.NORMALIZED, detail))

    def unsupported(self, reason: UnsupportedReason, field: str | None = None, detail: str = "",
                    reply: Any = None) -> Unsupported:
        return Unsupported(operation=self.operation, version=self.adapter.version, reason=reason,
                           field=field, detail=detail, reply=reply)

    def refuse(self, reason: UnsupportedReason, field: str | None = None, detail: str = "",
               reply: Any = None) -> Refused:
        """The exception ending this conversion as unsupported (``raise ctx.refuse(...)``)."""
        return Refused(self.unsupported(reason, field, detail, reply))

    def enum_out(self, emap: "EnumMap", value: str, path: str) -> Any:
        """``emap.out`` or, for a value the version lacks, an unsupported ``VALUE`` outcome."""
        result = emap.out(value, self, path)
        if result is None:
            raise self.refuse(UnsupportedReason.VALUE, path,
                              f"{value} cannot be expressed in {self.adapter.version}")
        return result

    def unread(self, obj: Any, used: Collection[str], path: str = "") -> None:
        """Report every field of ``obj`` not in ``used`` that holds more than its default."""
        for a in attrs.fields(type(obj)):
            name = a.name
            if name in used or name == "version_message":
                continue
            value = getattr(obj, name)
            where = f"{path}.{name}" if path else name
            if a.metadata.get("extra"):
                if value:
                    self.drop(where, "unknown properties kept by lenient validation")
                continue
            default = a.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            if default is attrs.NOTHING or value != default:
                self.drop(where, f"no place for it in {self.adapter.version}")


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class EnumMap:
    """A generic enumeration onto one version's enumeration (or onto free text, ``wire=None``).

    Values pair by equal spelling unless ``renames`` (exact, generic -> wire) says otherwise.
    ``approx_out`` sends a generic value the version lacks as a near one (reported
    approximated); ``approx_in`` and ``normalize_in`` read version values the generic
    enumeration spells otherwise. A generic value with no pairing is unsupported (``out``
    returns ``None``).

    Maps are shared by every adapter of a version (built once per adapter class): treat them
    as immutable.
    """

    def __init__(self, generic: type[enum.StrEnum], wire: type[enum.StrEnum] | None, *,
                 renames: Mapping[str, str] | None = None,
                 approx_out: Mapping[str, str] | None = None,
                 approx_in: Mapping[str, str] | None = None,
                 normalize_in: Mapping[str, str] | None = None) -> None:
        self.generic = generic
        self.wire = wire
        self.renames = dict(renames or {})
        self.approx_out = dict(approx_out or {})
        self.approx_in = dict(approx_in or {})
        self.normalize_in = dict(normalize_in or {})
        self._inverse = {w: g for g, w in self.renames.items()}

    def out(self, value: str, ctx: Ctx, path: str) -> Any:
        """The version value for a generic one, or ``None`` when the version lacks it."""
        text = str(value)
        if text in self.approx_out:
            target = self.approx_out[text]
            ctx.approx(path, f"{text} sent as {target}")
        else:
            target = self.renames.get(text, text)
        if self.wire is None:
            return target
        return self.wire._value2member_map_.get(target)

    def has(self, value: str) -> bool:
        """Whether :meth:`out` can send the generic ``value`` (exactly or approximated)."""
        text = str(value)
        if text in self.approx_out or self.wire is None:
            return True
        return self.renames.get(text, text) in self.wire._value2member_map_

    def into(self, value: str, ctx: Ctx, path: str) -> Any:
        """The generic value for a version one."""
        text = str(value)
        if text in self.normalize_in:
            target = self.normalize_in[text]
            ctx.normalized(path, f"{text} read as {target}")
        elif text in self.approx_in:
            target = self.approx_in[text]
            ctx.approx(path, f"{text} read as {target}")
        else:
            target = self._inverse.get(text, text)
        return self.generic(target)

    def rows(self) -> list[tuple[str, str, str]]:
        """``(generic value, version value, how)`` for every value that does not pair by
        equal spelling (for the mapping table)."""
        wire_values = (None if self.wire is None
                       else {str(m.value) for m in self.wire})
        out: list[tuple[str, str, str]] = []
        for member in self.generic:
            g = str(member.value)
            if g in self.approx_out:
                out.append((g, self.approx_out[g], "approximated"))
            elif g in self.renames:
                out.append((g, self.renames[g], "renamed"))
            elif wire_values is not None and g not in wire_values:
                out.append((g, "-", "unsupported"))
        for w, g in self.approx_in.items():
            out.append((g, w, "read approximated"))
        for w, g in self.normalize_in.items():
            out.append((g, w, "read normalized"))
        return out


@attrs.frozen
class ToRoute:
    """A generic class and the method converting it."""

    generic: type[GenericMessage]
    actions: tuple[str, ...]
    notes: str
    method: str


@attrs.frozen
class FromRoute:
    """A version message (action, kind) and the method converting it."""

    action: str
    kind: Kind
    reads: frozenset[str]
    method: str


def converts(generic: type[GenericMessage], *actions: str, notes: str = "") -> Callable[[F], F]:
    """Declare a method converting ``generic`` to the version action(s) ``actions``."""

    def mark(fn: F) -> F:
        fn._generic_to = (generic, actions, notes)  # type: ignore[attr-defined]
        return fn

    return mark


def reads(action: str, kind: Kind, fields: Iterable[str]) -> Callable[[F], F]:
    """Declare a method converting a version ``action`` ``kind`` message, reading ``fields``."""

    def mark(fn: F) -> F:
        fn._generic_from = (action, kind, frozenset(fields))  # type: ignore[attr-defined]
        return fn

    return mark


class BaseAdapter:
    """One version's generic <-> version conversions for one role.

    Conversions are pure but for the transaction bookkeeping of the station role
    (:class:`~ocpp_sansio.generic.txmap.TransactionMap`), which takes ``now`` from the caller.
    """

    version: ClassVar[Version]
    #: generic operations this version cannot carry at all, with the reason
    unsupported_operations: ClassVar[Mapping[str, str]] = {}
    to_routes: ClassVar[dict[type[GenericMessage], ToRoute]] = {}
    from_routes: ClassVar[dict[tuple[str, Kind], FromRoute]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        to: dict[type[GenericMessage], ToRoute] = {}
        frm: dict[tuple[str, Kind], FromRoute] = {}
        for klass in reversed(cls.__mro__):
            for name, fn in vars(klass).items():
                spec_to = getattr(fn, "_generic_to", None)
                if spec_to is not None:
                    generic, actions, notes = spec_to
                    to[generic] = ToRoute(generic, actions, notes, name)
                spec_from = getattr(fn, "_generic_from", None)
                if spec_from is not None:
                    action, kind, fields = spec_from
                    frm[(action, kind)] = FromRoute(action, kind, fields, name)
        cls.to_routes = to
        cls.from_routes = frm

    #: this version's generated model package (shared by every instance of the class)
    m: ClassVar[ModuleType]
    #: this version's action table (shared)
    actions: ClassVar[ActionTable]
    #: every enumeration map of the class, by attribute name, in build order (shared)
    _enum_maps: ClassVar[dict[str, EnumMap]]

    def __init__(self, role: Role, *, transactions: TransactionMap | None = None) -> None:
        cls = type(self)
        if "_enum_maps" not in cls.__dict__:
            cls._share()
        self.role = role
        #: the station-side transaction bookkeeping (unused by the CSMS role)
        self.transactions = transactions if transactions is not None else TransactionMap()

    @classmethod
    def _share(cls) -> None:
        """Build what every instance of this class shares, once, on the first instantiation.

        Everything but the per-connection state (role, transaction bookkeeping) depends on the
        version only, so it lives on the class: the model module, the action table and the
        immutable enumeration maps (:meth:`_build_maps`). Building twice (two threads racing
        on the first instance) is harmless: both builds are equal.
        """
        cls.m = importlib.import_module(cls.version.module)
        cls.actions = actions_for(cls.version)
        cls._build_maps()
        cls._enum_maps = {k: v for k, v in vars(cls).items() if isinstance(v, EnumMap)}

    @classmethod
    def _build_maps(cls) -> None:
        """Set the class's :class:`EnumMap` attributes (each version adapter does)."""

    # -- entry points ---------------------------------------------------------------------

    def to_wire_message(self, message: Any, *, request: Any = None,
                        now: float | None = None) -> Converted[Any] | Unsupported:
        """Convert a generic message to this version.

        A response needs the generic ``request`` it answers. A message that already is one of
        this version's passes through unchanged (the escape hatch; it bypasses the transaction
        bookkeeping). ``now``: seconds from a monotonic clock, for the transaction bounds.
        """
        if self._is_version_message(message):
            return Converted(message)
        spec, kind = self._generic_spec(message)
        if kind == "request":
            if not spec.sent_by(self.role):
                raise GenericUsageError(f"a {self.role} does not send {spec.name} requests")
        else:
            if spec.direction is not Direction.BOTH and spec.sent_by(self.role):
                raise GenericUsageError(f"a {self.role} does not answer {spec.name} requests")
            self._check_request(spec, request)
        if spec.name in self.unsupported_operations:
            return Unsupported(operation=spec.name, version=self.version,
                               reason=UnsupportedReason.OPERATION,
                               detail=self.unsupported_operations[spec.name])
        route = self.to_routes.get(type(message))
        if route is None:
            return Unsupported(operation=spec.name, version=self.version,
                               reason=UnsupportedReason.OPERATION,
                               detail=f"{spec.name} has no {self.version} mapping")
        ctx = Ctx(self, spec.name, request, now)
        try:
            result = getattr(self, route.method)(message, ctx)
        except Refused as refused:
            return refused.outcome
        return Converted(result, tuple(ctx.lost))

    def from_wire_message(self, message: Any, *, request: Any = None,
                          now: float | None = None) -> Converted[GenericMessage] | Unsupported:
        """Convert a message of this version to its generic form.

        A response needs the generic ``request`` it answers (the generic operation follows
        from it). A version message with no generic counterpart gives ``Unsupported``
        (``OPERATION``): hand it to the application as it is.
        """
        try:
            action, is_request = self.actions.of(message)
        except KeyError:
            raise GenericUsageError(
                f"not a {self.version} message: {type(message).__name__}") from None
        kind: Kind = "request" if is_request else "response"
        peer = Role.CSMS if self.role is Role.STATION else Role.STATION
        sender = peer if is_request else self.role
        sends = (action.direction.sent_by_station() if sender is Role.STATION
                 else action.direction.sent_by_csms())
        if not sends:
            raise GenericUsageError(f"a {sender} does not send {action.name} requests")
        if not is_request:
            if request is None:
                raise GenericUsageError("a response converts with the request it answers")
            if not isinstance(request, GenericMessage):
                return Unsupported(operation=action.name, version=self.version,
                                   reason=UnsupportedReason.OPERATION,
                                   detail="the request was sent as a version message: "
                                          "its response stays version-specific")
            sent = self.to_routes.get(type(request))
            if sent is None or action.name not in sent.actions:
                raise GenericUsageError(f"a {action.name} response does not answer a "
                                        f"{type(request).__name__}")
        route = self.from_routes.get((action.name, kind))
        if route is None:
            return Unsupported(operation=action.name, version=self.version,
                               reason=UnsupportedReason.OPERATION,
                               detail=f"{self.version} {action.name} has no generic mapping")
        ctx = Ctx(self, action.name, request, now)
        try:
            result = getattr(self, route.method)(message, ctx)
        except Refused as refused:
            return refused.outcome
        ctx.unread(message, route.reads)
        # The escape hatch: the generic message keeps its source (set on the new object before
        # anyone else sees it, as attrs itself does for frozen classes).
        object.__setattr__(result, "version_message", message)
        return Converted(result, tuple(ctx.lost))

    # -- helpers --------------------------------------------------------------------------

    def _is_version_message(self, message: Any) -> bool:
        try:
            self.actions.of(message)
        except KeyError:
            return False
        return not isinstance(message, type)

    def _generic_spec(self, message: Any) -> tuple[OperationSpec, Kind]:
        if isinstance(message, type):
            raise GenericUsageError("expected a message instance, got a class")
        try:
            return OPERATIONS.of(message)
        except KeyError:
            raise GenericUsageError(
                f"neither a generic message nor a {self.version} message: "
                f"{type(message).__name__}") from None

    @staticmethod
    def _check_request(spec: OperationSpec, request: Any) -> None:
        if not isinstance(request, spec.request):
            raise GenericUsageError(
                f"a {spec.name} response converts with its {spec.request.__name__}")

    def enum_maps(self) -> dict[str, EnumMap]:
        """Every enumeration map of this adapter, by attribute name (for the mapping table)."""
        return dict(self._enum_maps)

    def cls(self, name: str) -> Any:
        """A class of this version's model by name (``BootNotificationRequest``, ``IdTagInfo``)."""
        return getattr(self.m, name)
