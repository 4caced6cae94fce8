"""Fixtures of the RPC engine tests."""

import pytest

from ocpp_sansio.version import Version

from ._helpers import ALL_VERSIONS


@pytest.fixture(params=ALL_VERSIONS, ids=[v.value for v in ALL_VERSIONS])
def version(request: pytest.FixtureRequest) -> Version:
    value: Version = request.param
    return value
