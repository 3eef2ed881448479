/* Aduan: what every page shares (the citizen pages and the operators' console): the language
   switch, calls to the API at this page's own origin, the API's field errors beside their fields,
   and how a complaint's times, deadline, status and timeline are shown.
   Plain ES2017 and no dependencies, so that it runs on the cheapest phones without a build step. */
"use strict";
window.Aduan = (function () {
  const STRINGS = window.ADUAN_STRINGS;
  const LANGUAGE_KEY = "aduan.lang";
  const TIMEOUT_MS = 30000; // a stalled mobile connection fails visibly, then the citizen retries
  const OPEN_STATUSES = ["submitted", "needs_triage", "assigned", "in_progress", "waiting_on_citizen", "responded"];
  // The page's words for a call that failed as a whole; a page may name its own.
  const FAILURE_KEYS = { network: "err.network", busy: "err.busy", server: "err.server" };
  const listeners = [];
  let language = storedLanguage();

  function storedLanguage() {
    try {
      const value = localStorage.getItem(LANGUAGE_KEY);
      return Object.prototype.hasOwnProperty.call(STRINGS, value) ? value : "id";
    } catch (error) {
      return "id"; // storage can be disabled; Indonesian is the default
    }
  }

  function t(key, values) {
    const table = STRINGS[language];
    let text = key in table ? table[key] : key in STRINGS.id ? STRINGS.id[key] : key;
    if (values) {
      text = text.replace(/\{(\w+)\}/g, function (match, name) {
        return name in values ? String(values[name]) : match;
      });
    }
    return text;
  }

  function locale() {
    // English as written in Indonesia: dates name the zone as people say it (WIB, WITA, WIT).
    return language === "en" ? "en-ID" : "id-ID";
  }

  function applyLanguage() {
    document.documentElement.lang = language;
    document.querySelectorAll("[data-i18n]").forEach(function (element) {
      element.textContent = t(element.dataset.i18n);
    });
    document.querySelectorAll("button[data-lang]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === language));
    });
    listeners.forEach(function (listener) {
      listener(language);
    });
  }

  function setLanguage(next) {
    if (!(next in STRINGS) || next === language) return;
    language = next;
    try {
      localStorage.setItem(LANGUAGE_KEY, next);
    } catch (error) {
      // not remembered, still switched
    }
    applyLanguage();
  }

  function onLanguageChange(listener) {
    listeners.push(listener);
  }

  /* A JSON call to the API at this origin. Resolves {status, data}; status 0 when the network
     failed or timed out (the caller cannot know whether the server got the request). */
  async function request(method, path, options) {
    const opts = options || {};
    const headers = Object.assign(
      { Accept: "application/json", "Accept-Language": language },
      opts.headers || {}
    );
    const init = { method: method, headers: headers, credentials: "same-origin", cache: "no-store" };
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.json);
    }
    let timer = null;
    if (typeof AbortController === "function") {
      const controller = new AbortController();
      init.signal = controller.signal;
      timer = setTimeout(function () {
        controller.abort();
      }, TIMEOUT_MS);
    }
    try {
      const response = await fetch(path, init);
      let data = null;
      try {
        data = await response.json();
      } catch (error) {
        data = null;
      }
      return { status: response.status, data: data };
    } catch (error) {
      return { status: 0, data: null };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /* The {"error": {code, message, details}} of an API answer, or null. */
  function apiError(result) {
    const data = result.data;
    return data && typeof data.error === "object" && data.error ? data.error : null;
  }

  /* The words for a call that failed as a whole (no connection, too many requests, the server's
     fault), by FAILURE_KEYS or the page's own `keys`; null when the API's error says what is wrong. */
  function failureText(result, keys) {
    const words = Object.assign({}, FAILURE_KEYS, keys);
    const error = apiError(result);
    if (result.status === 0) return t(words.network);
    if (result.status === 429) return (error && error.message) || t(words.busy);
    if (result.status >= 500 || !error) return t(words.server);
    return null;
  }

  /* A reference list of the API (GET /categories, /agencies, /regions): the array the answer holds
     under `key`, or null when it could not be loaded. */
  async function loadList(path, key) {
    const result = await request("GET", path);
    const data = result.data;
    return result.status === 200 && data && Array.isArray(data[key]) ? data[key] : null;
  }

  /* A category of GET /categories, named in the page's language. */
  function categoryName(category) {
    return (language === "en" ? category.name_en : category.name_id) || category.code;
  }

  /* -- the tab's sessionStorage, which the browser may refuse (private mode, storage disabled) -- */

  /* The value kept under `key` for this tab, as it was kept, or null. */
  function tabValue(key) {
    try {
      return JSON.parse(sessionStorage.getItem(key));
    } catch (error) {
      return null; // refused or garbled: as if never kept
    }
  }

  /* Keeps `value` for this tab (null forgets it); refused storage only means it is not kept. */
  function setTabValue(key, value) {
    try {
      if (value === null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // not kept
    }
  }

  /* -- field errors: the API names each field by a dotted path of the body ("reporter.phone") -- */

  function containerFor(form, field) {
    const containers = form.querySelectorAll("[data-field]");
    for (let i = 0; i < containers.length; i += 1) {
      if (containers[i].dataset.field.split(" ").indexOf(field) !== -1) return containers[i];
    }
    return null;
  }

  function controlsOf(container) {
    if (container.dataset.controls) {
      return container.dataset.controls.split(" ").map(function (id) {
        return document.getElementById(id);
      });
    }
    return Array.prototype.filter.call(
      container.querySelectorAll("input, select, textarea"),
      function (control) {
        return control.closest("[data-field]") === container;
      }
    );
  }

  function describe(element, errorId, add) {
    const ids = (element.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== errorId;
    });
    if (add) ids.push(errorId);
    if (ids.length) element.setAttribute("aria-describedby", ids.join(" "));
    else element.removeAttribute("aria-describedby");
  }

  function clearFieldErrors(form) {
    form.querySelectorAll("[data-field]").forEach(function (container) {
      const message = container.querySelector(":scope > .error");
      if (!message) return;
      message.hidden = true;
      message.textContent = "";
      container.classList.remove("invalid");
      describe(container, message.id, false);
      controlsOf(container).forEach(function (control) {
        control.removeAttribute("aria-invalid");
        describe(control, message.id, false);
      });
    });
  }

  /* Shows each detail beside its field. Returns the details whose field this page does not have,
     and for the others where they are shown: {unknown, shown: [{detail, container, control}]}. */
  function showFieldErrors(form, details) {
    const unknown = [];
    const shown = [];
    details.forEach(function (detail) {
      const container = detail.field ? containerFor(form, detail.field) : null;
      const message = container && container.querySelector(":scope > .error");
      if (!message) {
        unknown.push(detail);
        return;
      }
      message.textContent = message.hidden ? detail.message : message.textContent + " " + detail.message;
      message.hidden = false;
      container.classList.add("invalid");
      const controls = controlsOf(container);
      if (container.tagName === "FIELDSET") describe(container, message.id, true);
      controls.forEach(function (control) {
        control.setAttribute("aria-invalid", "true");
        if (container.tagName !== "FIELDSET") describe(control, message.id, true);
      });
      shown.push({ detail: detail, container: container, control: controls[0] || null });
    });
    return { unknown: unknown, shown: shown };
  }

  /* A detail of an API error as a line of a list: the field's path (for a field the page does not
     have), then the message. */
  function detailText(detail) {
    return (detail.field ? detail.field + ": " : "") + detail.message;
  }

  /* What the page calls a field: its label or legend, without "(optional)". */
  function fieldName(container) {
    const label = container.querySelector(":scope > label, :scope > legend");
    if (!label) return "";
    return (label.firstElementChild || label).textContent.trim();
  }

  function focusControl(control) {
    const target = control.closest("[data-field]") || control;
    control.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  }

  /* -- the page -- */

  function $(id) {
    return document.getElementById(id);
  }

  function setText(id, value) {
    $(id).textContent = value;
  }

  /* Focuses `element` and scrolls it to `block` ("start", "center", "nearest") in one move. */
  function focusInView(element, block) {
    element.focus({ preventScroll: true });
    element.scrollIntoView({ block: block });
  }

  /* Focuses the heading of a view that has just replaced another, from the top of the page. */
  function focusHeading(heading) {
    heading.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; getRandomValues does not.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* Upper case without spaces, hyphens, dots or slashes: how the API reads a typed tracking ID. */
  function canonicalTrackingId(text) {
    return text.replace(/[\s\-._/]/g, "").toUpperCase();
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-lang]");
    if (button) setLanguage(button.dataset.lang);
  });
  if (language !== "id") applyLanguage();

  // A moment in the reader's own zone, named as people say it (WIB, WITA, WIT): a deadline is a
  // moment, not a date. `short` for lists.
  function formatTime(iso, short) {
    const date = new Date(iso);
    if (isNaN(date.getTime())) return String(iso);
    const options = short
      ? { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" }
      : {
          weekday: "long",
          day: "numeric",
          month: "long",
          year: "numeric",
          hour: "2-digit",
          minute: "2-digit",
          timeZoneName: "short"
        };
    return new Intl.DateTimeFormat(locale(), options).format(date);
  }

  // "in 3 days", "2 hours ago": how near a deadline is, in words ("" where the browser cannot say).
  function relative(iso) {
    if (typeof Intl.RelativeTimeFormat !== "function") return "";
    const ms = new Date(iso).getTime() - Date.now();
    if (isNaN(ms)) return "";
    const hours = Math.round(ms / 3600000);
    const format = new Intl.RelativeTimeFormat(locale(), { numeric: "auto" });
    return Math.abs(hours) < 48 ? format.format(hours, "hour") : format.format(Math.round(hours / 24), "day");
  }

  function timeElement(iso, short) {
    const element = document.createElement("time");
    element.dateTime = iso;
    element.textContent = formatTime(iso, short);
    return element;
  }

  /* -- a complaint as the API shows it (GET /complaints/{id}, /ops/complaints...) -- */

  /* Which deadline runs: the API's clock.kind ("verification", "response", "reply_window") or,
     without a clock, the one the status implies; null when none does. */
  function deadlineKind(view) {
    if (view.clock && view.clock.kind) return view.clock.kind;
    if (view.status === "submitted" || view.status === "needs_triage") return "verification";
    if (view.status === "assigned" || view.status === "in_progress") return "response";
    if (view.status === "responded") return "reply_window";
    return null;
  }

  /* The deadline is stopped until the citizen answers a question. */
  function isPaused(view) {
    return view.status === "waiting_on_citizen" || Boolean(view.clock && view.clock.paused_at);
  }

  /* The deadline has passed and the complaint is still open (the API's `overdue` where it says). */
  function isOverdue(view) {
    if (typeof view.overdue === "boolean") return view.overdue;
    const due = new Date(view.due_at).getTime();
    return Boolean(view.due_at) && !isNaN(due) && due < Date.now() && OPEN_STATUSES.indexOf(view.status) !== -1;
  }

  /* Empties a deadline's cell and shows in it the moment the deadline falls, or why there is none
     (`pausedText` while the citizen is asked). True when a moment is shown, for the page to add
     how near it is. */
  function showDeadline(cell, view, pausedText) {
    cell.textContent = "";
    cell.classList.remove("overdue");
    if (!view.due_at) {
      cell.textContent = isPaused(view) ? pausedText : t("r.due.none");
      return false;
    }
    cell.append(timeElement(view.due_at));
    return true;
  }

  function escalationLevel(view) {
    return Math.max(0, Math.min(3, Number(view.escalation_level) || 0));
  }

  /* A code the API sends, as a part of a class name. */
  function classPart(value) {
    return String(value).replace(/[^a-z_]/g, "");
  }

  function badgeClass(status) {
    return "badge badge-" + classPart(status);
  }

  /* The events of a timeline, oldest first. */
  function chronological(timeline) {
    return (Array.isArray(timeline) ? timeline.slice() : []).sort(function (a, b) {
      return String(a.at).localeCompare(String(b.at));
    });
  }

  /* One event of a timeline: when, and `text` for what happened. */
  function timelineItem(event, text) {
    const item = document.createElement("li");
    item.className = "event-" + classPart(event.type);
    const what = document.createElement("p");
    what.textContent = text;
    item.append(timeElement(event.at), what);
    return item;
  }

  return {
    OPEN_STATUSES: OPEN_STATUSES,
    t: t,
    formatTime: formatTime,
    relative: relative,
    timeElement: timeElement,
    lang: function () {
      return language;
    },
    locale: locale,
    setLanguage: setLanguage,
    onLanguageChange: onLanguageChange,
    request: request,
    apiError: apiError,
    failureText: failureText,
    loadList: loadList,
    categoryName: categoryName,
    tabValue: tabValue,
    setTabValue: setTabValue,
    clearFieldErrors: clearFieldErrors,
    showFieldErrors: showFieldErrors,
    detailText: detailText,
    fieldName: fieldName,
    focusControl: focusControl,
    $: $,
    setText: setText,
    focusInView: focusInView,
    focusHeading: focusHeading,
    uuid: uuid,
    canonicalTrackingId: canonicalTrackingId,
    deadlineKind: deadlineKind,
    isPaused: isPaused,
    isOverdue: isOverdue,
    showDeadline: showDeadline,
    escalationLevel: escalationLevel,
    badgeClass: badgeClass,
    chronological: chronological,
    timelineItem: timelineItem
  };
})();
