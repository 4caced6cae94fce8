"""Speed benchmarks of ocpp-toolkit against the ``ocpp`` package (PyPI) and a floor, same run.

Every ``benchmarks/bench_<name>.py`` module defines ``benchmarks() -> list[Bench]``; the runner
in :mod:`benchmarks._harness` measures them and prints one table per benchmark table.
Run ``python -m benchmarks`` from the repository root (``--help`` for the options).
"""
