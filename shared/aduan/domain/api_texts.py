"""What people read: error messages, statuses and timeline texts, in Indonesian and English.

Keys are stable codes; values are `{"id": ..., "en": ...}` templates with `{placeholders}`.
"""

from __future__ import annotations

from typing import Any

from aduan.domain.models import Language

_ = dict  # a catalogue entry is a dict of language code -> template

ERRORS: dict[str, dict[str, str]] = {
    "missing": _(id="Wajib diisi.", en="This field is required."),
    "string_type": _(id="Harus berupa teks.", en="Must be text."),
    "string_too_short": _(id="Minimal {min_length} karakter.", en="At least {min_length} characters."),
    "string_too_long": _(id="Maksimal {max_length} karakter.", en="At most {max_length} characters."),
    "string_pattern_mismatch": _(id="Formatnya tidak sesuai.", en="The format is not valid."),
    "enum": _(id="Pilih salah satu: {expected}.", en="Choose one of: {expected}."),
    "literal_error": _(id="Pilih salah satu: {expected}.", en="Choose one of: {expected}."),
    "extra_forbidden": _(id="Kolom ini tidak dikenal.", en="This field is not allowed."),
    "date_type": _(id="Tanggal tidak valid (format TTTT-BB-HH).", en="Not a valid date (YYYY-MM-DD)."),
    "date_parsing": _(id="Tanggal tidak valid (format TTTT-BB-HH).", en="Not a valid date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": _(
        id="Tanggal tidak valid (format TTTT-BB-HH).", en="Not a valid date (YYYY-MM-DD)."
    ),
    "date_future": _(
        id="Tanggal kejadian tidak boleh di masa depan.", en="The incident date cannot be in the future."
    ),
    "int_type": _(id="Harus berupa bilangan bulat.", en="Must be a whole number."),
    "int_parsing": _(id="Harus berupa bilangan bulat.", en="Must be a whole number."),
    "float_type": _(id="Harus berupa angka.", en="Must be a number."),
    "float_parsing": _(id="Harus berupa angka.", en="Must be a number."),
    "finite_number": _(id="Harus berupa angka.", en="Must be a number."),
    "greater_than_equal": _(id="Minimal {ge}.", en="Must be at least {ge}."),
    "less_than_equal": _(id="Maksimal {le}.", en="Must be at most {le}."),
    "model_type": _(id="Harus berupa objek JSON.", en="Must be a JSON object."),
    "model_attributes_type": _(id="Harus berupa objek JSON.", en="Must be a JSON object."),
    "dict_type": _(id="Harus berupa objek JSON.", en="Must be a JSON object."),
    "contact_required": _(
        id="Isi nomor telepon atau email agar Anda bisa dikabari.",
        en="Give a phone number or an email so that we can tell you what happens.",
    ),
    "invalid_phone": _(
        id="Nomor telepon tidak valid (contoh: 0812 3456 7890).",
        en="Not a valid phone number (for example 0812 3456 7890).",
    ),
    "invalid_email": _(id="Alamat email tidak valid.", en="Not a valid email address."),
    "phone_not_reachable": _(
        id="Nomor ini tidak dapat menerima SMS dari Aduan (nomor premium, satelit, atau tidak dikenal). Isi nomor HP biasa.",
        en="Aduan cannot text this number (premium rate, satellite or unknown). Give an ordinary mobile number.",
    ),
    "phone_country_not_allowed": _(
        id="Aduan hanya mengirim SMS ke nomor {allowed}. Isi nomor HP {allowed} atau alamat email.",
        en="Aduan only texts {allowed} numbers. Give a {allowed} mobile number or an email address.",
    ),
    "phone_not_mobile": _(
        id="Ini nomor telepon rumah atau kantor; Aduan mengabari lewat SMS. Isi nomor HP.",
        en="This is a landline; Aduan sends its news by SMS. Give a mobile number.",
    ),
    "daily_limit_phone": _(
        id="Nomor ini sudah dipakai untuk {limit} laporan hari ini. Coba lagi besok.",
        en="This number has been given for {limit} reports today. Try again tomorrow.",
    ),
    "daily_limit_citizen_messages": _(
        id="Anda sudah mengirim {limit} pesan untuk laporan ini hari ini. Kirim lagi besok.",
        en="You have sent {limit} messages on this report today. Send more tomorrow.",
    ),
    "daily_limit_upload_forms": _(
        id="Anda sudah meminta {limit} kali unggah untuk laporan ini hari ini. Coba lagi besok.",
        en="You have asked to upload {limit} times on this report today. Try again tomorrow.",
    ),
    "daily_limit_email": _(
        id="Alamat email ini sudah dipakai untuk {limit} laporan hari ini. Coba lagi besok.",
        en="This email address has been given for {limit} reports today. Try again tomorrow.",
    ),
    "unknown_category": _(id="Kategori tidak dikenal.", en="Unknown category."),
    "unknown_region": _(id="Kode wilayah tidak dikenal.", en="Unknown region code."),
    "value_error": _(id="Nilai tidak valid.", en="Not a valid value."),
    "unknown_agency": _(id="Instansi tidak dikenal.", en="Unknown agency."),
    "same_agency": _(
        id="Laporan sudah berada di instansi ini.", en="The report is already with this agency."
    ),
    "unauthorized": _(id="Nama pengguna atau kata sandi salah.", en="Wrong username or password."),
    "bad_rating": _(id="Nilai harus 1 sampai 5.", en="The rating must be 1 to 5."),
    # Operators' sign-in (aduan.accounts); the password policy is the UserPool's in template.yaml
    "sign_in_expired": _(
        id="Langkah masuk ini sudah kedaluwarsa; masuk lagi dari awal.",
        en="This sign-in step has expired; sign in again from the start.",
    ),
    "password_reset_required": _(
        id="Kata sandi akun ini sudah direset. Minta administrator memberi kata sandi sementara yang baru.",
        en="This account's password was reset. Ask your administrator for a new temporary password.",
    ),
    "account_not_confirmed": _(
        id="Akun ini belum dikonfirmasi. Hubungi administrator.",
        en="This account is not confirmed yet. Ask your administrator.",
    ),
    "mfa_required": _(
        id="Akun koordinator dan administrator nasional wajib memakai verifikasi dua langkah. "
        "Masuk lewat konsol untuk mengaturnya.",
        en="Coordinator and national accounts must use two-step sign-in. "
        "Sign in through the console to set it up.",
    ),
    "too_many_attempts": _(
        id="Terlalu banyak percobaan masuk. Tunggu sebentar, lalu coba lagi.",
        en="Too many sign-in attempts. Wait a moment, then try again.",
    ),
    "code_mismatch": _(
        id="Kode salah atau sudah kedaluwarsa. Masukkan 6 angka yang sedang tampil di aplikasi autentikator.",
        en="Wrong or expired code. Type the 6 digits your authenticator app shows now.",
    ),
    "password_policy": _(
        id="Kata sandi minimal 12 karakter, dengan huruf kecil, huruf besar dan angka.",
        en="A password has at least 12 characters, with a lower-case letter, an upper-case letter and a digit.",
    ),
    "one_of_new_password_or_code": _(
        id="Isi kata sandi baru atau kode verifikasi.", en="Give a new password or a verification code."
    ),
    "reply_window_closed": _(
        id="Waktu untuk membuka kembali laporan ini sudah lewat.",
        en="The time to reopen this report has passed.",
    ),
    "invalid": _(id="Nilai tidak valid.", en="Not a valid value."),
    "not_an_agency": _(
        id="Pilih instansi yang menindaklanjuti laporan, bukan koordinator atau pengelola nasional.",
        en="Choose an agency that follows complaints up, not a coordinator or the national administrator.",
    ),
    "invalid_cursor": _(
        id="Penanda halaman tidak valid; muat ulang daftar dari awal.",
        en="Not a valid page cursor; load the list again from the start.",
    ),
    "date_order": _(
        id="Tanggal akhir tidak boleh sebelum tanggal awal.",
        en="The end date cannot be before the start date.",
    ),
    # Free text a citizen typed (aduan.domain.free_text)
    "text_control_character": _(
        id="Mengandung karakter kontrol atau karakter tidak sah.",
        en="Contains a control character or an invalid one.",
    ),
    "string_unicode": _(id="Mengandung karakter tidak sah.", en="Contains an invalid character."),
    "text_bidi_control": _(
        id="Mengandung karakter pengubah arah teks (bidi) yang tidak diizinkan.",
        en="Contains a text-direction (bidi) control character that is not allowed.",
    ),
    "text_too_few_visible": _(
        id="Minimal {min_length} karakter, tanpa menghitung karakter yang tidak terlihat.",
        en="At least {min_length} characters, not counting invisible ones.",
    ),
    # Bodies the guard refuses before parsing them (aduan.doors.http_api.guard)
    "json_too_deep": _(
        id="Isi permintaan bertingkat terlalu dalam (maksimal {limit} tingkat).",
        en="The body is nested too deeply (at most {limit} levels).",
    ),
    "json_number_too_long": _(
        id="Ada angka yang terlalu panjang (maksimal {limit} karakter).",
        en="A number in the body is too long (at most {limit} characters).",
    ),
    # Attachments (aduan.domain.evidence)
    "attachment_type": _(
        id="Jenis berkas ini tidak diterima. Pilih salah satu: {expected}.",
        en="This type of file is not accepted. Choose one of: {expected}.",
    ),
    "attachment_too_large": _(id="Berkas maksimal {limit} MB.", en="A file may be at most {limit} MB."),
    "too_many_attachments": _(
        id="Satu laporan memuat paling banyak {limit} lampiran.",
        en="A report holds at most {limit} attachments.",
    ),
    # Whole-request errors
    "validation_failed": _(id="Ada isian yang perlu diperbaiki.", en="Some fields need correcting."),
    "text_held": _(
        id="Pesan ditahan: pelapor memilih tidak dikenali. Periksa lagi, lalu kirim dengan konfirmasi.",
        en="Message held: the reporter chose not to be known. Check it, then send it with confirmation.",
    ),
    "held_link": _(
        id="Pesan berisi tautan. Tautan bisa mengungkap siapa pelapor; kirim hanya tautan resmi yang perlu.",
        en="The message has a link. A link can reveal who the reporter is; send only an official one you need.",
    ),
    "held_identity_request": _(
        id="Pesan meminta data diri (NIK, KTP, KK, nomor HP atau alamat) dari pelapor yang memilih tidak dikenali.",
        en="The message asks a reporter who chose not to be known for personal data (NIK, ID card, phone or address).",
    ),
    "malformed_json": _(id="Isi permintaan bukan JSON yang valid.", en="The request body is not valid JSON."),
    "malformed_request": _(id="Permintaan tidak lengkap.", en="The request is incomplete."),
    "privacy_not_raised": _(
        id="Kerahasiaan laporan hanya bisa dinaikkan, dalam 24 jam dan sebelum instansi menindaklanjutinya.",
        en="A report's privacy can only be raised, within 24 hours and before the agency acts on it.",
    ),
    "too_large": _(
        id="Isi permintaan terlalu besar (maksimal {limit} KB).",
        en="The request is too large (at most {limit} KB).",
    ),
    "unsupported_media_type": _(
        id="Kirim data sebagai application/json.", en="Send the data as application/json."
    ),
    "not_found": _(id="Laporan tidak ditemukan.", en="No such report."),
    "invalid_tracking_id": _(id="Nomor laporan tidak valid.", en="Not a valid tracking ID."),
    "tracking_id_check": _(
        id="Periksa kembali nomor laporan: ada satu karakter yang salah.",
        en="Check the tracking ID: one character is wrong.",
    ),
    "tracking_id_format": _(
        id="Nomor laporan terdiri dari 10 huruf dan angka, misalnya K7MX4-RPA27.",
        en="A tracking ID has 10 letters and digits, for example K7MX4-RPA27.",
    ),
    "idempotency_mismatch": _(
        id="Idempotency-Key ini sudah dipakai untuk laporan lain.",
        en="This Idempotency-Key was already used for a different report.",
    ),
    "invalid_idempotency_key": _(
        id="Idempotency-Key harus 1 sampai 128 karakter.", en="Idempotency-Key must be 1 to 128 characters."
    ),
    "conflict": _(
        id="Laporan ini baru saja diubah; muat ulang dan coba lagi.",
        en="This report was just changed; reload and try again.",
    ),
    "forbidden": _(id="Anda tidak berwenang melakukan ini.", en="You may not do this."),
    "invalid_transition": _(
        id="Tindakan ini tidak bisa dilakukan pada status laporan sekarang.",
        en="This action is not possible in the report's current status.",
    ),
    "rate_limited": _(
        id="Batas laporan hari ini sudah tercapai. Coba lagi besok.",
        en="Today's limit of reports has been reached. Try again tomorrow.",
    ),
    "service_unavailable": _(
        id="Layanan sedang sibuk; coba lagi sebentar lagi.",
        en="The service is busy; try again in a moment.",
    ),
    "internal": _(
        id="Terjadi kesalahan di sistem kami; coba lagi sebentar lagi.",
        en="Something went wrong on our side; try again shortly.",
    ),
}

STATUSES: dict[str, dict[str, str]] = {
    "submitted": _(id="Diterima, menunggu verifikasi", en="Received, awaiting verification"),
    "needs_triage": _(id="Diverifikasi, menunggu disposisi", en="Being assigned to an agency"),
    "assigned": _(id="Diteruskan ke instansi", en="Forwarded to the agency"),
    "in_progress": _(id="Sedang ditindaklanjuti", en="Being followed up"),
    "waiting_on_citizen": _(id="Menunggu informasi dari Anda", en="Waiting for information from you"),
    "responded": _(id="Sudah ditanggapi", en="Responded"),
    "closed": _(id="Selesai", en="Closed"),
    "archived": _(id="Diarsipkan", en="Archived"),
}


def render(catalogue: dict[str, dict[str, str]], key: str, language: Language | str, **values: Any) -> str:
    """The text for `key` in `language` (Indonesian when unknown), with `values` filled in."""
    entry = catalogue.get(key) or catalogue.get("invalid") or {"id": key, "en": key}
    template = entry.get(str(language), entry["id"])
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def error_text(code: str, language: Language | str, **values: Any) -> str:
    return render(ERRORS, code, language, **values)


def status_text(status: str, language: Language | str) -> str:
    return render(STATUSES, status, language)


def language_of(value: object, accept_language: str | None = None) -> Language:
    """The language a person asked for: the body's `language`, else the Accept-Language header."""
    if value in ("id", "en"):
        return Language(value)
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("id", "en"):
            return Language(code)
    return Language.ID


# Timeline texts a citizen reads. Placeholders come from the event's data and the reference data;
# never a person's name: operators and officials appear as their agency or role.
EVENTS: dict[str, dict[str, str]] = {
    "submitted": _(id="Laporan diterima melalui {channel}.", en="Report received by {channel}."),
    "assigned": _(id="Diteruskan ke {agency}.", en="Forwarded to {agency}."),
    "verified": _(id="Diverifikasi dan diteruskan ke {agency}.", en="Verified and forwarded to {agency}."),
    "needs_triage": _(id="Menunggu disposisi oleh {agency}.", en="Awaiting assignment by {agency}."),
    "transferred": _(id="Dialihkan ke {agency}.", en="Transferred to {agency}."),
    "returned": _(
        id="Dikembalikan oleh {from_agency}: bukan kewenangannya.",
        en="Returned by {from_agency}: not within its authority.",
    ),
    "acknowledged": _(id="{agency} mulai menindaklanjuti.", en="{agency} started the follow-up."),
    "info_requested": _(id="{agency} meminta informasi tambahan.", en="{agency} asked for more information."),
    "info_provided": _(id="Pelapor memberikan informasi tambahan.", en="The reporter gave more information."),
    "responded": _(id="{agency} memberikan tindak lanjut.", en="{agency} posted its follow-up."),
    "reopened": _(
        id="Pelapor menyatakan masalah belum selesai.", en="The reporter said the problem is not solved."
    ),
    "closed": _(id="Laporan selesai.", en="Report closed."),
    "rated": _(
        id="Pelapor memberi nilai {rating} dari 5.", en="The reporter rated the follow-up {rating} of 5."
    ),
    "commented": _(id="Pelapor menambahkan keterangan.", en="The reporter added a comment."),
    "privacy_raised": _(
        id="Pelapor menaikkan tingkat kerahasiaan laporan.", en="The reporter raised the report's privacy."
    ),
    "archived": _(id="Laporan diarsipkan ({reason}).", en="Report archived ({reason})."),
    "escalated": _(
        id="Batas waktu terlewati; {recipient} telah diberi tahu.",
        en="The deadline passed; {recipient} has been told.",
    ),
    "clock_extended": _(
        id="Batas waktu diperpanjang menjadi {days} hari kerja.",
        en="The deadline was extended to {days} working days.",
    ),
    "ombudsman_flagged": _(
        id="Laporan ditandai untuk pengawasan Ombudsman.", en="Report flagged for Ombudsman oversight."
    ),
    # Never a file's name or a link: what was added, by whom (the reporter, or an agency).
    "attachment_added": _(id="{uploader} menambahkan {attachment}.", en="{uploader} added {attachment}."),
    "attachment_rejected": _(
        id="Lampiran tidak dapat diterima: {reason}.", en="An attachment could not be accepted: {reason}."
    ),
}

UPLOADERS: dict[str, dict[str, str]] = {
    "citizen": _(id="Pelapor", en="The reporter"),
    "national": _(id="Administrator nasional", en="The national administrator"),
}

ATTACHMENT_KINDS: dict[str, dict[str, str]] = {
    "photo": _(id="sebuah foto", en="a photo"),
    "document": _(id="sebuah dokumen PDF", en="a PDF document"),
}

# Why the attachment worker refused a file (`aduan.domain.files` and `aduan.attachment`); an
# unknown reason reads as `invalid`.
ATTACHMENT_REASONS: dict[str, dict[str, str]] = {
    "invalid": _(
        id="berkas tidak dapat dibaca sebagai foto atau PDF",
        en="the file could not be read as a photo or a PDF",
    ),
    "empty": _(id="berkas kosong", en="the file is empty"),
    "too_large": _(id="berkas lebih dari 10 MB", en="the file is larger than 10 MB"),
    "not_declared_type": _(
        id="isi berkas tidak sesuai dengan jenis yang disebutkan",
        en="the file is not of the type it was declared as",
    ),
    "unknown_type": _(
        id="berkas bukan foto (JPEG, PNG, WebP, HEIC) atau PDF",
        en="the file is not a photo (JPEG, PNG, WebP, HEIC) or a PDF",
    ),
    "unreadable": _(id="berkas rusak atau tidak lengkap", en="the file is damaged or incomplete"),
    "too_many_pixels": _(
        id="ukuran gambar terlalu besar (lebih dari 52 megapiksel)",
        en="the image is too large (over 52 megapixels)",
    ),
    "heic_unsupported": _(
        id="foto HEIC belum dapat dibaca; kirim sebagai JPEG",
        en="HEIC photos cannot be read yet; send it as a JPEG",
    ),
    "not_pdf": _(id="berkas PDF tidak lengkap", en="the PDF file is incomplete"),
    "missing": _(
        id="berkas tidak ditemukan (unggahan tidak selesai atau sudah dihapus)",
        en="the file was not found (the upload did not finish, or it was removed)",
    ),
    "expired": _(
        id="unggahan terlambat dan lampiran laporan sudah penuh",
        en="the upload came too late and the report's attachments are full",
    ),
}

CHANNELS: dict[str, dict[str, str]] = {
    "web": _(id="situs web", en="the website"),
    "sms": _(id="SMS", en="SMS"),
    "open311": _(id="Open311", en="Open311"),
}

ESCALATION_RECIPIENTS: dict[str, dict[str, str]] = {
    "1": _(id="pimpinan {agency}", en="the head of {agency}"),
    "2": _(id="koordinator {coordinator}", en="the coordinator, {coordinator}"),
    "3": _(
        id="administrator nasional (KemenPAN-RB); laporan diawasi Ombudsman",
        en="the national administrator (KemenPAN-RB); the report is under Ombudsman oversight",
    ),
}
