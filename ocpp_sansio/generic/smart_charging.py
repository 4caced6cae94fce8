"""Generic smart charging: charging profiles (set, clear) and the composite schedule.

1.5 has no smart charging (every operation here is unsupported there). 1.6 profiles carry
one schedule and no schedule ``id``; 2.0.1 profiles carry one to three schedules, each with an
``id``. Limits are decimals (1.6 requires multiples of 0.1, checked on encoding).
"""

import datetime
import enum
from decimal import Decimal

import attrs

from .common import GenericMessage, StatusInfo, to_decimal, to_optional_decimal


class ChargingProfilePurpose(enum.StrEnum):
    """Profile purpose. ``ChargingStationMaxProfile`` is 1.6 ``ChargePointMaxProfile``;
    ``ChargingStationExternalConstraints`` is 2.0.1+ only, the last two 2.1 only."""

    ChargingStationExternalConstraints = "ChargingStationExternalConstraints"
    ChargingStationMaxProfile = "ChargingStationMaxProfile"
    TxDefaultProfile = "TxDefaultProfile"
    TxProfile = "TxProfile"
    LocalGeneration = "LocalGeneration"
    PriorityCharging = "PriorityCharging"


class ChargingProfileKind(enum.StrEnum):
    """Profile kind; ``Dynamic`` is 2.1 only."""

    Absolute = "Absolute"
    Recurring = "Recurring"
    Relative = "Relative"
    Dynamic = "Dynamic"


class RecurrencyKind(enum.StrEnum):
    """Recurrence of a ``Recurring`` profile."""

    Daily = "Daily"
    Weekly = "Weekly"


class ChargingRateUnit(enum.StrEnum):
    """Unit of a schedule's limits."""

    A = "A"
    W = "W"


@attrs.frozen(kw_only=True)
class ChargingSchedulePeriod:
    """One period: ``start_period`` seconds from the schedule start, a ``limit``.

    ``number_phases``: both; ``phase_to_use``: 2.0.1+ only.
    """

    start_period: int
    limit: Decimal = attrs.field(converter=to_decimal)
    number_phases: int | None = None
    phase_to_use: int | None = None


@attrs.frozen(kw_only=True)
class ChargingSchedule:
    """A schedule.

    - ``id``: 2.0.1+ only, and required there (unsupported when missing).
    - ``min_charging_rate``: both. The 2.0.1 ``salesTariff`` is not generic.
    """

    charging_rate_unit: ChargingRateUnit
    periods: tuple[ChargingSchedulePeriod, ...]
    id: int | None = None
    start_schedule: datetime.datetime | None = None
    duration: int | None = None
    min_charging_rate: Decimal | None = attrs.field(default=None, converter=to_optional_decimal)


@attrs.frozen(kw_only=True)
class ChargingProfile:
    """A charging profile (1.6 ``ChargingProfile``/``csChargingProfiles``, 2.0.1
    ``ChargingProfileType``).

    - ``id``: 1.6 ``chargingProfileId``, 2.0.1 ``id``.
    - ``schedules``: 1.6 takes exactly one (more are unsupported), 2.0.1 one to three.
    - ``transaction_id``: the generic transaction id (1.6: the integer id, see
      :class:`~ocpp_sansio.generic.txmap.TransactionMap`).
    """

    id: int
    stack_level: int
    purpose: ChargingProfilePurpose
    kind: ChargingProfileKind
    schedules: tuple[ChargingSchedule, ...]
    recurrency_kind: RecurrencyKind | None = None
    valid_from: datetime.datetime | None = None
    valid_to: datetime.datetime | None = None
    transaction_id: str | None = None


class ChargingProfileStatus(enum.StrEnum):
    """Answer to a profile; ``NotSupported`` is 1.6 only (2.0.1 gets ``Rejected``,
    approximated)."""

    Accepted = "Accepted"
    Rejected = "Rejected"
    NotSupported = "NotSupported"


@attrs.frozen(kw_only=True)
class SetChargingProfileRequest(GenericMessage):
    """Install a profile on ``evse_id`` (1.6 ``connectorId``, 2.0.1 ``evseId``; 0: the
    station)."""

    evse_id: int
    charging_profile: ChargingProfile


@attrs.frozen(kw_only=True)
class SetChargingProfileResponse(GenericMessage):
    """Answer; ``status_info`` 2.0.1+ only."""

    status: ChargingProfileStatus
    status_info: StatusInfo | None = None


class ClearChargingProfileStatus(enum.StrEnum):
    """Answer to a profile clear."""

    Accepted = "Accepted"
    Unknown = "Unknown"


@attrs.frozen(kw_only=True)
class ClearChargingProfileRequest(GenericMessage):
    """Clear profiles by id and/or criteria (1.6 ``id``, ``connectorId``,
    ``chargingProfilePurpose``, ``stackLevel``; 2.0.1 ``chargingProfileId`` and
    ``chargingProfileCriteria``)."""

    charging_profile_id: int | None = None
    evse_id: int | None = None
    purpose: ChargingProfilePurpose | None = None
    stack_level: int | None = None


@attrs.frozen(kw_only=True)
class ClearChargingProfileResponse(GenericMessage):
    """Answer; ``status_info`` 2.0.1+ only."""

    status: ClearChargingProfileStatus
    status_info: StatusInfo | None = None


class GetCompositeScheduleStatus(enum.StrEnum):
    """Answer to a composite schedule request."""

    Accepted = "Accepted"
    Rejected = "Rejected"


@attrs.frozen(kw_only=True)
class GetCompositeScheduleRequest(GenericMessage):
    """Ask for the schedule in force on ``evse_id`` for ``duration`` seconds."""

    evse_id: int
    duration: int
    charging_rate_unit: ChargingRateUnit | None = None


@attrs.frozen(kw_only=True)
class CompositeSchedule:
    """The composite schedule.

    - ``evse_id``: 1.6 ``connectorId`` (optional there), 2.0.1 ``schedule.evseId``.
    - ``schedule_start``: 1.6 ``scheduleStart`` (also written as the schedule's
      ``startSchedule``), 2.0.1 ``scheduleStart``; ``duration``: both. 2.0.1 requires both
      (unsupported when missing).
    - ``min_charging_rate``: 1.6 only.
    """

    evse_id: int
    charging_rate_unit: ChargingRateUnit
    periods: tuple[ChargingSchedulePeriod, ...]
    duration: int | None = None
    schedule_start: datetime.datetime | None = None
    min_charging_rate: Decimal | None = attrs.field(default=None, converter=to_optional_decimal)


@attrs.frozen(kw_only=True)
class GetCompositeScheduleResponse(GenericMessage):
    """Answer; ``status_info`` 2.0.1+ only."""

    status: GetCompositeScheduleStatus
    schedule: CompositeSchedule | None = None
    status_info: StatusInfo | None = None
