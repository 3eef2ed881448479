"""Time per photo: the attachment worker's check of a photo, beside what any re-encoder pays.

The photos are made here with Pillow (and pillow-heif, which writes HEIC, when it is installed),
real files of the sizes phones send: a 12 MP JPEG at high quality (about 5 MB) with the EXIF a
phone writes, GPS position included; a PNG photo of about 5 MB; a 12 MP HEIC; and the worst a
file may ask of the function's memory, a 48 MP JPEG and a 52 MP PNG with transparency (`files.MAX_PIXELS`).

For each, alternated round by round (the first swapping every round), in this process after one
warm-up of each, timed in CPU seconds of this process (`CLOCK`):
- ours: the real `aduan.domain.files.examine(body, declared)`: the type from the bytes, the pixel
  bound, a full decode, upright, at most 2048 px, sRGB, re-encoded with no metadata, a thumbnail;
- the floor: Pillow's own decode, resize and save of the same file with no checks (`reencode`):
  the same decoder (libjpeg scaled down as far as ours lets it), the same resampling, the same
  format, quality and thumbnail: the work any re-encoder must pay. What each side made is compared
  before anything is timed (`same_work`): the same type, pixels and mode stored, the same
  thumbnail, and no metadata in either; a floor that does less stops the benchmark.

Then, in a fresh process for each run, each side's peak resident memory (`VmHWM`, what
`ru_maxrss` reports), since the template gives the function a fixed amount; the time a worker's
first HEIC pays to load pi-heif; and the whole worker path for the 5 MB JPEG
(`process_upload` on the real adapters, against the emulator in this process: read the object,
examine, store two objects, one conditional write, delete the original), alternated with
`examine` alone on the same bytes.

    python bench/attachments.py [--runs 7]
"""

from __future__ import annotations

import argparse
import functools
import gc
import io
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from random import Random
from typing import Any

from PIL import ExifTags, Image, ImageDraw

from aduan.domain import files
from aduan.domain.files import Refused, Stored

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
MB = 1024 * 1024
# CPU time of this process: the work is CPU alone (the emulator of the worker's path runs in this
# process too), and on a shared machine the wall clock also counts other processes' turns.
CLOCK = time.process_time
# Pillow's format of each type, and what the floor stores it as (what ours stores it as, DESIGN §4.1).
FORMATS = {files.JPEG: "JPEG", files.PNG: "PNG", files.WEBP: "WEBP", files.HEIC: "HEIF"}
STORED_AS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG"}


@dataclass(frozen=True)
class Spec:
    """A photo to make: its type, pixels and how it is drawn ("photo": a camera's texture, with a
    phone's EXIF; "screen": flat shapes on transparency, which compress well, so that the largest
    image allowed fits in the upload limit)."""

    name: str
    declared: str
    size: tuple[int, int]
    quality: int | None = None
    look: str = "photo"


SPECS = (
    Spec("12 MP JPEG, quality 93, EXIF with GPS", files.JPEG, (4032, 3024), quality=93),
    Spec("PNG photo", files.PNG, (2000, 1500)),
    Spec("12 MP HEIC, EXIF with GPS", files.HEIC, (4032, 3024), quality=60),
    Spec("48 MP JPEG, the largest phones take", files.JPEG, (8064, 6048), quality=70),
    Spec("52 MP PNG with transparency, the most it lets in", files.PNG, (8320, 6240), look="screen"),
)
HEADLINE = SPECS[0]  # the 5 MB photo of the worker path


@dataclass(frozen=True)
class Photo:
    name: str
    declared: str
    body: bytes = field(repr=False)
    size: tuple[int, int]


def heif_available() -> bool:
    """pi-heif, Aduan's HEIC decoder, is installed (HEIC is then measured), registered with Pillow
    for the floor; pillow-heif writes the photo."""
    return _heif_opener()


@functools.cache
def _heif_opener() -> bool:
    try:
        import pi_heif
        import pillow_heif  # noqa: F401  (writes the HEIC; pi-heif only reads)
    except ImportError:
        return False
    pi_heif.register_heif_opener()
    return True


