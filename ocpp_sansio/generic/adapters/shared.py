"""Conversions that read and write the same in every version, shared by the 1.x and 2.x adapters.

Empty messages (Heartbeat.req, ClearCache.req, the empty confirmations...) and messages whose
fields are named alike in 1.5, 1.6, 2.0.1 and 2.1 (Heartbeat.conf, CancelReservation.req, the
1.6 security GetLog.req). :class:`~.base.BaseAdapter` collects the routes along the class's MRO,
so a version adapter overrides one of these by defining a method of the same name.
"""

from decimal import Decimal
from typing import Any, ClassVar

from .. import authorization as au
from .. import availability as av
from .. import firmware as fw
from .. import provisioning as pr
from .. import reservation as rs
from .. import transactions as tx
from .base import BaseAdapter, Ctx, EnumMap, converts, reads


def number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: an ``int`` when written without fraction or exponent
    (``Decimal(16)``, ``Decimal("16")``), else a ``float`` (``16.0``, ``1.6E+1``), so that a
    number read from the wire goes back as it came."""
    if value.as_tuple().exponent == 0:
        return int(value)
    return float(value)


class SharedAdapter(BaseAdapter):
    """The conversions every version adapter has in common (see the module's docstring)."""

    log_type: ClassVar[EnumMap]

    @converts(pr.HeartbeatRequest, "Heartbeat")
    def _heartbeat(self, g: pr.HeartbeatRequest, ctx: Ctx) -> Any:
        return self.cls("HeartbeatRequest")()

    @reads("Heartbeat", "request", [])
    def _heartbeat_in(self, w: Any, ctx: Ctx) -> pr.HeartbeatRequest:
        return pr.HeartbeatRequest()

    @converts(pr.HeartbeatResponse, "Heartbeat")
    def _heartbeat_conf(self, g: pr.HeartbeatResponse, ctx: Ctx) -> Any:
        return self.cls("HeartbeatResponse")(current_time=g.current_time)

    @reads("Heartbeat", "response", ["current_time"])
    def _heartbeat_conf_in(self, w: Any, ctx: Ctx) -> pr.HeartbeatResponse:
        return pr.HeartbeatResponse(current_time=w.current_time)

    @converts(av.StatusNotificationResponse, "StatusNotification")
    def _status_conf(self, g: av.StatusNotificationResponse, ctx: Ctx) -> Any:
        return self.cls("StatusNotificationResponse")()

    @reads("StatusNotification", "response", [])
    def _status_conf_in(self, w: Any, ctx: Ctx) -> av.StatusNotificationResponse:
        return av.StatusNotificationResponse()

    @converts(au.GetLocalListVersionRequest, "GetLocalListVersion")
    def _list_version(self, g: au.GetLocalListVersionRequest, ctx: Ctx) -> Any:
        return self.cls("GetLocalListVersionRequest")()

    @reads("GetLocalListVersion", "request", [])
    def _list_version_in(self, w: Any, ctx: Ctx) -> au.GetLocalListVersionRequest:
        return au.GetLocalListVersionRequest()

    @converts(au.ClearCacheRequest, "ClearCache")
    def _clear_cache(self, g: au.ClearCacheRequest, ctx: Ctx) -> Any:
        return self.cls("ClearCacheRequest")()

    @reads("ClearCache", "request", [])
    def _clear_cache_in(self, w: Any, ctx: Ctx) -> au.ClearCacheRequest:
        return au.ClearCacheRequest()

    @converts(tx.MeterValuesResponse, "MeterValues")
    def _meter_values_conf(self, g: tx.MeterValuesResponse, ctx: Ctx) -> Any:
        return self.cls("MeterValuesResponse")()

    @reads("FirmwareStatusNotification", "response", [])
    def _firmware_status_conf_in(self, w: Any,
                                 ctx: Ctx) -> fw.FirmwareStatusNotificationResponse:
        return fw.FirmwareStatusNotificationResponse()

    @reads("GetLog", "request", ["log", "log_type", "request_id", "retries", "retry_interval"])
    def _get_log_in(self, w: Any, ctx: Ctx) -> fw.GetLogRequest:
        ctx.unread(w.log, {"remote_location", "oldest_timestamp", "latest_timestamp"}, "log")
        return fw.GetLogRequest(location=w.log.remote_location,
                                log_type=self.log_type.into(w.log_type, ctx, "log_type"),
                                request_id=w.request_id, retries=w.retries,
                                retry_interval=w.retry_interval,
                                oldest_timestamp=w.log.oldest_timestamp,
                                latest_timestamp=w.log.latest_timestamp)

    @reads("LogStatusNotification", "response", [])
    def _log_status_conf_in(self, w: Any, ctx: Ctx) -> fw.LogStatusNotificationResponse:
        return fw.LogStatusNotificationResponse()

    @converts(rs.CancelReservationRequest, "CancelReservation")
    def _cancel(self, g: rs.CancelReservationRequest, ctx: Ctx) -> Any:
        return self.cls("CancelReservationRequest")(reservation_id=g.reservation_id)

    @reads("CancelReservation", "request", ["reservation_id"])
    def _cancel_in(self, w: Any, ctx: Ctx) -> rs.CancelReservationRequest:
        return rs.CancelReservationRequest(reservation_id=w.reservation_id)
