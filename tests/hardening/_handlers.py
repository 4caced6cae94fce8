"""A minimal handler set for the hardening tests (loop-agnostic coroutines)."""

from __future__ import annotations

import datetime
from typing import Any

from ocpp_sansio.v16 import messages as m16

NOW = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


async def heartbeat(_request: Any, _ctx: Any) -> m16.HeartbeatResponse:
    return m16.HeartbeatResponse(current_time=NOW)


HANDLERS: dict[str, Any] = {"Heartbeat": heartbeat}