def phone_exif() -> Image.Exif:
    """What a phone's camera writes: make, model, time, orientation and the GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "samsung"
    exif[ExifTags.Base.Model] = "Galaxy A15"
    exif[ExifTags.Base.DateTime] = "2026:03:24 09:15:00"
    exif[ExifTags.Base.Orientation] = 1  # held level: turning it costs nothing here
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (6.0, 14.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (106.0, 29.0, 47.25)
    return exif


def _texture(size: tuple[int, int], rng: Random) -> Image.Image:
    """A camera's kind of picture: broad shapes with fine grain, which JPEG cannot squeeze much."""
    width, height = size
    broad = Image.frombytes("RGB", (width // 8, height // 8), rng.randbytes(width // 8 * (height // 8) * 3))
    grain = Image.frombytes("RGB", (width // 2, height // 2), rng.randbytes(width // 2 * (height // 2) * 3))
    return Image.blend(
        broad.resize(size, Image.Resampling.BICUBIC), grain.resize(size, Image.Resampling.BILINEAR), 0.18
    )


def _screen(size: tuple[int, int], rng: Random) -> Image.Image:
    image = Image.new("RGBA", size, (240, 240, 235, 255))
    draw = ImageDraw.Draw(image)
    for _ in range(400):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256), rng.randrange(128, 256))
        draw.rectangle((x, y, x + rng.randrange(50, 1500), y + rng.randrange(20, 600)), fill=colour)
    return image


def make(spec: Spec) -> Photo:
    """The file of `spec`, the same bytes every time (a fixed seed)."""
    rng = Random(14)  # noqa: S311 - pixels, not secrets
    image = _texture(spec.size, rng) if spec.look == "photo" else _screen(spec.size, rng)
    kind = FORMATS[spec.declared]
    params: dict[str, Any] = {}
    if spec.quality is not None:
        params["quality"] = spec.quality
    if spec.look == "photo" and kind in ("JPEG", "HEIF"):
        params["exif"] = phone_exif().tobytes()
    if kind == "HEIF":
        if not heif_available():
            raise SystemExit("pi-heif or pillow-heif is not installed: no HEIC to make")
        params["enc_params"] = {"preset": "ultrafast"}  # x265's default takes a minute a photo here
    if kind == "PNG" and spec.look == "screen":
        params["compress_level"] = 1  # the bytes are not what is measured: made fast
    out = io.BytesIO()
    if kind == "HEIF":  # written by pillow-heif's encoder: pi-heif, registered with Pillow, only reads
        import pillow_heif

        pillow_heif.from_pillow(image).save(out, **params)
    else:
        image.save(out, format=kind, **params)
    body = out.getvalue()
    if len(body) > files.MAX_BYTES:
        raise SystemExit(f"{spec.name}: {len(body):,} bytes, over the upload limit")
    return Photo(spec.name, spec.declared, body, spec.size)


# -- the floor -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reencoded:
    body: bytes = field(repr=False)
    thumbnail: bytes = field(repr=False)


def reencode(body: bytes) -> Reencoded:
    """Pillow's decode, resize and save of `body`, and its thumbnail, with no checks: no type from
    the bytes, no pixel bound, no turning, no colour conversion, no flattening. The same decoder
    settings, resampling, format and quality as ours, so that only the checks are left out."""
    heif_available()
    with Image.open(io.BytesIO(body)) as opened:
        kind = str(opened.format)
        if kind == "JPEG":
            opened.draft(opened.mode, (files.MAX_SIDE, files.MAX_SIDE))
        opened.load()
        opened.thumbnail((files.MAX_SIDE, files.MAX_SIDE), Image.Resampling.LANCZOS)
        opened.info = {}  # the decoder's metadata is not written back
        stored = STORED_AS[kind]
        image: Image.Image = opened
        if stored == "JPEG" and image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        out = io.BytesIO()
        if stored == "PNG":
            image.save(out, format="PNG")
        else:
            image.save(out, format=stored, quality=files.JPEG_QUALITY)
        small = image.copy()
        small.thumbnail((files.THUMBNAIL_SIDE, files.THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
        if small.mode not in ("L", "RGB"):
            small = small.convert("RGB")
        thumbnail = io.BytesIO()
        small.save(thumbnail, format="JPEG", quality=files.THUMBNAIL_QUALITY)
        return Reencoded(out.getvalue(), thumbnail.getvalue())


METADATA = frozenset({"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile"})


def _described(body: bytes) -> dict[str, Any]:
    """What a stored file is: its format, pixels and mode, and the metadata it carries."""
    with Image.open(io.BytesIO(body)) as image:
        return {
            "format": image.format,
            "size": image.size,
            "mode": image.mode,
            "metadata": sorted((set(image.info) & METADATA) | ({"exif"} if dict(image.getexif()) else set())),
        }


def same_work(photo: Photo, ours: Stored, floor: Reencoded) -> list[str]:
    """How the floor's result differs from ours (nothing, for a floor that did the same work):
    the same stored type, pixels and mode, the same thumbnail, and no metadata in either."""
    wrong = []
    for part, mine, theirs in (
        ("stored", ours.body, floor.body),
        ("thumbnail", ours.thumbnail or b"", floor.thumbnail),
    ):
        described_ours, described_floor = _described(mine), _described(theirs)
        if described_ours["metadata"]:
            wrong.append(f"{photo.name}: ours kept {described_ours['metadata']} in the {part}")
        if described_floor != described_ours:
            wrong.append(f"{photo.name}, {part}: the floor made {described_floor}, ours {described_ours}")
    return wrong


# -- time per photo ------------------------------------------------------------------------------

Examine = Callable[[bytes, str], Stored | Refused]
Floor = Callable[[bytes], Reencoded]


def time_photo(
    photo: Photo, runs: int, examine: Examine = files.examine, floor: Floor = reencode
) -> dict[str, Any]:
    """Medians of `runs` alternated rounds of ours and the floor on `photo`, after the results
    were checked to be the same work (the first call of each is the warm-up)."""
    ours_result, floor_result = examine(photo.body, photo.declared), floor(photo.body)
    if not isinstance(ours_result, Stored):
        raise SystemExit(f"{photo.name}: examine refused it ({ours_result})")
    wrong = same_work(photo, ours_result, floor_result)
    if wrong:
        raise SystemExit("the floor is not the same work:\n" + "\n".join(wrong))
    sides: dict[str, tuple[Callable[[], object], list[float]]] = {
        "ours": (lambda: examine(photo.body, photo.declared), []),
        "floor": (lambda: floor(photo.body), []),
    }
    for round_ in range(runs):
        order = ["ours", "floor"] if round_ % 2 == 0 else ["floor", "ours"]
        for side in order:
            work, times = sides[side]
            gc.collect()
            started = CLOCK()
            work()
            times.append(CLOCK() - started)
    ours_ms = statistics.median(sides["ours"][1]) * 1000
    floor_ms = statistics.median(sides["floor"][1]) * 1000
    # Each round's two runs are next to each other in time: the median of their ratios is less
    # at the mercy of a noisy minute than the ratio of the two medians.
    rounds = zip(sides["ours"][1], sides["floor"][1], strict=True)
    ratio = statistics.median(mine / theirs for mine, theirs in rounds)
    stored = _described(ours_result.body)
    width, height = stored["size"]
    return {
        "photo": photo.name,
        "bytes": len(photo.body),
        "pixels": photo.size,
        "stored": f"{stored['format']} {width} x {height}, {len(ours_result.body) / MB:.1f} MB",
        "ours_ms": ours_ms,
        "floor_ms": floor_ms,
        "ratio": ratio,
    }


def time_table(rows: list[dict[str, Any]], runs: int) -> str:
    lines = [
        f"| photo | the file | stored as | ours: `examine` (CPU, median of {runs}) "
        "| floor: Pillow's decode, resize, save and thumbnail, no checks | ratio (median of each round's) |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        width, height = row["pixels"]
        lines.append(
            f"| {row['photo']} | {row['bytes'] / MB:.1f} MB, {width} x {height} | {row['stored']} | "
            f"{row['ours_ms']:.0f} ms | {row['floor_ms']:.0f} ms | {row['ratio']:.2f} |"
        )
    return "\n".join(lines)


# -- memory, in a fresh process a run ------------------------------------------------------------

# The high-water mark of this process's own memory (`VmHWM`, what `ru_maxrss` reports): read from
# /proc, because a child's ru_maxrss starts from its parent's peak (the benchmark's own, here).
MEMORY = """
import json, sys
def high_water_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
sys.path.insert(0, {bench!r})
import attachments
from aduan.domain.files import examine
body = open({path!r}, "rb").read()
before = high_water_kb()
if {side!r} == "ours":
    examine(body, {declared!r})
else:
    attachments.reencode(body)
print(json.dumps({{"before_kb": before, "peak_kb": high_water_kb()}}))
"""


def _fresh(source: str) -> dict[str, Any]:
    answer = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", source], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    result: dict[str, Any] = json.loads(answer.splitlines()[-1])
    return result


def memory(photo: Photo, runs: int) -> dict[str, Any]:
    """Peak resident memory of a process that examines `photo` (ours) or re-encodes it (the floor),
    and how much of it the file's work added, in MB: the largest of `runs` fresh processes a side."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo"
        path.write_bytes(photo.body)
        row: dict[str, Any] = {"photo": photo.name}
        for side in ("ours", "floor"):
            source = MEMORY.format(bench=str(BENCH), path=str(path), side=side, declared=photo.declared)
            samples = [_fresh(source) for _ in range(runs)]
            row[f"{side}_peak_mb"] = max(s["peak_kb"] for s in samples) / 1024
            row[f"{side}_added_mb"] = max(s["peak_kb"] - s["before_kb"] for s in samples) / 1024
        return row


def memory_table(rows: list[dict[str, Any]], memory_mb: int) -> str:
    lines = [
        "| photo | ours: peak of the process (of it, the file's work) "
        "| floor: peak of the process (of it, the file's work) | the function has |",
        "| --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['photo']} | {row['ours_peak_mb']:.0f} MB ({row['ours_added_mb']:.0f} MB) | "
            f"{row['floor_peak_mb']:.0f} MB ({row['floor_added_mb']:.0f} MB) | {memory_mb} MB |"
        )
    return "\n".join(lines)


HEIF_LOAD = """
import json, time
from PIL import Image, ImageCms, ImageOps  # loaded at the function's init
started = time.perf_counter()
import pi_heif
pi_heif.register_heif_opener()
print(json.dumps({"ms": (time.perf_counter() - started) * 1000}))
"""


def heif_load_ms(runs: int) -> float | None:
    """What a worker's first HEIC pays to load and register pi-heif (median of fresh processes)."""
    if not heif_available():
        return None
    return float(statistics.median(_fresh(HEIF_LOAD)["ms"] for _ in range(runs)))


# -- the whole worker path -----------------------------------------------------------------------


def worker_path(photo: Photo, runs: int) -> dict[str, Any]:
    """`process_upload` of `photo` on the real store and bucket, against the emulator (moto server
    with the local stack's S3 front) in this process, alternated with `examine` alone on the same
    bytes; medians, and the AWS calls the path made."""
    from aduan_local.client import free_port
    from aduan_local.stack import emulator

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the emulator's access log
    port = free_port()
    server = emulator("127.0.0.1", port)
    try:
        dynamodb, s3 = _clients(f"http://127.0.0.1:{port}")
        return _timed_path(photo, runs, dynamodb, s3)
    finally:
        server.stop()


def _clients(endpoint: str) -> tuple[Any, Any]:
    """DynamoDB and S3 clients on the emulator, configured as aduan.aws.clients configures the
    function's (whose cached clients are not touched: later benchmarks point them elsewhere)."""
    import boto3
    from botocore.config import Config

    from aduan_local.resources import ACCESS_KEY_ID, SECRET_ACCESS_KEY
    from aduan_local.stack import REGION

    settings: dict[str, Any] = {
        "connect_timeout": 2,
        "read_timeout": 5,
        "retries": {"mode": "standard", "max_attempts": 3},
    }
    connection = {
        "endpoint_url": endpoint,
        "region_name": REGION,
        "aws_access_key_id": ACCESS_KEY_ID,
        "aws_secret_access_key": SECRET_ACCESS_KEY,
    }
    s3_settings = Config(signature_version="s3v4", s3={"addressing_style": "path"}, **settings)
    return (
        boto3.client("dynamodb", config=Config(**settings), **connection),
        boto3.client("s3", config=s3_settings, **connection),
    )


def _timed_path(photo: Photo, runs: int, dynamodb: Any, s3: Any) -> dict[str, Any]:
    import escalation_reads

    from aduan.attachment import process_upload, request_upload
    from aduan.aws.complaint_store import DynamoComplaintStore
    from aduan.aws.evidence_bucket import S3EvidenceBucket
    from aduan.domain.evidence import AttachmentRequest, evidence_key, quarantine_key, thumbnail_key
    from aduan_local.stack import REGION
    from aduan_local.template import create_table, load_template

    calls: Counter[str] = Counter()
    counting = [False]

    def count(model: Any, **_: Any) -> None:
        if counting[0]:
            calls[model.name] += 1

    for made in (dynamodb, s3):
        made.meta.events.register("after-call.*.*", count)
    table, bucket_name = "bench-attachments", "bench-evidence"
    create_table(dynamodb, load_template()["Resources"]["ComplaintsTable"]["Properties"], table)
    s3.create_bucket(Bucket=bucket_name, CreateBucketConfiguration={"LocationConstraint": REGION})
    store = DynamoComplaintStore(dynamodb, table, reporter_secret=escalation_reads.SECRET)
    bucket = S3EvidenceBucket(s3, bucket_name)
    world = escalation_reads.World(store, escalation_reads.load_seed_once())
    at = escalation_reads.NOW
    request = AttachmentRequest(filename="IMG_0001.jpg", content_type=photo.declared, size=len(photo.body))

    def one_upload() -> float:
        """A routed complaint, an operator's upload form, the file put at its key; then the worker's
        path, timed. Every result is checked: added, both objects stored, the original gone."""
        tracking_id = world.routed(at)
        form = request_upload(
            tracking_id,
            request,
            escalation_reads.OPERATOR,
            complaints=store,
            reference=world.reference,
            bucket=bucket,
            now=at,
        )
        key = quarantine_key(tracking_id, form["attachment_id"])
        s3.put_object(Bucket=bucket_name, Key=key, Body=photo.body, ContentType=photo.declared)
        gc.collect()
        calls.clear()
        counting[0] = True
        started = CLOCK()
        processed = process_upload(
            key,
            len(photo.body),
            complaints=store,
            reference=world.reference,
            bucket=bucket,
            now=at + timedelta(minutes=1),
        )
        took = CLOCK() - started
        counting[0] = False
        if processed.outcome != "added":
            raise SystemExit(f"{photo.name}: the worker's path ended {processed}")
        kept = {
            evidence_key(tracking_id, form["attachment_id"]),
            thumbnail_key(tracking_id, form["attachment_id"]),
        }
        listed = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket_name).get("Contents", [])}
        if listed != kept:
            raise SystemExit(
                f"{photo.name}: the bucket holds {sorted(listed)} after the path, not {sorted(kept)}"
            )
        for stored_key in kept:
            s3.delete_object(Bucket=bucket_name, Key=stored_key)
        return took

    def examine_alone() -> float:
        gc.collect()
        started = CLOCK()
        files.examine(photo.body, photo.declared)
        return CLOCK() - started

    path_times: list[float] = []
    examine_times: list[float] = []
    try:
        one_upload(), examine_alone()  # warm-up: reference data, the secret, pydantic's first models
        made_calls = dict(calls)
        for round_ in range(runs):
            order = [(path_times, one_upload), (examine_times, examine_alone)]
            for times, work in order if round_ % 2 == 0 else reversed(order):
                times.append(work())
    finally:  # moto's state is the process's: nothing of this is left for the next benchmark
        for leftover in s3.list_objects_v2(Bucket=bucket_name).get("Contents", []):
            s3.delete_object(Bucket=bucket_name, Key=leftover["Key"])
        s3.delete_bucket(Bucket=bucket_name)
        dynamodb.delete_table(TableName=table)
    path_ms = statistics.median(path_times) * 1000
    examine_ms = statistics.median(examine_times) * 1000
    return {
        "photo": photo.name,
        "runs": runs,
        "calls": made_calls,
        "path_ms": path_ms,
        "examine_ms": examine_ms,
        "rest_ms": path_ms - examine_ms,
    }


def path_table(row: dict[str, Any]) -> str:
    calls = ", ".join(f"{name} {count}" for name, count in sorted(row["calls"].items()))
    return "\n".join(
        [
            f"| path ({row['runs']} runs) | AWS calls it makes | the whole path (CPU, median) "
            "| of which `examine` alone (CPU, median, alternated) "
            "| the rest: reads, writes, our bookkeeping, the emulator's work |",
            "| --- | --- | ---: | ---: | ---: |",
            f"| `process_upload`: {row['photo']} | {sum(row['calls'].values())}: {calls} | "
            f"{row['path_ms']:.0f} ms | {row['examine_ms']:.0f} ms | {row['rest_ms']:+.0f} ms |",
        ]
    )


# -- all of it -----------------------------------------------------------------------------------


def function_memory_mb() -> int:
    """The attachment function's MemorySize in the template."""
    from aduan_local.template import load_template, merged_function_properties

    template = load_template()
    return int(
        merged_function_properties(template, template["Resources"]["AttachmentFunction"])["MemorySize"]
    )


def measure(runs: int, specs: tuple[Spec, ...] = SPECS, memory_runs: int = 3) -> dict[str, Any]:
    """Every figure of the section: time per photo, memory, pi-heif's load, the worker's path."""
    made = [make(spec) for spec in specs if spec.declared != files.HEIC or heif_available()]
    headline = next((photo for photo in made if photo.name == HEADLINE.name), made[0])
    return {
        "runs": runs,
        "skipped": [spec.name for spec in specs if spec.declared == files.HEIC and not heif_available()],
        "times": [time_photo(photo, runs) for photo in made],
        "memory": [memory(photo, min(runs, memory_runs)) for photo in made],
        "memory_mb": function_memory_mb(),
        "heif_load_ms": heif_load_ms(runs),
        "path": worker_path(headline, runs),
    }


def tables(result: dict[str, Any]) -> str:
    """The section's tables, with the sentences that carry a single number."""
    heif = result["heif_load_ms"]
    notes = [
        f"pi-heif's import and registration, paid by a worker's first HEIC (not at init): "
        f"{heif:.0f} ms (median, fresh processes)."
        if heif is not None
        else "pi-heif is not installed: HEIC is refused (`heic_unsupported`) and not measured."
    ]
    notes += [f"Not measured: {name} (no pi-heif or pillow-heif)." for name in result["skipped"]]
    return (
        time_table(result["times"], result["runs"])
        + "\n\n"
        + memory_table(result["memory"], result["memory_mb"])
        + "\n\n"
        + " ".join(notes)
        + "\n\n"
        + path_table(result["path"])
    )


def failures(result: dict[str, Any]) -> list[str]:
    """What a run must not show: a photo whose check needs more memory than the function has."""
    return [
        f"{row['photo']}: examine peaks at {row['ours_peak_mb']:.0f} MB, "
        f"the function has {result['memory_mb']} MB"
        for row in result["memory"]
        if row["ours_peak_mb"] > result["memory_mb"]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-3")
    result = measure(args.runs)
    print(tables(result))
    if failures(result):
        raise SystemExit("\n".join(failures(result)))


if __name__ == "__main__":
    main()
