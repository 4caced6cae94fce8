"""The built-in station scenarios: coroutine functions ``(SimStation) -> None``.

Written once against :class:`SimStation` (itself on the generic API), they run on every
version and transport the simulator supports (1.5, 1.6, 2.0.1, 2.1 over OCPP-J; 1.5, 1.6
over OCPP-S), and keep running across a lost link (the station reconnects under them).

- ``charge-session``: on connector 1, Authorize, start a transaction, report the meter
  ``meter_values`` times, stop it (OCPP 1.6 section 3.6 / 2.0.1 Part 2 E01-E07 sequences).
- ``remote-charge``: wait until the CSMS has started a transaction remotely (RemoteStart /
  RequestStartTransaction) and stopped it again, reporting the meter while it runs.
- ``idle``: send Heartbeat every heartbeat interval (``duration`` seconds in all; None = forever).
"""

from collections.abc import Awaitable, Callable

import trio

from .station import SimStation

Scenario = Callable[[SimStation], Awaitable[None]]


async def charge_session(station: SimStation) -> None:
    tag = station.options.id_tag
    if not await station.authorize(tag):
        raise RuntimeError(f"the CSMS did not accept id tag {tag!r}")
    if not await station.start_transaction(1, tag):
        raise RuntimeError("the transaction was not accepted")
    for _ in range(station.options.meter_values):
        await trio.sleep(station.options.meter_interval)
        await station.meter(1)
    await station.stop_transaction(1)


async def remote_charge(station: SimStation) -> None:
    done = len(station.completed)
    while True:
        charging = [c for c in station.connectors.values() if c.transaction is not None]
        if charging:
            await station.meter(charging[0].id)
            break
        await station.changed.wait()
    while len(station.completed) == done:
        await station.changed.wait()


def idle(duration: float | None = None) -> Scenario:
    async def run(station: SimStation) -> None:
        with trio.move_on_after(float("inf") if duration is None else duration):
            while True:
                await trio.sleep(station.heartbeat_interval)
                await station.heartbeat()

    return run


BUILTIN: dict[str, Callable[[float | None], Scenario]] = {
    "charge-session": lambda duration: charge_session,
    "remote-charge": lambda duration: remote_charge,
    "idle": idle,
}
