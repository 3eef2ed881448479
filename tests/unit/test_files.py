"""What an uploaded file really is (issue #14, DESIGN §4.1): every file here is made with Pillow (or
pillow-heif, or by hand) in the test itself, real bytes, and `examine` decides what is kept of it
(aduan.domain.files). A photo keeps its pixels and loses its metadata; a file that is not what it
claims, a bomb, a truncated image or nothing at all is refused with a reason, and no bytes raise."""

from __future__ import annotations

import io
import json
import os
import resource
import struct
import subprocess
import sys
import time
import warnings
import zlib
from functools import cache
from pathlib import Path

import pillow_heif
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from aduan.domain import files
from aduan.domain.files import (
    ALLOWED_TYPES,
    MAX_BYTES,
    MAX_SIDE,
    THUMBNAIL_SIDE,
    Refused,
    Stored,
    examine,
    sniff,
)

ROOT = Path(__file__).resolve().parents[2]
RED, BLUE = (220, 20, 20), (20, 20, 220)
PHONE = b"SecretPhone X1"  # what a camera writes in EXIF Make: it must not survive
COMMENT = b"diambil di rumah Bu Siti"
PDF_BODY = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def encoded(image: Image.Image, kind: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind, **params)
    return out.getvalue()


def two_halves(width: int, height: int) -> Image.Image:
    """Red above, blue below: which way up a stored photo is can be read from its pixels."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width, height // 2))
    return image


def phone_exif(orientation: int = 1) -> Image.Exif:
    """What a phone writes: its make, an orientation, and where the photo was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = PHONE.decode()
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (6.0, 10.0, 31.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (106.0, 49.0, 2.25)
    return exif


def opened(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    image.load()
    return image


def stored(body: bytes, declared: str) -> Stored:
    result = examine(body, declared)
    assert isinstance(result, Stored), result
    return result


def without_metadata(body: bytes) -> None:
    """Nothing a camera or an editor wrote survives: no EXIF (so no GPS), no XMP, no comment, no
    text chunk, no colour profile; the make of the phone appears nowhere in the bytes."""
    image = opened(body)
    assert dict(image.getexif()) == {}
    assert not set(image.info) & {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "Author"}
    for trace in (b"Exif", b"http://ns.adobe.com/xap", b"ICC_PROFILE", b"iCCP", b"tEXt", b"iTXt", b"zTXt"):
        assert trace not in body, trace
    assert PHONE not in body
    assert COMMENT not in body


def thumbnail_ok(result: Stored) -> Image.Image:
    assert result.thumbnail is not None
    thumbnail = opened(result.thumbnail)
    assert thumbnail.format == "JPEG"
    assert max(thumbnail.size) <= THUMBNAIL_SIDE
    without_metadata(result.thumbnail)
    return thumbnail


def near(pixel: tuple[int, ...], colour: tuple[int, ...], within: int = 40) -> bool:
    return all(abs(a - b) <= within for a, b in zip(pixel, colour, strict=False))


def png_header_bomb(width: int, height: int) -> bytes:
    """A real 1-bit PNG of `width` x `height`, all black: a few hundred KB on disk, and `width` x
    `height` bytes of memory for Pillow once decoded (900 MB for 30000 x 30000)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = bytes(1 + (width + 7) // 8)  # filter byte, then the row's bits
    rows_at_once = 1000
    packer = zlib.compressobj(9)
    idat = [packer.compress(row * rows_at_once) for _ in range(height // rows_at_once)]
    idat.append(packer.compress(row * (height % rows_at_once)) + packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        files._PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(idat)) + chunk(b"IEND", b"")
    )


@cache
def bomb() -> bytes:
    return png_header_bomb(30000, 30000)


def heic(image: Image.Image, **params: object) -> bytes:
    """A HEIC as a phone makes it, written by pillow-heif without registering it with Pillow (so
    `examine` is the one that must)."""
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, quality=80, **params)
    return out.getvalue()


# -- a photo from a phone -----------------------------------------------------------------------


def test_a_phone_photo_with_gps_and_orientation_6_is_stored_upright_with_no_exif_at_all() -> None:
    body = encoded(two_halves(400, 300), "JPEG", quality=90, exif=phone_exif(orientation=6), comment=COMMENT)
    source = opened(body)
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the photo must carry a position to lose"

    result = stored(body, "image/jpeg")

    assert result.content_type == "image/jpeg"
    assert (result.width, result.height) == (300, 400)  # turned a quarter: width and height swapped
    without_metadata(result.body)
    image = opened(result.body)
    assert image.format == "JPEG"
    assert image.size == (300, 400)
    # Orientation 6 means "turn 90° clockwise to view": red, on top in the sensor's frame, is on the right.
    assert near(image.getpixel((290, 200)), RED)
    assert near(image.getpixel((10, 200)), BLUE)
    assert thumbnail_ok(result).size == (240, 320)


def test_a_12_megapixel_photo_is_stored_at_2048_by_1536_with_a_320_pixel_thumbnail() -> None:
    result = stored(encoded(two_halves(4000, 3000), "JPEG", exif=phone_exif()), "image/jpeg")

    assert (result.width, result.height) == (2048, 1536)
    assert opened(result.body).size == (2048, 1536)
    without_metadata(result.body)
    assert thumbnail_ok(result).size == (320, 240)


def test_a_large_photo_is_decoded_at_a_reduced_scale_and_still_ends_at_2048() -> None:
    # 5000 x 4200: libjpeg decodes at half scale (2500 x 2100), then it is resized to fit 2048.
    result = stored(encoded(two_halves(5000, 4200), "JPEG", quality=70), "image/jpeg")
    assert (result.width, result.height) == (2048, 1720)


def test_a_tall_photo_is_limited_on_its_longest_side() -> None:
    result = stored(encoded(two_halves(500, 3000), "PNG"), "image/png")
    assert max(result.width or 0, result.height or 0) == MAX_SIDE
    assert (result.width, result.height) == (341, 2048)


def test_a_photo_with_a_colour_profile_is_stored_in_srgb_without_the_profile() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = stored(encoded(two_halves(64, 64), "JPEG", icc_profile=srgb), "image/jpeg")
    without_metadata(result.body)
    assert near(opened(result.body).getpixel((32, 5)), RED)


def test_a_cmyk_jpeg_is_stored_as_rgb() -> None:
    result = stored(encoded(Image.new("CMYK", (50, 40), (0, 255, 255, 0)), "JPEG"), "image/jpeg")
    image = opened(result.body)
    assert image.mode == "RGB"
    assert near(image.getpixel((25, 20)), (255, 0, 0), within=60)


def test_a_photo_whose_exif_cannot_be_read_is_kept_as_it_was_taken() -> None:
    broken = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\xff\xff" + b"garbage" * 5
    result = stored(encoded(two_halves(40, 30), "JPEG", exif=broken), "image/jpeg")
    assert (result.width, result.height) == (40, 30)
    without_metadata(result.body)


# -- PNG, WEBP, HEIC ----------------------------------------------------------------------------


def test_a_png_with_transparency_keeps_it_and_its_thumbnail_is_flattened_on_white() -> None:
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    image.paste((*RED, 255), (100, 0, 200, 100))
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Siti Aminah")
    text.add_text("Comment", COMMENT.decode(), zip=True)
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS -6.17,106.81</x:xmpmeta>")
    body = encoded(image, "PNG", pnginfo=text, exif=phone_exif())
    assert b"tEXt" in body
    assert b"eXIf" in body

    result = stored(body, "image/png")

    assert result.content_type == "image/png"
    without_metadata(result.body)
    assert b"eXIf" not in result.body
    kept = opened(result.body)
    assert kept.mode == "RGBA"
    assert kept.getpixel((10, 50)) == (0, 0, 0, 0)
    assert kept.getpixel((150, 50)) == (*RED, 255)
    thumbnail = thumbnail_ok(result)
    assert thumbnail.mode == "RGB"
    assert near(thumbnail.getpixel((10, 50)), (255, 255, 255), within=8)  # transparent: white, not black
    assert near(thumbnail.getpixel((150, 50)), RED)


def test_a_palette_png_with_a_transparent_colour_is_kept_and_flattened_in_its_thumbnail() -> None:
    image = Image.new("P", (60, 40), 0)
    image.putpalette([255, 255, 0, *RED] + [0] * (256 * 3 - 6))
    image.paste(1, (30, 0, 60, 40))
    body = encoded(image, "PNG", transparency=0)

    result = stored(body, "image/png")

    kept = opened(result.body)
    assert kept.mode == "P"
    assert kept.convert("RGBA").getpixel((5, 5))[3] == 0  # still transparent where it was
    thumbnail = thumbnail_ok(result)
    assert near(thumbnail.getpixel((5, 5)), (255, 255, 255), within=8)
    assert near(thumbnail.getpixel((50, 20)), RED)


def test_a_large_palette_png_is_resized_in_colour_not_by_palette_index() -> None:
    image = Image.new("P", (4096, 100), 0)
    image.putpalette([*BLUE, *RED] + [0] * (256 * 3 - 6))
    image.paste(1, (2048, 0, 4096, 100))
    result = stored(encoded(image, "PNG"), "image/png")
    assert (result.width, result.height) == (2048, 50)
    kept = opened(result.body)
    assert near(kept.convert("RGB").getpixel((1500, 25)), RED)


@pytest.mark.parametrize("mode", ["1", "L", "LA", "RGB"])
def test_pngs_of_every_ordinary_mode_are_kept(mode: str) -> None:
    result = stored(encoded(Image.new(mode, (30, 20)), "PNG"), "image/png")
    assert opened(result.body).size == (30, 20)
    thumbnail_ok(result)


def test_a_16_bit_grey_png_keeps_its_greys() -> None:
    result = stored(encoded(Image.new("I;16", (20, 20), 40000), "PNG"), "image/png")
    assert opened(result.body).convert("L").getpixel((5, 5)) == 40000 // 256  # not clipped to white


def test_a_webp_is_stored_as_webp_without_its_exif() -> None:
    body = encoded(two_halves(300, 200), "WEBP", quality=90, exif=phone_exif())
    assert b"EXIF" in body

    result = stored(body, "image/webp")

    assert result.content_type == "image/webp"
    assert b"EXIF" not in result.body
    assert b"XMP " not in result.body
    without_metadata(result.body)
    assert opened(result.body).format == "WEBP"
    assert (result.width, result.height) == (300, 200)
    thumbnail_ok(result)


def test_a_webp_with_transparency_keeps_it() -> None:
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    image.paste((*RED, 255), (20, 0, 40, 40))
    result = stored(encoded(image, "WEBP", lossless=True), "image/webp")
    assert opened(result.body).getpixel((5, 5))[3] == 0
    assert near(thumbnail_ok(result).getpixel((5, 5)), (255, 255, 255), within=8)


def test_a_heic_from_a_phone_is_stored_as_a_jpeg_without_its_exif() -> None:
    body = heic(two_halves(640, 480), exif=phone_exif().tobytes())
    assert sniff(body) == "image/heic"

    result = stored(body, "image/heic")

    assert result.content_type == "image/jpeg"
    assert (result.width, result.height) == (640, 480)
    assert opened(result.body).format == "JPEG"
    without_metadata(result.body)
    assert near(opened(result.body).getpixel((320, 50)), RED)
    thumbnail_ok(result)


def test_a_heic_is_refused_with_a_clear_reason_where_the_plugin_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(files, "_heic_opener_registered", lambda: False)
    assert examine(heic(two_halves(64, 48)), "image/heic") == Refused("heic_unsupported")


def test_the_heic_plugin_is_loaded_only_when_a_heic_arrives() -> None:
    probe = (
        "import io, json, sys\n"
        "from PIL import Image\n"
        "from aduan.domain import files\n"
        "out = io.BytesIO(); Image.new('RGB', (8, 8)).save(out, 'JPEG')\n"
        "files.examine(out.getvalue(), 'image/jpeg')\n"
        "before = 'pi_heif' in sys.modules\n"
        "files.examine(sys.stdin.buffer.read(), 'image/heic')\n"
        "print(json.dumps([before, 'pi_heif' in sys.modules, 'pillow_heif' in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        input=heic(two_halves(16, 16)),
        capture_output=True,
        timeout=60,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "shared")},
    )
    assert json.loads(result.stdout) == [False, True, False]  # the decoder only, never the GPL encoder


# -- what the bytes are, whatever was declared --------------------------------------------------


@pytest.mark.parametrize(
    ("body", "real"),
    [
        (encoded(Image.new("RGB", (4, 4)), "JPEG"), "image/jpeg"),
        (encoded(Image.new("RGB", (4, 4)), "PNG"), "image/png"),
        (encoded(Image.new("RGB", (4, 4)), "WEBP"), "image/webp"),
        (PDF_BODY, "application/pdf"),
        (b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00mif1heicmiaf", "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", "image/heic"),  # HEIF, HEVC-coded
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", None),  # AVIF is not HEIC
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", None),  # an MP4 video
        (b"GIF89a\x01\x00\x01\x00", None),
        (HTML, None),
        (b"", None),
    ],
)
def test_the_real_type_comes_from_the_bytes(body: bytes, real: str | None) -> None:
    assert sniff(body) == real


@pytest.mark.parametrize(
    ("body", "declared", "reason"),
    [
        (encoded(Image.new("RGB", (4, 4)), "PNG"), "application/pdf", "not_declared_type"),
        (encoded(Image.new("RGB", (4, 4)), "JPEG"), "image/png", "not_declared_type"),
        (PDF_BODY, "image/jpeg", "not_declared_type"),
        (HTML, "image/jpeg", "unknown_type"),  # an HTML page renamed .jpg: none of the types at all
        (HTML, "application/pdf", "unknown_type"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/png", "unknown_type"),
        (b"", "image/jpeg", "empty"),
        (b"%PDF-" + bytes(MAX_BYTES), "application/pdf", "too_large"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused(body: bytes, declared: str, reason: str) -> None:
    assert examine(body, declared) == Refused(reason)


def test_a_heic_declared_as_jpeg_is_refused() -> None:
    assert examine(heic(two_halves(16, 16)), "image/jpeg") == Refused("not_declared_type")


def test_the_declared_type_is_read_as_a_media_type() -> None:
    assert isinstance(examine(encoded(Image.new("RGB", (4, 4)), "PNG"), "Image/PNG; charset=binary"), Stored)


# -- PDF ----------------------------------------------------------------------------------------


def test_a_pdf_is_kept_as_it_came() -> None:
    assert examine(PDF_BODY, "application/pdf") == Stored(
        body=PDF_BODY, content_type="application/pdf", thumbnail=None, width=None, height=None
    )
    assert stored(PDF_BODY, "application/pdf").body == PDF_BODY


def test_a_pdf_of_exactly_the_largest_size_is_kept() -> None:
    body = b"%PDF-1.4\n" + bytes(MAX_BYTES - 16) + b"\n%%EOF\n"
    assert len(body) == MAX_BYTES
    assert isinstance(examine(body, "application/pdf"), Stored)


@pytest.mark.parametrize(
    "body",
    [
        PDF_BODY.replace(b"%%EOF", b"%%EOX"),  # no trailer: truncated, or not a PDF
        PDF_BODY + bytes(2000),  # the last %%EOF is further from the end than any reader looks
        b"%PDF-",
    ],
)
def test_a_pdf_without_its_trailer_is_refused(body: bytes) -> None:
    assert examine(body, "application/pdf") == Refused("not_pdf")


# -- broken files and bombs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "declared"),
    [
        (encoded(Image.effect_noise((300, 200), 40).convert("RGB"), "JPEG"), "image/jpeg"),
        (encoded(Image.effect_noise((300, 200), 40).convert("RGB"), "PNG"), "image/png"),
        (encoded(Image.effect_noise((300, 200), 40).convert("RGB"), "WEBP"), "image/webp"),
        (heic(Image.effect_noise((300, 200), 40).convert("RGB")), "image/heic"),
    ],
)
def test_a_truncated_image_is_refused_as_unreadable(body: bytes, declared: str) -> None:
    assert isinstance(examine(body, declared), Stored)
    for cut in (len(body) // 2, len(body) - 100, 40):
        assert examine(body[:cut], declared) == Refused("unreadable"), cut


def test_a_png_bomb_is_refused_before_a_pixel_is_decoded() -> None:
    body = bomb()
    assert len(body) < 200_000  # small on disk; 900 MB of memory once decoded
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()

    assert examine(body, "image/png") == Refused("too_many_pixels")

    assert time.perf_counter() - started < 2
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kb < 100_000, f"examining a bomb grew the process by {grown_kb} KB"


@pytest.mark.parametrize(("width", "height"), [(8000, 7500), (10000, 10000)])
def test_images_past_the_pixel_bound_are_refused_whatever_pillow_allows(width: int, height: int) -> None:
    # 60 MP is under Pillow's own warning (89 MP), so only Aduan's bound refuses it; 100 MP makes
    # Pillow warn as it opens the file, and the warning is turned into the same refusal.
    assert width * height > files.MAX_PIXELS
    assert examine(png_header_bomb(width, height), "image/png") == Refused("too_many_pixels")


def test_the_pixel_bound_lets_the_largest_phone_photos_through() -> None:
    for width, height in [(4032, 3024), (8064, 6048), (8160, 6120), (8192, 6144)]:  # 12, 48, 50 MP
        assert width * height <= files.MAX_PIXELS


def test_the_pixel_bound_is_checked_on_the_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_PIXELS", 1000)
    assert isinstance(examine(encoded(Image.new("RGB", (40, 25)), "PNG"), "image/png"), Stored)
    assert examine(encoded(Image.new("RGB", (41, 25)), "PNG"), "image/png") == Refused("too_many_pixels")
    assert examine(encoded(Image.new("RGB", (41, 25)), "JPEG"), "image/jpeg") == Refused("too_many_pixels")


def test_examine_lets_no_warning_out_of_pillow() -> None:
    # Pillow's bomb warning and its complaints about a corrupt EXIF block would reach the logs.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        examine(png_header_bomb(10000, 10000), "image/png")
        examine(encoded(two_halves(40, 30), "JPEG", exif=b"Exif\x00\x00MM\x00\x2a" + bytes(30)), "image/jpeg")
    # Only Pillow's own count: a ResourceWarning about a socket another test left for the garbage
    # collector may fire at any moment, inside this block too.
    pillow = [w for w in caught if not issubclass(w.category, ResourceWarning)]
    assert [str(warning.message) for warning in pillow] == []


def test_examine_leaves_the_warning_filters_as_it_found_them() -> None:
    before = list(warnings.filters)
    examine(png_header_bomb(10000, 10000), "image/png")
    examine(encoded(two_halves(40, 30), "JPEG", exif=b"Exif\x00\x00garbage"), "image/jpeg")
    assert warnings.filters == before


# -- no bytes raise -----------------------------------------------------------------------------

DECLARED = st.sampled_from([*ALLOWED_TYPES, "text/html", ""])
MAGIC = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": files._PNG_SIGNATURE,
    "image/webp": b"RIFF\x00\x01\x00\x00WEBP",
    "image/heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    "application/pdf": b"%PDF-",
}
SAMPLES = {
    "image/jpeg": encoded(two_halves(48, 32), "JPEG", exif=phone_exif(6)),
    "image/png": encoded(Image.new("RGBA", (48, 32), (1, 2, 3, 4)), "PNG"),
    "image/webp": encoded(two_halves(48, 32), "WEBP"),
    "image/heic": heic(two_halves(64, 48)),
    "application/pdf": PDF_BODY,
}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(body: bytes, declared: str) -> Stored | Refused:
    result = examine(body, declared)
    assert isinstance(result, Stored | Refused)
    if isinstance(result, Stored):
        assert result.content_type in ALLOWED_TYPES
        assert result.width is None or max(result.width, result.height or 0) <= MAX_SIDE
    return result


@FUZZ
@given(body=st.binary(max_size=2048), declared=DECLARED)
def test_arbitrary_bytes_never_raise(body: bytes, declared: str) -> None:
    outcome(body, declared)


@FUZZ
@given(real=st.sampled_from(sorted(MAGIC)), tail=st.binary(max_size=2048))
def test_arbitrary_bytes_after_a_valid_magic_never_raise(real: str, tail: bytes) -> None:
    assert sniff(MAGIC[real] + tail) == real
    outcome(MAGIC[real] + tail, real)


@FUZZ
@given(
    real=st.sampled_from(sorted(SAMPLES)),
    changes=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    keep=st.floats(0.05, 1),
)
def test_real_files_with_bytes_changed_or_cut_never_raise(
    real: str, changes: list[tuple[float, int]], keep: float
) -> None:
    body = bytearray(SAMPLES[real])
    for where, value in changes:
        body[int(where * len(body))] = value
    outcome(bytes(body[: max(1, int(keep * len(body)))]), real)
