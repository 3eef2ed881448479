/* Aduan console: the inbox (ops.html#/). GET /ops/complaints with the status filter, "overdue
   only" and the order, remembered for the tab; the rows a page at a time, "show more" with the
   cursor; and the row of a complaint kept in step with what happened to it. */
"use strict";
window.AduanOps.inbox = (function () {
  const Aduan = window.Aduan;
  const { t, $ } = Aduan;
  const { page, reference, session } = window.AduanOps;
  const FILTERS_KEY = "aduan.ops.filters";
  const ORDERS = ["newest", "urgent"];
  const PAGE_SIZE = 20;
  const filtersForm = $("filters");
  const list = $("inbox-list");
  const moreButton = $("load-more");
  const inbox = { rows: [], cursor: null, loaded: false, filters: storedFilters(), request: 0 };
  let lastOpened = null; // to put the focus back on its row

  function storedFilters() {
    const filters = { status: "", overdue: false, order: "newest" };
    const stored = Aduan.tabValue(FILTERS_KEY) || {};
    if (Aduan.OPEN_STATUSES.indexOf(stored.status) !== -1) filters.status = stored.status;
    if (ORDERS.indexOf(stored.order) !== -1) filters.order = stored.order;
    filters.overdue = stored.overdue === true;
    return filters;
  }

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

  /* The inbox on screen: loaded the first time, then as it was, the focus on the row last opened. */
  function show() {
    document.title = t("ops.inbox.pageTitle");
    page.show("inbox");
    showFilters();
    if (!inbox.loaded) {
      Aduan.focusHeading($("inbox-title"));
      load(false);
      return;
    }
    render();
    const row = lastOpened && list.querySelector('a[data-id="' + lastOpened + '"]');
    if (row) Aduan.focusInView(row, "center");
    else Aduan.focusHeading($("inbox-title"));
  }

  async function load(more) {
    const request = ++inbox.request; // a later filter wins over an earlier, slower answer
    const before = inbox.rows.length;
    $("inbox-status").textContent = t("ops.inbox.loading");
    moreButton.setAttribute("aria-disabled", "true");
    const result = await session.call("GET", inboxPath(more ? inbox.cursor : null));
    if (!result || request !== inbox.request) return;
    moreButton.setAttribute("aria-disabled", "false");
    if (result.status !== 200 || !result.data || !Array.isArray(result.data.complaints)) {
      $("inbox-status").textContent = "";
      page.showProblem(page.failure(result));
      return;
    }
    page.clearProblem();
    inbox.rows = more ? inbox.rows.concat(result.data.complaints) : result.data.complaints;
    inbox.cursor = result.data.cursor || null;
    inbox.loaded = true;
    render(); // #inbox-status is a live region: the count is announced
    if (more && inbox.rows.length > before) {
      Aduan.focusInView(list.children[before].querySelector("a"), "nearest");
    } else if (more) {
      moreButton.focus(); // nothing new arrived; the focus stays where the operator is
    }
  }

  function rowElement(row) {
    const item = document.createElement("li");
    const overdue = Aduan.isOverdue(row);
    const level = Aduan.escalationLevel(row);
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
    if (row.category) {
      meta.append(" · " + reference.categoryName(typeof row.category === "string" ? row.category : row.category.code));
    }
    if (row.created_at) meta.append(" · " + t("ops.row.created") + " ", Aduan.timeElement(row.created_at, true));
    main.append(link, meta);

    const state = document.createElement("p");
    state.className = "row-state";
    const badge = document.createElement("span");
    badge.className = Aduan.badgeClass(row.status);
    badge.textContent = page.statusText(row);
    state.append(badge);
    if (overdue) state.append(" ", page.tag("tag-overdue", t("ops.tag.overdue")));
    if (level > 0) state.append(" ", page.tag("tag-escalation", t("ops.tag.escalation", { level: level })));
    if (row.privacy && row.privacy !== "public") state.append(" ", page.tag("tag-privacy", t("privacy." + row.privacy)));

    const due = document.createElement("p");
    due.className = "row-due" + (overdue ? " overdue" : "");
    if (row.due_at) {
      due.append(t("ops.row.due") + " ", Aduan.timeElement(row.due_at, true));
      const when = Aduan.relative(row.due_at);
      if (when) due.append(" (" + when + ")");
    } else {
      due.textContent = Aduan.isPaused(row) ? t("ops.due.paused") : t("r.due.none");
    }
    item.append(main, state, due);
    return item;
  }

  function render() {
    list.textContent = "";
    inbox.rows.forEach(function (row) {
      list.append(rowElement(row));
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
    Aduan.setTabValue(FILTERS_KEY, inbox.filters);
    lastOpened = null;
    load(false);
  }

  /* The complaint just opened: its row gets the focus when the operator comes back. */
  function opened(id) {
    lastOpened = id;
  }

  /* Keeps the inbox in step with what happened to a complaint, without reloading every page. */
  function updateRow(view) {
    inbox.rows.forEach(function (row) {
      if (row.tracking_id !== view.tracking_id) return;
      row.status = view.status;
      row.status_text = view.status_text;
      row.due_at = view.due_at;
      row.escalation_level = view.escalation_level;
      row.overdue = Aduan.isOverdue(view);
      if (view.title) row.title = view.title;
    });
  }

  filtersForm.addEventListener("change", readFiltersForm);
  filtersForm.addEventListener("submit", function (event) {
    event.preventDefault();
    readFiltersForm();
  });
  $("refresh").addEventListener("click", function () {
    load(false);
  });
  moreButton.addEventListener("click", function () {
    if (moreButton.getAttribute("aria-disabled") === "true") return;
    load(true);
  });

  session.onEnd(function () {
    inbox.rows = [];
    inbox.loaded = false;
  });

  Aduan.onLanguageChange(function () {
    // Statuses come from the API in the chosen language.
    if (!session.signedIn() || !page.showing("inbox")) return;
    document.title = t("ops.inbox.pageTitle");
    if (inbox.loaded) render();
    load(false);
  });

  // The categories name each row's category; the rows are named again once they arrive.
  reference.load("categories").then(function (categories) {
    if (categories && inbox.loaded && page.showing("inbox")) render();
  });

  return { show: show, opened: opened, updateRow: updateRow };
})();
