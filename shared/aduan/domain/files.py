"""What an uploaded file really is, and what of it is kept (DESIGN §4.1). Pure: bytes in, bytes out.

The type comes from the bytes (`sniff`), never from the declared type or a file name, and a file
whose bytes are another allowed type than the one declared is refused. Bytes that are none of the
allowed types (an HTML page declared `image/jpeg`) are `unknown_type`, whatever was declared.

An image is decoded in full (a truncated file fails: `ImageFile.LOAD_TRUNCATED_IMAGES` stays off),
turned upright from its EXIF orientation, limited to `MAX_SIDE` on its longest side, converted to
sRGB and encoded again with no metadata at all: no EXIF (GPS position included), no XMP, no
comment, no PNG text chunk and no ICC profile (the pixels are sRGB, which a viewer assumes when
there is no profile; a phone's Display P3 photo is converted, not just stripped, so its colours
stay right). JPEG stays JPEG, PNG PNG, WEBP WEBP, and HEIC becomes JPEG, which every browser shows.
Every image gets a JPEG thumbnail, transparency flattened on white. A PDF is checked by its header
and trailer and kept as it came.

A decompression bomb (a small file of enormous dimensions) is refused from the dimensions in its
header, before any pixel is decoded. `examine` never raises for any bytes: a refusal is a
`Refused` with a short reason code, which the attachment function records in the timeline.
Imported only by the attachment function: Pillow costs its import to that function alone.
"""

from __future__ import annotations

import contextlib
import functools
import io
import struct
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageCms, ImageOps

from aduan.domain import evidence

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
PDF = "application/pdf"
ALLOWED_TYPES, MAX_BYTES = evidence.ALLOWED_TYPES, evidence.MAX_BYTES  # DESIGN §4.1, in one place
MAX_SIDE = 2048  # stored image: longest side at most this
THUMBNAIL_SIDE = 320
# The largest photos phones take are 48 MP (8064 x 6048) and 50 MP (8160 x 6120, 8192 x 6144 =
# 50.3 MP): they pass. Past this a file is refused before it is decoded: 52 MP of RGBA is 208 MB,
# twice that at the peak of a conversion, which the function's memory holds. (Phones with 108 or
# 200 MP sensors save 12 MP photos unless asked otherwise; those modes are refused.)
MAX_PIXELS = 52_000_000

JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80
# How long a PDF's trailer may be after its last `%%EOF`: readers look in the last kilobyte.
PDF_TRAILER_BYTES = 1024

# What Pillow's decoders (and pi-heif's) raise for bytes they cannot read: Pillow's own fuzz
# tests expect OSError (UnidentifiedImageError and "image file is truncated" among them),
# SyntaxError, ValueError and NotImplementedError; struct.error and EOFError come from header
# parsers, RuntimeError from libheif. MemoryError is left out on purpose: the pixel bound keeps a
# file from asking for much, so it means the machine is short of memory and the message is retried.
_UNREADABLE = (
    OSError,
    SyntaxError,
    ValueError,
    NotImplementedError,
    struct.error,
    EOFError,
    RuntimeError,
    IndexError,
    KeyError,
    TypeError,
)
_PILLOW_FORMAT = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", HEIC: "HEIF"}
_STORED_AS = {JPEG: JPEG, PNG: PNG, WEBP: WEBP, HEIC: JPEG}
# ISO BMFF brands of HEVC-coded HEIF (what phones write); AVIF's brands (avif, avis) are not here.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Modes kept as they are in a stored PNG; anything else is converted to one of them.
_PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA"})


@dataclass(frozen=True)
class Stored:
    """What is kept of an accepted file."""

    # The bytes stay out of the repr: a photo of an e-KTP has no place in a log line or a test report.
    body: bytes = field(repr=False)  # what is kept: an image re-encoded, or the PDF as it came
    content_type: str  # the real type (HEIC is stored as image/jpeg)
    thumbnail: bytes | None = field(repr=False)  # JPEG, longest side <= THUMBNAIL_SIDE; None for a PDF
    width: int | None
    height: int | None


@dataclass(frozen=True)
class Refused:
    """Why a file was refused, as a short code: empty, too_large, not_declared_type (the bytes are
    another allowed type than the declared one), unknown_type (none of the allowed types),
    unreadable (truncated or corrupt), too_many_pixels, heic_unsupported, not_pdf."""

    reason: str


def sniff(body: bytes) -> str | None:
    """The real type of `body` from its magic bytes: one of ALLOWED_TYPES, or None."""
    if body.startswith(b"\xff\xd8\xff"):
        return JPEG
    if body.startswith(_PNG_SIGNATURE):
        return PNG
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return WEBP
    if body.startswith(b"%PDF-"):
        return PDF
    if _is_heic(body):
        return HEIC
    return None


def examine(body: bytes, declared: str) -> Stored | Refused:
    """What is kept of an upload declared as `declared`, or why it is refused. Never raises."""
    if not body:
        return Refused("empty")
    if len(body) > MAX_BYTES:
        return Refused("too_large")
    real = sniff(body)
    if real is None:
        return Refused("unknown_type")
    if real != declared.split(";")[0].strip().lower():
        return Refused("not_declared_type")
    if real == PDF:
        return _examine_pdf(body)
    if real == HEIC and not _heic_opener_registered():
        return Refused("heic_unsupported")
    return _examine_image(body, real)


