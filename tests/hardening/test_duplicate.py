"""A second connection for a connected station identity, per policy (``serve(duplicate=...)``,
default ``"replace"``; ``ocpp_sansio.ws.registry``): ``"replace"`` admits the newcomer and
closes the old connection with 1000 "replaced by a newer connection of this station";
``"reject"`` refuses the newcomer with HTTP 409 while the old one lives, and admits it once the
old one is gone (``docs/hardening.md``)."""

from __future__ import annotations

import time

import pytest

from ocpp_sansio.ws import ConnectionClosed

from ._handlers import HANDLERS
from ._support import BINDINGS, Probe, Station, with_server


@pytest.mark.parametrize("binding", BINDINGS)
def test_replace_closes_the_old_connection(binding: str) -> None:
    def client(port: int, _probe: Probe) -> None:
        old = Station(port, "DUP")
        new = None
        try:
            assert old.connected
            new = Station(port, "DUP")
            assert new.connected
            event = old.wait(lambda e: False)
            assert isinstance(event, ConnectionClosed), event
            assert event.code == 1000 and "replaced" in event.reason
            assert '"currentTime"' in new.heartbeat()
        finally:
            old.close()
            if new is not None:
                new.close()

    with_server(binding, client, handlers=HANDLERS)


@pytest.mark.parametrize("binding", BINDINGS)
def test_reject_refuses_the_newcomer_with_409(binding: str) -> None:
    def client(port: int, _probe: Probe) -> None:
        old = Station(port, "DUP")
        try:
            refused = Station(port, "DUP")
            refused.close()
            assert not refused.connected
            assert refused.rejected is not None and refused.rejected.status_code == 409
            assert '"currentTime"' in old.heartbeat()  # the first one is untouched
        finally:
            old.close()
        deadline = time.monotonic() + 5
        while True:  # the identity is free again once the server saw the old one leave
            again = Station(port, "DUP")
            again.close()
            if again.connected or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert again.connected

    with_server(binding, client, handlers=HANDLERS, duplicate="reject")
