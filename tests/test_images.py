"""Image dimensions for attachment objects, from the first bytes of real image headers."""

from __future__ import annotations

import struct
import zlib

from ticketry.kit.images import dimensions


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def test_png_gif_jpeg_and_unknown() -> None:
    assert dimensions(png(640, 480)) == (640, 480)
    assert dimensions(b"GIF89a" + struct.pack("<HH", 32, 16) + b"\x00" * 8) == (32, 16)
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
    sof0 = b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 200, 300) + b"\x00" * 10
    assert dimensions(b"\xff\xd8" + app0 + sof0) == (300, 200)
    assert dimensions(b"plain text") == (0, 0)
    assert dimensions(b"\xff\xd8\xff") == (0, 0)
