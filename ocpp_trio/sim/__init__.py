"""Simulators on trio: ``ocpp-toolkit csms``, ``station`` and ``load`` (docs/simulators.md).

- :mod:`.log`: :class:`MessageLog`, every OCPP message human-readably and as JSON lines.
- :mod:`.csms`: :class:`CsmsSimulator`, a CSMS serving OCPP-J and OCPP-S on one port with a
  configurable authorization policy.
- :mod:`.station`: :class:`SimStation`, a station that answers CSMS-initiated calls as a real
  one would (transactions, reset and re-boot, trigger message, availability, configuration).
- :mod:`.scenarios`: the built-in station scenarios (``charge-session``, ``remote-charge``,
  ``idle``).
- :mod:`.scenario_file`: :func:`load_scenario`, TOML / YAML scenario files for stations and for
  the CSMS, validated on load (:class:`ScenarioError` names the line and field).
- :mod:`.load`: :func:`~.load.run_load`, thousands of light stations and their report
  (``ocpp-toolkit load``; the chart in :mod:`.load_chart`).
- :mod:`.control`: the CSMS simulator's HTTP control API (``ocpp-toolkit csms --control``).
- :mod:`.commands`: ``add_commands(subparsers)`` registering the CLI subcommands, each in its
  own module (:mod:`.cli_csms`, :mod:`.cli_station`, :mod:`.cli_load`).
"""

from .csms import AuthPolicy, CsmsSimulator
from .log import MessageLog
from .scenario_file import ScenarioError, load_scenario
from .station import SimStation, StationOptions

__all__ = ["AuthPolicy", "CsmsSimulator", "MessageLog", "ScenarioError", "SimStation",
           "StationOptions", "load_scenario"]