def _is_heic(body: bytes) -> bool:
    """An ISO BMFF file (`ftyp` first) whose major or compatible brands name HEVC-coded HEIF."""
    if body[4:8] != b"ftyp":
        return False
    box_end = min(int.from_bytes(body[:4], "big"), len(body), 256)
    brands = {body[8:12]} | {body[at : at + 4] for at in range(16, box_end - 3, 4)}
    return not brands.isdisjoint(_HEIC_BRANDS)


def _examine_pdf(body: bytes) -> Stored | Refused:
    if b"%%EOF" not in body[-PDF_TRAILER_BYTES:]:
        return Refused("not_pdf")
    return Stored(body=body, content_type=PDF, thumbnail=None, width=None, height=None)


@functools.cache
def _heic_opener_registered() -> bool:
    """Register pi-heif (pillow-heif's decode-only build) with Pillow the first time a HEIC
    arrives (its import and its codecs cost nothing to a function that never sees one); False
    where it is not installed."""
    try:
        import pi_heif
    except ImportError:
        return False
    pi_heif.register_heif_opener()
    return True


def _examine_image(body: bytes, real: str) -> Stored | Refused:
    # Pillow's own bomb check warns past Image.MAX_IMAGE_PIXELS and raises past twice that; the
    # warning is made an error here only, and every other warning (a corrupt EXIF block, say) is
    # kept out of the logs. The filters are put back on the way out (one request at a time).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(body), formats=[_PILLOW_FORMAT[real]]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return Refused("too_many_pixels")
                if real == JPEG:
                    # libjpeg decodes at 1/2, 1/4 or 1/8 scale while it stays above MAX_SIDE:
                    # a 48 MP photo costs the memory and time of a 12 MP one. Every byte is read.
                    image.draft(image.mode, (MAX_SIDE, MAX_SIDE))
                image.load()
                return _stored(image, _STORED_AS[real])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return Refused("too_many_pixels")
        except _UNREADABLE:
            return Refused("unreadable")


def _stored(image: Image.Image, content_type: str) -> Stored:
    """The decoded image made small, upright and sRGB, encoded again without metadata."""
    icc_profile = image.info.get("icc_profile")
    image = _ordinary_mode(image)
    if max(image.size) > MAX_SIDE:
        if image.mode in ("1", "P"):  # resampling needs real values, not palette indexes
            image = image.convert("RGBA" if image.has_transparency_data else "RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # Turned once it is small (turning 4 MP costs a third of turning 12 MP). EXIF too broken to
    # read an orientation from leaves the photo as it was taken.
    with contextlib.suppress(*_UNREADABLE):
        ImageOps.exif_transpose(image, in_place=True)
    image = _in_srgb(image, icc_profile)
    if content_type == PNG:
        image = image if image.mode in _PNG_MODES else image.convert("RGBA")
    elif content_type == WEBP:
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    else:
        image = _flattened(image)
    body = _encoded(image, content_type)
    thumbnail = _flattened(image)
    if thumbnail is image:
        thumbnail = image.copy()  # Image.thumbnail works in place
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return Stored(
        body=body,
        content_type=content_type,
        thumbnail=_encoded(thumbnail, JPEG, quality=THUMBNAIL_QUALITY),
        width=image.width,
        height=image.height,
    )


def _ordinary_mode(image: Image.Image) -> Image.Image:
    """The image in a mode every later step knows: 16-bit grey scaled to 8 bits (a plain
    conversion would clip it white), premultiplied and exotic modes to L, LA, RGB or RGBA."""
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        return image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("PA", "RGBa", "RGBX"):
        return image.convert("RGBA" if image.mode != "RGBX" else "RGB")
    if image.mode == "La":
        return image.convert("LA")
    if image.mode in ("YCbCr", "LAB", "HSV"):
        return image.convert("RGB")
    return image


def _in_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """The pixels converted from the file's colour profile to sRGB, so no profile need be kept.
    A profile that cannot be read is dropped and the pixels are kept as they are."""
    if not icc_profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(
            image, source, _srgb(), outputMode="RGBA" if image.mode == "RGBA" else "RGB"
        )
    except (ImageCms.PyCMSError, *_UNREADABLE):
        return image
    return converted if converted is not None else image


@functools.cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _flattened(image: Image.Image) -> Image.Image:
    """L or RGB, for a JPEG: any transparency composited on white."""
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode in ("L", "RGB") else image.convert("RGB")


def _encoded(image: Image.Image, content_type: str, quality: int = JPEG_QUALITY) -> bytes:
    """The pixels alone in `content_type`: the decoder's info (EXIF, XMP, ICC, comments, text
    chunks) would be written back by Pillow, so only a PNG's transparency is kept of it."""
    transparency = image.info.get("transparency") if content_type == PNG else None
    image.info = {} if transparency is None else {"transparency": transparency}
    out = io.BytesIO()
    if content_type == PNG:
        image.save(out, format="PNG")
    else:
        image.save(out, format="JPEG" if content_type == JPEG else "WEBP", quality=quality)
    return out.getvalue()
