/* Aduan: the report form (index.html). POST /complaints, then the receipt, then the photos chosen
   on the form, one by one (evidence.js): the report is filed whatever happens to them. */
"use strict";
(function () {
  const Aduan = window.Aduan;
  const t = Aduan.t;
  const form = document.getElementById("report-form");
  const report = document.getElementById("report");
  const summary = document.getElementById("error-summary");
  const status = document.getElementById("form-status");
  const submitButton = document.getElementById("submit");
  const description = document.getElementById("description");
  const counter = document.getElementById("description-count");
  const categorySelect = document.getElementById("category");
  const receipt = document.getElementById("receipt");
  const geo = { box: document.getElementById("geo"), coords: null };
  const evidence = window.AduanEvidence;
  const photos = evidence.uploader(document.getElementById("evidence"));
  let categories = [];
  let sending = false;
  // The Idempotency-Key of the last submission and the body it carried: sending the same body
  // again (a double click, a retry after a lost connection) reuses the key, so the API files the
  // report once and answers the retry with the same receipt.
  let attempt = null;

  function value(name) {
    return form.elements[name].value.trim();
  }

  function readForm() {
    const body = {
      title: value("title"),
      description: value("description"),
      classification: form.elements.classification.value,
      privacy: form.elements.privacy.value,
      language: Aduan.lang()
    };
    if (value("category")) body.category = value("category");
    if (value("incident_date")) body.incident_date = value("incident_date");
    const location = {};
    if (value("region_code")) location.region_code = value("region_code");
    if (value("address")) location.address = value("address");
    if (geo.coords) {
      location.lat = geo.coords.lat;
      location.lon = geo.coords.lon;
    }
    if (Object.keys(location).length) body.location = location;
    const reporter = {};
    ["name", "phone", "email"].forEach(function (name) {
      if (value(name)) reporter[name] = value(name);
    });
    body.reporter = reporter; // always sent: the API says when neither phone nor email is given
    return body;
  }

  function setSending(on) {
    sending = on;
    submitButton.setAttribute("aria-disabled", String(on));
    status.textContent = on ? t("sending") : "";
  }

  function clearProblems() {
    Aduan.clearFieldErrors(form);
    summary.textContent = "";
  }

  /* The summary at the top: the API's message, then each problem; a problem with a field on this
     page links to it, one without (a field this page does not know) names the field. */
  function showSummary(message, details, shown) {
    const heading = document.createElement("h2");
    heading.textContent = t("summary.title");
    const lead = document.createElement("p");
    lead.textContent = message;
    summary.textContent = "";
    summary.append(heading, lead);
    if (details.length) {
      const list = document.createElement("ul");
      details.forEach(function (detail) {
        const item = document.createElement("li");
        const match = shown.filter(function (entry) {
          return entry.detail === detail;
        })[0];
        if (match && match.control) {
          const link = document.createElement("a");
          link.href = "#" + match.control.id;
          const name = Aduan.fieldName(match.container);
          link.textContent = name ? name + ": " + detail.message : detail.message;
          link.addEventListener("click", function (event) {
            event.preventDefault();
            Aduan.focusControl(match.control);
          });
          item.append(link);
        } else {
          item.textContent = Aduan.detailText(detail);
        }
        list.append(item);
      });
      summary.append(list);
    }
    Aduan.focusInView(summary, "start");
  }

  function showProblem(result) {
    const failed = Aduan.failureText(result);
    if (failed) return showSummary(failed, [], []);
    const error = Aduan.apiError(result);
    // 400, 413, 415, 422: the API's message and details are already in the reader's language.
    const details = Array.isArray(error.details) ? error.details : [];
    const outcome = Aduan.showFieldErrors(form, details);
    const message = details.length ? t("summary.fix") : error.message;
    showSummary(message || t("err.server"), details, outcome.shown);
  }

  function showReceipt(data) {
    document.getElementById("receipt-id").textContent = data.tracking_id_display || data.tracking_id;
    document.getElementById("receipt-code").textContent = data.access_code;
    document.getElementById("receipt-track").href = "/track.html?id=" + encodeURIComponent(data.tracking_id);
    // The tracking page of this tab fills the code in (a confidential report needs it); never in a
    // URL. Where storage is refused the citizen types it.
    Aduan.setTabValue("aduan.code." + data.tracking_id, data.access_code);
    report.hidden = true;
    receipt.hidden = false;
    Aduan.focusHeading(document.getElementById("receipt-title"));
    sendPhotos(data.tracking_id, data.access_code);
  }

  /* The photos chosen on the form, now that the report has its tracking ID and access code. Each
     one the bucket takes is counted in the tab, so that the tracking page waits for its check. */
  function sendPhotos(trackingId, code) {
    if (!photos.chosen()) return;
    photos.place(document.getElementById("receipt-uploads"));
    const path = "/complaints/" + encodeURIComponent(trackingId) + "/attachments";
    const key = "aduan.evidence." + trackingId;
    photos.send(
      function (body) {
        return Aduan.request("POST", path, { json: body, headers: { "X-Access-Code": code } });
      },
      function () {
        Aduan.setTabValue(key, (Number(Aduan.tabValue(key)) || 0) + 1);
      }
    );
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (sending) return; // a second click while the first is on its way
    clearProblems();
    const body = readForm();
    const serialized = JSON.stringify(body);
    if (!attempt || attempt.body !== serialized) attempt = { key: Aduan.uuid(), body: serialized };
    setSending(true);
    const result = await Aduan.request("POST", "/complaints", {
      json: body,
      headers: { "Idempotency-Key": attempt.key }
    });
    setSending(false);
    if ((result.status === 201 || result.status === 200) && result.data && result.data.tracking_id) {
      attempt = null;
      showReceipt(result.data);
    } else {
      showProblem(result);
    }
  });

  document.getElementById("receipt-new").addEventListener("click", function () {
    form.reset();
    removeLocation();
    clearProblems();
    photos.clear();
    photos.place(null);
    updateCounter();
    receipt.hidden = true;
    report.hidden = false;
    document.getElementById("title").focus();
  });

  /* -- description counter -- */

  function updateCounter() {
    const format = new Intl.NumberFormat(Aduan.locale());
    counter.textContent = t("f.counter", { n: format.format(description.value.length), max: format.format(4000) });
  }
  description.addEventListener("input", updateCounter);

  /* -- categories from the API, named in the page's language -- */

  function renderCategories() {
    const chosen = categorySelect.value;
    while (categorySelect.options.length > 1) categorySelect.remove(1);
    categories.forEach(function (category) {
      categorySelect.add(new Option(Aduan.categoryName(category), category.code));
    });
    categorySelect.value = chosen;
  }

  async function loadCategories() {
    const list = await Aduan.loadList("/categories", "categories");
    if (list) {
      categories = list;
      renderCategories();
    } // otherwise the system classifies the report: "let the system choose" is always there
  }

  function renderRegions() {
    document.querySelectorAll("#region option[data-kab], #region option[data-kota]").forEach(function (option) {
      option.textContent = option.dataset.kab
        ? t("region.kab", { name: option.dataset.kab })
        : t("region.kota", { name: option.dataset.kota });
    });
  }

  /* -- the citizen's position, if they want to give it -- */

  function removeLocation() {
    geo.coords = null;
    document.getElementById("geo-status").textContent = "";
    document.getElementById("geo-remove").hidden = true;
    document.getElementById("geo-add").hidden = false;
  }

  function showLocation() {
    document.getElementById("geo-status").textContent = geo.coords
      ? t("geo.added", { lat: geo.coords.lat, lon: geo.coords.lon })
      : "";
  }

  if ("geolocation" in navigator) {
    geo.box.hidden = false;
    document.getElementById("geo-add").addEventListener("click", function () {
      const geoStatus = document.getElementById("geo-status");
      geoStatus.textContent = t("geo.working");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          const round = function (x) {
            return Math.round(x * 1e5) / 1e5; // about a metre: enough to find a pothole
          };
          geo.coords = { lat: round(position.coords.latitude), lon: round(position.coords.longitude) };
          showLocation();
          document.getElementById("geo-add").hidden = true;
          const remove = document.getElementById("geo-remove");
          remove.hidden = false;
          remove.focus();
        },
        function () {
          geoStatus.textContent = t("geo.failed");
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 }
      );
    });
    document.getElementById("geo-remove").addEventListener("click", function () {
      removeLocation();
      document.getElementById("geo-add").focus();
    });
  }

  /* -- set-up -- */

  function today() {
    const now = new Date();
    const pad = function (n) {
      return String(n).padStart(2, "0");
    };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function relabel() {
    renderRegions();
    renderCategories();
    updateCounter();
    showLocation();
  }

  document.getElementById("incident-date").max = today();
  Aduan.onLanguageChange(relabel);
  relabel();
  loadCategories();
})();
