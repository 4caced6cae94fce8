"""The action registry shape shared by every version.

Each generated ``ocpp_sansio.<version>.actions`` module builds one :class:`ActionTable`
from the specification data: action name -> request class, response class, direction.
:func:`actions_for` loads a version's table on first use, so importing ``ocpp_sansio``
stays cheap.
"""

import enum
import importlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from .version import Version


class Direction(enum.Enum):
    """Who may send an action's request."""

    CS_TO_CSMS = "CS->CSMS"  #: the charging station (charge point) calls the CSMS
    CSMS_TO_CS = "CSMS->CS"  #: the CSMS (central system) calls the charging station
    BOTH = "both"  #: either side (DataTransfer)

    def sent_by_station(self) -> bool:
        return self is not Direction.CSMS_TO_CS

    def sent_by_csms(self) -> bool:
        return self is not Direction.CS_TO_CSMS


@attrs.frozen
class ActionSpec:
    """One action of one version: its name, message classes and direction.

    ``response`` is ``None`` for a message that has no reply (OCPP 2.1 SEND).
    """

    name: str
    request: type[Any]
    response: type[Any] | None
    direction: Direction


class ActionTable(Mapping[str, ActionSpec]):
    """A version's actions, by name, with a reverse index from message class to action."""

    __slots__ = ("_by_class", "_by_name", "version")

    def __init__(self, version: Version, specs: Iterable[ActionSpec]) -> None:
        self.version = version
        self._by_name = {s.name: s for s in specs}
        self._by_class: dict[type[Any], tuple[ActionSpec, bool]] = {}
        for s in self._by_name.values():
            self._by_class[s.request] = (s, True)
            if s.response is not None:
                self._by_class[s.response] = (s, False)

    def __getitem__(self, name: str) -> ActionSpec:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def of(self, message: object) -> tuple[ActionSpec, bool]:
        """The action a message instance (or class) belongs to, and whether it is the request.

        Raises ``KeyError`` if the class is not one of this version's messages.
        """
        cls = message if isinstance(message, type) else type(message)
        return self._by_class[cls]


_TABLES: dict[Version, ActionTable] = {}


def actions_for(version: Version) -> ActionTable:
    """The action table of ``version`` (imports the generated package on first use)."""
    table = _TABLES.get(version)
    if table is None:
        table = _TABLES[version] = importlib.import_module(version.module + ".actions").ACTIONS
    return table
