"""The texts people are sent: every SMS and email template, in Indonesian and English, in GSM-7.

Every SMS template renders to one 160-character GSM-7 segment with realistic values (tests check
each); free text in a value is shortened to fit, so a long question never costs a second segment.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from aduan.domain.models import Language

SMS_LIMIT = 160
# GSM 03.38 basic character set (one septet each) and the extension table (two septets each).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")


def gsm7_length(text: str) -> int | None:
    """Septets the text needs in GSM-7, or None when it needs UCS-2 (70-character segments)."""
    length = 0
    for character in text:
        if character in GSM7_BASIC:
            length += 1
        elif character in GSM7_EXTENDED:
            length += 2
        else:
            return None
    return length


def to_gsm7(text: str) -> str:
    """Replace what GSM-7 lacks with its nearest plain form (curly quotes, dashes, accents)."""
    import unicodedata

    replacements = {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "}
    out = []
    for character in text:
        character = replacements.get(character, character)
        if character in GSM7_BASIC or character in GSM7_EXTENDED:
            out.append(character)
            continue
        plain = unicodedata.normalize("NFKD", character).encode("ascii", "ignore").decode()
        out.append(plain or "?")
    return "".join(out)


_ = dict

SMS: dict[str, dict[str, str]] = {
    "received": _(
        id="Aduan: laporan {tracking_id} diterima.{privacy_level} Kode akses: {access_code} (rahasiakan). Status: CEK.{privacy_raise}",
        en="Aduan: report {tracking_id} received.{privacy_level} Access code: {access_code} (keep secret). Status: CEK.{privacy_raise}",
    ),
    "privacy_raised": _(
        id="Aduan {tracking_id}: laporan kini{privacy_level}",
        en="Aduan {tracking_id}: the report is now{privacy_level}",
    ),
    "privacy_not_raised": _(
        id="Aduan {tracking_id}: laporan tetap{privacy_level} Lewat SMS kerahasiaan hanya bisa dinaikkan, tidak diturunkan.",
        en="Aduan {tracking_id}: the report stays{privacy_level} By SMS its privacy can only be raised, never lowered.",
    ),
    "privacy_window_closed": _(
        id="Aduan {tracking_id}: laporan tetap{privacy_level} Kerahasiaan hanya bisa diubah lewat SMS dlm 24 jam & sebelum ditangani instansi.",
        en="Aduan {tracking_id}: the report stays{privacy_level} Privacy changes by SMS only within 24h and before the agency acts on it.",
    ),
    "reply_refused": _(
        id="Aduan {tracking_id} ({status}): balasan tidak bisa dicatat lagi. Masalah belum selesai? Kirim sebagai laporan baru.",
        en="Aduan {tracking_id} ({status}): replies can no longer be recorded. Still a problem? Send it as a new report.",
    ),
    "assigned": _(
        id="Aduan {tracking_id}: diteruskan ke {agency}. Batas tindak lanjut {due}.",
        en="Aduan {tracking_id}: forwarded to {agency}. Follow-up due {due}.",
    ),
    "status": _(
        id="Aduan {tracking_id}: {status}. {agency}Batas: {due}.",
        en="Aduan {tracking_id}: {status}. {agency}Due: {due}.",
    ),
    "reply_received": _(
        id="Aduan {tracking_id}: balasan Anda sudah diterima dan diteruskan ke petugas.",
        en="Aduan {tracking_id}: your reply was received and passed to the officer.",
    ),
    "not_found": _(
        id="Aduan: laporan {tracking_id} tidak ditemukan. Periksa nomornya, atau kirim CEK saja untuk laporan terakhir Anda.",
        en="Aduan: report {tracking_id} not found. Check the number, or send CEK alone for your latest report.",
    ),
    "typo": _(
        id="Aduan: nomor laporan {tracking_id} keliru satu karakter. Periksa kembali dan kirim ulang.",
        en="Aduan: one character of report number {tracking_id} is wrong. Please check and resend.",
    ),
    "help_too_short": _(
        id="Aduan: tulis laporan min. 30 huruf: apa masalahnya, di mana, kapan. Cek laporan: CEK <nomor>. Balas: BALAS <nomor> <pesan>",
        en="Aduan: write at least 30 letters: what, where, when. Check a report: CEK <number>. Reply: BALAS <number> <message>",
    ),
    "help_reply": _(
        id="Aduan: format balasan: BALAS <nomor laporan> <pesan>. Contoh: BALAS K7MX4-RPA27 fotonya sudah saya kirim",
        en="Aduan: to reply send BALAS <report number> <message>. Example: BALAS K7MX4-RPA27 I sent the photo",
    ),
    "ask_place": _(
        id="Aduan: laporan Anda kami terima. Di mana lokasinya? Kirim lokasi (Lampirkan > Lokasi) atau nama desa/kecamatan. Tanpa jawaban, dicatat dlm 30 menit.",
        en="Aduan: we have your report. Where is it? Share a location (Attach > Location) or name the village or district. With no answer, it is filed in 30 min.",
    ),
    "location_without_report": _(
        id="Aduan: lokasi diterima, tapi laporannya belum ada. Tulis laporan: apa masalahnya, kapan (min. 30 huruf).",
        en="Aduan: location received, but there is no report yet. Write it: what happened and when (30 letters or more).",
    ),
    "evidence_received": _(
        id="Aduan {tracking_id}: file Anda diterima, sedang diperiksa, lalu ditambahkan ke laporan.",
        en="Aduan {tracking_id}: your file was received; it is being checked, then added to the report.",
    ),
    "caption_needed": _(
        id="Aduan: kirim foto dgn keterangan: apa masalahnya, di mana, kapan (min. 30 huruf). Utk laporan yg ada, tulis BALAS <nomor> di keterangan.",
        en="Aduan: send the photo with a caption: what, where, when (30 letters or more). For a report you have, caption it BALAS <number>.",
    ),
    "file_refused": _(
        id="Aduan: file ini tidak bisa kami terima. Kirim foto (JPEG, PNG, WebP, HEIC) atau PDF, paling besar 10 MB, maks. 5 per laporan.",
        en="Aduan: we cannot take this file. Send a photo (JPEG, PNG, WebP, HEIC) or a PDF, up to 10 MB, at most 5 a report.",
    ),
    "whatsapp_unreadable": _(
        id="Aduan: pesan jenis ini tidak bisa kami baca. Kirim teks atau foto: apa masalahnya, di mana, kapan.",
        en="Aduan: we can't read this kind of message. Send text or a photo: what, where, when.",
    ),
    "info_requested": _(
        id="Aduan {tracking_id}: {agency} minta info: {question} Jawab: BALAS {tracking_id} <jawaban>",
        en="Aduan {tracking_id}: {agency} asks: {question} Answer: BALAS {tracking_id} <answer>",
    ),
    "responded": _(
        id="Aduan {tracking_id}: {agency} sudah menanggapi: {response} Belum selesai? BALAS {tracking_id} BELUM",
        en="Aduan {tracking_id}: {agency} responded: {response} Not solved? BALAS {tracking_id} BELUM",
    ),
    "closed": _(
        id="Aduan {tracking_id}: laporan ditutup. Terima kasih telah melapor.",
        en="Aduan {tracking_id}: report closed. Thank you for reporting.",
    ),
    "new_assignment": _(
        id="Aduan: laporan baru {tracking_id} ({category}) untuk {agency}. Batas {due}.",
        en="Aduan: new report {tracking_id} ({category}) for {agency}. Due {due}.",
    ),
    "warning": _(
        id="Aduan: batas tindak lanjut laporan {tracking_id} untuk {agency} tinggal 20% ({due}).",
        en="Aduan: 80% of the follow-up time for report {tracking_id} at {agency} is used (due {due}).",
    ),
    "level_1": _(
        id="Aduan: batas tindak lanjut laporan {tracking_id} di {agency} TERLEWATI ({due}). Segera tindak lanjuti.",
        en="Aduan: the follow-up deadline of report {tracking_id} at {agency} PASSED ({due}). Act now.",
    ),
    "level_2": _(
        id="Aduan: eskalasi tingkat 2: laporan {tracking_id} di {agency} belum ditindaklanjuti sejak {due}.",
        en="Aduan: level 2 escalation: report {tracking_id} at {agency} has had no follow-up since {due}.",
    ),
    "level_3": _(
        id="Aduan: eskalasi tingkat 3: laporan {tracking_id} di {agency} terlambat sejak {due}; diawasi Ombudsman.",
        en="Aduan: level 3 escalation: report {tracking_id} at {agency} overdue since {due}; Ombudsman oversight.",
    ),
    "reopened": _(
        id="Aduan: laporan {tracking_id} dibuka kembali oleh pelapor: belum selesai. Batas baru {due}.",
        en="Aduan: report {tracking_id} was reopened by the reporter: not solved. New deadline {due}.",
    ),
    "triage": _(
        id="Aduan: laporan {tracking_id} perlu disposisi oleh {agency}. Batas verifikasi {due}.",
        en="Aduan: report {tracking_id} needs assignment by {agency}. Verification due {due}.",
    ),
}

# Answers to whoever texted us: only ever SMS, so they have no email form.
SMS_ONLY = frozenset(
    {
        "help_reply",
        "help_too_short",
        "not_found",
        "typo",
        "privacy_not_raised",
        "privacy_window_closed",
        "reply_refused",
        "whatsapp_unreadable",
        "evidence_received",
        "caption_needed",
        "ask_place",
        "location_without_report",
        "file_refused",
    }
)

# A complaint's privacy travels as its code (`privacy`) and is told in the reader's language: the
# level ({privacy_level}) and, in an SMS receipt, how to raise it by text ({privacy_raise}: nothing
# is above confidential). A message queued without a code (before there was one) says neither.
PRIVACY_LEVELS: dict[str, dict[str, str]] = {
    "public": _(id=" PUBLIK: isi terbuka, identitas tdk.", en=" PUBLIC: text open, identity hidden."),
    "anonymous": _(id=" ANONIM: identitas tdk ke instansi.", en=" ANONYMOUS: agency can't see you."),
    "confidential": _(
        id=" RAHASIA: isi & identitas tertutup.", en=" CONFIDENTIAL: text and identity hidden."
    ),
}
PRIVACY_RAISES: dict[str, dict[str, str]] = {
    "public": _(id=" Ubah: kirim ANONIM/RAHASIA dlm 24 jam", en=" Hide more: send ANONIM/RAHASIA in 24h"),
    "anonymous": _(
        id=" Isi jg rahasia? Kirim RAHASIA dlm 24 jam", en=" Hide the text too: send RAHASIA in 24h"
    ),
    "confidential": _(id="", en=""),
}

# Values that are free text and may be shortened to fit one segment, in the order they give way.
SHRINKABLE = ("question", "response", "agency", "status")

EMAIL_SUBJECTS: dict[str, dict[str, str]] = {
    "received": _(id="Laporan {tracking_id} diterima", en="Report {tracking_id} received"),
    "privacy_raised": _(
        id="Laporan {tracking_id}: kerahasiaan dinaikkan", en="Report {tracking_id}: privacy raised"
    ),
    "assigned": _(id="Laporan {tracking_id} diteruskan", en="Report {tracking_id} forwarded"),
    "status": _(id="Status laporan {tracking_id}", en="Status of report {tracking_id}"),
    "reply_received": _(id="Balasan untuk laporan {tracking_id}", en="Reply to report {tracking_id}"),
    "info_requested": _(
        id="Laporan {tracking_id}: informasi tambahan diminta",
        en="Report {tracking_id}: more information needed",
    ),
    "responded": _(id="Laporan {tracking_id} sudah ditanggapi", en="Report {tracking_id} has a response"),
    "closed": _(id="Laporan {tracking_id} ditutup", en="Report {tracking_id} closed"),
    "new_assignment": _(id="Laporan baru {tracking_id}", en="New report {tracking_id}"),
    "triage": _(id="Laporan {tracking_id} perlu disposisi", en="Report {tracking_id} needs assignment"),
    "reopened": _(id="Laporan {tracking_id} dibuka kembali", en="Report {tracking_id} reopened"),
    "warning": _(
        id="Laporan {tracking_id}: batas waktu mendekat", en="Report {tracking_id}: deadline approaching"
    ),
    "level_1": _(
        id="Laporan {tracking_id}: batas waktu terlewati", en="Report {tracking_id}: deadline passed"
    ),
    "level_2": _(
        id="Eskalasi tingkat 2: laporan {tracking_id}", en="Level 2 escalation: report {tracking_id}"
    ),
    "level_3": _(
        id="Eskalasi tingkat 3: laporan {tracking_id}", en="Level 3 escalation: report {tracking_id}"
    ),
}


def render_sms(template: str, language: Language, values: dict[str, Any]) -> str:
    """The SMS text in GSM-7, shortening free-text values so that it fits one segment."""
    pattern = SMS[template].get(language, SMS[template]["id"])
    values = {name: to_gsm7(str(value)) for name, value in _told(values, language, by_sms=True).items()}
    text = to_gsm7(pattern.format(**values))
    for name in SHRINKABLE:
        overflow = len(text) - SMS_LIMIT
        if overflow <= 0:
            break
        if name in values and f"{{{name}}}" in pattern:
            keep = max(len(values[name]) - overflow - 3, 8)
            if keep < len(values[name]):
                values[name] = values[name][:keep].rstrip() + "..."
                text = to_gsm7(pattern.format(**values))
    return text


def render_email(template: str, language: Language, values: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of an email (the SMS text is the message's core)."""
    from html import escape

    values = _told(values, language, by_sms=False)
    subject = EMAIL_SUBJECTS[template].get(language, EMAIL_SUBJECTS[template]["id"]).format(**values)
    text = SMS[template].get(language, SMS[template]["id"]).format(**values)
    html = f"<!doctype html><html><body><p>{escape(text)}</p></body></html>"
    return subject, text, html


