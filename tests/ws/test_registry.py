"""One live connection per station identity: the duplicate policy, as pure bookkeeping, and
how a CSMS combines it with a session's handshake."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ocpp_sansio.ws import (
    Accept,
    ConnectionClosed,
    ConnectionRegistry,
    ConnectRequested,
    DuplicatePolicy,
    Event,
    Reject,
    Rejected,
    ServerConfig,
    ServerSession,
)

from ._pipe import client_for, drain, request_to, transfer


class Conn:
    """A stand-in connection handle."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Conn({self.name})"


def test_replace_old() -> None:
    registry: ConnectionRegistry[Conn] = ConnectionRegistry()
    old, new = Conn("old"), Conn("new")
    first = registry.admit("CS1", old)
    assert first.admitted and first.evict is None
    second = registry.admit("CS1", new)
    assert second.admitted and second.evict is old
    assert (second.close_code, second.close_reason) == (
        1000,
        "replaced by a newer connection of this station",
    )
    assert registry.get("CS1") is new
    # the old connection ends later: it must not unregister the new one
    assert not registry.release("CS1", old)
    assert registry.get("CS1") is new
    assert registry.release("CS1", new)
    assert "CS1" not in registry and len(registry) == 0


def test_reject_new() -> None:
    registry: ConnectionRegistry[Conn] = ConnectionRegistry(DuplicatePolicy.REJECT_NEW)
    old, new = Conn("old"), Conn("new")
    assert registry.admit("CS1", old).admitted
    refused = registry.admit("CS1", new)
    assert not refused.admitted and refused.status == 409 and refused.evict is None
    assert registry.get("CS1") is old
    assert registry.admit("CS1", old).admitted  # asking again for the same one is fine
    registry.release("CS1", old)
    assert registry.admit("CS1", new).admitted


def test_limit_and_key() -> None:
    registry: ConnectionRegistry[Conn] = ConnectionRegistry(max_connections=2, key=str.casefold)
    assert registry.admit("CS1", Conn("a")).admitted
    assert registry.admit("cs1", Conn("b")).evict is not None  # same station, other case
    assert registry.admit("CS2", Conn("c")).admitted
    full = registry.admit("CS3", Conn("d"))
    assert not full.admitted and full.status == 503
    assert sorted(registry) == ["CS2", "cs1"]  # as the current connections spelled them
    assert registry.policy is DuplicatePolicy.REPLACE_OLD


@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["admit", "release"]), st.sampled_from("AB"), st.integers(0, 3)),
        max_size=40,
    ),
    policy=st.sampled_from(DuplicatePolicy),
)
@settings(max_examples=150)
def test_at_most_one_live_connection(
    steps: list[tuple[str, str, int]], policy: DuplicatePolicy
) -> None:
    """Whatever happens, each identity maps to at most one connection, one that was admitted
    and not released since."""
    registry: ConnectionRegistry[Conn] = ConnectionRegistry(policy)
    conns = {(i, n): Conn(f"{i}{n}") for i in "AB" for n in range(4)}
    live: dict[str, Conn] = {}
    for action, identity, n in steps:
        conn = conns[identity, n]
        if action == "admit":
            answer = registry.admit(identity, conn)
            if answer.admitted:
                assert answer.evict is (
                    live.get(identity) if live.get(identity) is not conn else None
                )
                live[identity] = conn
            else:
                assert policy is DuplicatePolicy.REJECT_NEW and live[identity] is not conn
        else:
            released = registry.release(identity, conn)
            assert released == (live.get(identity) is conn)
            if released:
                del live[identity]
        assert {i: registry.get(i) for i in "AB" if registry.get(i)} == live


def test_second_connection_of_a_station() -> None:
    """The sequence a binding follows: authenticate, then admit; evict or refuse."""
    registry: ConnectionRegistry[ServerSession] = ConnectionRegistry()

    def connect() -> tuple[ServerSession, list[Event]]:
        server = ServerSession(ServerConfig(), now=0.0)
        client = client_for(identity="CS1")
        (event,) = request_to(server, client)
        assert isinstance(event, ConnectRequested)
        admission = registry.admit(event.request.identity, server)
        if not admission.admitted:
            assert admission.status is not None
            server.respond(Reject(status=admission.status), 0.0)
            return server, transfer(server, client)
        if admission.evict is not None:
            admission.evict.close(admission.close_code, admission.close_reason, now=0.0)
        server.respond(Accept(), 0.0)
        drain(server)
        return server, transfer(server, client)

    first, _ = connect()
    second, _ = connect()
    assert registry.get("CS1") is second
    closing = first.data_to_send()  # the old connection's Close frame
    assert closing[:1] == b"\x88"
    first.receive_data(b"", 1.0)
    assert drain(first) == [
        ConnectionClosed(code=1006, reason="connection lost while closing", by_peer=False)
    ]
    assert not registry.release("CS1", first)

    strict: ConnectionRegistry[ServerSession] = ConnectionRegistry(DuplicatePolicy.REJECT_NEW)
    registry = strict
    connect()
    _, events = connect()
    (rejected,) = events
    assert isinstance(rejected, Rejected) and rejected.status_code == 409
