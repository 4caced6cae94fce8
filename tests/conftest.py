"""Shared test configuration: Hypothesis profiles and the location of the specification data.

Hypothesis profiles, chosen with the environment variable ``HYPOTHESIS_PROFILE``:

- ``default``: Hypothesis' own defaults (quick local runs);
- ``ci``: no deadline (shared CI machines have noisy timings), failing examples printed as
  reproducible blobs;
- ``thorough``: many more examples everywhere, for occasional long runs.

A test that sets ``max_examples`` itself overrides the profile; to draw more under ``ci`` and
``thorough`` it reads ``hypothesis.settings.get_current_profile_name()`` (the profile is loaded
here, before test modules are collected).

The specification data (``../shared/ocpp-spec`` next to the repository, or the directory named
by ``OCPP_SPEC_DIR``) is read-only input; tests that need it take the ``spec_dir`` fixture,
which skips them when the data is absent.
"""

import contextlib
import os
import warnings
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

# When a Hypothesis test fails, its pytest plugin imports ``hypothesis.extra._patching`` to
# suggest a patch; that imports libcst, which triggers a DeprecationWarning in mypy_extensions
# (``TypedDict``). With ``filterwarnings = error`` the warning turns every Hypothesis failure
# into a pytest INTERNALERROR that hides the failure. Import it once here, warning ignored.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    with contextlib.suppress(ImportError):  # without libcst the plugin skips the patch
        import hypothesis.extra._patching  # noqa: F401

settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("thorough", deadline=None, print_blob=True, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def spec_path() -> Path:
    """Where the specification data is expected (it may be absent)."""
    configured = os.environ.get("OCPP_SPEC_DIR")
    return Path(configured) if configured else ROOT.parent / "shared" / "ocpp-spec"


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    """The specification data directory; skips the test if it is not there."""
    path = spec_path()
    if not (path / "actions.json").is_file():
        pytest.skip(f"OCPP specification data not found at {path} (set OCPP_SPEC_DIR)")
    return path


@pytest.fixture(autouse=True)
def _state_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Station simulators keep their SQLite outbox under ``$XDG_STATE_HOME``; tests (and the
    processes they start, which inherit the environment) use a temporary one."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
