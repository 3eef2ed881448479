/* Aduan console: one complaint (ops.html#/c/<tracking_id>). GET /ops/complaints/{id}: the facts,
   the deadline, the reporter (or that the role may not see them), the description, the photos and
   documents, the actions and the timeline. */
"use strict";
window.AduanOps.complaint = (function () {
  const Aduan = window.Aduan;
  const { t, $ } = Aduan;
  const text = Aduan.setText;
  const { page, reference, session, inbox, timeline, actions, evidence } = window.AduanOps;
  // The operator's words for each deadline (Aduan.deadlineKind).
  const DUE_LABELS = { verification: "r.due.verification", response: "r.due.response", reply_window: "ops.due.reply" };
  let current = null; // the complaint on screen (the API's view)

  /* Reads a complaint and shows it; resolves the view, or null (then the inbox says why). The
     agencies and regions it names are loaded with it, once. */
  async function open(id, opts) {
    const options = opts || {};
    if (!current || current.tracking_id !== id) {
      current = null;
      actions.clearMessages();
    }
    inbox.opened(id);
    page.announce(t("ops.c.loading"));
    const answers = await Promise.all([
      session.call("GET", "/ops/complaints/" + encodeURIComponent(id)),
      reference.load("agencies"),
      reference.load("regions")
    ]);
    const result = answers[0];
    if (!result) return null;
    if (result.status === 200 && result.data && result.data.tracking_id) {
      render(result.data);
      page.show("complaint");
      if (options.focus) Aduan.focusHeading($("c-title"));
      page.announce(t("ops.c.loaded", { title: result.data.title || "" }));
      return result.data;
    }
    // Not found, or outside this agency: the API does not say which, nor does the page.
    inbox.show();
    page.showProblem(page.failure(result, t("ops.err.notFound")));
    return null;
  }

  function renderDue(view) {
    const cell = $("c-due");
    text("c-due-label", t(DUE_LABELS[Aduan.deadlineKind(view)] || "r.due"));
    if (!Aduan.showDeadline(cell, view, t("ops.due.paused"))) return;
    const passed = Aduan.isOverdue(view);
    const when = Aduan.relative(view.due_at);
    if (passed) cell.append(" ", page.tag("tag-overdue", t("ops.tag.overdue")));
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

  /* The region by its name from GET /regions, with its code ("Kabupaten Tangerang (36.03)"); a
     code the gazetteer does not know, as it is. */
  function regionText(code) {
    const name = reference.regionName(code);
    return name === code ? code : name + " (" + code + ")";
  }

  function renderLocation(location) {
    const parts = [];
    const where = location || {};
    if (where.region_code) parts.push(regionText(where.region_code));
    if (where.address) parts.push(where.address);
    if (typeof where.lat === "number" && typeof where.lon === "number") parts.push(where.lat + ", " + where.lon);
    const cell = $("c-location");
    cell.classList.toggle("muted", !parts.length);
    cell.textContent = parts.length ? parts.join(" · ") : t("ops.location.none");
  }

  /* Puts a complaint as the API shows it on screen: the facts, the photos, the actions and the
     timeline. */
  function render(view) {
    current = view;
    document.title = (view.title || view.tracking_id) + " · " + t("ops.pageTitle");
    text("c-title", view.title || view.tracking_id);
    text("c-id", view.tracking_id_display || view.tracking_id);
    const badge = $("c-status");
    badge.textContent = page.statusText(view);
    badge.className = Aduan.badgeClass(view.status);
    renderDue(view);
    const level = Aduan.escalationLevel(view);
    const escalation = $("c-escalation");
    escalation.textContent = t("esc." + level);
    if (view.ombudsman_flag) escalation.append(" · ", page.tag("tag-escalation", t("ops.ombudsman")));
    escalation.classList.toggle("overdue", level > 0);
    text("c-agency", view.agency ? view.agency.name : t("r.agency.none"));
    text("c-classification", view.classification ? t("c." + view.classification) : "");
    text("c-category", view.category ? view.category.name : t("r.category.none"));
    renderLocation(view.location);
    const created = $("c-created");
    created.textContent = "";
    if (view.created_at) created.append(Aduan.timeElement(view.created_at));
    text("c-privacy", view.privacy ? t("privacy." + view.privacy) : "");
    renderReporter(view.reporter);
    text("c-description", typeof view.description === "string" ? view.description : "");
    evidence.render(view);
    actions.render(view);
    timeline.render(view);
  }

  $("to-actions").addEventListener("click", function () {
    Aduan.focusInView($("actions-title"), "start");
  });

  session.onEnd(function () {
    current = null;
  });

  Aduan.onLanguageChange(function () {
    // Statuses, timeline texts and errors come from the API in the chosen language.
    if (session.signedIn() && page.showing("complaint") && current) open(current.tracking_id);
  });

  return { open: open, render: render };
})();
