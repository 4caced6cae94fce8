"""``python -m benchmarks [--quick] [--json FILE] [module ...]``: run the benchmark tables."""

from ._harness import main

raise SystemExit(main())
