"""The ``binding`` fixture: every behavioural test runs under ``ocpp_trio`` and ``ocpp_asyncio``."""

import pytest

from ._support import Binding


@pytest.fixture(params=["trio", "asyncio"])
def binding(request: pytest.FixtureRequest) -> Binding:
    return Binding(request.param)
