/* Aduan console: the actions on a complaint. One button per entry of the API's allowed_actions
   and no others; a press for acknowledge, a small form for the rest; POST
   /ops/complaints/{id}/actions with the version shown; what the operator typed kept per complaint
   and action until it is sent (through a conflict, an ended session, a language switch). */
"use strict";
window.AduanOps.actions = (function () {
  const Aduan = window.Aduan;
  const { t, $ } = Aduan;
  const { page, reference, session, inbox } = window.AduanOps;
  const buttonsBox = $("action-buttons");
  const result = $("action-result");
  const problem = $("action-problem");
  let complaintView = null; // {show(view), reread(id) -> view or null}: set by connect()
  let shown = null; // the complaint the actions are for
  let busy = false; // an action is on its way
  // What the operator typed, per complaint and action. Never stored.
  let drafts = { owner: null, byComplaint: {} };

  /* How an action's outcome reaches the complaint view: `show(view)` puts the complaint the API
     returned on screen, `reread(id)` reads it again (resolving the view, or null). */
  function connect(view) {
    complaintView = view;
  }

  function buttons() {
    return Array.prototype.slice.call(buttonsBox.querySelectorAll("button[data-action]"));
  }

  function forms() {
    return Array.prototype.slice.call(document.querySelectorAll("form.action-form"));
  }

  function toggleOf(form) {
    return buttonsBox.querySelector('button[aria-controls="' + form.id + '"]');
  }

  function draftsOf(id) {
    if (!drafts.byComplaint[id]) drafts.byComplaint[id] = {};
    return drafts.byComplaint[id];
  }

  function collapse(form) {
    form.hidden = true;
    const toggle = toggleOf(form);
    if (toggle) toggle.setAttribute("aria-expanded", "false");
  }

  function expand(form) {
    forms().forEach(function (other) {
      if (other !== form) collapse(other);
    });
    form.hidden = false;
    const toggle = toggleOf(form);
    if (toggle) toggle.setAttribute("aria-expanded", "true");
    const first = form.querySelector("textarea, select, input") || form.querySelector('button[type="submit"]');
    first.focus();
  }

  /* The agencies a complaint can go to: the API has the last word (a 403 or 422 beside the list). */
  function candidates(action, view) {
    const me = session.me();
    const all = reference.agencies().filter(function (agency) {
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
        groups[parent].label = parent ? reference.agencyName(parent) : t("ops.agencies.other");
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

  /* The buttons and forms of what the API allows on `view` now, with what was typed for it. */
  function render(view) {
    shown = view;
    const allowed = Array.isArray(view.allowed_actions) ? view.allowed_actions : [];
    const saved = draftsOf(view.tracking_id);
    // Actions the page has no form for (added to the API later) still show, as plain buttons.
    buttons().forEach(function (button) {
      if (button.dataset.generic) button.remove();
    });
    const known = buttons().map(function (button) {
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
      button.textContent = page.actionLabel(action);
      buttonsBox.append(button);
    });
    buttons().forEach(function (button) {
      button.hidden = allowed.indexOf(button.dataset.action) === -1;
      button.setAttribute("aria-disabled", "false");
    });
    forms().forEach(function (form) {
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
    buttonsBox.hidden = allowed.length === 0;
  }

  /* Another complaint is opened: what was said about the last action goes. */
  function clearMessages() {
    result.textContent = "";
    problem.textContent = "";
  }

  function setBusy(on) {
    busy = on;
    buttons()
      .concat(Array.prototype.slice.call(document.querySelectorAll('form.action-form button[type="submit"]')))
      .forEach(function (button) {
        button.setAttribute("aria-disabled", String(on));
      });
    if (on) page.announce(t("ops.action.working"));
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
    if (busy || !shown) return;
    const view = shown;
    clearMessages();
    if (form) Aduan.clearFieldErrors(form);
    setBusy(true);
    const body = Object.assign({ action: action, version: view.version }, fields);
    const answer = await session.call("POST", "/ops/complaints/" + encodeURIComponent(view.tracking_id) + "/actions", body);
    setBusy(false);
    if (!answer) return;
    if (answer.status === 200 && answer.data && answer.data.tracking_id) {
      delete draftsOf(view.tracking_id)[action];
      if (form) withdrawConfirm(form);
      if (form) collapse(form);
      let after = answer.data;
      if (!Array.isArray(after.allowed_actions) || !Array.isArray(after.timeline)) {
        after = (await complaintView.reread(view.tracking_id)) || after; // a shorter answer: read it whole
      } else {
        complaintView.show(after);
      }
      inbox.updateRow(after);
      const changed = after.status !== view.status;
      result.textContent = changed
        ? t("ops.action.doneStatus", { action: page.actionLabel(action), status: page.statusText(after) })
        : t("ops.action.done", { action: page.actionLabel(action) });
      Aduan.focusInView(result, "nearest");
      return;
    }
    if (answer.status === 409) {
      // Someone else acted first. Show what is true now; what this operator typed stays.
      const fresh = await complaintView.reread(view.tracking_id);
      if (!fresh) return;
      const still = Array.isArray(fresh.allowed_actions) && fresh.allowed_actions.indexOf(action) !== -1;
      page.showProblem(t(still ? "ops.err.conflict" : "ops.err.conflictGone", { action: page.actionLabel(action) }), [], problem);
      return;
    }
    const error = Aduan.apiError(answer);
    const details = error && Array.isArray(error.details) ? error.details : [];
    const outcome = form ? Aduan.showFieldErrors(form, details) : { unknown: details, shown: [] };
    page.showProblem(page.failure(answer, t("ops.err.notFound")), outcome.unknown, problem);
    if (error && error.code === "text_held" && form) offerConfirm(form);
    if (outcome.shown.length && outcome.shown[0].control) outcome.shown[0].control.focus();
  }

  /* Words to a reporter who chose not to be known, held by the API (a link, a request for a NIK):
     the operator reads why under the text, and may tick this box to send them anyway. */
  function offerConfirm(form) {
    if (form.querySelector("[data-held]")) return;
    const label = document.createElement("label");
    label.dataset.held = "true";
    label.className = "confirm-held";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "confirm";
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + t("ops.action.confirmHeld")));
    form.insertBefore(label, form.querySelector(".form-buttons"));
  }

  function withdrawConfirm(form) {
    const held = form.querySelector("[data-held]");
    if (held) held.remove();
  }

  function keepDraft(form, event) {
    if (!shown || !event.target.name) return;
    const saved = draftsOf(shown.tracking_id);
    if (!saved[form.dataset.action]) saved[form.dataset.action] = {};
    saved[form.dataset.action][event.target.name] = event.target.value;
  }

  buttonsBox.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button || button.getAttribute("aria-disabled") === "true") return;
    if (button.dataset.direct) {
      act(button.dataset.action, {}, null);
      return;
    }
    const form = $("form-" + button.dataset.action);
    if (form.hidden) expand(form);
    else collapse(form);
  });

  forms().forEach(function (form) {
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
        if (control.type === "checkbox") {
          if (control.name && control.checked) fields[control.name] = true;
        } else if (control.name && control.value.trim()) {
          fields[control.name] = control.value.trim();
        }
      });
      act(form.dataset.action, fields, form);
    });
    form.addEventListener("input", function (event) {
      keepDraft(form, event);
    });
    form.addEventListener("change", function (event) {
      keepDraft(form, event);
    });
    form.querySelector("[data-cancel]").addEventListener("click", function () {
      collapse(form);
      const toggle = toggleOf(form);
      if (toggle) toggle.focus();
    });
  });

  // Drafts belong to the operator who typed them: kept when the session expires and the same
  // operator signs in again, forgotten on signing out or when someone else signs in.
  session.onSignIn(function (me) {
    if (drafts.owner !== me.username) drafts = { owner: me.username, byComplaint: {} };
  });
  session.onEnd(function (how) {
    shown = null;
    if (how === "signed-out") drafts = { owner: null, byComplaint: {} };
  });

  return { connect: connect, render: render, clearMessages: clearMessages };
})();
