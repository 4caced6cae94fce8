"""Comparison of generic messages modulo the losses a conversion reported."""

from collections.abc import Collection
from typing import Any

import attrs

from ocpp_sansio.generic import Loss


def _covered(path: str, lost: Collection[str]) -> bool:
    return any(path == p or path.startswith(p + ".") or path.startswith(p + "[") for p in lost)


def differences(a: Any, b: Any, lost: Collection[str] = (), path: str = "") -> list[str]:
    """Paths where ``a`` and ``b`` differ and no reported loss explains it.

    A list element reported lost (``x[2]``) is removed from ``a`` before the lists are
    compared; ``version_message`` is ignored.
    """
    if _covered(path, lost):
        return []
    if attrs.has(type(a)) and type(a) is type(b):
        out: list[str] = []
        for f in attrs.fields(type(a)):
            if f.name in ("version_message", "extra_fields"):
                continue
            where = f"{path}.{f.name}" if path else f.name
            out += differences(getattr(a, f.name), getattr(b, f.name), lost, where)
        return out
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        kept = [x for i, x in enumerate(a) if f"{path}[{i}]" not in lost]
        if len(kept) != len(b):
            return [path]
        index = [i for i in range(len(a)) if f"{path}[{i}]" not in lost]
        return [d for i, x, y in zip(index, kept, b, strict=True)
                for d in differences(x, y, lost, f"{path}[{i}]")]
    return [] if a == b else [path]


def paths(losses: tuple[Loss, ...]) -> set[str]:
    return {loss.path for loss in losses}
