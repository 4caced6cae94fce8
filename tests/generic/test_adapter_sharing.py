"""The generic adapters share everything immutable per version; an instance holds only its
per-connection state (role, transaction bookkeeping, 1.x CSMS id source)."""

import gc
import tracemalloc

import pytest

from ocpp_sansio.generic import Role
from ocpp_sansio.generic.adapters import ADAPTERS, BaseAdapter, EnumMap, adapter_for
from ocpp_sansio.version import Version

VERSIONS = list(Version)


@pytest.mark.parametrize("version", VERSIONS, ids=str)
def test_maps_are_shared_between_instances_and_roles(version: Version) -> None:
    a = adapter_for(version, Role.STATION)
    b = adapter_for(version, Role.CSMS)
    c = adapter_for(version, Role.STATION)
    assert isinstance(a, BaseAdapter) and isinstance(b, BaseAdapter)
    assert isinstance(c, BaseAdapter)
    maps = a.enum_maps()
    assert len(maps) >= 20
    for name, emap in maps.items():
        assert getattr(b, name) is emap
        assert getattr(c, name) is emap
    assert b.enum_maps() == maps
    assert a.m is b.m and a.actions is b.actions


@pytest.mark.parametrize("version", VERSIONS, ids=str)
def test_instances_hold_only_connection_state(version: Version) -> None:
    a = adapter_for(version, Role.STATION)
    b = adapter_for(version, Role.STATION)
    assert a.transactions is not b.transactions
    own = vars(a)
    assert not [k for k, v in own.items() if isinstance(v, EnumMap)]
    assert set(own) <= {"role", "transactions", "transaction_ids"}


def test_csms_transaction_ids_are_per_instance() -> None:
    # 1.x CSMS side: each adapter counts from 1 unless given a source (no shared counter)
    a = adapter_for(Version.V16, Role.CSMS)
    b = adapter_for(Version.V16, Role.CSMS)
    assert a.transaction_ids() == 1  # type: ignore[attr-defined]
    assert a.transaction_ids() == 2  # type: ignore[attr-defined]
    assert b.transaction_ids() == 1  # type: ignore[attr-defined]


def test_v15_lacks_the_16_only_maps() -> None:
    v15 = ADAPTERS[Version.V15](Role.STATION)
    v16 = ADAPTERS[Version.V16](Role.STATION)
    assert "phase" in v16.enum_maps() and "phase" not in v15.enum_maps()
    assert not hasattr(v15, "phase")
    assert ADAPTERS[Version.V15].v15 is True  # type: ignore[attr-defined]
    assert ADAPTERS[Version.V16].v15 is False  # type: ignore[attr-defined]


@pytest.mark.parametrize("version", VERSIONS, ids=str)
def test_memory_per_instance_is_small(version: Version) -> None:
    adapter_for(version, Role.STATION)  # the shared part is built by the first instance
    n = 100
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        keep = [adapter_for(version, Role.STATION) for _ in range(n)]
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    per_instance = sum(s.size_diff for s in after.compare_to(before, "filename")) / n
    assert len(keep) == n
    # measured about 0.4-0.55 KiB (it was 12-22 KiB when every instance built its maps)
    assert per_instance < 2048, per_instance
