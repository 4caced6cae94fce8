"""Simulators on trio: ``ocpp-toolkit csms`` and ``ocpp-toolkit station`` (docs/simulators.md).

- :mod:`.log`: :class:`MessageLog`, every OCPP message human-readably and as JSON lines.
- :mod:`.csms`: :class:`CsmsSimulator`, a CSMS serving OCPP-J and OCPP-S on one port with a
  configurable authorization policy.
- :mod:`.station`: :class:`SimStation`, a station that answers CSMS-initiated calls as a real
  one would (transactions, reset and re-boot, trigger message, availability, configuration).
- :mod:`.scenarios`: the built-in station scenarios (``charge-session``, ``remote-charge``,
  ``idle``).
- :mod:`.scenario_file`: :func:`load_scenario`, TOML / YAML scenario files for stations and for
  the CSMS, validated on load (:class:`ScenarioError` names the line and field).
- :mod:`.control`: the CSMS simulator's HTTP control API (``ocpp-toolkit csms --control``).
- :mod:`.commands`: ``add_commands(subparsers)`` registering the CLI subcommands, each in its
  own module (:mod:`.cli_csms`, :mod:`.cli_station`).
"""

from .csms import AuthPolicy, CsmsSimulator
from .log import MessageLog
from .scenario_file import ScenarioError, load_scenario
from .station import SimStation, StationOptions

__all__ = ["AuthPolicy", "CsmsSimulator", "MessageLog", "ScenarioError", "SimStation",
           "StationOptions", "load_scenario"]
