"""Sans-IO HTTP/1.1 message framing for OCPP-S, on h11: whole messages in and out.

OCPP-S runs SOAP 1.2 over HTTP/1.1 POST (SOAP 1.2 Part 2, section 7, request-response
message exchange). Both sides are HTTP servers for the operations they host and HTTP clients
for the ones they call, so this module has a server and a client half:

- :class:`HttpServer` turns received bytes into complete :class:`HttpRequest` events and
  writes responses; :class:`HttpClient` writes requests and turns received bytes into
  complete :class:`HttpResponse` events. Each wraps one ``h11.Connection`` (one TCP
  connection), with keep-alive.
- Bodies may arrive with ``Content-Length`` or chunked (h11 de-frames both); outgoing bodies
  use ``Content-Length`` unless ``chunked=True``.
- ``Content-Encoding`` ``gzip`` and ``deflate`` (RFC 9110, section 8.4.1; ``deflate`` is the
  zlib format, raw DEFLATE as some peers send it is accepted too) are decoded on input, with a
  limit on the decoded size (a compressed body cannot expand without bound), and may be
  applied on output. Responses are compressed only when the request's ``Accept-Encoding``
  allows it.
- Size limits: :class:`HttpLimits` bounds the header block, the body as received and the body
  once decoded; past a limit the server answers 413 and closes.
- Time: :attr:`HttpServer.request_in_progress` says whether part of a request has been received
  and the request is not complete yet; a caller keeping a clock answers a request that takes
  too long with :meth:`HttpServer.time_out` (408, then close). Nothing here reads a clock.

Errors: a peer that breaks HTTP raises :class:`HttpRemoteError`; on the server side it
carries ``reply``, the bytes of the error response to send before closing. Misuse of this API
raises :class:`HttpLocalError`.
"""

import http
import zlib
from collections.abc import Iterable, Sequence

import attrs
import h11

Headers = tuple[tuple[str, str], ...]


@attrs.frozen
class HttpLimits:
    """Size limits, in bytes, applied to every received message."""

    max_header_bytes: int = 16 * 1024  #: request/status line and header block
    max_body_bytes: int = 1024 * 1024  #: the body as received (after de-chunking)
    max_decoded_bytes: int = 4 * 1024 * 1024  #: the body after Content-Encoding is removed


@attrs.frozen
class HttpRequest:
    """A complete request; ``body`` is decoded (no Content-Encoding left)."""

    method: str
    target: str
    headers: Headers
    body: bytes
    http_version: str = "1.1"

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive); repeated headers joined by commas."""
        return _header(self.headers, name)


@attrs.frozen
class HttpResponse:
    """A complete response; ``body`` is decoded (no Content-Encoding left)."""

    status: int
    reason: str
    headers: Headers
    body: bytes
    http_version: str = "1.1"

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive); repeated headers joined by commas."""
        return _header(self.headers, name)


@attrs.frozen
class SendContinue:
    """The client waits for ``100 Continue`` before sending its body: send ``data`` now."""

    data: bytes


@attrs.frozen
class NeedData:
    """More bytes are needed before the next event."""


@attrs.frozen
class Paused:
    """The next request is already buffered; answer the current one first."""


@attrs.frozen
class ConnectionClosed:
    """The peer closed the connection cleanly (or it must be closed now)."""


NEED_DATA = NeedData()
PAUSED = Paused()
CLOSED = ConnectionClosed()


class HttpRemoteError(Exception):
    """The peer broke HTTP. ``reply`` (server side only) is the response to send, then close."""

    def __init__(self, message: str, status: int, reply: bytes | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.reply = reply


class HttpLocalError(Exception):
    """This API was used in a way HTTP does not allow (e.g. two responses to one request)."""


def _header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    lname = name.lower()
    values = [v for k, v in headers if k.lower() == lname]
    return ", ".join(values) if values else None


def _decode_headers(raw: Iterable[tuple[bytes, bytes]]) -> Headers:
    return tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw)


def parse_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """The media type (lower case) and parameters of a Content-Type value (RFC 9110, 8.3).

    ``application/soap+xml; charset=utf-8; action="/Heartbeat"`` ->
    ``("application/soap+xml", {"charset": "utf-8", "action": "/Heartbeat"})``.
    """
    if not value:
        return "", {}
    parts = _split_params(value)
    media = parts[0].strip().lower()
    params: dict[str, str] = {}
    for part in parts[1:]:
        name, sep, raw = part.partition("=")
        if not sep:
            continue
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        params[name.strip().lower()] = raw
    return media, params


def _split_params(value: str) -> list[str]:
    out, cur, quoted, escaped = [], [], False, False
    for ch in value:
        if escaped:
            cur.append(ch)
            escaped = False
        elif ch == "\\" and quoted:
            cur.append(ch)
            escaped = True
        elif ch == '"':
            cur.append(ch)
            quoted = not quoted
        elif ch == ";" and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