def _told(values: dict[str, Any], language: Language, *, by_sms: bool) -> dict[str, Any]:
    """`values` with the words of its coded ones: the privacy level, and how to raise it (by SMS
    only: an email's reader may have no phone to text from)."""
    code = str(values.get("privacy", ""))
    level = PRIVACY_LEVELS.get(code, {})
    raise_by_text = PRIVACY_RAISES.get(code, {}) if by_sms else {}
    return {
        "privacy_level": level.get(language, level.get("id", "")),
        "privacy_raise": raise_by_text.get(language, raise_by_text.get("id", "")),
        **values,
    }


WHATSAPP_TEMPLATES = Path(__file__).parents[1] / "data" / "whatsapp_templates.json"
WHATSAPP_LIMIT = 4096  # the Cloud API's longest text body
TEMPLATE_PARAMETER_LIMIT = 1000  # a template's body parameter: no line breaks, tabs or long runs of spaces


def render_whatsapp(template: str, language: Language, values: dict[str, Any]) -> str:
    """A WhatsApp text inside the customer-service window: the SMS's words, whole (no GSM-7, no
    shortening), and how to raise privacy by text (the same keywords work on WhatsApp)."""
    pattern = SMS[template].get(language, SMS[template]["id"])
    return pattern.format(**_told(values, language, by_sms=True))[:WHATSAPP_LIMIT]


def whatsapp_template(
    template: str, language: Language, values: dict[str, Any]
) -> tuple[str, str, list[str]] | None:
    """The approved template that says `template` outside the window: its name, its language code
    and its body parameters from `values`; None when the catalogue has none (then SMS says it)."""
    entry = _whatsapp_catalogue().get(template)
    if entry is None:
        return None
    code = language.value if language.value in entry["text"] else "id"
    parameters = [
        " ".join(str(values.get(name, "")).split())[:TEMPLATE_PARAMETER_LIMIT] for name in entry["parameters"]
    ]
    return entry["name"], code, [parameter or "-" for parameter in parameters]


@cache
def _whatsapp_catalogue() -> dict[str, Any]:
    """The templates as submitted to Meta (WHATSAPP_TEMPLATES), read once."""
    import json

    entries: dict[str, Any] = json.loads(WHATSAPP_TEMPLATES.read_text())
    return {key: entry for key, entry in entries.items() if not key.startswith("_")}
