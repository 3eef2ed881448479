/* Aduan: the tracking page (track.html). GET /complaints/{tracking_id}, shown in local time; with
   the access code, the report's photos and documents, and more of them added (evidence.js). */
"use strict";
(function () {
  const Aduan = window.Aduan;
  const t = Aduan.t;
  const text = Aduan.setText;
  const form = document.getElementById("track-form");
  const idInput = document.getElementById("tracking-id");
  const codeInput = document.getElementById("access-code");
  const status = document.getElementById("track-status");
  const problem = document.getElementById("track-problem");
  const result = document.getElementById("result");
  // The citizen's words for each deadline (Aduan.deadlineKind).
  const DUE_LABELS = { verification: "r.due.verification", response: "r.due.response", reply_window: "r.due.reply" };
  let shown = null; // the complaint on screen, re-read in the new language when it changes
  let shownCode = ""; // the access code it was read with
  let busy = false;
  const evidence = window.AduanEvidence;
  const gallery = evidence.gallery(document.getElementById("r-gallery"), read);
  const checks = evidence.checker(document.getElementById("r-evidence-checking"), read, render, function () {
    photos.forgetSent();
    if (shown) Aduan.setTabValue("aduan.evidence." + shown.tracking_id, null);
  });
  const photos = evidence.uploader(document.getElementById("r-evidence-add"), function () {
    return evidence.MAX_FILES - (shown ? Number(shown.attachments_count) || 0 : 0);
  });

  function renderDue(data) {
    const cell = document.getElementById("r-due");
    text("r-due-label", t(DUE_LABELS[Aduan.deadlineKind(data)] || "r.due"));
    if (!Aduan.showDeadline(cell, data, t("r.due.paused"))) return;
    const passed = Aduan.isOverdue(data);
    const when = passed ? t("r.due.passed") + ", " + Aduan.relative(data.due_at) : Aduan.relative(data.due_at);
    if (when) {
      const note = document.createElement("span");
      note.className = "when";
      note.textContent = " (" + when + ")";
      cell.append(note);
    }
    if (passed) cell.classList.add("overdue");
  }

  function render(data) {
    shown = data;
    text("result-title", data.title || "");
    text("r-id", data.tracking_id_display || data.tracking_id);
    const badge = document.getElementById("r-status");
    badge.textContent = data.status_text || data.status;
    badge.className = Aduan.badgeClass(data.status);
    text("r-agency", data.agency ? data.agency.name : t("r.agency.none"));
    renderDue(data);
    const level = Aduan.escalationLevel(data);
    text("r-escalation", t("esc." + level));
    document.getElementById("r-escalation").classList.toggle("overdue", level > 0);
    text("r-classification", t("c." + data.classification));
    text("r-category", data.category ? data.category.name : t("r.category.none"));
    const created = document.getElementById("r-created");
    created.textContent = "";
    if (data.created_at) created.append(Aduan.timeElement(data.created_at));
    text("r-privacy", t("privacy." + data.privacy));
    const description = document.getElementById("r-description");
    description.classList.toggle("muted", typeof data.description !== "string");
    description.textContent =
      typeof data.description === "string" ? data.description : t("r.description.hidden");

    renderEvidence(data);

    const timeline = document.getElementById("r-timeline");
    timeline.textContent = "";
    Aduan.chronological(data.timeline).forEach(function (event) {
      timeline.append(Aduan.timelineItem(event, event.text || event.type));
    });
    result.hidden = false;
    checks.seen(data);
  }

  /* With the access code: thumbnails, and a way to add more (not to an archived report). Without
     it: only how many there are. */
  function renderEvidence(data) {
    const listed = Array.isArray(data.attachments);
    const count = document.getElementById("r-evidence-count");
    count.textContent = evidence.countText(Number(data.attachments_count) || 0);
    if (!listed) count.append(". " + t("r.attachments.public"));
    count.classList.toggle("muted", !listed || !data.attachments.length);
    gallery.update(listed ? data : { attachments: [] });
    document.getElementById("r-evidence-add").hidden = !listed || data.status === "archived";
  }

  /* The complaint again, quietly (fresh links, files checked since): the view, or null. */
  async function read() {
    if (!shown) return null;
    const answer = await Aduan.request("GET", "/complaints/" + encodeURIComponent(shown.tracking_id), {
      headers: shownCode ? { "X-Access-Code": shownCode } : {}
    });
    return answer.status === 200 && answer.data && answer.data.tracking_id === shown.tracking_id ? answer.data : null;
  }

  document.querySelector('#r-evidence-add [data-ev="send"]').addEventListener("click", function () {
    if (!shown || !shownCode) return;
    const path = "/complaints/" + encodeURIComponent(shown.tracking_id) + "/attachments";
    const code = shownCode;
    const before = evidence.settledCount(shown);
    let sent = 0;
    photos.send(
      function (body) {
        return Aduan.request("POST", path, { json: body, headers: { "X-Access-Code": code } });
      },
      function () {
        sent += 1;
        checks.expect(before + sent);
      }
    );
  });

  function showProblem(message) {
    const p = document.createElement("p");
    p.textContent = message;
    problem.append(p);
  }

  async function lookup(options) {
    if (busy) return;
    const opts = options || {};
    Aduan.clearFieldErrors(form);
    problem.textContent = "";
    const id = Aduan.canonicalTrackingId(idInput.value);
    if (!id) {
      result.hidden = true;
      shown = null;
      Aduan.showFieldErrors(form, [{ field: "tracking_id", message: t("track.empty") }]);
      idInput.focus();
      return;
    }
    const code = Aduan.canonicalTrackingId(codeInput.value);
    if (window.location.search !== "?id=" + encodeURIComponent(id)) {
      history.replaceState(null, "", "/track.html?id=" + encodeURIComponent(id));
    }
    if (!shown || shown.tracking_id !== id) {
      checks.stop();
      photos.clear();
    }
    busy = true;
    status.textContent = t("track.loading");
    const answer = await Aduan.request("GET", "/complaints/" + encodeURIComponent(id), {
      headers: code ? { "X-Access-Code": code } : {}
    });
    busy = false;
    if (answer.status === 200 && answer.data && answer.data.tracking_id) {
      shownCode = code;
      render(answer.data);
      // Photos sent from the report form of this tab: wait for their check.
      const awaited = Number(Aduan.tabValue("aduan.evidence." + answer.data.tracking_id)) || 0;
      if (awaited) checks.expect(awaited);
      status.textContent = t("track.loaded");
      if (opts.focus) Aduan.focusInView(document.getElementById("result-title"), "start");
      return;
    }
    result.hidden = true;
    shown = null;
    checks.stop();
    status.textContent = "";
    const failed = Aduan.failureText(answer);
    if (failed) return showProblem(failed);
    const error = Aduan.apiError(answer);
    const details = Array.isArray(error.details) ? error.details : [];
    // invalid_tracking_id: the detail says what is wrong with the ID (one wrong character, or its
    // format), already in the reader's language; shown beside the box it was typed in.
    const outcome = Aduan.showFieldErrors(form, details);
    outcome.unknown.forEach(function (detail) {
      showProblem(detail.message);
    });
    if (error.code === "not_found") showProblem(t("track.notFound"));
    else if (!details.length) showProblem(error.message || t("track.notFound"));
    if (outcome.shown.length && opts.focus) outcome.shown[0].control.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    lookup({ focus: true });
  });

  Aduan.onLanguageChange(function () {
    if (shown) lookup(); // statuses and the timeline come from the API in the chosen language
  });

  const requested = new URLSearchParams(window.location.search).get("id");
  if (requested) {
    idInput.value = requested;
    // Kept by the report form of this tab right after filing: the citizen need not retype it.
    const code = Aduan.tabValue("aduan.code." + Aduan.canonicalTrackingId(requested));
    if (typeof code === "string") codeInput.value = code;
    lookup({ focus: true }); // the link from the receipt: the report is what the citizen came for
  }
})();
