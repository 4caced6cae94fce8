"""Meter readings: :class:`MeterValue` and :class:`SampledValue`, and their enumerations.

The enumerations are the union of every version's values; a sample whose measurand, context,
phase, location or unit a version cannot express is dropped from what is sent to that version
(reported as a :class:`~ocpp_sansio.generic.outcome.Loss`), never altered.

Version mapping of a sample:

- 1.5: ``MeterValue.value[]`` items (``value`` text + attributes; no ``phase``; units
  ``Amp``/``Volt`` for ``A``/``V``); 1.6: ``sampledValue[]`` (``value`` text, ``format``,
  ``phase``...); 2.0.1+: ``sampledValue[]`` (``value`` number, ``unitOfMeasure`` with
  ``multiplier``, ``signedMeterValue``).
- A 1.x sample with ``format: SignedData`` becomes a generic sample with ``value=None`` and the
  signed text in ``signed_meter_value.signed_meter_data``, and back.
"""

import datetime
import enum
from decimal import Decimal

import attrs

from .common import to_optional_decimal


class Measurand(enum.StrEnum):
    """What a sample measures: every value of every version (2.0.1 spellings).

    ``None`` in a sample means ``Energy.Active.Import.Register`` in every version."""

    Current_Export = "Current.Export"
    Current_Import = "Current.Import"
    Current_Offered = "Current.Offered"
    Energy_Active_Export_Register = "Energy.Active.Export.Register"
    Energy_Active_Import_Register = "Energy.Active.Import.Register"
    Energy_Reactive_Export_Register = "Energy.Reactive.Export.Register"
    Energy_Reactive_Import_Register = "Energy.Reactive.Import.Register"
    Energy_Active_Export_Interval = "Energy.Active.Export.Interval"
    Energy_Active_Import_Interval = "Energy.Active.Import.Interval"
    Energy_Active_Net = "Energy.Active.Net"
    Energy_Reactive_Export_Interval = "Energy.Reactive.Export.Interval"
    Energy_Reactive_Import_Interval = "Energy.Reactive.Import.Interval"
    Energy_Reactive_Net = "Energy.Reactive.Net"
    Energy_Apparent_Net = "Energy.Apparent.Net"
    Energy_Apparent_Import = "Energy.Apparent.Import"
    Energy_Apparent_Export = "Energy.Apparent.Export"
    Frequency = "Frequency"
    Power_Active_Export = "Power.Active.Export"
    Power_Active_Import = "Power.Active.Import"
    Power_Factor = "Power.Factor"
    Power_Offered = "Power.Offered"
    Power_Reactive_Export = "Power.Reactive.Export"
    Power_Reactive_Import = "Power.Reactive.Import"
    SoC = "SoC"
    Voltage = "Voltage"
    Temperature = "Temperature"  #: 1.x only
    RPM = "RPM"  #: 1.6 only
    Current_Export_Offered = "Current.Export.Offered"  #: 2.1 only (this and all below)
    Current_Export_Minimum = "Current.Export.Minimum"
    Current_Import_Offered = "Current.Import.Offered"
    Current_Import_Minimum = "Current.Import.Minimum"
    Display_PresentSOC = "Display.PresentSOC"
    Display_MinimumSOC = "Display.MinimumSOC"
    Display_TargetSOC = "Display.TargetSOC"
    Display_MaximumSOC = "Display.MaximumSOC"
    Display_RemainingTimeToMinimumSOC = "Display.RemainingTimeToMinimumSOC"
    Display_RemainingTimeToTargetSOC = "Display.RemainingTimeToTargetSOC"
    Display_RemainingTimeToMaximumSOC = "Display.RemainingTimeToMaximumSOC"
    Display_ChargingComplete = "Display.ChargingComplete"
    Display_BatteryEnergyCapacity = "Display.BatteryEnergyCapacity"
    Display_InletHot = "Display.InletHot"
    Energy_Active_Import_CableLoss = "Energy.Active.Import.CableLoss"
    Energy_Active_Import_LocalGeneration_Register = "Energy.Active.Import.LocalGeneration.Register"
    Energy_Active_Setpoint_Interval = "Energy.Active.Setpoint.Interval"
    EnergyRequest_Target = "EnergyRequest.Target"
    EnergyRequest_Minimum = "EnergyRequest.Minimum"
    EnergyRequest_Maximum = "EnergyRequest.Maximum"
    EnergyRequest_Minimum_V2X = "EnergyRequest.Minimum.V2X"
    EnergyRequest_Maximum_V2X = "EnergyRequest.Maximum.V2X"
    EnergyRequest_Bulk = "EnergyRequest.Bulk"
    Power_Active_Setpoint = "Power.Active.Setpoint"
    Power_Active_Residual = "Power.Active.Residual"
    Power_Export_Minimum = "Power.Export.Minimum"
    Power_Export_Offered = "Power.Export.Offered"
    Power_Import_Offered = "Power.Import.Offered"
    Power_Import_Minimum = "Power.Import.Minimum"
    Voltage_Minimum = "Voltage.Minimum"
    Voltage_Maximum = "Voltage.Maximum"


