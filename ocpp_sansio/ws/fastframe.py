"""A fast path for the common WebSocket frame: one complete, final, uncompressed text frame.

wsproto parses every frame through several generator layers and validates UTF-8 incrementally;
for OCPP-J, where nearly every message is one small text frame, that machinery is most of the
transport's cost. :class:`FrameSplitter` sits in front of wsproto: it buffers received bytes,
reads each frame header itself (RFC 6455 section 5.2) and

* turns a complete text frame with FIN set, no RSV bits, the mask bit the side requires
  (section 5.1: masked towards the server, unmasked towards the client), a minimally encoded
  length (section 5.2) no larger than the message limit, outside a fragmented message, whose
  payload is valid UTF-8 (section 8.1), straight into its text;
* hands every other frame (control frames, fragments, binary, compressed with RSV1, anything
  malformed) byte-for-byte to wsproto, in order, so that wsproto's rules and errors apply
  unchanged. A frame wsproto will reject (a header this module does not model) switches the
  splitter to hand everything to wsproto from then on.

A compressed-looking frame with RSV1 = 0 in a permessage-deflate session is an uncompressed
message (RFC 7692 section 6): it leaves the inflater untouched, so the fast path may take it.

Sending: :func:`text_frame` builds an unmasked, uncompressed final text frame (the CSMS side);
a station's frames need a fresh random masking key and stay with wsproto.
"""

__all__ = ["FrameSplitter", "text_frame", "unmask"]


def unmask(payload: bytes, key: bytes) -> bytes:
    """``payload`` XOR the 4-byte masking ``key`` repeated (RFC 6455 section 5.3)."""
    n = len(payload)
    if not n:
        return b""
    mask = (key * ((n >> 2) + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(mask, "little")).to_bytes(
        n, "little"
    )


def text_frame(data: bytes) -> bytes:
    """One final, unmasked text frame carrying ``data`` (UTF-8), RFC 6455 section 5.2."""
    n = len(data)
    if n <= 125:
        return bytes((0x81, n)) + data
    if n <= 0xFFFF:
        return bytes((0x81, 126)) + n.to_bytes(2, "big") + data
    return bytes((0x81, 127)) + n.to_bytes(8, "big") + data


class FrameSplitter:
    """Splits received bytes into fast-path texts and bytes for wsproto.

    ``masked``: whether frames from the peer must be masked (we are the server).
    ``max_size``: the message size limit; a larger frame goes to wsproto (which streams it,
    and the session fails it with 1009).
    """

    __slots__ = ("_buf", "_fallback", "_fragmented", "_mask_bit", "_max_size", "_owed")

    def __init__(self, *, masked: bool, max_size: int) -> None:
        self._buf = b""
        self._mask_bit = 0x80 if masked else 0
        self._max_size = max_size
        # bytes of the current frame still owed to wsproto (it has the start of it)
        self._owed = 0
        # inside a fragmented message (handed to wsproto): data frames go to wsproto too
        self._fragmented = False
        # an unmodelled header was seen: everything goes to wsproto from now on
        self._fallback = False

    @property
    def buffered(self) -> int:
        """Bytes held back (an incomplete frame)."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[str | bytes]:
        """Split ``data``: a list of texts (``str``, complete fast-path messages) and byte
        strings for wsproto, in the order received. An incomplete fast frame stays buffered."""
        out: list[str | bytes] = []
        if self._fallback:
            out.append(data)
            return out
        if self._owed:
            if len(data) <= self._owed:
                self._owed -= len(data)
                out.append(data)
                return out
            out.append(data[: self._owed])
            data = data[self._owed :]
            self._owed = 0
        buf = self._buf + data if self._buf else data
        pos = 0
        end = len(buf)
        mask_bit = self._mask_bit
        while pos < end:
            if end - pos < 2:
                break
            b0 = buf[pos]
            b1 = buf[pos + 1]
            length = b1 & 0x7F
            head = 2
            if length == 126:
                if end - pos < 4:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                head = 4
                if length < 126:
                    self._fallback = True  # wsproto: non-minimal length, 1002
            elif length == 127:
                if end - pos < 10:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
                if length <= 0xFFFF or length >> 63:
                    self._fallback = True  # wsproto: non-minimal length or MSB set, 1002
            opcode = b0 & 0x0F
            if (b1 & 0x80) != mask_bit or opcode not in (0, 1, 2, 8, 9, 10):
                self._fallback = True  # wsproto: wrong mask bit or reserved opcode, 1002
            elif opcode >= 8 and (length > 125 or not b0 & 0x80):
                self._fallback = True  # wsproto: oversized or fragmented control frame
            if self._fallback:
                out.append(buf[pos:])
                pos = end
                break
            if mask_bit:
                head += 4
            total = head + length
            if (
                b0 == 0x81  # FIN, no RSV bits, text
                and not self._fragmented
                and length <= self._max_size
            ):
                if end - pos < total:
                    break  # wait for the rest of the frame
                payload = buf[pos + head : pos + total]
                if mask_bit:
                    payload = unmask(payload, buf[pos + head - 4 : pos + head])
                try:
                    text = payload.decode("utf-8")
                except UnicodeDecodeError:
                    out.append(buf[pos : pos + total])  # wsproto fails it with 1007
                else:
                    out.append(text)
                pos += total
                continue
            # anything else: wsproto's, byte for byte
            if opcode in (1, 2):
                self._fragmented = not b0 & 0x80
            elif opcode == 0 and b0 & 0x80:
                self._fragmented = False
            if end - pos < total:
                self._owed = total - (end - pos)
                out.append(buf[pos:])
                pos = end
                break
            out.append(buf[pos : pos + total])
            pos += total
        self._buf = buf[pos:] if pos < end else b""
        return out