# --- content codings ---------------------------------------------------------------------

CODINGS = ("gzip", "deflate")


class DecodeError(ValueError):
    """A body could not be decoded. ``status`` is 415 (unknown coding), 413 or 400."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def content_codings(value: str | None) -> list[str]:
    """The codings of a Content-Encoding value, in the order they were applied."""
    if not value:
        return []
    codings = [c.strip().lower() for c in value.split(",") if c.strip()]
    return ["gzip" if c == "x-gzip" else c for c in codings if c != "identity"]


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    out = bytearray()
    while True:
        d = zlib.decompressobj(wbits)
        out += d.decompress(data, limit + 1 - len(out))
        if len(out) > limit or d.unconsumed_tail:
            raise DecodeError(f"decoded body exceeds {limit} bytes", 413)
        if not d.eof:
            raise DecodeError("truncated compressed body", 400)
        data = d.unused_data
        if not data.strip(b"\x00"):
            return bytes(out)
        if wbits != 31:
            raise DecodeError("data after the end of the compressed body", 400)
        # gzip allows several members one after the other (RFC 1952, section 2.2).


def decode_body(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """Undo ``Content-Encoding`` (gzip, deflate), refusing results larger than ``limit``."""
    codings = content_codings(content_encoding)
    for coding in reversed(codings):
        try:
            if coding == "gzip":
                body = _inflate(body, 31, limit)
            elif coding == "deflate":
                try:
                    body = _inflate(body, 15, limit)
                except zlib.error:
                    body = _inflate(body, -15, limit)  # raw DEFLATE, as some peers send
            else:
                raise DecodeError(f"unsupported content coding {coding!r}", 415)
        except zlib.error as exc:
            raise DecodeError(f"corrupt {coding} body: {exc}", 400) from None
    if len(body) > limit:
        raise DecodeError(f"body exceeds {limit} bytes", 413)
    return body


def encode_body(body: bytes, coding: str) -> bytes:
    """Apply content coding ``coding`` (``gzip`` or ``deflate``) to ``body``."""
    if coding == "gzip":
        c = zlib.compressobj(6, zlib.DEFLATED, 31)
    elif coding == "deflate":
        c = zlib.compressobj(6, zlib.DEFLATED, 15)
    else:
        raise HttpLocalError(f"unsupported content coding {coding!r}")
    return c.compress(body) + c.flush()


def negotiate_coding(accept_encoding: str | None, offered: Sequence[str] = CODINGS) -> str | None:
    """The coding to use for a response given the request's Accept-Encoding (RFC 9110, 12.5.3).

    ``None`` means identity. The first of ``offered`` with the highest non-zero weight wins.
    """
    if not accept_encoding:
        return None
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        q = 1.0
        for p in params.split(";"):
            key, _, val = p.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(val)
                except ValueError:
                    q = 0.0
        weights["gzip" if name == "x-gzip" else name] = q
    best, best_q = None, 0.0
    for coding in offered:
        q = weights.get(coding, weights.get("*", 0.0))
        if q > best_q:
            best, best_q = coding, q
    return best


def _head_size(first: bytes, headers: Iterable[tuple[bytes, bytes]]) -> int:
    return len(first) + sum(len(k) + len(v) + 4 for k, v in headers)


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _body_events(
    body: bytes, headers: list[tuple[str, str]], chunked: bool
) -> tuple[list[tuple[str, str]], list[h11.Data | h11.EndOfMessage]]:
    if chunked:
        headers.append(("Transfer-Encoding", "chunked"))
    else:
        headers.append(("Content-Length", str(len(body))))
    events: list[h11.Data | h11.EndOfMessage] = []
    if body:
        events.append(h11.Data(data=body))
    events.append(h11.EndOfMessage())
    return headers, events


def _send_all(conn: h11.Connection, events: Iterable[h11.Event]) -> bytes:
    out = bytearray()
    try:
        for event in events:
            data = conn.send(event)
            if data:
                out += data
    except h11.LocalProtocolError as exc:
        raise HttpLocalError(str(exc)) from exc
    return bytes(out)


class HttpServer:
    """The server half of one HTTP/1.1 connection: requests in, responses out."""

    def __init__(
        self, limits: HttpLimits = HttpLimits(), *, compress_min_bytes: int = 1024,
    ) -> None:
        self.limits = limits
        self.compress_min_bytes = compress_min_bytes
        self._conn = h11.Connection(h11.SERVER, max_incomplete_event_size=limits.max_header_bytes)
        self._request: h11.Request | None = None
        self._body = bytearray()
        self._accept_encoding: str | None = None
        self._closing = False

    @property
    def must_close(self) -> bool:
        """Whether the connection has to be closed (after sending what was returned)."""
        return self._closing or self._conn.our_state in (h11.MUST_CLOSE, h11.CLOSED)

    @property
    def request_in_progress(self) -> bool:
        """Whether bytes of a request have been received and the request is not complete yet
        (its head is partial, or its body is still arriving).

        False between requests (nothing of the next one received), once a request is complete
        (while it is being answered) and after the connection ended.
        """
        if self._closing:
            return False
        state = self._conn.their_state
        if state is h11.SEND_BODY:
            return True
        return state is h11.IDLE and bool(self._conn.trailing_data[0])

    def time_out(self) -> bytes:
        """The ``408 Request Timeout`` response (RFC 9110, section 15.5.9) to a request that
        was not complete in time, with ``Connection: close``; the connection must then be
        closed (:attr:`must_close`)."""
        return self._fail("request not complete in time", 408).reply or b""

    def receive_data(self, data: bytes) -> None:
        """Feed bytes read from the socket (``b""`` at end of stream)."""
        try:
            self._conn.receive_data(data)
        except RuntimeError as exc:  # data after the peer closed
            raise HttpRemoteError(str(exc), 400) from None

    def next_event(self) -> HttpRequest | SendContinue | NeedData | Paused | ConnectionClosed:
        """The next complete request, or what to do next.

        Raises :class:`HttpRemoteError` with the error response in ``reply``.
        """
        if self._closing:
            return CLOSED
        while True:
            try:
                event = self._conn.next_event()
            except h11.RemoteProtocolError as exc:
                raise self._fail(f"malformed HTTP request: {exc}", exc.error_status_hint) from None
            if event is h11.NEED_DATA:
                return NEED_DATA
            if event is h11.PAUSED:
                return PAUSED
            if isinstance(event, h11.ConnectionClosed):
                return CLOSED
            if isinstance(event, h11.Request):
                self._request = event
                self._body = bytearray()
                if _head_size(event.target, event.headers) > self.limits.max_header_bytes:
                    # h11 bounds only incomplete heads; a head received at once is checked here
                    raise self._fail("request header fields too large", 431)
                self._accept_encoding = _header(_decode_headers(event.headers), "accept-encoding")
                length = _header(_decode_headers(event.headers), "content-length")
                if length is not None and length.isdigit() and \
                        int(length) > self.limits.max_body_bytes:
                    raise self._fail("request body too large", 413)
                if self._conn.they_are_waiting_for_100_continue:
                    data = _send_all(self._conn, [h11.InformationalResponse(
                        status_code=100, headers=[], reason=b"Continue")])
                    return SendContinue(data)
                continue
            if isinstance(event, h11.Data):
                self._body += event.data
                if len(self._body) > self.limits.max_body_bytes:
                    raise self._fail("request body too large", 413)
                continue
            if isinstance(event, h11.EndOfMessage):
                request = self._request
                assert request is not None
                headers = _decode_headers(request.headers)
                try:
                    body = decode_body(bytes(self._body), _header(headers, "content-encoding"),
                                       self.limits.max_decoded_bytes)
                except DecodeError as exc:
                    raise self._fail(str(exc), exc.status) from None
                self._body = bytearray()
                return HttpRequest(
                    method=request.method.decode("ascii", "replace"),
                    target=request.target.decode("ascii", "replace"),
                    headers=headers,
                    body=body,
                    http_version=request.http_version.decode("ascii", "replace"),
                )

    def _fail(self, message: str, status: int) -> HttpRemoteError:
        """Answer ``status`` with a plain-text body, mark the connection for closing."""
        reply = b""
        if self._conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            body = (message + "\n").encode("utf-8", "replace")
            headers = [("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")]
            hdrs, events = _body_events(body, headers, chunked=False)
            response = h11.Response(status_code=status, headers=hdrs, reason=_reason(status))
            try:
                reply = _send_all(self._conn, [response, *events])
            except HttpLocalError:
                reply = b""
        self._closing = True
        return HttpRemoteError(message, status, reply)

    def send_response(
        self, status: int, headers: Iterable[tuple[str, str]], body: bytes, *,
        compress: bool = False, chunked: bool = False, close: bool = False,
    ) -> bytes:
        """The bytes of a complete response to the current request.

        With ``compress``, a body of at least ``compress_min_bytes`` is gzip- or
        deflate-encoded when the request's Accept-Encoding allows it. ``close`` adds
        ``Connection: close``.
        """
        hdrs = list(headers)
        if compress and len(body) >= self.compress_min_bytes:
            coding = negotiate_coding(self._accept_encoding)
            if coding is not None:
                body = encode_body(body, coding)
                hdrs.append(("Content-Encoding", coding))
        if close:
            hdrs.append(("Connection", "close"))
        return self._respond(status, hdrs, body, chunked=chunked)

    def reject(self, status: int, message: str) -> bytes:
        """A plain-text error response (e.g. 405, 415) to the current, fully read request."""
        headers = [("Content-Type", "text/plain; charset=utf-8")]
        if status == 405:
            headers.append(("Allow", "POST"))
        return self._respond(status, headers, (message + "\n").encode("utf-8", "replace"),
                             chunked=False)

    def _respond(
        self, status: int, headers: list[tuple[str, str]], body: bytes, *, chunked: bool
    ) -> bytes:
        if self._conn.our_state is not h11.SEND_RESPONSE:
            raise HttpLocalError(f"no request to answer (state {self._conn.our_state})")
        headers, events = _body_events(body, headers, chunked)
        response = h11.Response(status_code=status, headers=headers, reason=_reason(status))
        data = _send_all(self._conn, [response, *events])
        self._next_cycle()
        return data

    def _next_cycle(self) -> None:
        if self._conn.our_state is h11.DONE and self._conn.their_state is h11.DONE:
            self._conn.start_next_cycle()
        elif self._conn.our_state in (h11.MUST_CLOSE, h11.CLOSED) or \
                self._conn.their_state is not h11.DONE:
            self._closing = True


class HttpClient:
    """The client half of one HTTP/1.1 connection: requests out, responses in."""

    def __init__(self, host: str, limits: HttpLimits = HttpLimits()) -> None:
        self.host = host
        self.limits = limits
        self._conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=limits.max_header_bytes)
        self._response: h11.Response | None = None
        self._body = bytearray()
        self._closing = False

    @property
    def must_close(self) -> bool:
        """Whether the connection cannot carry another request."""
        return self._closing or self._conn.our_state in (h11.MUST_CLOSE, h11.CLOSED)

    @property
    def idle(self) -> bool:
        """Whether a new request may be sent now."""
        return not self.must_close and self._conn.our_state is h11.IDLE

    def send_request(
        self, method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes, *,
        content_encoding: str | None = None, accept_encoding: str | None = "gzip, deflate",
        chunked: bool = False,
    ) -> bytes:
        """The bytes of a complete request (a Host header is added)."""
        if not self.idle:
            raise HttpLocalError("a request is already in flight on this connection")
        hdrs = [("Host", self.host), *headers]
        if accept_encoding:
            hdrs.append(("Accept-Encoding", accept_encoding))
        if content_encoding is not None:
            body = encode_body(body, content_encoding)
            hdrs.append(("Content-Encoding", content_encoding))
        hdrs, events = _body_events(body, hdrs, chunked)
        request = h11.Request(method=method, target=target, headers=hdrs)
        self._response = None
        self._body = bytearray()
        return _send_all(self._conn, [request, *events])

    def receive_data(self, data: bytes) -> None:
        """Feed bytes read from the socket (``b""`` at end of stream)."""
        try:
            self._conn.receive_data(data)
        except RuntimeError as exc:
            raise HttpRemoteError(str(exc), 0) from None

    def next_event(self) -> HttpResponse | NeedData | ConnectionClosed:
        """The next complete response; raises :class:`HttpRemoteError` if it is malformed."""
        while True:
            try:
                event = self._conn.next_event()
            except h11.RemoteProtocolError as exc:
                self._closing = True
                raise HttpRemoteError(f"malformed HTTP response: {exc}", 0) from None
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return NEED_DATA
            if isinstance(event, h11.ConnectionClosed):
                self._closing = True
                return CLOSED
            if isinstance(event, h11.InformationalResponse):
                continue
            if isinstance(event, h11.Response):
                self._response = event
                self._body = bytearray()
                if _head_size(event.reason, event.headers) > self.limits.max_header_bytes:
                    self._closing = True
                    raise HttpRemoteError("response header fields too large", 0)
                continue
            if isinstance(event, h11.Data):
                self._body += event.data
                if len(self._body) > self.limits.max_body_bytes:
                    self._closing = True
                    raise HttpRemoteError("response body too large", 0)
                continue
            if isinstance(event, h11.EndOfMessage):
                response = self._response
                assert response is not None
                headers = _decode_headers(response.headers)
                try:
                    body = decode_body(bytes(self._body), _header(headers, "content-encoding"),
                                       self.limits.max_decoded_bytes)
                except DecodeError as exc:
                    self._closing = True
                    raise HttpRemoteError(str(exc), 0) from None
                self._body = bytearray()
                if self._conn.our_state is h11.DONE and self._conn.their_state is h11.DONE:
                    self._conn.start_next_cycle()
                else:
                    self._closing = True
                return HttpResponse(
                    status=response.status_code,
                    reason=response.reason.decode("latin-1"),
                    headers=headers,
                    body=body,
                    http_version=response.http_version.decode("ascii", "replace"),
                )
