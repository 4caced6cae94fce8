"""Message logging of the simulators: one human-readable line and one JSON line per message.

A record is written for each CALL, CALLRESULT and CALLERROR the simulator sends or receives,
seen from the application side of the bindings (the payload is the validated wire form).
JSON-lines fields: ``ts`` (ISO 8601 UTC), ``station``, ``version``, ``from`` (``"CS"`` or
``"CSMS"``), ``type`` (``"call"``, ``"result"``, ``"error"``), ``action``, ``id`` (a local call
number pairing a call with its answer), ``payload`` (a CALLERROR: ``code``, ``description``).
"""

import datetime
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TextIO

from ocpp_sansio import codec
from ocpp_sansio.handlers import CallContext, Handler
from ocpp_sansio.rpc import CallError
from ocpp_sansio.version import Version

Clock = Callable[[], datetime.datetime]


def utc_now() -> datetime.datetime:
    """The wall clock in UTC (the simulators' default clock)."""
    return datetime.datetime.now(datetime.UTC)


class MessageLog:
    """Writes each message to ``human`` (a line) and/or ``jsonl`` (a JSON object per line)."""

    def __init__(self, human: TextIO | None = None, jsonl: TextIO | None = None,
                 clock: Clock = utc_now, width: int = 160) -> None:
        self.human = human
        self.jsonl = jsonl
        self.clock = clock
        self.width = width
        self.records: list[dict[str, Any]] = []
        self.keep = False
        self._ids = 0

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def record(self, *, station: str, version: Version, sender: str, type: str, action: str,
               call_id: int, payload: Any) -> None:
        """Write one record; ``payload`` is a message object, a wire dict or a CallError."""
        if not self.keep and self.jsonl is None and self.human is None:
            return  # nowhere to write (``--quiet``): skip the conversion
        if isinstance(payload, CallError):
            wire: Any = {"code": payload.code, "description": payload.description}
        elif isinstance(payload, dict):
            wire = payload
        else:
            wire = codec.to_wire(payload)
        ts = self.clock()
        rec = {"ts": codec.format_datetime(ts), "station": station, "version": str(version),
               "from": sender, "type": type, "action": action, "id": call_id, "payload": wire}
        if self.keep:
            self.records.append(rec)
        if self.jsonl is not None:
            self.jsonl.write(codec.dumps(rec) + "\n")
            self.jsonl.flush()
        if self.human is not None:
            receiver = "CSMS" if sender == "CS" else "CS"
            text = codec.dumps(wire)
            if len(text) > self.width:
                text = text[: self.width - 3] + "..."
            label = action if type == "call" else f"{action} {type}"
            self.human.write(f"{ts:%H:%M:%S} {station} ({version}) {sender:>4} -> {receiver:<4} "
                             f"#{call_id:<4} {label:<32} {text}\n")
            self.human.flush()

    def wrap_handlers(self, handlers: Mapping[str, Handler], *, me: str,
                      version: Version) -> dict[str, Handler]:
        """The handlers, each logging the CALL it receives and the answer it gives."""
        peer = "CS" if me == "CSMS" else "CSMS"
        return {action: self._wrap(action, fn, me, peer, version)
                for action, fn in handlers.items()}

    def _wrap(self, action: str, fn: Handler, me: str, peer: str, version: Version) -> Handler:
        async def logged(request: Any, ctx: CallContext) -> Any:
            call_id = self.next_id()
            self.record(station=ctx.station_id, version=version, sender=peer, type="call",
                        action=action, call_id=call_id, payload=request)
            try:
                answer = await fn(request, ctx)
            except CallError as exc:
                self.record(station=ctx.station_id, version=version, sender=me, type="error",
                            action=action, call_id=call_id, payload=exc)
                raise
            if answer is not None:
                self.record(station=ctx.station_id, version=version, sender=me, type="result",
                            action=action, call_id=call_id, payload=answer)
            return answer

        return logged

    async def call(self, do_call: Callable[[], Awaitable[Any]], request: Any, *, action: str,
                   station: str, version: Version, me: str) -> Any:
        """Run ``do_call()`` (our CALL of ``request``), logging the call and its answer."""
        peer = "CS" if me == "CSMS" else "CSMS"
        call_id = self.next_id()
        self.record(station=station, version=version, sender=me, type="call", action=action,
                    call_id=call_id, payload=request)
        try:
            answer = await do_call()
        except CallError as exc:
            self.record(station=station, version=version, sender=peer, type="error",
                        action=action, call_id=call_id, payload=exc)
            raise
        self.record(station=station, version=version, sender=peer, type="result", action=action,
                    call_id=call_id, payload=answer)
        return answer
