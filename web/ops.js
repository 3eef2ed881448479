/* Aduan: the operators' console (ops.html). Sign in, the inbox, one complaint with its whole
   timeline, and the actions the API allows on it now, as buttons. The same API as any other
   client: POST /ops/session for a token, then /ops/* with "Authorization: Bearer <token>".
   The API decides what is allowed (allowed_actions); this page only shows it.

   ops.html loads i18n.js, this file, then app.js (all deferred): the console's texts below join
   the citizen pages' before app.js labels the page, and the console starts once the document is
   ready. They live here rather than in i18n.js so that a citizen's phone never downloads them. */
"use strict";
(function (strings) {
  Object.assign(strings.id, {
    "ops.pageTitle": "Konsol petugas · Aduan",
    "ops.brand": "Petugas",
    "ops.signOut": "Keluar",
    "ops.signedOut": "Anda sudah keluar.",
    "ops.role.operator": "Operator instansi",
    "ops.role.coordinator": "Koordinator",
    "ops.role.national": "Administrator nasional",
    "ops.role.citizen": "Pelapor",
    "ops.role.system": "Sistem",
    "ops.signin.h1": "Masuk sebagai petugas",
    "ops.signin.lead": "Untuk operator instansi, koordinator dan administrator nasional. Warga yang ingin melapor tidak perlu masuk.",
    "ops.f.username": "Nama pengguna",
    "ops.f.password": "Kata sandi",
    "ops.signin.submit": "Masuk",
    "ops.signin.working": "Sedang masuk…",
    "ops.signin.citizen": "Ke halaman warga: buat atau lacak laporan",
    "ops.inbox.pageTitle": "Kotak masuk · Aduan",
    "ops.inbox.h1": "Kotak masuk",
    "ops.filter.status": "Status",
    "ops.filter.open": "Semua yang terbuka",
    "ops.st.submitted": "Diterima, menunggu verifikasi",
    "ops.st.needs_triage": "Menunggu disposisi",
    "ops.st.assigned": "Diteruskan ke instansi",
    "ops.st.in_progress": "Sedang ditindaklanjuti",
    "ops.st.waiting_on_citizen": "Menunggu informasi dari pelapor",
    "ops.st.responded": "Sudah ditanggapi",
    "ops.st.closed": "Selesai",
    "ops.st.archived": "Diarsipkan",
    "ops.filter.order": "Urutan",
    "ops.order.newest": "Terbaru dulu",
    "ops.order.urgent": "Batas waktu terdekat dulu",
    "ops.filter.overdue": "Hanya yang terlambat",
    "ops.refresh": "Muat ulang",
    "ops.more": "Tampilkan lebih banyak",
    "ops.inbox.loading": "Memuat laporan…",
    "ops.inbox.count": "{n} laporan ditampilkan.",
    "ops.inbox.empty": "Tidak ada laporan yang cocok dengan pilihan ini.",
    "ops.inbox.moreExist": "Masih ada lagi.",
    "ops.row.created": "masuk",
    "ops.row.due": "Batas waktu:",
    "ops.tag.overdue": "Terlambat",
    "ops.tag.escalation": "Eskalasi tingkat {level}",
    "ops.back": "← Kembali ke kotak masuk",
    "ops.c.loading": "Memuat laporan…",
    "ops.c.loaded": "Laporan dibuka: {title}",
    "ops.c.location": "Lokasi",
    "ops.c.reporter": "Pelapor",
    "ops.location.none": "Tidak disebutkan",
    "ops.reporter.hidden": "Disembunyikan: pelapor memilih anonim atau rahasia",
    "ops.reporter.noName": "(tanpa nama)",
    "ops.due.reply": "Batas waktu jawaban pelapor",
    "ops.due.paused": "Dihentikan sementara sampai pelapor memberi informasi",
    "ops.due.days": "{n} hari kerja",
    "ops.ombudsman": "Diawasi Ombudsman",
    "ops.actions.h2": "Tindakan",
    "ops.actions.none": "Tidak ada tindakan yang dapat Anda lakukan pada laporan ini sekarang.",
    "ops.a.acknowledge": "Mulai tindak lanjut",
    "ops.a.respond": "Tanggapi",
    "ops.a.request_info": "Minta informasi",
    "ops.a.verify": "Verifikasi",
    "ops.a.assign": "Disposisi",
    "ops.a.transfer": "Alihkan",
    "ops.a.return": "Bukan wewenang kami",
    "ops.a.mark_dispute": "Tandai sengketa",
    "ops.a.mark_field_exam": "Perlu pemeriksaan lapangan",
    "ops.a.flag_ombudsman": "Tandai untuk Ombudsman",
    "ops.a.archive": "Arsipkan",
    "ops.f.response": "Tanggapan untuk pelapor",
    "ops.f.response.hint": "Dikirim kepada pelapor dan tampil di halaman pelacakan. Jelaskan apa yang sudah dilakukan dan apa yang berikutnya.",
    "ops.f.question": "Pertanyaan untuk pelapor",
    "ops.f.question.hint": "Batas waktu berhenti sementara sampai pelapor menjawab.",
    "ops.f.agency": "Instansi tujuan",
    "ops.f.transfer.hint": "Batas waktu tindak lanjut dimulai lagi di instansi tujuan.",
    "ops.f.returnReason": "Mengapa ini bukan wewenang instansi Anda?",
    "ops.f.returnReason.hint": "Laporan kembali ke koordinator untuk diteruskan ke instansi yang tepat.",
    "ops.f.dispute.hint": "Batas waktu tindak lanjut menjadi 14 hari kerja. Batas waktu hanya dapat diperpanjang satu kali.",
    "ops.f.fieldExam.hint": "Batas waktu tindak lanjut menjadi 60 hari kerja. Batas waktu hanya dapat diperpanjang satu kali.",
    "ops.f.ombudsman.hint": "Laporan ini akan diawasi Ombudsman. Tanda ini tidak dapat dicabut.",
    "ops.f.archiveReason": "Alasan pengarsipan",
    "ops.f.archiveReason.hint": "Laporan ditutup tanpa tindak lanjut; pelapor diberi tahu.",
    "ops.choose": "Pilih…",
    "ops.chooseAgency": "Pilih instansi…",
    "ops.agencies.other": "Instansi lain",
    "ops.agencies.unavailable": "Daftar instansi tidak dapat dimuat",
    "ops.agency.fits": "(menangani kategori ini)",
    "ops.agency.returned": "(sudah mengembalikan laporan ini)",
    "ops.archive.duplicate": "Duplikat laporan lain",
    "ops.archive.too_general": "Terlalu umum",
    "ops.archive.not_public_service": "Bukan tentang layanan publik",
    "ops.archive.spam": "Spam",
    "ops.archive.incomplete": "Tidak lengkap",
    "ops.submit.respond": "Kirim tanggapan",
    "ops.submit.request_info": "Kirim pertanyaan",
    "ops.submit.verify": "Verifikasi dan teruskan",
    "ops.submit.assign": "Teruskan ke instansi",
    "ops.submit.transfer": "Alihkan ke instansi ini",
    "ops.submit.return": "Kembalikan ke koordinator",
    "ops.submit.mark_dispute": "Tandai sengketa",
    "ops.submit.mark_field_exam": "Perlu pemeriksaan lapangan",
    "ops.submit.flag_ombudsman": "Tandai untuk Ombudsman",
    "ops.submit.archive": "Arsipkan laporan",
    "ops.cancel": "Batal",
    "ops.action.working": "Mengirim…",
    "ops.action.done": "Berhasil: {action}.",
    "ops.action.doneStatus": "Berhasil: {action}. Status sekarang: {status}.",
    "ops.deliveries": "Tampilkan juga pengiriman pemberitahuan ({n})",
    "ops.delivery": "Pemberitahuan “{template}” lewat {channel} kepada {recipient}: {outcome}",
    "ops.channel.sms": "SMS",
    "ops.channel.email": "email",
    "ops.channel.webhook": "webhook",
    "ops.recipient.citizen": "pelapor",
    "ops.ev.warned": "Peringatan: 80% batas waktu sudah terpakai; operator instansi diberi tahu.",
    "ops.toActions": "Ke tindakan",
    "ops.delivery.sent": "terkirim",
    "ops.delivery.retrying": "gagal, akan dicoba lagi",
    "ops.delivery.failed_permanently": "gagal, tidak dicoba lagi",
    "ops.internal": "Internal: tidak terlihat oleh pelapor",
    "ops.err.required": "Wajib diisi.",
    "ops.err.signin": "Nama pengguna atau kata sandi salah.",
    "ops.err.session": "Sesi Anda sudah berakhir. Masuk lagi untuk melanjutkan; isian yang belum terkirim tetap tersimpan di halaman ini.",
    "ops.err.network": "Tidak dapat terhubung. Periksa koneksi internet Anda, lalu coba lagi.",
    "ops.err.server": "Layanan sedang bermasalah. Coba lagi sebentar lagi.",
    "ops.err.notFound": "Laporan tidak ditemukan, atau bukan wewenang instansi Anda.",
    "ops.err.conflict": "Laporan ini baru saja diubah oleh orang lain. Tampilan sudah diperbarui; periksa riwayatnya, lalu kirim lagi jika masih perlu. Isian Anda masih ada.",
    "ops.err.conflictGone": "Laporan ini baru saja diubah oleh orang lain, dan tindakan “{action}” tidak lagi tersedia. Tampilan sudah diperbarui; periksa riwayatnya."
  });
  Object.assign(strings.en, {
    "ops.pageTitle": "Operators' console · Aduan",
    "ops.brand": "Officials",
    "ops.signOut": "Sign out",
    "ops.signedOut": "You have signed out.",
    "ops.role.operator": "Agency operator",
    "ops.role.coordinator": "Coordinator",
    "ops.role.national": "National administrator",
    "ops.role.citizen": "Reporter",
    "ops.role.system": "System",
    "ops.signin.h1": "Sign in as an official",
    "ops.signin.lead": "For agency operators, coordinators and the national administrator. Citizens who want to report need not sign in.",
    "ops.f.username": "Username",
    "ops.f.password": "Password",
    "ops.signin.submit": "Sign in",
    "ops.signin.working": "Signing in…",
    "ops.signin.citizen": "To the citizens' pages: make or track a report",
    "ops.inbox.pageTitle": "Inbox · Aduan",
    "ops.inbox.h1": "Inbox",
    "ops.filter.status": "Status",
    "ops.filter.open": "All open",
    "ops.st.submitted": "Received, awaiting verification",
    "ops.st.needs_triage": "Awaiting assignment",
    "ops.st.assigned": "Forwarded to the agency",
    "ops.st.in_progress": "Being followed up",
    "ops.st.waiting_on_citizen": "Waiting for information from the reporter",
    "ops.st.responded": "Responded",
    "ops.st.closed": "Closed",
    "ops.st.archived": "Archived",
    "ops.filter.order": "Order",
    "ops.order.newest": "Newest first",
    "ops.order.urgent": "Nearest deadline first",
    "ops.filter.overdue": "Overdue only",
    "ops.refresh": "Reload",
    "ops.more": "Show more",
    "ops.inbox.loading": "Loading reports…",
    "ops.inbox.count": "{n} reports shown.",
    "ops.inbox.empty": "No reports match this choice.",
    "ops.inbox.moreExist": "There are more.",
    "ops.row.created": "received",
    "ops.row.due": "Deadline:",
    "ops.tag.overdue": "Overdue",
    "ops.tag.escalation": "Escalation level {level}",
    "ops.back": "← Back to the inbox",
    "ops.c.loading": "Loading the report…",
    "ops.c.loaded": "Report opened: {title}",
    "ops.c.location": "Location",
    "ops.c.reporter": "Reporter",
    "ops.location.none": "Not given",
    "ops.reporter.hidden": "Hidden: the reporter chose anonymous or confidential",
    "ops.reporter.noName": "(no name)",
    "ops.due.reply": "Deadline for the reporter's reply",
    "ops.due.paused": "Paused until the reporter gives the information",
    "ops.due.days": "{n} working days",
    "ops.ombudsman": "Under Ombudsman oversight",
    "ops.actions.h2": "Actions",
    "ops.actions.none": "There is nothing you can do with this report now.",
    "ops.a.acknowledge": "Start the follow-up",
    "ops.a.respond": "Respond",
    "ops.a.request_info": "Ask for information",
    "ops.a.verify": "Verify",
    "ops.a.assign": "Assign",
    "ops.a.transfer": "Transfer",
    "ops.a.return": "Not our authority",
    "ops.a.mark_dispute": "Mark as a dispute",
    "ops.a.mark_field_exam": "Needs a field examination",
    "ops.a.flag_ombudsman": "Flag for the Ombudsman",
    "ops.a.archive": "Archive",
    "ops.f.response": "Response to the reporter",
    "ops.f.response.hint": "Sent to the reporter and shown on the tracking page. Say what was done and what happens next.",
    "ops.f.question": "Question for the reporter",
    "ops.f.question.hint": "The deadline pauses until the reporter answers.",
    "ops.f.agency": "Agency",
    "ops.f.transfer.hint": "The follow-up deadline starts again at the new agency.",
    "ops.f.returnReason": "Why is this outside your agency's authority?",
    "ops.f.returnReason.hint": "The report goes back to the coordinator, to be forwarded to the right agency.",
    "ops.f.dispute.hint": "The follow-up deadline becomes 14 working days. A deadline can be extended only once.",
    "ops.f.fieldExam.hint": "The follow-up deadline becomes 60 working days. A deadline can be extended only once.",
    "ops.f.ombudsman.hint": "This report will be under Ombudsman oversight. The flag cannot be removed.",
    "ops.f.archiveReason": "Reason for archiving",
    "ops.f.archiveReason.hint": "The report is closed without a follow-up; the reporter is told.",
    "ops.choose": "Choose…",
    "ops.chooseAgency": "Choose an agency…",
    "ops.agencies.other": "Other agencies",
    "ops.agencies.unavailable": "The list of agencies could not be loaded",
    "ops.agency.fits": "(handles this category)",
    "ops.agency.returned": "(has returned this report)",
    "ops.archive.duplicate": "Duplicate of another report",
    "ops.archive.too_general": "Too general",
    "ops.archive.not_public_service": "Not about a public service",
    "ops.archive.spam": "Spam",
    "ops.archive.incomplete": "Incomplete",
    "ops.submit.respond": "Send the response",
    "ops.submit.request_info": "Send the question",
    "ops.submit.verify": "Verify and forward",
    "ops.submit.assign": "Forward to the agency",
    "ops.submit.transfer": "Transfer to this agency",
    "ops.submit.return": "Return to the coordinator",
    "ops.submit.mark_dispute": "Mark as a dispute",
    "ops.submit.mark_field_exam": "Needs a field examination",
    "ops.submit.flag_ombudsman": "Flag for the Ombudsman",
    "ops.submit.archive": "Archive the report",
    "ops.cancel": "Cancel",
    "ops.action.working": "Sending…",
    "ops.action.done": "Done: {action}.",
    "ops.action.doneStatus": "Done: {action}. The status is now: {status}.",
    "ops.deliveries": "Also show notification deliveries ({n})",
    "ops.delivery": "Notification “{template}” by {channel} to {recipient}: {outcome}",
    "ops.channel.sms": "SMS",
    "ops.channel.email": "email",
    "ops.channel.webhook": "webhook",
    "ops.recipient.citizen": "the reporter",
    "ops.ev.warned": "Warning: 80% of the deadline has passed; the agency's operators were told.",
    "ops.toActions": "To the actions",
    "ops.delivery.sent": "sent",
    "ops.delivery.retrying": "failed, will be retried",
    "ops.delivery.failed_permanently": "failed, not retried",
    "ops.internal": "Internal: the reporter does not see this",
    "ops.err.required": "This field is required.",
    "ops.err.signin": "Wrong username or password.",
    "ops.err.session": "Your session has ended. Sign in again to go on; anything you typed and did not send is still on this page.",
    "ops.err.network": "Could not connect. Check your internet connection, then try again.",
    "ops.err.server": "The service has a problem. Try again shortly.",
    "ops.err.notFound": "No such report, or it is outside your agency's authority.",
    "ops.err.conflict": "Someone else has just changed this report. The page now shows it as it is; check its history, then send again if it is still needed. What you typed is still there.",
    "ops.err.conflictGone": "Someone else has just changed this report, and “{action}” is no longer possible. The page now shows it as it is; check its history."
  });
})(window.ADUAN_STRINGS);

