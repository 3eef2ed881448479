/* Aduan console: what its views share: one view on screen at a time, words for a screen reader,
   the problem box at the top, the words for a failed call, and the console's small labels. */
"use strict";
window.AduanOps = {};
window.AduanOps.page = (function () {
  const Aduan = window.Aduan;
  const t = Aduan.t;
  const views = { signin: Aduan.$("signin"), inbox: Aduan.$("inbox"), complaint: Aduan.$("complaint") };
  const live = Aduan.$("ops-live");
  const problemBox = Aduan.$("ops-problem");
  // The console's words for a call that failed as a whole: no "send the report again" in them.
  const FAILURE_KEYS = { network: "ops.err.network", server: "ops.err.server" };

  function show(name) {
    Object.keys(views).forEach(function (key) {
      views[key].hidden = key !== name;
    });
  }

  function showing(name) {
    return !views[name].hidden;
  }

  function announce(message) {
    // Cleared first, so that the same words said twice are announced twice.
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = message;
    }, 50);
  }

  /* A problem that is not about one field, in `box` (the top of the page unless another is given),
     with the details the form could not show beside a field. */
  function showProblem(message, details, box) {
    const target = box || problemBox;
    target.textContent = "";
    const lead = document.createElement("p");
    lead.textContent = message;
    target.append(lead);
    if (details && details.length) {
      const items = document.createElement("ul");
      details.forEach(function (detail) {
        const item = document.createElement("li");
        item.textContent = Aduan.detailText(detail);
        items.append(item);
      });
      target.append(items);
    }
    Aduan.focusInView(target, "nearest");
  }

  function clearProblem() {
    problemBox.textContent = "";
  }

  /* The words for a failed call that is not about one field; `notFound` for a 404 if given. */
  function failure(result, notFound) {
    if (result.status === 404 && notFound) return notFound;
    const error = Aduan.apiError(result);
    return Aduan.failureText(result, FAILURE_KEYS) || error.message || t("ops.err.server");
  }

  /* A key's text, or `fallback` when the console has no such key (a code the API added later). */
  function known(key, fallback) {
    return t(key) === key ? fallback : t(key);
  }

  function roleName(role) {
    return known("ops.role." + role, role);
  }

  function actionLabel(action) {
    return known("ops.a." + action, action);
  }

  /* The console's own words for a status (the API's status_text speaks to the citizen: "from you"),
     the same words as the inbox's status filter; the API's text for a status the page does not know. */
  function statusText(view) {
    return known("ops.st." + view.status, view.status_text || view.status);
  }

  function tag(className, text) {
    const element = document.createElement("span");
    element.className = "tag " + className;
    element.textContent = text;
    return element;
  }

  return {
    show: show,
    showing: showing,
    announce: announce,
    showProblem: showProblem,
    clearProblem: clearProblem,
    failure: failure,
    known: known,
    roleName: roleName,
    actionLabel: actionLabel,
    statusText: statusText,
    tag: tag
  };
})();
