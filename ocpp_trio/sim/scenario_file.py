"""Scenario files of the simulators: TOML or YAML, validated on load (``docs/simulators.md``).

Two kinds of file, told apart by their top-level list (``steps`` or ``calls``) and, when
given, by ``kind = "station"`` / ``kind = "csms"``:

- :class:`StationScenario`: ordered ``steps`` a :class:`~ocpp_trio.sim.SimStation` runs
  (``authorize``, ``start``, ``meter``, ``stop``, ``heartbeat``, ``status``, ``wait``,
  ``wait-for``, ``data-transfer``, ``call``, ``repeat``). The object is a scenario:
  ``await scenario(station)``.
- :class:`CsmsScenario`: ``calls`` the :class:`~ocpp_trio.sim.CsmsSimulator` sends to
  stations, each a generic operation (:mod:`ocpp_sansio.generic`, so one file serves every
  version and transport) or, as an escape hatch, a version ``action`` with its wire
  ``payload``.

:func:`load_scenario` validates the whole file before anything runs: unknown keys, wrong
types, values outside their range and generic requests that cannot be built are all
collected into one :class:`ScenarioError` whose message names, per problem, the file, the
line and the field path (``charge.toml:12: steps[3].connector: expected an integer >= 1, got
"one"``).

Lines: YAML files use the marks of the composed node tree (exact for every key and list
item). ``tomllib`` keeps no positions, so TOML files are scanned a second time by a small
tokenizer (:func:`toml_lines`) that follows table headers, arrays of tables, dotted keys,
inline tables and arrays. Its limits: a problem inside a value is reported at the line where
that value starts (a multi-line string, or an element of an array spanning lines, is reported
at its first line), and a missing key at the line of the table that lacks it.
"""

import datetime
import decimal
import difflib
import enum
import json
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import attrs
import trio
import yaml

from ocpp_sansio import codec
from ocpp_sansio.actions import actions_for
from ocpp_sansio.generic import OPERATIONS
from ocpp_sansio.generic.availability import (
    ConnectorErrorCode,
    ConnectorStatus,
    StatusNotificationRequest,
)
from ocpp_sansio.generic.common import GenericMessage, to_decimal
from ocpp_sansio.generic.configuration import ConfigKey
from ocpp_sansio.generic.data_transfer import DataTransferRequest, DataTransferStatus
from ocpp_sansio.generic.outcome import Unsupported
from ocpp_sansio.generic.transactions import StopReason
from ocpp_sansio.validation import STRICT, ValidationError, validate
from ocpp_sansio.version import Version

from .log import utc_now

if TYPE_CHECKING:
    from .station import SimStation

__all__ = [
    "CsmsCall", "CsmsScenario", "Problem", "ScenarioError", "ScenarioFailed",
    "StationScenario", "Step", "build_generic", "generic_json", "load_scenario",
    "loads_scenario", "toml_lines",
]

PathT = tuple[str | int, ...]

#: the string replaced, in a CSMS call's request, by the generic id of the station's latest
#: open transaction (``docs/simulators.md``)
TRANSACTION_PLACEHOLDER = "$transaction"


# -- problems ---------------------------------------------------------------------------------


def format_path(path: Sequence[str | int]) -> str:
    """``("steps", 3, "connector")`` -> ``steps[3].connector``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


@attrs.frozen
class Problem:
    """One thing wrong in a scenario file."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}"