class ReadingContext(enum.StrEnum):
    """Why a sample was taken. 1.5 lacks ``Other`` and ``Trigger``."""

    Interruption_Begin = "Interruption.Begin"
    Interruption_End = "Interruption.End"
    Other = "Other"
    Sample_Clock = "Sample.Clock"
    Sample_Periodic = "Sample.Periodic"
    Transaction_Begin = "Transaction.Begin"
    Transaction_End = "Transaction.End"
    Trigger = "Trigger"


class Location(enum.StrEnum):
    """Where a sample was measured. 1.5 knows ``Inlet``, ``Outlet``, ``Body`` only."""

    Body = "Body"
    Cable = "Cable"
    EV = "EV"
    Inlet = "Inlet"
    Outlet = "Outlet"
    Upstream = "Upstream"  #: 2.1 only


class Phase(enum.StrEnum):
    """Phase of a sample (1.6+; 1.5 has no phase)."""

    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    N = "N"
    L1_N = "L1-N"
    L2_N = "L2-N"
    L3_N = "L3-N"
    L1_L2 = "L1-L2"
    L2_L3 = "L2-L3"
    L3_L1 = "L3-L1"


class UnitOfMeasure(enum.StrEnum):
    """The units 1.x enumerates (2.0.1 writes the same names as free text). A generic
    ``unit`` is any text; 1.x can only send these (1.5: ``Wh`` ... ``kvar``, ``A``, ``V``,
    ``Celsius``; the 1.6 JSON spelling ``Celcius`` is read as ``Celsius``)."""

    Wh = "Wh"
    kWh = "kWh"
    varh = "varh"
    kvarh = "kvarh"
    W = "W"
    kW = "kW"
    VA = "VA"
    kVA = "kVA"
    var = "var"
    kvar = "kvar"
    A = "A"
    V = "V"
    K = "K"
    Celsius = "Celsius"
    Fahrenheit = "Fahrenheit"
    Percent = "Percent"
    Hertz = "Hertz"


@attrs.frozen(kw_only=True)
class SignedMeterValue:
    """A signed reading: 2.0.1+ ``signedMeterValue``; 1.6 ``format: SignedData`` carries only
    ``signed_meter_data`` (the other fields are 2.0.1+ only)."""

    signed_meter_data: str
    signing_method: str | None = None
    encoding_method: str | None = None
    public_key: str | None = None


@attrs.frozen(kw_only=True)
class SampledValue:
    """One sample.

    - ``value``: the reading (1.x decimal text, 2.0.1+ JSON number); ``None`` only for a 1.x
      ``SignedData`` sample, whose signed text is in ``signed_meter_value``.
    - ``measurand``, ``context``, ``location``, ``phase``: ``None`` means the version default
      (``Energy.Active.Import.Register``, ``Sample.Periodic``, ``Outlet``, none).
    - ``unit``: see :class:`UnitOfMeasure`; ``None`` means the measurand's default unit.
    - ``multiplier``: 2.0.1+ only (power of ten); sent to 1.x folded into ``value``
      (reported as normalized).
    - ``signed_meter_value``: 2.0.1+, or 1.6 ``SignedData`` (then ``value`` is ``None``).
    """

    value: Decimal | None = attrs.field(converter=to_optional_decimal)
    measurand: Measurand | None = None
    context: ReadingContext | None = None
    location: Location | None = None
    phase: Phase | None = None
    unit: str | None = None
    multiplier: int | None = None
    signed_meter_value: SignedMeterValue | None = None


@attrs.frozen(kw_only=True)
class MeterValue:
    """Samples taken at one moment (``MeterValue`` / ``MeterValueType``, 1..* samples)."""

    timestamp: datetime.datetime
    sampled_values: tuple[SampledValue, ...]
