"""The per-host ``cidata`` ISO: ISO 9660 + Joliet + Rock Ridge with ``user-data`` and ``meta-data``.

Palette reads site user-data from a non-bootable medium labelled ``cidata`` holding a
``user-data`` file and an empty ``meta-data`` (reference/canvos-palette.md §6, §10.4), the same
layout ``genisoimage -V cidata -J -r`` makes.

The image is made by pycdlib with every date fixed, so the same user-data always gives the same
bytes. Its layout is fixed too: only the size of ``user-data`` varies, and that file's data is the
last extent. So pycdlib builds a one-byte template once, and each host's image is that template
with four size fields patched (the volume space size of the primary and Joliet descriptors, the
data length of the two ``user-data`` directory records) and the file's bytes appended. The tests
check the result byte for byte against pycdlib building the same image directly, and read it back
with xorriso and isoinfo.
"""

from __future__ import annotations

import io
import struct
import threading
import time
import types
from dataclasses import dataclass
from typing import Final

import pycdlib
import pycdlib.pycdlib as _pycdlib_main
from pycdlib import dates as _pycdlib_dates
from pycdlib import headervd as _pycdlib_headervd

VOLUME_ID: Final = "cidata"
BLOCK: Final = 2048
# 2024-01-01T00:00:00Z: every date in the image, so images do not depend on when or where
# (time zone) they were made.
FIXED_EPOCH: Final = 1704067200.0
_PVD_OFFSET: Final = 16 * BLOCK
_VOLUME_SPACE_AT: Final = 80  # both-endian 32-bit in a volume descriptor
_RECORD_LENGTH_AT: Final = 10  # both-endian 32-bit data length in a directory record
_RECORD_EXTENT_AT: Final = 2


def _fixed_time_module() -> types.SimpleNamespace:
    return types.SimpleNamespace(
        time=lambda: FIXED_EPOCH,
        localtime=time.gmtime,
        gmtime=time.gmtime,
        strftime=time.strftime,
        strptime=time.strptime,
        struct_time=time.struct_time,
        mktime=time.mktime,
    )


_PYCDLIB_LOCK = threading.Lock()


def build_iso_pycdlib(user_data: bytes) -> bytes:
    """The image made by pycdlib directly (the reference the fast path is checked against)."""
    modules = (_pycdlib_dates, _pycdlib_headervd, _pycdlib_main)
    with _PYCDLIB_LOCK:  # pycdlib reads the clock through its modules' ``time``
        saved = [getattr(module, "time") for module in modules]  # noqa: B009
        for module in modules:
            setattr(module, "time", _fixed_time_module())  # noqa: B010
        try:
            return _pycdlib_image(user_data)
        finally:
            for module, original in zip(modules, saved, strict=True):
                setattr(module, "time", original)  # noqa: B010


def _pycdlib_image(user_data: bytes) -> bytes:
    iso = pycdlib.PyCdlib()
    iso.new(
        interchange_level=3,
        vol_ident=VOLUME_ID,
        app_ident_str="palette-tailscale",
        joliet=3,
        rock_ridge="1.09",
    )
    iso.add_fp(io.BytesIO(b""), 0, "/META_DATA.;1", rr_name="meta-data", joliet_path="/meta-data")
    iso.add_fp(
        io.BytesIO(user_data),
        len(user_data),
        "/USER_DATA.;1",
        rr_name="user-data",
        joliet_path="/user-data",
    )
    out = io.BytesIO()
    iso.write_fp(out)
    iso.close()
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class _Template:
    head: bytes  # everything before user-data's extent
    size_fields: tuple[int, ...]  # offsets of volume space sizes (in blocks)
    length_fields: tuple[int, ...]  # offsets of user-data's data lengths (in bytes)
    data_extent: int


def _both_endian(value: int) -> bytes:
    return struct.pack("<I", value) + struct.pack(">I", value)


def _read_both(image: bytes, offset: int) -> int:
    return int(struct.unpack_from("<I", image, offset)[0])


def _descriptors(image: bytes) -> list[int]:
    """Offsets of the primary (type 1) and supplementary (type 2) volume descriptors."""
    found: list[int] = []
    offset = _PVD_OFFSET
    while image[offset] != 255:
        if image[offset] in (1, 2):
            found.append(offset)
        offset += BLOCK
    return found


def _user_data_record(image: bytes, descriptor: int) -> int:
    """Offset of the ``user-data`` directory record in the root directory a descriptor names."""
    root_record = descriptor + 156
    extent = _read_both(image, root_record + _RECORD_EXTENT_AT)
    offset = extent * BLOCK
    names = (b"USER_DATA.;1", "user-data".encode("utf-16-be"))
    while image[offset]:
        name_length = image[offset + 32]
        if image[offset + 33 : offset + 33 + name_length] in names:
            return offset
        offset += image[offset]
    raise AssertionError("pycdlib template has no user-data record")  # pragma: no cover


def _make_template() -> _Template:
    image = build_iso_pycdlib(b"\n")
    descriptors = _descriptors(image)
    records = [_user_data_record(image, d) for d in descriptors]
    extents = {_read_both(image, r + _RECORD_EXTENT_AT) for r in records}
    (extent,) = extents
    assert len(image) == (extent + 1) * BLOCK, "user-data is not the last extent"
    return _Template(
        head=image[: extent * BLOCK],
        size_fields=tuple(d + _VOLUME_SPACE_AT for d in descriptors),
        length_fields=tuple(r + _RECORD_LENGTH_AT for r in records),
        data_extent=extent,
    )


_TEMPLATE: _Template | None = None


def _template() -> _Template:
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = _make_template()
    return _TEMPLATE


def build_iso(user_data: bytes) -> bytes:
    """The ``cidata`` image for ``user_data``: deterministic, byte-identical to pycdlib's."""
    if not user_data:
        return build_iso_pycdlib(user_data)  # an empty file has no extent of its own
    template = _template()
    blocks = -(-len(user_data) // BLOCK)
    head = bytearray(template.head)
    for offset in template.size_fields:
        head[offset : offset + 8] = _both_endian(template.data_extent + blocks)
    for offset in template.length_fields:
        head[offset : offset + 8] = _both_endian(len(user_data))
    padding = b"\x00" * (blocks * BLOCK - len(user_data))
    return b"".join((head, user_data, padding))
