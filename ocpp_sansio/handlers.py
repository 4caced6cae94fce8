"""Application-facing handler types shared by every binding and transport.

A handler answers one action's CALL: ``async def handler(request, ctx) -> response``. The
bindings (``ocpp_trio``, ``ocpp_asyncio``) run handlers for both OCPP-J and OCPP-S; this
module holds only the loop-independent types, so an application written against them moves
between bindings, versions and transports unchanged.

What happens to a handler's outcome is decided by the engines, not here: a response is
validated and sent; :class:`~ocpp_sansio.rpc.CallError` raised by the handler becomes that
CALLERROR (or SOAP fault); any other exception, or ``None``, becomes the engine's handler
failure answer (InternalError).
"""

from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar

import attrs

from .version import Version


@attrs.frozen
class CallContext:
    """What a handler knows about the CALL it answers.

    ``connection`` is the binding's connection object; a handler may call the peer through it
    (the engine keeps one outstanding CALL per direction, so this never deadlocks).
    """

    station_id: str
    version: Version
    action: str
    unique_id: str
    connection: Any


Handler = Callable[[Any, CallContext], Awaitable[Any]]
H = TypeVar("H", bound=Handler)


class Router(Mapping[str, Handler]):
    """A mapping of action name -> handler, filled with a decorator.

    >>> router = Router()
    >>> @router.on("Heartbeat")
    ... async def heartbeat(request, ctx):
    ...     ...
    >>> list(router)
    ['Heartbeat']
    """

    def __init__(self, handlers: Mapping[str, Handler] | None = None) -> None:
        self._handlers: dict[str, Handler] = dict(handlers or {})

    def on(self, action: str) -> Callable[[H], H]:
        """Register the decorated coroutine function as the handler of ``action``."""

        def register(fn: H) -> H:
            if action in self._handlers:
                raise ValueError(f"a handler for {action} is already registered")
            self._handlers[action] = fn
            return fn

        return register

    def __getitem__(self, action: str) -> Handler:
        return self._handlers[action]

    def __iter__(self) -> Iterator[str]:
        return iter(self._handlers)

    def __len__(self) -> int:
        return len(self._handlers)
