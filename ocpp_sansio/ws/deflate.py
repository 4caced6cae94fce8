"""permessage-deflate (RFC 7692) with bounded decompression, on top of wsproto's extension.

wsproto's :class:`~wsproto.extensions.PerMessageDeflate` inflates each frame without a size
bound, so a few kilobytes of compressed zeros can expand into gigabytes (a "zip bomb").
:class:`BoundedPerMessageDeflate` inflates at most ``max_message_size + 1`` bytes per message
and fails the message with close code 1009 (RFC 6455 section 7.4.1, "message too big") beyond
that, keeping a connection's memory bounded.

It also keeps control frames (allowed between the fragments of a message, RFC 6455 section 5.4)
from resetting the compression state of the message they interrupt.
"""

import zlib

from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import CloseReason, FrameDecoder, FrameProtocol, Opcode, RsvBits

__all__ = ["BoundedPerMessageDeflate"]

_TAIL = b"\x00\x00\xff\xff"  # RFC 7692 section 7.2.2: appended before inflating


class BoundedPerMessageDeflate(PerMessageDeflate):
    """permessage-deflate inflating at most ``max_message_size`` bytes per message."""

    def __init__(self, max_message_size: int, *, no_context_takeover: bool = False) -> None:
        super().__init__(
            client_no_context_takeover=no_context_takeover,
            server_no_context_takeover=no_context_takeover,
        )
        self._max_message_size = max_message_size
        self._inflated = 0

    def finalize(self, offer: str) -> None:
        # Client side, on the server's response. Whether the *server* resets its context is
        # only what the response says (RFC 7692 section 7.1.1.1); inflating with a fresh
        # context per message while the server keeps its context would corrupt messages.
        # Not resetting our own compressor stays our choice (section 7.1.1.2).
        self.server_no_context_takeover = False
        super().finalize(offer)

    def frame_inbound_header(
        self,
        proto: FrameDecoder | FrameProtocol,
        opcode: Opcode,
        rsv: RsvBits,
        payload_length: int,
    ) -> CloseReason | RsvBits:
        if opcode.iscontrol():
            if rsv.rsv1:
                return CloseReason.PROTOCOL_ERROR  # RFC 7692 section 6.1: data frames only
            self._inbound_is_compressible = False
            return RsvBits(True, False, False)
        return super().frame_inbound_header(proto, opcode, rsv, payload_length)

    def _inflate(self, data: bytes) -> bytes | CloseReason:
        assert self._decompressor is not None
        room = self._max_message_size - self._inflated
        try:
            out = self._decompressor.decompress(data, room + 1)
        except zlib.error:
            return CloseReason.INVALID_FRAME_PAYLOAD_DATA
        self._inflated += len(out)
        if self._inflated > self._max_message_size or self._decompressor.unconsumed_tail:
            return CloseReason.MESSAGE_TOO_BIG
        return out

    def frame_inbound_payload_data(
        self, proto: FrameDecoder | FrameProtocol, data: bytes
    ) -> bytes | CloseReason:
        if not self._inbound_compressed or not self._inbound_is_compressible:
            return data
        return self._inflate(bytes(data))

    def frame_inbound_complete(
        self, proto: FrameDecoder | FrameProtocol, fin: bool
    ) -> bytes | CloseReason | None:
        if not fin or not self._inbound_is_compressible:
            return None  # mid-message, or a control frame: the message state is untouched
        if not self._inbound_compressed:
            self._inbound_compressed = None
            self._inflated = 0
            return None
        out = self._inflate(_TAIL)
        if isinstance(out, CloseReason):
            return out
        no_context_takeover = (
            self.server_no_context_takeover if proto.client else self.client_no_context_takeover
        )
        if no_context_takeover:
            self._decompressor = None
        self._inbound_compressed = None
        self._inflated = 0
        return out