document.addEventListener("DOMContentLoaded", function () {
  const Aduan = window.Aduan;
  const t = Aduan.t;
  const SESSION_KEY = "aduan.ops.session"; // sessionStorage: the tab's sign-in ends with the tab
  const FILTERS_KEY = "aduan.ops.filters";
  const OPEN = ["submitted", "needs_triage", "assigned", "in_progress", "waiting_on_citizen", "responded"];
  const ORDERS = ["newest", "urgent"];
  const PAGE_SIZE = 20;
  // The regions of the seed data, to name a region code; any other code is shown as it is.
  const REGIONS = {
    "36": ["prov", "Banten"],
    "36.01": ["kab", "Pandeglang"],
    "36.02": ["kab", "Lebak"],
    "36.03": ["kab", "Tangerang"],
    "36.04": ["kab", "Serang"],
    "36.71": ["kota", "Tangerang"],
    "36.72": ["kota", "Cilegon"],
    "36.73": ["kota", "Serang"],
    "36.74": ["kota", "Tangerang Selatan"]
  };

  function $(id) {
    return document.getElementById(id);
  }

  const views = { signin: $("signin"), inbox: $("inbox"), complaint: $("complaint") };
  const live = $("ops-live");
  const problem = $("ops-problem");
  const signinForm = $("signin-form");
  const filtersForm = $("filters");
  const list = $("inbox-list");
  const moreButton = $("load-more");
  const actionResult = $("action-result");
  const actionProblem = $("action-problem");

  let session = readSession();
  let me = null; // GET /ops/me
  let agencies = null; // GET /agencies, once
  let categories = null; // GET /categories, once: code -> {name_id, name_en}
  const inbox = { rows: [], cursor: null, loaded: false, filters: readFilters(), request: 0 };
  let current = null; // the complaint on screen (the API's view)
  let lastOpened = null; // to put the focus back on its row in the inbox
  let busy = false; // an action is on its way
  // What the operator typed, per complaint and action: kept through a reload after a conflict,
  // a re-sign-in after the session ended, and a language switch. Never stored.
  let drafts = { owner: null, byComplaint: {} };

  /* -- storage ---------------------------------------------------------------------------------- */

  function readSession() {
    try {
      const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY));
      if (stored && typeof stored.token === "string" && stored.expires_at > Date.now()) return stored;
    } catch (error) {
      // storage disabled or garbled: sign in again
    }
    return null;
  }

  function saveSession(value) {
    session = value;
    try {
      if (value) sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
      else sessionStorage.removeItem(SESSION_KEY);
    } catch (error) {
      // kept in memory for this page only
    }
  }

  function readFilters() {
    const filters = { status: "", overdue: false, order: "newest" };
    try {
      const stored = JSON.parse(sessionStorage.getItem(FILTERS_KEY)) || {};
      if (OPEN.indexOf(stored.status) !== -1) filters.status = stored.status;
      if (ORDERS.indexOf(stored.order) !== -1) filters.order = stored.order;
      filters.overdue = stored.overdue === true;
    } catch (error) {
      // defaults
    }
    return filters;
  }

  function saveFilters() {
    try {
      sessionStorage.setItem(FILTERS_KEY, JSON.stringify(inbox.filters));
    } catch (error) {
      // not remembered
    }
  }

  /* -- the API ---------------------------------------------------------------------------------- */

  /* A call with the operator's token. Resolves {status, data}, or null when the session ended
     (a 401, or a token past its time): the sign-in form is then on screen. */
  async function call(method, path, json) {
    if (!session || session.expires_at <= Date.now()) {
      sessionEnded();
      return null;
    }
    const result = await Aduan.request(method, path, {
      json: json,
      headers: { Authorization: "Bearer " + session.token }
    });
    if (result.status === 401) {
      sessionEnded();
      return null;
    }
    return result;
  }

  /* The words for a failed call that is not about one field. */
  function failure(result, notFound) {
    const error = Aduan.apiError(result);
    if (result.status === 0) return t("ops.err.network");
    if (result.status === 429) return (error && error.message) || t("err.busy");
    if (result.status === 404 && notFound) return notFound;
    if (result.status >= 500 || !error) return t("ops.err.server");
    return error.message || t("ops.err.server");
  }

  function showProblem(box, message, details) {
    box.textContent = "";
    const lead = document.createElement("p");
    lead.textContent = message;
    box.append(lead);
    if (details && details.length) {
      const items = document.createElement("ul");
      details.forEach(function (detail) {
        const item = document.createElement("li");
        item.textContent = (detail.field ? detail.field + ": " : "") + detail.message;
        items.append(item);
      });
      box.append(items);
    }
    box.focus({ preventScroll: true });
    box.scrollIntoView({ block: "nearest" });
  }

  function announce(message) {
    // Cleared first, so that the same words said twice are announced twice.
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = message;
    }, 50);
  }

  /* -- words and times -------------------------------------------------------------------------- */

  function timeElement(iso, short) {
    const element = document.createElement("time");
    element.dateTime = iso;
    element.textContent = Aduan.formatTime(iso, short);
    return element;
  }

  function isPast(iso) {
    const when = new Date(iso).getTime();
    return !isNaN(when) && when < Date.now();
  }

  function regionName(code) {
    const region = REGIONS[code];
    if (!region) return code;
    return region[0] === "prov" ? region[1] : t("region." + region[0], { name: region[1] });
  }

  function categoryName(code) {
    const category = categories && categories[code];
    if (!category) return code;
    return (Aduan.lang() === "en" ? category.name_en : category.name_id) || code;
  }

  function agencyName(id) {
    const agency = (agencies || []).filter(function (a) {
      return a.id === id;
    })[0];
    return agency ? agency.name : id;
  }

  function actionLabel(action) {
    return t("ops.a." + action) === "ops.a." + action ? action : t("ops.a." + action);
  }

  /* The console's own words for a status (the API's status_text speaks to the citizen: "from you"),
     the same words as the inbox's status filter; the API's text for a status the page does not know. */
  function statusText(view) {
    const key = "ops.st." + view.status;
    return t(key) === key ? view.status_text || view.status : t(key);
  }

  function statusClass(value) {
    return "badge badge-" + String(value).replace(/[^a-z_]/g, "");
  }

  function escalationLevel(view) {
    return Math.max(0, Math.min(3, Number(view.escalation_level) || 0));
  }

  /* -- views ------------------------------------------------------------------------------------ */

  function show(name) {
    Object.keys(views).forEach(function (key) {
      views[key].hidden = key !== name;
    });
  }

  function focusHeading(id) {
    const heading = $(id);
    heading.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  function route() {
    problem.textContent = "";
    if (!session) {
      showSignin();
      return;
    }
    const match = /^#\/c\/([A-Za-z0-9]{1,24})$/.exec(window.location.hash);
    if (match) openComplaint(Aduan.canonicalTrackingId(match[1]), { focus: true });
    else showInbox();
  }

  /* -- signing in and out ----------------------------------------------------------------------- */

  function showSignin() {
    me = null;
    $("ops-user").hidden = true;
    document.title = t("ops.pageTitle");
    show("signin");
    focusHeading("signin-title");
  }

  function sessionEnded() {
    saveSession(null);
    current = null;
    inbox.loaded = false;
    showSignin();
    showProblem(problem, t("ops.err.session"));
  }

  function renderMe() {
    if (!me) return;
    const who = $("ops-who");
    who.textContent = "";
    const name = document.createElement("strong");
    name.textContent = me.username;
    const role = t("ops.role." + me.role);
    who.append(name, " · " + (role.indexOf("ops.role.") === 0 ? me.role : role));
    if (me.agency_name || me.agency_id) who.append(" · " + (me.agency_name || me.agency_id));
    $("ops-user").hidden = false;
  }

  async function loadMe() {
    const result = await call("GET", "/ops/me");
    if (!result) return false;
    if (result.status !== 200 || !result.data) {
      showSignin();
      showProblem(problem, failure(result));
      return false;
    }
    me = result.data;
    if (drafts.owner !== me.username) drafts = { owner: me.username, byComplaint: {} };
    renderMe();
    return true;
  }

  signinForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (busy) return;
    Aduan.clearFieldErrors(signinForm);
    problem.textContent = "";
    const username = signinForm.elements.username.value.trim();
    const password = signinForm.elements.password.value;
    const missing = [];
    if (!username) missing.push({ field: "username", message: t("ops.err.required") });
    if (!password) missing.push({ field: "password", message: t("ops.err.required") });
    if (missing.length) {
      Aduan.showFieldErrors(signinForm, missing);
      $(missing[0].field).focus();
      return;
    }
    busy = true;
    $("signin-submit").setAttribute("aria-disabled", "true");
    $("signin-status").textContent = t("ops.signin.working");
    const result = await Aduan.request("POST", "/ops/session", { json: { username: username, password: password } });
    busy = false;
    $("signin-submit").setAttribute("aria-disabled", "false");
    $("signin-status").textContent = "";
    if (result.status === 200 && result.data && result.data.token) {
      signinForm.elements.password.value = "";
      const seconds = Number(result.data.expires_in) || 3600;
      // A minute early: a request sent at the last second would fail on the way.
      saveSession({ token: result.data.token, expires_at: Date.now() + (seconds - 60) * 1000 });
      if (await loadMe()) route();
      return;
    }
    if (result.status === 401) {
      showProblem(problem, t("ops.err.signin"));
      return;
    }
    const error = Aduan.apiError(result);
    const details = error && Array.isArray(error.details) ? error.details : [];
    const outcome = Aduan.showFieldErrors(signinForm, details);
    showProblem(problem, failure(result), outcome.unknown);
  });

  $("sign-out").addEventListener("click", function () {
    saveSession(null);
    me = null;
    current = null;
    inbox.rows = [];
    inbox.loaded = false;
    drafts = { owner: null, byComplaint: {} };
    history.replaceState(null, "", "/ops.html");
    showSignin();
    announce(t("ops.signedOut"));
  });

  /* -- the inbox -------------------------------------------------------------------------------- */

  function inboxPath(cursor) {
    const query = new URLSearchParams();
    if (inbox.filters.status) query.set("status", inbox.filters.status);
    if (inbox.filters.overdue) query.set("overdue", "true");
    query.set("order", inbox.filters.order);
    query.set("limit", String(PAGE_SIZE));
    if (cursor) query.set("cursor", cursor);
    return "/ops/complaints?" + query.toString();
  }

  function showFilters() {
    filtersForm.elements.status.value = inbox.filters.status;
    filtersForm.elements.order.value = inbox.filters.order;
    filtersForm.elements.overdue.checked = inbox.filters.overdue;
  }

  function showInbox() {
    document.title = t("ops.inbox.pageTitle");
    show("inbox");
    showFilters();
    if (!inbox.loaded) {
      focusHeading("inbox-title");
      loadInbox(false);
      return;
    }
    renderInbox();
    const row = lastOpened && list.querySelector('a[data-id="' + lastOpened + '"]');
    if (row) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "center" });
    } else {
      focusHeading("inbox-title");
    }
  }

  async function loadInbox(more) {
    const request = ++inbox.request; // a later filter wins over an earlier, slower answer
    const before = inbox.rows.length;
    $("inbox-status").textContent = t("ops.inbox.loading");
    moreButton.setAttribute("aria-disabled", "true");
    const result = await call("GET", inboxPath(more ? inbox.cursor : null));
    if (!result || request !== inbox.request) return;
    moreButton.setAttribute("aria-disabled", "false");
    if (result.status !== 200 || !result.data || !Array.isArray(result.data.complaints)) {
      $("inbox-status").textContent = "";
      showProblem(problem, failure(result));
      return;
    }
    problem.textContent = "";
    inbox.rows = more ? inbox.rows.concat(result.data.complaints) : result.data.complaints;
    inbox.cursor = result.data.cursor || null;
    inbox.loaded = true;
    renderInbox(); // #inbox-status is a live region: the count is announced
    if (more && inbox.rows.length > before) {
      const first = list.children[before].querySelector("a");
      first.focus({ preventScroll: true });
      first.scrollIntoView({ block: "nearest" });
    } else if (more) {
      moreButton.focus(); // nothing new arrived; the focus stays where the operator is
    }
  }

  function tag(className, text) {
    const element = document.createElement("span");
    element.className = "tag " + className;
    element.textContent = text;
    return element;
  }

  function inboxRow(row) {
    const item = document.createElement("li");
    const overdue =
      typeof row.overdue === "boolean" ? row.overdue : Boolean(row.due_at && isPast(row.due_at) && OPEN.indexOf(row.status) !== -1);
    const level = escalationLevel(row);
    item.className = "inbox-row" + (overdue ? " is-overdue" : "");

    const main = document.createElement("div");
    main.className = "row-main";
    const link = document.createElement("a");
    link.className = "row-title";
    link.href = "#/c/" + encodeURIComponent(row.tracking_id);
    link.dataset.id = row.tracking_id;
    link.textContent = row.title || row.tracking_id_display || row.tracking_id;
    const meta = document.createElement("p");
    meta.className = "row-meta";
    const code = document.createElement("span");
    code.className = "row-code";
    code.translate = false;
    code.textContent = row.tracking_id_display || row.tracking_id;
    meta.append(code);
    if (row.category) meta.append(" · " + categoryName(typeof row.category === "string" ? row.category : row.category.code));
    if (row.created_at) meta.append(" · " + t("ops.row.created") + " ", timeElement(row.created_at, true));
    main.append(link, meta);

    const state = document.createElement("p");
    state.className = "row-state";
    const badge = document.createElement("span");
    badge.className = statusClass(row.status);
    badge.textContent = statusText(row);
    state.append(badge);
    if (overdue) state.append(" ", tag("tag-overdue", t("ops.tag.overdue")));
    if (level > 0) state.append(" ", tag("tag-escalation", t("ops.tag.escalation", { level: level })));
    if (row.privacy && row.privacy !== "public") state.append(" ", tag("tag-privacy", t("privacy." + row.privacy)));

    const due = document.createElement("p");
    due.className = "row-due" + (overdue ? " overdue" : "");
    if (row.due_at) {
      due.append(t("ops.row.due") + " ", timeElement(row.due_at, true));
      const when = Aduan.relative(row.due_at);
      if (when) due.append(" (" + when + ")");
    } else {
      due.textContent = row.status === "waiting_on_citizen" ? t("ops.due.paused") : t("r.due.none");
    }
    item.append(main, state, due);
    return item;
  }

  function renderInbox() {
    list.textContent = "";
    inbox.rows.forEach(function (row) {
      list.append(inboxRow(row));
    });
    moreButton.hidden = !inbox.cursor;
    const count = inbox.rows.length;
    let message = count ? t("ops.inbox.count", { n: count }) : t("ops.inbox.empty");
    if (inbox.cursor) message += " " + t("ops.inbox.moreExist");
    $("inbox-status").textContent = message;
  }

  function readFiltersForm() {
    inbox.filters = {
      status: filtersForm.elements.status.value,
      overdue: filtersForm.elements.overdue.checked,
      order: filtersForm.elements.order.value
    };
    saveFilters();
    lastOpened = null;
    loadInbox(false);
  }

  filtersForm.addEventListener("change", readFiltersForm);
  filtersForm.addEventListener("submit", function (event) {
    event.preventDefault();
    readFiltersForm();
  });
  $("refresh").addEventListener("click", function () {
    loadInbox(false);
  });
  moreButton.addEventListener("click", function () {
    if (moreButton.getAttribute("aria-disabled") === "true") return;
    loadInbox(true);
  });

  /* Keeps the inbox in step with what happened to a complaint, without reloading every page. */
  function updateRow(view) {
    inbox.rows.forEach(function (row) {
      if (row.tracking_id !== view.tracking_id) return;
      row.status = view.status;
      row.status_text = view.status_text;
      row.due_at = view.due_at;
      row.escalation_level = view.escalation_level;
      row.overdue = Boolean(view.due_at && isPast(view.due_at) && OPEN.indexOf(view.status) !== -1);
      if (view.title) row.title = view.title;
    });
  }

  /* -- one complaint ---------------------------------------------------------------------------- */

  /* The agencies, once: names in the timeline, and the targets of transfer, assign and verify. */
  async function loadAgencies() {
    if (agencies) return;
    const result = await Aduan.request("GET", "/agencies");
    if (result.status === 200 && result.data && Array.isArray(result.data.agencies)) agencies = result.data.agencies;
  }

  async function loadCategories() {
    if (categories) return;
    const result = await Aduan.request("GET", "/categories");
    if (result.status === 200 && result.data && Array.isArray(result.data.categories)) {
      categories = {};
      result.data.categories.forEach(function (category) {
        categories[category.code] = category;
      });
      if (inbox.loaded && !views.inbox.hidden) renderInbox();
    }
  }

  async function openComplaint(id, opts) {
    const options = opts || {};
    if (!current || current.tracking_id !== id) {
      current = null;
      actionResult.textContent = "";
      actionProblem.textContent = "";
    }
    lastOpened = id;
    announce(t("ops.c.loading"));
    const both = await Promise.all([call("GET", "/ops/complaints/" + encodeURIComponent(id)), loadAgencies()]);
    const result = both[0];
    if (!result) return null;
    if (result.status === 200 && result.data && result.data.tracking_id) {
      renderComplaint(result.data);
      show("complaint");
      if (options.focus) focusHeading("c-title");
      announce(t("ops.c.loaded", { title: result.data.title || "" }));
      return result.data;
    }
    // Not found, or outside this agency: the API does not say which, nor does the page.
    showInbox();
    showProblem(problem, failure(result, t("ops.err.notFound")));
    return null;
  }

  function text(id, value) {
    $(id).textContent = value;
  }

  function dueLabel(view) {
    const kind = view.clock && view.clock.kind;
    if (kind === "verification" || (!kind && (view.status === "submitted" || view.status === "needs_triage")))
      return t("r.due.verification");
    if (kind === "response" || (!kind && (view.status === "assigned" || view.status === "in_progress")))
      return t("r.due.response");
    if (kind === "reply_window" || (!kind && view.status === "responded")) return t("ops.due.reply");
    return t("r.due");
  }

  function renderDue(view) {
    const cell = $("c-due");
    cell.textContent = "";
    cell.classList.remove("overdue");
    text("c-due-label", dueLabel(view));
    if (!view.due_at) {
      const paused = view.status === "waiting_on_citizen" || (view.clock && view.clock.paused_at);
      cell.textContent = paused ? t("ops.due.paused") : t("r.due.none");
      return;
    }
    cell.append(timeElement(view.due_at));
    const passed = isPast(view.due_at) && OPEN.indexOf(view.status) !== -1;
    const when = Aduan.relative(view.due_at);
    if (passed) cell.append(" ", tag("tag-overdue", t("ops.tag.overdue")));
    if (when) cell.append(" (" + when + ")");
    if (view.clock && view.clock.working_days) cell.append(" · " + t("ops.due.days", { n: view.clock.working_days }));
    if (passed) cell.classList.add("overdue");
  }

  function renderReporter(reporter) {
    const cell = $("c-reporter");
    cell.textContent = "";
    cell.classList.toggle("muted", !reporter);
    if (!reporter) {
      cell.textContent = t("ops.reporter.hidden");
      return;
    }
    const lines = [];
    lines.push(document.createTextNode(reporter.name || t("ops.reporter.noName")));
    if (reporter.phone) {
      const phone = document.createElement("a");
      phone.href = "tel:" + String(reporter.phone).replace(/[^+\d]/g, "");
      phone.textContent = reporter.phone;
      lines.push(phone);
    }
    if (reporter.email) {
      const email = document.createElement("a");
      email.href = "mailto:" + reporter.email;
      email.textContent = reporter.email;
      lines.push(email);
    }
    lines.forEach(function (line, index) {
      if (index) cell.append(document.createElement("br"));
      cell.append(line);
    });
  }

  function renderLocation(location) {
    const parts = [];
    const where = location || {};
    if (where.region_code) parts.push(regionName(where.region_code) + " (" + where.region_code + ")");
    if (where.address) parts.push(where.address);
    if (typeof where.lat === "number" && typeof where.lon === "number") parts.push(where.lat + ", " + where.lon);
    const cell = $("c-location");
    cell.classList.toggle("muted", !parts.length);
    cell.textContent = parts.length ? parts.join(" · ") : t("ops.location.none");
  }

  function renderComplaint(view) {
    current = view;
    document.title = (view.title || view.tracking_id) + " · " + t("ops.pageTitle");
    text("c-title", view.title || view.tracking_id);
    text("c-id", view.tracking_id_display || view.tracking_id);
    const badge = $("c-status");
    badge.textContent = statusText(view);
    badge.className = statusClass(view.status);
    renderDue(view);
    const level = escalationLevel(view);
    const escalation = $("c-escalation");
    escalation.textContent = t("esc." + level);
    if (view.ombudsman_flag) escalation.append(" · ", tag("tag-escalation", t("ops.ombudsman")));
    escalation.classList.toggle("overdue", level > 0);
    text("c-agency", view.agency ? view.agency.name : t("r.agency.none"));
    text("c-classification", view.classification ? t("c." + view.classification) : "");
    text("c-category", view.category ? view.category.name : t("r.category.none"));
    renderLocation(view.location);
    const created = $("c-created");
    created.textContent = "";
    if (view.created_at) created.append(timeElement(view.created_at));
    text("c-privacy", view.privacy ? t("privacy." + view.privacy) : "");
    renderReporter(view.reporter);
    text("c-description", typeof view.description === "string" ? view.description : "");
    renderActions(view);
    renderTimeline(view);
  }

  /* -- the timeline: every event, the internal ones marked ------------------------------------- */

  function eventActor(actor) {
    if (!actor || !actor.role) return "";
    const role = t("ops.role." + actor.role);
    const parts = [role.indexOf("ops.role.") === 0 ? actor.role : role];
    if (actor.agency_id) parts.push(agencyName(actor.agency_id));
    if (actor.user_id) parts.push(actor.user_id);
    return parts.join(" · ");
  }

  function eventDetail(event) {
    const data = event.data || {};
    if (typeof data.response === "string") return data.response;
    if (typeof data.question === "string") return data.question;
    if (typeof data.text === "string") return data.text;
    if (typeof data.reason === "string" && event.type === "returned") return data.reason;
    return "";
  }

  /* A key's text, or `fallback` when the page has no such key. */
  function known(key, fallback) {
    return t(key) === key ? fallback : t(key);
  }

  function deliveryText(data) {
    // outcome: "sent", "retrying: <reason>", "failed_permanently: <reason>";
    // recipient: "citizen", or "agency:<agency id>:<n>" (the n-th contact of the agency)
    const raw = String(data.outcome || "");
    const cut = raw.indexOf(":");
    const reason = cut === -1 ? "" : " (" + raw.slice(cut + 1).trim() + ")";
    const recipient = String(data.recipient || "");
    const agency = /^agency:(.+):\d+$/.exec(recipient);
    return t("ops.delivery", {
      template: data.template || "",
      channel: known("ops.channel." + data.channel, String(data.channel || "")),
      recipient: agency ? agencyName(agency[1]) : known("ops.recipient." + recipient, recipient),
      outcome: known("ops.delivery." + (cut === -1 ? raw : raw.slice(0, cut)).trim(), raw) + reason
    });
  }

  /* The API's text; the page's own for an internal event the API has no words for. */
  function eventText(event) {
    if (event.text && event.text !== event.type) return event.text;
    return known("ops.ev." + event.type, event.text || event.type);
  }

  function renderTimeline(view) {
    const timeline = $("c-timeline");
    const events = (Array.isArray(view.timeline) ? view.timeline.slice() : []).sort(function (a, b) {
      return String(a.at).localeCompare(String(b.at));
    });
    const deliveries = events.filter(function (event) {
      return event.type === "notification";
    }).length;
    const showDeliveries = $("show-deliveries").checked;
    $("show-deliveries").parentNode.hidden = deliveries === 0;
    text("show-deliveries-label", t("ops.deliveries", { n: deliveries }));
    timeline.textContent = "";
    events.forEach(function (event) {
      const delivery = event.type === "notification";
      if (delivery && !showDeliveries) return;
      const item = document.createElement("li");
      item.className = "event-" + String(event.type).replace(/[^a-z_]/g, "") + (event.public === false ? " internal" : "");
      const what = document.createElement("p");
      what.textContent = delivery ? deliveryText(event.data || {}) : eventText(event);
      item.append(timeElement(event.at), what);
      const detail = eventDetail(event);
      if (detail) {
        const quote = document.createElement("blockquote");
        quote.className = "event-text";
        quote.textContent = detail;
        item.append(quote);
      }
      const who = eventActor(event.actor);
      const meta = document.createElement("p");
      meta.className = "event-meta";
      if (who) meta.append(who);
      if (event.public === false) {
        if (who) meta.append(" ");
        meta.append(tag("tag-internal", t("ops.internal")));
      }
      if (meta.childNodes.length) item.append(meta);
      timeline.append(item);
    });
  }

  $("to-actions").addEventListener("click", function () {
    const heading = $("actions-title");
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: "start" });
  });

  $("show-deliveries").addEventListener("change", function () {
    if (current) renderTimeline(current);
  });

  /* -- actions ---------------------------------------------------------------------------------- */

  function actionButtons() {
    return Array.prototype.slice.call($("action-buttons").querySelectorAll("button[data-action]"));
  }

  function actionForms() {
    return Array.prototype.slice.call(document.querySelectorAll("form.action-form"));
  }

  function formFor(action) {
    return $("form-" + action);
  }

  function draftsOf(id) {
    if (!drafts.byComplaint[id]) drafts.byComplaint[id] = {};
    return drafts.byComplaint[id];
  }

  function collapse(form) {
    form.hidden = true;
    const toggle = $("action-buttons").querySelector('button[aria-controls="' + form.id + '"]');
    if (toggle) toggle.setAttribute("aria-expanded", "false");
  }

  function expand(form) {
    actionForms().forEach(function (other) {
      if (other !== form) collapse(other);
    });
    form.hidden = false;
    const toggle = $("action-buttons").querySelector('button[aria-controls="' + form.id + '"]');
    if (toggle) toggle.setAttribute("aria-expanded", "true");
    const first = form.querySelector("textarea, select, input") || form.querySelector('button[type="submit"]');
    first.focus();
  }

  /* The agencies a complaint can go to: the API has the last word (a 403 or 422 beside the list). */
  function candidates(action, view) {
    const all = (agencies || []).filter(function (agency) {
      return agency.kind === "agency";
    });
    const holder = view.agency ? view.agency.id : null;
    let chosen = all;
    if (me && me.role === "coordinator") {
      chosen = all.filter(function (agency) {
        return agency.parent_id === me.agency_id;
      });
    } else if (me && me.role === "operator" && view.coordinator_id) {
      chosen = all.filter(function (agency) {
        return agency.parent_id === view.coordinator_id;
      });
    }
    if (!chosen.length) chosen = all;
    return chosen.filter(function (agency) {
      return action !== "transfer" || agency.id !== holder;
    });
  }

  function fillAgencies(select, action, view, saved) {
    const category = view.category ? view.category.code : null;
    const fits = function (agency) {
      return Boolean(category && Array.isArray(agency.categories) && agency.categories.indexOf(category) !== -1);
    };
    // Agencies that already said "not our authority" about this complaint are named as such.
    const returnedBy = (view.timeline || [])
      .filter(function (event) {
        return event.type === "returned" && event.data;
      })
      .map(function (event) {
        return event.data.from_agency_id;
      });
    const options = candidates(action, view).sort(function (a, b) {
      return Number(fits(b)) - Number(fits(a)) || a.name.localeCompare(b.name, "id");
    });
    select.textContent = "";
    select.add(new Option(t("ops.chooseAgency"), ""));
    const groups = {};
    const order = [];
    options.forEach(function (agency) {
      const parent = agency.parent_id || "";
      if (!groups[parent]) {
        groups[parent] = document.createElement("optgroup");
        groups[parent].label = parent ? agencyName(parent) : t("ops.agencies.other");
        order.push(parent);
      }
      let label = agency.name;
      if (fits(agency)) label += " " + t("ops.agency.fits");
      if (returnedBy.indexOf(agency.id) !== -1) label += " " + t("ops.agency.returned");
      groups[parent].append(new Option(label, agency.id));
    });
    order.forEach(function (parent) {
      select.append(groups[parent]);
    });
    if (!options.length) select.add(new Option(t("ops.agencies.unavailable"), ""));
    // Chosen by the operator, or for a verification the agency the routing proposed; never a guess.
    let value = saved;
    if (value === undefined && action === "verify" && view.agency) value = view.agency.id;
    select.value = value || "";
    if (select.value !== (value || "")) select.value = "";
  }

  function renderActions(view) {
    const allowed = Array.isArray(view.allowed_actions) ? view.allowed_actions : [];
    const saved = draftsOf(view.tracking_id);
    // Actions the page has no form for (added to the API later) still show, as plain buttons.
    actionButtons().forEach(function (button) {
      if (button.dataset.generic) button.remove();
    });
    const known = actionButtons().map(function (button) {
      return button.dataset.action;
    });
    allowed.forEach(function (action) {
      if (known.indexOf(action) !== -1) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.dataset.action = action;
      button.dataset.direct = "true";
      button.dataset.generic = "true";
      button.textContent = actionLabel(action);
      $("action-buttons").append(button);
    });
    actionButtons().forEach(function (button) {
      button.hidden = allowed.indexOf(button.dataset.action) === -1;
      button.setAttribute("aria-disabled", "false");
    });
    actionForms().forEach(function (form) {
      const action = form.dataset.action;
      if (allowed.indexOf(action) === -1) {
        collapse(form);
        return;
      }
      const values = saved[action] || {};
      Array.prototype.forEach.call(form.elements, function (control) {
        if (!control.name) return;
        if (control.classList.contains("agency-select")) fillAgencies(control, action, view, values[control.name]);
        else control.value = values[control.name] || "";
      });
    });
    $("actions-none").hidden = allowed.length > 0;
    $("action-buttons").hidden = allowed.length === 0;
  }

  function setBusy(on) {
    busy = on;
    actionButtons()
      .concat(
        Array.prototype.slice.call(document.querySelectorAll('form.action-form button[type="submit"]'))
      )
      .forEach(function (button) {
        button.setAttribute("aria-disabled", String(on));
      });
    if (on) announce(t("ops.action.working"));
  }

  function required(form) {
    const missing = [];
    Array.prototype.forEach.call(form.elements, function (control) {
      if (control.name && control.required && !control.value.trim()) {
        missing.push({ field: control.name, message: t("ops.err.required") });
      }
    });
    return missing;
  }

  async function act(action, fields, form) {
    if (busy || !current) return;
    const view = current;
    actionResult.textContent = "";
    actionProblem.textContent = "";
    if (form) Aduan.clearFieldErrors(form);
    setBusy(true);
    const body = Object.assign({ action: action, version: view.version }, fields);
    const result = await call("POST", "/ops/complaints/" + encodeURIComponent(view.tracking_id) + "/actions", body);
    setBusy(false);
    if (!result) return;
    if (result.status === 200 && result.data && result.data.tracking_id) {
      delete draftsOf(view.tracking_id)[action];
      if (form) collapse(form);
      let after = result.data;
      if (!Array.isArray(after.allowed_actions) || !Array.isArray(after.timeline)) {
        after = (await openComplaint(view.tracking_id)) || after; // a shorter answer: read it whole
      } else {
        renderComplaint(after);
      }
      updateRow(after);
      const changed = after.status !== view.status;
      actionResult.textContent = changed
        ? t("ops.action.doneStatus", { action: actionLabel(action), status: statusText(after) })
        : t("ops.action.done", { action: actionLabel(action) });
      actionResult.focus({ preventScroll: true });
      actionResult.scrollIntoView({ block: "nearest" });
      return;
    }
    const error = Aduan.apiError(result);
    if (result.status === 409) {
      // Someone else acted first. Show what is true now; what this operator typed stays.
      const fresh = await openComplaint(view.tracking_id);
      if (!fresh) return;
      const still = Array.isArray(fresh.allowed_actions) && fresh.allowed_actions.indexOf(action) !== -1;
      showProblem(actionProblem, t(still ? "ops.err.conflict" : "ops.err.conflictGone", { action: actionLabel(action) }));
      return;
    }
    const details = error && Array.isArray(error.details) ? error.details : [];
    const outcome = form ? Aduan.showFieldErrors(form, details) : { unknown: details, shown: [] };
    showProblem(actionProblem, failure(result, t("ops.err.notFound")), outcome.unknown);
    if (outcome.shown.length && outcome.shown[0].control) outcome.shown[0].control.focus();
  }

  $("action-buttons").addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button || button.getAttribute("aria-disabled") === "true") return;
    if (button.dataset.direct) {
      act(button.dataset.action, {}, null);
      return;
    }
    const form = formFor(button.dataset.action);
    if (form.hidden) expand(form);
    else collapse(form);
  });

  actionForms().forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      Aduan.clearFieldErrors(form);
      const missing = required(form);
      if (missing.length) {
        Aduan.showFieldErrors(form, missing);
        form.elements[missing[0].field].focus();
        return;
      }
      const fields = {};
      Array.prototype.forEach.call(form.elements, function (control) {
        if (control.name && control.value.trim()) fields[control.name] = control.value.trim();
      });
      act(form.dataset.action, fields, form);
    });
    form.addEventListener("input", function (event) {
      if (!current || !event.target.name) return;
      const saved = draftsOf(current.tracking_id);
      if (!saved[form.dataset.action]) saved[form.dataset.action] = {};
      saved[form.dataset.action][event.target.name] = event.target.value;
    });
    form.addEventListener("change", function (event) {
      if (!current || !event.target.name) return;
      const saved = draftsOf(current.tracking_id);
      if (!saved[form.dataset.action]) saved[form.dataset.action] = {};
      saved[form.dataset.action][event.target.name] = event.target.value;
    });
    form.querySelector("[data-cancel]").addEventListener("click", function () {
      collapse(form);
      const toggle = $("action-buttons").querySelector('button[aria-controls="' + form.id + '"]');
      if (toggle) toggle.focus();
    });
  });

  /* -- set-up ----------------------------------------------------------------------------------- */

  Aduan.onLanguageChange(function () {
    // Statuses, timeline texts and errors come from the API in the chosen language.
    renderMe();
    if (!session) {
      document.title = t("ops.pageTitle");
      return;
    }
    if (!views.complaint.hidden && current) {
      openComplaint(current.tracking_id);
    } else if (!views.inbox.hidden) {
      document.title = t("ops.inbox.pageTitle");
      if (inbox.loaded) renderInbox();
      loadInbox(false);
    }
  });

  window.addEventListener("hashchange", route);
  loadCategories();
  if (session) {
    loadMe().then(function (ok) {
      if (ok) route();
    });
  } else {
    route();
  }
});
