"""Mutation-based input generation: start from valid messages, break them.

:func:`mutated` draws one item of a corpus and applies one to four mutations: bit flips,
byte overwrites, truncation, deletion, insertion of random bytes or of "interesting" tokens
(huge numbers, long runs, CR/LF, NUL), duplication of a range, splicing with another corpus
item, deep nesting (``open``/``close`` tokens repeated), and replacing a number by a huge one.
:func:`split_points` cuts a byte string into chunks at random places, to feed a parser the way
a socket would.
"""

from __future__ import annotations

import itertools
import re

from hypothesis import strategies as st

INTERESTING = (
    b"\r\n", b"\r\n\r\n", b"\n", b"\x00", b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"%", b"%zz",
    b"%00", b":", b",", b";", b'"', b"'", b"<", b">", b"&", b"]]>", b"<!DOCTYPE a [",
    b"<!ENTITY x \"xx\">", b"&x;", b"&#0;", b"&#x110000;", b"<?xml version='1.0'?>",
    b"<!--", b"-->", b"<![CDATA[", b"\t", b" ", b"18446744073709551616", b"-1", b"0x10",
    b"9" * 40, b"A" * 300, b"\x7f", b"\x80", b"\xfe\xff", b"\xef\xbb\xbf",
)
_NUMBER = re.compile(rb"\d+")


@st.composite
def mutated(
    draw: st.DrawFn,
    corpus: list[bytes],
    nest: tuple[bytes, bytes] = (b"<a>", b"</a>"),
    max_mutations: int = 4,
) -> bytes:
    """A corpus item with one to ``max_mutations`` mutations (sometimes none)."""
    data = bytearray(draw(st.sampled_from(corpus)))
    for _ in range(draw(st.integers(0, max_mutations))):
        kind = draw(st.sampled_from([
            "flip", "byte", "truncate", "delete", "insert", "token", "duplicate", "splice",
            "nest", "number",
        ]))
        n = len(data)
        pos = draw(st.integers(0, n))
        if kind == "flip" and n:
            i = min(pos, n - 1)
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte" and n:
            data[min(pos, n - 1)] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[pos:]
        elif kind == "delete":
            del data[pos: pos + draw(st.integers(1, 64))]
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=32))
        elif kind == "token":
            data[pos:pos] = draw(st.sampled_from(INTERESTING))
        elif kind == "duplicate" and n:
            end = draw(st.integers(pos, min(n, pos + 512)))
            data[pos:pos] = data[pos:end] * draw(st.integers(1, 8))
        elif kind == "splice":
            other = draw(st.sampled_from(corpus))
            cut = draw(st.integers(0, len(other)))
            data[pos:] = other[cut:]
        elif kind == "nest":
            depth = draw(st.sampled_from([8, 33, 64, 300, 3000]))
            data[pos:pos] = nest[0] * depth + nest[1] * draw(st.sampled_from([0, depth]))
        elif kind == "number":
            numbers = list(_NUMBER.finditer(bytes(data)))
            if numbers:
                m = draw(st.sampled_from(numbers))
                data[m.start(): m.end()] = draw(st.sampled_from(
                    [b"0", b"99999999999999999999", b"18446744073709551615", b"4294967296",
                     str(len(data) * 1000).encode()]))
    return bytes(data)


@st.composite
def split_points(draw: st.DrawFn, data: bytes, max_chunks: int = 8) -> list[bytes]:
    """``data`` cut into at most ``max_chunks`` pieces at random offsets (order kept)."""
    if len(data) < 2:
        return [data]
    cuts = sorted(set(draw(st.lists(st.integers(1, len(data) - 1), max_size=max_chunks - 1))))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]