class ScenarioError(Exception):
    """A scenario file that cannot be used (a local error); ``problems`` lists every
    problem found, the message has one line per problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        # in file order; problems without a line (the file as a whole) last
        self.problems = tuple(sorted(problems, key=lambda p: (p.file, p.line is None,
                                                              p.line or 0)))
        super().__init__("\n".join(str(p) for p in self.problems))


class ScenarioFailed(Exception):
    """A step of a running station scenario did not go as the file says (its ``expect``, a
    ``wait-for`` timeout, a request the station's version cannot express)."""


def _show(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return str(value)


# -- positions ----------------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class _TomlScanner:
    """Finds the line of every key, table and array element of a (valid) TOML text."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.line = 1
        self.lines: dict[PathT, int] = {}
        self.arrays: dict[PathT, int] = {}  # array of tables -> index of its last table

    def _skip(self, newlines: bool) -> None:
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c in " \t\r":
                self.i += 1
            elif c == "\n" and newlines:
                self.i += 1
                self.line += 1
            elif c == "#":
                end = s.find("\n", self.i)
                self.i = len(s) if end < 0 else end
            else:
                return

    def _take(self, end: int) -> str:
        chunk = self.s[self.i:end]
        self.line += chunk.count("\n")
        self.i = end
        return chunk

    def _string(self) -> str:
        s, start = self.s, self.i
        quote = s[self.i]
        if s.startswith(quote * 3, self.i):
            end = s.find(quote * 3, self.i + 3)
            end = len(s) if end < 0 else end + 3
            while end < len(s) and s[end] == quote:  # up to two quotes may end the content
                end += 1
            raw = self._take(end)
        else:
            j = self.i + 1
            while j < len(s) and s[j] != quote:
                j += 2 if quote == '"' and s[j] == "\\" else 1
            raw = self._take(min(j + 1, len(s)))
        try:
            value = tomllib.loads(f"k = {raw}")["k"]
        except tomllib.TOMLDecodeError:
            return s[start:self.i]
        return str(value)

    def _key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self._skip(False)
            if self.s[self.i] in "\"'":
                parts.append(self._string())
            else:
                match = _BARE_KEY.match(self.s, self.i)
                if match is None:
                    raise ValueError("not a key")
                parts.append(match.group())
                self.i = match.end()
            self._skip(False)
            if self.i < len(self.s) and self.s[self.i] == ".":
                self.i += 1
                continue
            return parts

    def _resolve(self, parts: list[str]) -> PathT:
        path: PathT = ()
        for part in parts:
            path += (part,)
            if path in self.arrays:
                path += (self.arrays[path],)
        return path

    def scan(self) -> dict[PathT, int]:
        table: PathT = ()
        while True:
            self._skip(True)
            if self.i >= len(self.s):
                return self.lines
            line = self.line
            if self.s.startswith("[[", self.i):
                self.i += 2
                parts = self._key()
                self.i += 2
                name = (*self._resolve(parts[:-1]), parts[-1])
                index = self.arrays.get(name, -1) + 1
                self.arrays[name] = index
                table = (*name, index)
                self.lines.setdefault(name, line)
                self.lines[table] = line
            elif self.s[self.i] == "[":
                self.i += 1
                parts = self._key()
                self.i += 1
                table = self._resolve(parts)
                self.lines.setdefault(table, line)
            else:
                self._keyval(table)

    def _keyval(self, base: PathT) -> None:
        line = self.line
        path = base
        for part in self._key():
            path += (part,)
            self.lines.setdefault(path, line)
        self._skip(False)
        self.i += 1  # '='
        self._skip(False)
        self._value(path)

    def _value(self, path: PathT) -> None:
        c = self.s[self.i]
        if c == "{":
            self.i += 1
            while True:
                self._skip(True)
                if self.s[self.i] == "}":
                    self.i += 1
                    return
                self._keyval(path)
                self._skip(True)
                if self.s[self.i] == ",":
                    self.i += 1
        elif c == "[":
            self.i += 1
            index = 0
            while True:
                self._skip(True)
                if self.s[self.i] == "]":
                    self.i += 1
                    return
                self.lines[(*path, index)] = self.line
                self._value((*path, index))
                index += 1
                self._skip(True)
                if self.s[self.i] == ",":
                    self.i += 1
        elif c in "\"'":
            self._string()
        else:
            match = re.compile(r"[^,\]}#\n]*").match(self.s, self.i)
            assert match is not None
            self.i = match.end()


def toml_lines(text: str) -> dict[PathT, int]:
    """The line (1-based) where each key path of a TOML document is written: tables,
    array-of-tables elements (``("steps", 2)``), keys and array elements. Best effort: a
    scan that goes wrong returns what it found so far (problems are then reported at the
    nearest known enclosing key)."""
    scanner = _TomlScanner(text)
    try:
        return scanner.scan()
    except (IndexError, ValueError, AssertionError):
        return scanner.lines


def _yaml_lines(node: yaml.Node, path: PathT, lines: dict[PathT, int],
                duplicates: list[tuple[PathT, int]]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            sub = (*path, key)
            line = key_node.start_mark.line + 1
            if sub in lines:
                duplicates.append((sub, line))
            lines[sub] = line
            _yaml_lines(value_node, sub, lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _yaml_lines(item, (*path, index), lines, duplicates)


# -- reading values -----------------------------------------------------------------------------

_BAD: Any = object()  # a value that had a problem (already reported)


class _Reader:
    """Checks values against what they should be, collecting :class:`Problem` s."""

    def __init__(self, file: str, lines: Mapping[PathT, int]) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def line(self, path: PathT) -> int | None:
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def fail(self, path: PathT, message: str) -> Any:
        self.problems.append(Problem(self.file, self.line(path), format_path(path), message))
        return _BAD

    def table(self, value: Any, path: PathT, allowed: Sequence[str],
              required: Sequence[str] = ()) -> dict[str, Any] | None:
        """A table with only ``allowed`` keys and every ``required`` one."""
        if not isinstance(value, dict):
            self.fail(path, f"expected a table, got {_show(value)}")
            return None
        ok = True
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.fail((*path, str(key)),
                          f"unknown key{hint}; expected one of: {', '.join(allowed)}")
                ok = False
        for key in required:
            if key not in value:
                self.fail(path, f"missing required key {key!r}")
                ok = False
        return value if ok else None

    def integer(self, value: Any, path: PathT, minimum: int | None = None) -> Any:
        bound = "" if minimum is None else f" >= {minimum}"
        if isinstance(value, bool) or not isinstance(value, int) or (
                minimum is not None and value < minimum):
            return self.fail(path, f"expected an integer{bound}, got {_show(value)}")
        return value

    def number(self, value: Any, path: PathT, minimum: float = 0.0,
               positive: bool = False) -> Any:
        what = "a number > 0" if positive else f"a number >= {minimum:g}"
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                value <= 0 if positive else value < minimum):
            return self.fail(path, f"expected {what} (seconds), got {_show(value)}")
        return float(value)

    def string(self, value: Any, path: PathT) -> Any:
        if not isinstance(value, str):
            return self.fail(path, f"expected a string, got {_show(value)}")
        return value

    def choice(self, value: Any, path: PathT, choices: Sequence[str]) -> Any:
        if not isinstance(value, str) or value not in choices:
            shown = ", ".join(choices) if len(choices) <= 12 else (
                ", ".join(choices[:12]) + ", ...")
            return self.fail(path, f"expected one of {shown}; got {_show(value)}")
        return value

    def version(self, value: Any, path: PathT) -> Any:
        return self.choice(value, path, [str(v) for v in Version])

    # -- generic messages -------------------------------------------------------------------

    def generic(self, cls: type[Any], value: Any, path: PathT) -> Any:
        """An instance of the attrs class ``cls`` (a generic message or a part of one)."""
        hints = _hints(cls)
        fields = [f for f in attrs.fields(cls) if f.name != "version_message"]
        names = [f.name for f in fields]
        required = [f.name for f in fields if f.default is attrs.NOTHING]
        table = self.table(value, path, names, required)
        if not isinstance(value, dict):
            return _BAD
        kwargs: dict[str, Any] = {}
        for name, item in value.items():
            if name in hints and name in names:
                kwargs[name] = self.typed(hints[name], item, (*path, name))
        if table is None or any(v is _BAD for v in kwargs.values()):
            return _BAD
        try:
            built = cls(**kwargs)
        except (TypeError, ValueError, decimal.InvalidOperation) as exc:
            return self.fail(path, f"not a valid {cls.__name__}: {exc}")
        return _complete(built)

    def typed(self, hint: Any, value: Any, path: PathT) -> Any:
        """``value`` read as the type ``hint`` of a generic class field."""
        origin = typing.get_origin(hint)
        if hint is Any:
            return _plain(value)
        if origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(hint) if a is not type(None)]
            if value is None:
                return None
            return self.typed(args[0] if len(args) == 1 else Any, value, path)
        if origin is tuple:
            if not isinstance(value, list):
                return self.fail(path, f"expected a list, got {_show(value)}")
            item_type = typing.get_args(hint)[0]
            items = [self.typed(item_type, v, (*path, i)) for i, v in enumerate(value)]
            return _BAD if any(i is _BAD for i in items) else tuple(items)
        if attrs.has(hint):
            return self.generic(hint, value, path)
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return self.choice(value, path, [str(m.value) for m in hint])
        if hint is bool:
            if not isinstance(value, bool):
                return self.fail(path, f"expected true or false, got {_show(value)}")
            return value
        if hint is int:
            return self.integer(value, path)
        if hint is str:
            return self.string(value, path)
        if hint is decimal.Decimal:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                return self.fail(path, f"expected a number, got {_show(value)}")
            try:
                return to_decimal(value)
            except decimal.InvalidOperation:
                return self.fail(path, f"expected a number, got {_show(value)}")
        if hint is datetime.datetime:
            return self.timestamp(value, path)
        return self.fail(path, f"cannot be given in a scenario file ({hint})")

    def timestamp(self, value: Any, path: PathT) -> Any:
        if isinstance(value, datetime.datetime):
            return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
        if isinstance(value, str):
            try:
                return codec.parse_datetime(value)
            except ValueError:
                pass
        return self.fail(path, f"expected a date-time (RFC 3339), got {_show(value)}")


def _complete(value: Any) -> Any:
    """A configuration key given by its 1.x name only (or its 2.0.1 variable only) gets the
    other half from the standard keys (``ConfigKey.named`` / ``ConfigKey.at``), so that one
    file addresses the setting in every version."""
    if isinstance(value, ConfigKey):
        if value.variable is None and value.name is not None:
            return ConfigKey.named(value.name)
        if value.name is None and value.variable is not None:
            return ConfigKey.at(value.variable)
    return value


def _plain(value: Any) -> Any:
    """A value as JSON data (date-times of TOML/YAML as RFC 3339 text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return codec.format_datetime(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def build_generic(cls: type[Any], value: Any, path: Sequence[str | int] = ("request",),
                  file: str = "request") -> Any:
    """Build the generic message (or part) ``cls`` from JSON-like ``value`` (snake_case
    field names, enum values as their OCPP spelling, date-times as RFC 3339 text); raises
    :class:`ScenarioError` naming every problem by field path."""
    reader = _Reader(file, {})
    built = reader.generic(cls, value, tuple(path))
    if reader.problems:
        raise ScenarioError(reader.problems)
    return built


def generic_json(value: Any) -> Any:
    """A generic message (or anything in one) as JSON data: snake_case keys, unset optional
    fields and empty lists left out, enums as their values, Decimals as numbers, date-times
    as RFC 3339 text; ``version_message`` is not included."""
    if attrs.has(type(value)):
        out: dict[str, Any] = {}
        for f in attrs.fields(type(value)):
            if f.name == "version_message":
                continue
            item = getattr(value, f.name)
            if item is None or item == ():
                continue
            out[f.name] = generic_json(item)
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [generic_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): generic_json(v) for k, v in value.items()}
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.datetime):
        return codec.format_datetime(value)
    return value


# -- station scenarios ---------------------------------------------------------------------------

EXPECT_BOOL = ("Accepted", "Rejected", "any")
WAIT_EVENTS = ("transaction-started", "transaction-ended")


@attrs.frozen(kw_only=True)
class Step:
    """One step of a station scenario; ``where`` its path in the file (``steps[3]``),
    ``line`` its line (``None`` when unknown)."""

    where: str = attrs.field(default="", eq=False)
    line: int | None = attrs.field(default=None, eq=False)


@attrs.frozen(kw_only=True)
class Authorize(Step):
    """Authorize ``id_tag`` (default: the station's ``--id-tag``)."""

    id_tag: str | None = None
    expect: str = "Accepted"


@attrs.frozen(kw_only=True)
class Start(Step):
    """Start a transaction on ``connector`` with ``id_tag``."""

    connector: int = 1
    id_tag: str | None = None
    expect: str = "Accepted"


@attrs.frozen(kw_only=True)
class Meter(Step):
    """Report the meter of ``connector`` ``count`` times, ``interval`` seconds apart (the
    first report after one interval)."""

    connector: int = 1
    count: int = 1
    interval: float = 0.0


@attrs.frozen(kw_only=True)
class Stop(Step):
    """Stop the transaction on ``connector`` with ``reason`` (generic ``StopReason``)."""

    connector: int = 1
    reason: str = "Local"


@attrs.frozen(kw_only=True)
class Heartbeat(Step):
    """Send Heartbeat."""


@attrs.frozen(kw_only=True)
class Status(Step):
    """Send StatusNotification for ``connector``: ``status`` (default: its current one)."""

    connector: int = 1
    status: str | None = None
    error_code: str = "NoError"
    info: str | None = None


@attrs.frozen(kw_only=True)
class Wait(Step):
    """Sleep ``seconds``."""

    seconds: float


@attrs.frozen(kw_only=True)
class WaitFor(Step):
    """Wait until a transaction runs (``transaction-started``; e.g. after a remote start)
    or until a transaction ended after this step began (``transaction-ended``), on
    ``connector`` or any; fail after ``timeout`` seconds (``None``: wait forever)."""

    event: str
    connector: int | None = None
    timeout: float | None = None


@attrs.frozen(kw_only=True)
class DataTransfer(Step):
    """Send DataTransfer; ``expect`` a ``DataTransferStatus`` value or ``any``."""

    vendor_id: str
    message_id: str | None = None
    data: Any = None
    expect: str = "any"


@attrs.frozen(kw_only=True)
class Call(Step):
    """Send the version ``action`` with its wire ``payload`` (validated when sent, or on load
    when ``version`` is given; the step is then skipped on stations of other versions)."""

    action: str
    payload: dict[str, Any]
    version: Version | None = None


@attrs.frozen(kw_only=True)
class Repeat(Step):
    """Run ``steps`` ``times`` times."""

    times: int
    steps: tuple[Step, ...]


#: step name -> (class, {key: kind}) where kind names a reader of :func:`_read_step`
_STEPS: dict[str, tuple[type[Step], dict[str, str]]] = {
    "authorize": (Authorize, {"id_tag": "str", "expect": "expect"}),
    "start": (Start, {"connector": "connector", "id_tag": "str", "expect": "expect"}),
    "meter": (Meter, {"connector": "connector", "count": "count", "interval": "seconds"}),
    "stop": (Stop, {"connector": "connector", "reason": "reason"}),
    "heartbeat": (Heartbeat, {}),
    "status": (Status, {"connector": "connector", "status": "status",
                        "error_code": "error_code", "info": "str"}),
    "wait": (Wait, {"seconds": "seconds"}),
    "wait-for": (WaitFor, {"event": "event", "connector": "connector",
                           "timeout": "timeout"}),
    "data-transfer": (DataTransfer, {"vendor_id": "str", "message_id": "str",
                                     "data": "json", "expect": "dt_expect"}),
    "call": (Call, {"action": "str", "payload": "payload", "version": "version"}),
    "repeat": (Repeat, {"times": "count", "steps": "steps"}),
}
_REQUIRED = {"wait": ("seconds",), "wait-for": ("event",), "data-transfer": ("vendor_id",),
             "call": ("action", "payload"), "repeat": ("times", "steps")}


def _read_value(r: _Reader, kind: str, value: Any, path: PathT) -> Any:
    if kind == "str":
        return r.string(value, path)
    if kind == "connector":
        return r.integer(value, path, 1)
    if kind == "count":
        return r.integer(value, path, 1)
    if kind == "seconds":
        return r.number(value, path)
    if kind == "timeout":
        return r.number(value, path, positive=True)
    if kind == "expect":
        return r.choice(value, path, EXPECT_BOOL)
    if kind == "dt_expect":
        return r.choice(value, path, [*DataTransferStatus, "any"])
    if kind == "reason":
        return r.choice(value, path, list(StopReason))
    if kind == "status":
        return r.choice(value, path, list(ConnectorStatus))
    if kind == "error_code":
        return r.choice(value, path, list(ConnectorErrorCode))
    if kind == "event":
        return r.choice(value, path, WAIT_EVENTS)
    if kind == "json":
        return _plain(value)
    if kind == "payload":
        if not isinstance(value, dict):
            return r.fail(path, f"expected a table (the wire JSON payload), got {_show(value)}")
        return _plain(value)
    if kind == "version":
        got = r.version(value, path)
        return got if got is _BAD else Version(got)
    if kind == "steps":
        return _read_steps(r, value, path)
    raise AssertionError(kind)


def _check_action(r: _Reader, action: Any, payload: Any, version: Any, path: PathT, *,
                  direction: str) -> None:
    """An escape-hatch action: known in some version (the given one, if any) and, with a
    version, a payload valid against its schema."""
    if action is _BAD or not isinstance(action, str):
        return
    versions = [version] if isinstance(version, Version) else list(Version)
    sender_ok = False
    for v in versions:
        spec = actions_for(v).get(action)
        if spec is not None and (spec.direction.sent_by_station() if direction == "station"
                                 else spec.direction.sent_by_csms()):
            sender_ok = True
    if not sender_ok:
        where = f"OCPP {version}" if isinstance(version, Version) else "any version"
        who = "a station" if direction == "station" else "the CSMS"
        r.fail((*path, "action"), f"{_show(action)} is not an action {who} sends in {where}")
        return
    if isinstance(version, Version) and isinstance(payload, dict):
        try:
            validate(version, action, "request", payload, STRICT)
        except ValidationError as exc:
            sub = (*path, "payload", *_json_path(exc.path))
            r.fail(sub, f"not a valid {action} request of OCPP {version}: {exc}")


def _json_path(path: str) -> PathT:
    """``$.meterValue[0].unit`` -> ``("meterValue", 0, "unit")``."""
    out: list[str | int] = []
    for name, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path or ""):
        out.append(int(index) if index else name)
    return tuple(out)


def _read_step(r: _Reader, value: Any, path: PathT) -> Step | None:
    if not isinstance(value, dict):
        r.fail(path, f"expected a table (a step), got {_show(value)}")
        return None
    kind = value.get("do")
    if kind is None:
        r.fail(path, f"missing required key 'do' (one of: {', '.join(_STEPS)})")
        return None
    if r.choice(kind, (*path, "do"), list(_STEPS)) is _BAD:
        return None
    cls, fields = _STEPS[kind]
    table = r.table(value, path, ["do", *fields], _REQUIRED.get(kind, ()))
    if table is None:
        return None
    kwargs: dict[str, Any] = {}
    for key, item in table.items():
        if key != "do":
            kwargs[key] = _read_value(r, fields[key], item, (*path, key))
    if cls is Call:
        _check_action(r, kwargs.get("action"), kwargs.get("payload"), kwargs.get("version"),
                      path, direction="station")
    if any(v is _BAD for v in kwargs.values()):
        return None
    return cls(where=format_path(path), line=r.line(path), **kwargs)


def _read_steps(r: _Reader, value: Any, path: PathT) -> Any:
    if not isinstance(value, list) or not value:
        return r.fail(path, f"expected a non-empty list of steps, got {_show(value)}")
    steps = [_read_step(r, item, (*path, i)) for i, item in enumerate(value)]
    return _BAD if any(s is None for s in steps) else tuple(steps)


@attrs.frozen(kw_only=True)
class StationScenario:
    """A station scenario file, validated: ``await scenario(station)`` runs its steps on a
    connected, booted :class:`~ocpp_trio.sim.SimStation` (raising :class:`ScenarioFailed`
    when a step does not go as expected)."""

    steps: tuple[Step, ...]
    name: str | None = None
    description: str | None = None
    source: str = attrs.field(default="<scenario>", eq=False)

    async def __call__(self, station: "SimStation") -> None:
        await _run_steps(self, self.steps, station)


def _failed(scenario: StationScenario, step: Step, message: str) -> ScenarioFailed:
    where = scenario.source if step.line is None else f"{scenario.source}:{step.line}"
    kind = next(name for name, (cls, _) in _STEPS.items() if cls is type(step))
    return ScenarioFailed(f"{where}: {step.where} ({kind}): {message}")


def _expect(scenario: StationScenario, step: Step, expect: str, ok: bool) -> None:
    if expect == "any" or ok == (expect == "Accepted"):
        return
    got = "Accepted" if ok else "not Accepted"
    raise _failed(scenario, step, f"expected {expect}, got {got}")


async def _send_generic(scenario: StationScenario, step: Step, station: Any,
                        request: GenericMessage) -> Any:
    """Send a generic request through ``SimStation.call`` (which converts it for the
    station's version); the generic response."""
    answer = await station.call(request)
    if isinstance(answer, Unsupported):
        raise _failed(scenario, step, f"OCPP {station.version} cannot send this: "
                                      f"{answer.detail or answer.reason}")
    return answer


def _running(station: Any, connector: int | None) -> list[Any]:
    return [c for c in station.connectors.values()
            if getattr(c, "transaction", None) is not None
            and (connector is None or c.id == connector)]


async def _wait_for(step: WaitFor, station: Any) -> bool:
    done = len(station.completed)

    def reached() -> bool:
        if step.event == "transaction-started":
            return bool(_running(station, step.connector))
        return len(station.completed) > done and not (
            step.connector is not None and _running(station, step.connector))

    with trio.move_on_after(float("inf") if step.timeout is None else step.timeout):
        while not reached():
            await station.changed.wait()
        return True
    return False


async def _run_steps(scenario: StationScenario, steps: Sequence[Step], station: Any) -> None:
    for step in steps:
        await _run_step(scenario, step, station)


async def _run_step(scenario: StationScenario, step: Step, station: Any) -> None:
    tag = getattr(step, "id_tag", None) or station.options.id_tag
    if isinstance(step, Authorize):
        _expect(scenario, step, step.expect, bool(await station.authorize(tag)))
    elif isinstance(step, Start):
        if step.connector not in station.connectors:
            raise _failed(scenario, step, f"the station has no connector {step.connector}")
        ok = bool(await station.start_transaction(step.connector, tag))
        _expect(scenario, step, step.expect, ok)
    elif isinstance(step, Meter):
        for _ in range(step.count):
            await trio.sleep(step.interval)
            await station.meter(step.connector)
    elif isinstance(step, Stop):
        await station.stop_transaction(step.connector, reason=step.reason)
    elif isinstance(step, Heartbeat):
        await station.heartbeat()
    elif isinstance(step, Status):
        connector = station.connectors.get(step.connector)
        if connector is None:
            raise _failed(scenario, step, f"the station has no connector {step.connector}")
        status = step.status or str(connector.status(station.version))
        await _send_generic(scenario, step, station, StatusNotificationRequest(
            evse_id=step.connector, status=ConnectorStatus(status),
            error_code=ConnectorErrorCode(step.error_code), info=step.info,
            timestamp=utc_now().replace(microsecond=0)))
    elif isinstance(step, Wait):
        await trio.sleep(step.seconds)
    elif isinstance(step, WaitFor):
        if not await _wait_for(step, station):
            raise _failed(scenario, step, f"no {step.event} within {step.timeout:g} s")
    elif isinstance(step, DataTransfer):
        response = await _send_generic(scenario, step, station, DataTransferRequest(
            vendor_id=step.vendor_id, message_id=step.message_id, data=step.data))
        status = str(response.status)
        if step.expect not in ("any", status):
            raise _failed(scenario, step, f"expected {step.expect}, got {status}")
    elif isinstance(step, Call):
        version = Version(station.version)
        if step.version is not None and step.version is not version:
            return
        try:
            request = codec.decode(version, step.action, "request", step.payload,
                                   STRICT)
        except (KeyError, ValidationError) as exc:
            raise _failed(scenario, step, f"not a valid {step.action} request of OCPP "
                                          f"{version}: {exc}") from None
        await station.call(request)
    elif isinstance(step, Repeat):
        for _ in range(step.times):
            await _run_steps(scenario, step.steps, station)
    else:  # pragma: no cover - every step class is handled above
        raise AssertionError(step)


# -- CSMS scenarios ------------------------------------------------------------------------------

SINCE = ("previous", "boot", "transaction")


@attrs.frozen(kw_only=True)
class CsmsCall:
    """One CSMS -> station call of a CSMS scenario.

    - ``targets``: station ids, or ``None`` for every station;
    - when: ``after`` seconds since ``since``: ``previous`` (the answer to this station's
      previous call of the file, or its first accepted boot for the first call), ``boot``
      (the station's first accepted BootNotification) or ``transaction`` (a transaction
      running on the station, waited for after the previous call);
    - what: ``operation`` + ``request`` (a generic request) or ``action`` + ``payload`` (the
      wire JSON of one version, validated when sent);
    - ``version``: only for stations of this version (payload validated on load);
    - ``expect``: the ``status`` the response must have (else the call is reported failed);
    - ``timeout``: seconds to wait for the answer (``None``: the binding's default).
    """

    targets: tuple[str, ...] | None = None
    after: float = 0.0
    since: str = "previous"
    operation: str | None = None
    request: Any = None
    action: str | None = None
    payload: dict[str, Any] | None = None
    version: Version | None = None
    expect: str | None = None
    timeout: float | None = None
    where: str = attrs.field(default="", eq=False)
    line: int | None = attrs.field(default=None, eq=False)

    @property
    def label(self) -> str:
        """The operation or action name."""
        return self.operation or self.action or "?"

    def applies_to(self, station_id: str, version: Version) -> bool:
        """Whether the call is sent to this station."""
        if self.targets is not None and station_id not in self.targets:
            return False
        return self.version is None or self.version is version


@attrs.frozen(kw_only=True)
class CsmsScenario:
    """A CSMS scenario file, validated: run by ``CsmsSimulator(scenario=...)``."""

    calls: tuple[CsmsCall, ...]
    name: str | None = None
    description: str | None = None
    source: str = attrs.field(default="<scenario>", eq=False)

    def calls_for(self, station_id: str, version: Version) -> list[CsmsCall]:
        """The calls sent to ``station_id``, in file order."""
        return [c for c in self.calls if c.applies_to(station_id, version)]

    def position(self, call: CsmsCall) -> str:
        """``file:line: calls[i]`` of a call, for messages."""
        where = self.source if call.line is None else f"{self.source}:{call.line}"
        return f"{where}: {call.where}"


_CALL_KEYS = ["target", "after", "since", "operation", "request", "action", "payload",
              "version", "expect", "timeout"]
_CSMS_OPERATIONS = [name for name, spec in OPERATIONS.items() if spec.direction.sent_by_csms()]


def _read_call(r: _Reader, value: Any, path: PathT) -> CsmsCall | None:
    table = r.table(value, path, _CALL_KEYS)
    if table is None:
        return None
    kw: dict[str, Any] = {}
    target = table.get("target", "*")
    if target == "*":
        kw["targets"] = None
    elif isinstance(target, str) and target:
        kw["targets"] = (target,)
    elif isinstance(target, list) and target and all(
            isinstance(t, str) and t and t != "*" for t in target):
        kw["targets"] = tuple(target)
    else:
        kw["targets"] = r.fail((*path, "target"), "expected a station id, a list of "
                                                   f"station ids or \"*\", got {_show(target)}")
    if "after" in table:
        kw["after"] = r.number(table["after"], (*path, "after"))
    if "since" in table:
        kw["since"] = r.choice(table["since"], (*path, "since"), SINCE)
    if "timeout" in table:
        kw["timeout"] = r.number(table["timeout"], (*path, "timeout"), positive=True)
    if "expect" in table:
        kw["expect"] = r.string(table["expect"], (*path, "expect"))
    if "version" in table:
        got = r.version(table["version"], (*path, "version"))
        kw["version"] = got if got is _BAD else Version(got)
    generic = "operation" in table or "request" in table
    raw = "action" in table or "payload" in table
    if generic == raw:
        r.fail(path, "give either 'operation' (with 'request') or 'action' and 'payload'")
        return None
    if generic:
        operation = r.choice(table.get("operation"), (*path, "operation"), _CSMS_OPERATIONS)
        kw["operation"] = operation
        if operation is not _BAD:
            request_path = (*path, "request")
            request = table.get("request", {})
            if request == {} and "request" not in table:
                request_path = path
            kw["request"] = r.generic(OPERATIONS[operation].request, request, request_path)
    else:
        for key in ("action", "payload"):
            if key not in table:
                r.fail(path, f"missing required key {key!r}")
                return None
        kw["action"] = r.string(table["action"], (*path, "action"))
        kw["payload"] = _read_value(r, "payload", table["payload"], (*path, "payload"))
        _check_action(r, kw["action"], kw["payload"], kw.get("version"), path, direction="csms")
    if any(v is _BAD for v in kw.values()):
        return None
    return CsmsCall(where=format_path(path), line=r.line(path), **kw)


# -- loading -------------------------------------------------------------------------------------

_TOP = {"station": ["kind", "name", "description", "steps"],
        "csms": ["kind", "name", "description", "calls"]}


def _parse(text: str, file: str, fmt: str) -> tuple[Any, dict[PathT, int], list[Problem]]:
    if fmt == "toml":
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
            line = int(match.group(1)) if match else None
            message = re.sub(r"\s*\(at .*\)$", "", str(exc))
            raise ScenarioError([Problem(file, line, "syntax",
                                         f"invalid TOML: {message}")]) from None
        return data, toml_lines(text), []
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = None if mark is None else mark.line + 1
        raise ScenarioError([Problem(file, line, "syntax",
                                     f"invalid YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(file, None, "syntax", f"invalid YAML: {exc}")]) from None
    lines: dict[PathT, int] = {}
    duplicates: list[tuple[PathT, int]] = []
    if node is not None:
        _yaml_lines(node, (), lines, duplicates)
    problems = [Problem(file, line, format_path(path), "duplicate key")
                for path, line in duplicates]
    return data, lines, problems


def loads_scenario(text: str, *, file: str = "<scenario>", fmt: str = "toml",
                   kind: str | None = None) -> StationScenario | CsmsScenario:
    """Parse and validate a scenario from ``text`` (``fmt`` ``"toml"`` or ``"yaml"``);
    ``kind`` (``"station"`` / ``"csms"``), when given, is the kind the caller needs.
    Raises :class:`ScenarioError`."""
    if fmt not in ("toml", "yaml"):
        raise ValueError(f"fmt must be 'toml' or 'yaml', not {fmt!r}")
    data, lines, problems = _parse(text, file, fmt)
    r = _Reader(file, lines)
    r.problems.extend(problems)
    if not isinstance(data, dict):
        raise ScenarioError([*r.problems, Problem(
            file, None, "(top level)", "expected a table with 'steps' or 'calls'")])
    found = data.get("kind")
    if found is None:
        found = "csms" if "calls" in data and "steps" not in data else "station"
    elif r.choice(found, ("kind",), list(_TOP)) is _BAD:
        raise ScenarioError(r.problems)
    if kind is not None and found != kind:
        r.fail(("kind",) if "kind" in data else (), f"a {found} scenario, where a {kind} "
                                                     "scenario is needed")
        raise ScenarioError(r.problems)
    key = "steps" if found == "station" else "calls"
    table = r.table(data, (), _TOP[found], [key])
    meta = {}
    for name in ("name", "description"):
        if name in data:
            meta[name] = r.string(data[name], (name,))
    scenario: StationScenario | CsmsScenario | None = None
    if table is not None:
        if found == "station":
            steps = _read_steps(r, data["steps"], ("steps",))
            if steps is not _BAD:
                scenario = StationScenario(steps=steps, source=file, **meta)
        else:
            scenario = _read_csms(r, data["calls"], file, meta)
    if r.problems or scenario is None:
        raise ScenarioError(r.problems)
    return scenario


def _read_csms(r: _Reader, value: Any, file: str, meta: dict[str, Any]) -> CsmsScenario | None:
    if not isinstance(value, list) or not value:
        r.fail(("calls",), f"expected a non-empty list of calls, got {_show(value)}")
        return None
    calls = [_read_call(r, item, ("calls", i)) for i, item in enumerate(value)]
    if any(c is None for c in calls):
        return None
    return CsmsScenario(calls=tuple(c for c in calls if c is not None), source=file, **meta)


def load_scenario(path: str | Path, kind: str | None = None) -> StationScenario | CsmsScenario:
    """Load and validate a scenario file (``.toml``, ``.yaml`` / ``.yml``); ``kind``
    (``"station"`` / ``"csms"``), when given, is the kind needed. Raises
    :class:`ScenarioError` (also for an unreadable file)."""
    p = Path(path)
    suffix = p.suffix.lower()
    fmt = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}.get(suffix)
    if fmt is None:
        raise ScenarioError([Problem(p.name, None, "(file)",
                                     "expected a .toml, .yaml or .yml file")])
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(p), None, "(file)", f"cannot read: {exc}")]) from None
    return loads_scenario(text, file=p.name, fmt=fmt, kind=kind)


def iter_steps(steps: Sequence[Step]) -> Iterator[Step]:
    """Every step, those inside ``repeat`` blocks included (depth first)."""
    for step in steps:
        yield step
        if isinstance(step, Repeat):
            yield from iter_steps(step.steps)


Scenario = Callable[["SimStation"], Any]
