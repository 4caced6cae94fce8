"""Interop tests run under both bindings too: the ``binding`` fixture of ``tests/bindings``."""

import pytest
from bindings._support import Binding


@pytest.fixture(params=["trio", "asyncio"])
def binding(request: pytest.FixtureRequest) -> Binding:
    return Binding(request.param)
