"""OCPP versions this library speaks, and their OCPP-J WebSocket subprotocol names."""

import enum


class Version(enum.StrEnum):
    """An OCPP version. The value is the version's label as the specifications write it."""

    V15 = "1.5"
    V16 = "1.6"
    V201 = "2.0.1"
    V21 = "2.1"

    @property
    def subprotocol(self) -> str:
        """The WebSocket subprotocol of OCPP-J for this version, e.g. ``ocpp1.6``."""
        return f"ocpp{self.value}"

    @property
    def module(self) -> str:
        """The generated package holding this version's model, e.g. ``ocpp_sansio.v16``."""
        return "ocpp_sansio.v" + self.value.replace(".", "")

    @classmethod
    def from_subprotocol(cls, name: str) -> "Version":
        """The version of an OCPP-J subprotocol name; ``ValueError`` if it is not one."""
        if name.startswith("ocpp"):
            try:
                return cls(name[4:])
            except ValueError:
                pass
        raise ValueError(f"not an OCPP subprotocol: {name!r}")
