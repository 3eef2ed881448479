/* Aduan: evidence, photos and PDFs, on every page that shows or takes them (the report form, the
   tracking page, the operators' console), so that there is one way to upload and one way to show.

   An upload goes in two steps (docs/api.md, "Photos and documents"): the page asks the API for a
   form (POST .../attachments with {filename, content_type, size}: an S3 presigned POST, valid 15
   minutes), then posts the form's fields and the file straight to the bucket, with
   XMLHttpRequest for its progress. The attachment worker checks the file afterwards; a view shows
   it once checked. Links to stored files are valid 5 minutes: a link older than that is read again
   before it is opened. Loaded after app.js. */
"use strict";
window.AduanEvidence = (function () {
  const Aduan = window.Aduan;
  const t = Aduan.t;
  // What the API takes (DESIGN §4.1): checked here first, so that a phone does not send 10 MB to
  // hear no. The API and the bucket's policy check again.
  const TYPES = ["image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"];
  const MAX_BYTES = 10 * 1024 * 1024;
  const MAX_FILES = 5;
  // A phone may name a type otherwise, or not at all (HEIC often comes without one).
  const ALIASES = { "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/heif": "image/heic" };
  const EXTENSIONS = {
    jpg: "image/jpeg",
    jpeg: "image/jpeg",
    png: "image/png",
    webp: "image/webp",
    heic: "image/heic",
    heif: "image/heic",
    pdf: "application/pdf"
  };
  const FORM_MARGIN_MS = 60000; // a form this close to its end is not used: ask for a new one
  const STALL_MS = 60000; // an upload that moves no byte for this long has stalled: Retry
  const LINK_FRESH_MS = 4 * 60000; // links are valid 5 minutes; read again after 4
  const CHECK_EVERY_MS = 3000; // how often a page reads the view again while files are checked
  const CHECK_TRIES = 40; // two minutes: then the page says to look again later
  const FAILURE_KEYS = { network: "ev.err.network", busy: "err.busy", server: "ev.err.server" };
  let sendingNow = 0; // uploaders sending on this page: leaving it would cut their files off

  window.addEventListener("beforeunload", function (event) {
    if (sendingNow > 0) {
      event.preventDefault();
      event.returnValue = ""; // the browser's own "leave the page?"
    }
  });

  /* -- one file -- */

  /* The type the API is asked for: the browser's, or from the name's extension; null if not taken. */
  function contentType(file) {
    const given = String(file.type || "").toLowerCase();
    const type = ALIASES[given] || given;
    if (TYPES.indexOf(type) !== -1) return type;
    if (type && type !== "application/octet-stream") return null;
    const extension = /\.([a-z0-9]+)$/i.exec(file.name || "");
    return (extension && EXTENSIONS[extension[1].toLowerCase()]) || null;
  }

  /* "2,4 MB", "350 KB": a size as people read it, in the page's language, rounded up (a file a
     byte over 10 MB is "10,1 MB", not "10 MB"). */
  function sizeText(bytes) {
    const format = function (value, digits) {
      return new Intl.NumberFormat(Aduan.locale(), { maximumFractionDigits: digits }).format(value);
    };
    if (bytes >= 1024 * 1024) return format(Math.ceil((bytes / (1024 * 1024)) * 10) / 10, 1) + " MB";
    return format(Math.max(1, Math.ceil(bytes / 1024)), 0) + " KB";
  }

  /* Why a file cannot be sent, in the reader's words, or null. */
  function refusal(file) {
    if (!contentType(file)) return t("ev.err.type", { name: file.name });
    if (file.size > MAX_BYTES) return t("ev.err.size", { name: file.name, size: sizeText(file.size) });
    if (file.size < 1) return t("ev.err.empty", { name: file.name });
    return null;
  }

  /* The file's name as the API takes it: no control or bidi characters, at most 255 characters.
     The API never stores it; the page never needs it after the upload. */
  function cleanName(name) {
    const clean = Array.from(String(name).replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ""))
      .slice(-255)
      .join("")
      .trim();
    return /[^\s\u200b-\u200f\u2060\ufeff]/.test(clean) ? clean : "berkas";
  }

  /* -- uploads -- */

  /* The error of an API answer or a bucket's, as a sentence for the file's line. */
  function answerText(result) {
    const failed = Aduan.failureText(result, FAILURE_KEYS);
    if (failed) return failed;
    const error = Aduan.apiError(result);
    const details = Array.isArray(error.details) ? error.details : [];
    const said = details.map(function (detail) {
      return detail.message;
    });
    if (result.status === 404) return t("ev.err.notFound");
    return said.length ? said.join(" ") : error.message || t("ev.err.server");
  }

  /* Posts the form's fields, then the file, to the bucket. Resolves the HTTP status (0: the
     connection failed or stalled); `progress(fraction)` as bytes go. */
  function post(upload, file, progress) {
    return new Promise(function (resolve) {
      const body = new FormData();
      Object.keys(upload.fields).forEach(function (name) {
        body.append(name, upload.fields[name]);
      });
      body.append("file", file); // last: S3 ignores any field after the file
      const xhr = new XMLHttpRequest();
      let stall = null;
      let finished = false;
      const watch = function () {
        clearTimeout(stall);
        stall = setTimeout(function () {
          xhr.abort();
        }, STALL_MS);
      };
      const done = function (status) {
        if (finished) return;
        finished = true;
        clearTimeout(stall);
        resolve(status);
      };
      xhr.upload.addEventListener("progress", function (event) {
        watch();
        if (event.lengthComputable && event.total > 0) progress(event.loaded / event.total);
      });
      xhr.addEventListener("load", function () {
        done(xhr.status);
      });
      ["error", "abort", "timeout"].forEach(function (name) {
        xhr.addEventListener(name, function () {
          done(0);
        });
      });
      try {
        xhr.open("POST", upload.url);
        watch();
        xhr.send(body);
      } catch (error) {
        done(0); // a URL the browser will not post to
      }
    });
  }

  /* The files a person chooses and their uploads: `root` holds the parts the page's HTML gives
     (data-ev="files", "camera", "list", "error", "status", and "send" if the page has its own
     button). `room()`, if given, says how many more files the complaint takes. */
  function uploader(root, room) {
    const part = function (name) {
      return root.querySelector('[data-ev="' + name + '"]');
    };
    const inputs = [part("files"), part("camera")].filter(Boolean);
    const list = part("list");
    const errorBox = part("error");
    const status = part("status");
    const home = list.parentNode;
    // {file, type, state, fraction, upload, message, row, ask, sent}: `ask` and `sent` are those
    // of the send() that took the file, so that a retry goes to the same complaint.
    let items = [];
    let waiting = []; // the files to send, in turn
    let pumping = false; // a file is on its way
    let generation = 0; // clear() starts a new one: the sending of the files it forgot stops

    function free() {
      const taken = items.filter(function (item) {
        return item.state !== "refused";
      }).length;
      const left = typeof room === "function" ? room() : MAX_FILES;
      return Math.max(0, Math.min(MAX_FILES, left) - taken);
    }

    function say(message) {
      // Cleared first, so that the same words said twice are announced twice.
      status.textContent = "";
      setTimeout(function () {
        status.textContent = message;
      }, 50);
    }

    function showErrors(messages) {
      errorBox.textContent = messages.join(" ");
      errorBox.hidden = messages.length === 0;
    }

    function choose(files) {
      const problems = [];
      Array.prototype.forEach.call(files, function (file) {
        const why = refusal(file);
        if (why) problems.push(why);
        else if (free() < 1) problems.push(t("ev.err.count", { n: MAX_FILES }));
        else items.push({ file: file, type: contentType(file), state: "chosen" });
      });
      showErrors(problems.filter(function (message, index) {
        return problems.indexOf(message) === index;
      }));
      render();
      if (files.length && !problems.length) say(t("ev.chosen", { n: items.length }));
    }

    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        choose(input.files);
        input.value = ""; // the same file may be chosen again after removing it
      });
    });

    function stateText(item) {
      if (item.state === "chosen") return "";
      if (item.state === "waiting") return t("ev.waiting");
      if (item.state === "asking") return t("ev.asking");
      if (item.state === "sending") return t("ev.sending", { pct: Math.round((item.fraction || 0) * 100) });
      if (item.state === "sent") return t("ev.sent");
      return item.message || t("ev.failed");
    }

    function button(className, key, name, onClick) {
      const element = document.createElement("button");
      element.type = "button";
      element.className = className;
      element.textContent = t(key);
      element.setAttribute("aria-label", t(key) + " " + name);
      element.addEventListener("click", onClick);
      return element;
    }

    function row(item) {
      const entry = document.createElement("li");
      entry.className = "ev-item ev-" + item.state;
      entry.tabIndex = -1; // focus stays on the line when its button goes
      const name = document.createElement("p");
      name.className = "ev-name";
      name.textContent = item.file.name;
      const meta = document.createElement("p");
      meta.className = "ev-meta";
      meta.textContent = sizeText(item.file.size);
      const state = document.createElement("span");
      state.className = "ev-state";
      state.textContent = stateText(item);
      if (state.textContent) meta.append(" · ", state);
      entry.append(name, meta);
      if (["waiting", "asking", "sending", "sent"].indexOf(item.state) !== -1) {
        const bar = document.createElement("progress");
        bar.max = 100;
        bar.value = item.state === "sent" ? 100 : Math.round((item.fraction || 0) * 100);
        bar.setAttribute("aria-label", t("ev.progress", { name: item.file.name }));
        entry.append(bar);
      }
      const actions = document.createElement("div");
      actions.className = "ev-actions";
      if (item.state === "failed") {
        actions.append(button("primary", "ev.retry", item.file.name, function () {
          retry(item);
        }));
      }
      if (["chosen", "failed", "refused"].indexOf(item.state) !== -1) {
        actions.append(button("secondary", "ev.remove", item.file.name, function () {
          remove(item);
        }));
      }
      if (actions.childNodes.length) entry.append(actions);
      item.row = entry;
      return entry;
    }

    function render() {
      list.textContent = "";
      items.forEach(function (item) {
        list.append(row(item));
      });
      list.hidden = items.length === 0;
      inputs.forEach(function (input) {
        input.disabled = free() < 1;
      });
      const sendButton = part("send");
      if (sendButton) sendButton.hidden = !chosen().length;
    }

    /* Only the line of one file: the rest of the list stays as it is (and so does the focus). */
    function update(item) {
      const old = item.row;
      if (!old || old.parentNode !== list) return render();
      const bar = old.querySelector("progress");
      if (item.state === "sending" && old.classList.contains("ev-sending") && bar) {
        bar.value = Math.round((item.fraction || 0) * 100);
        old.querySelector(".ev-state").textContent = stateText(item);
        return;
      }
      const focused = old.contains(document.activeElement);
      const fresh = row(item);
      list.replaceChild(fresh, old);
      if (focused) (fresh.querySelector("button") || fresh).focus();
    }

    function remove(item) {
      items = items.filter(function (other) {
        return other !== item;
      });
      render();
      say(t("ev.removed", { name: item.file.name }));
      (inputs[0] || list).focus();
    }

    function chosen() {
      return items.filter(function (item) {
        return item.state === "chosen";
      });
    }

    /* One file: a form (unless the last one is still good), then the bucket. True when sent. */
    async function sendOne(item) {
      if (!item.upload || Date.parse(item.upload.expires_at) - Date.now() < FORM_MARGIN_MS) {
        item.upload = null;
        item.state = "asking";
        update(item);
        const result = await item.ask({ filename: cleanName(item.file.name), content_type: item.type, size: item.file.size });
        const data = result && result.data;
        if (!result || result.status !== 201 || !data || !data.upload) {
          // The API's no (a wrong code, no room left, a type or size it refuses, an archived
          // report, today's forms used up) is not retried; a lost connection, a busy server, a
          // throttle or a conflict is.
          const error = result && Aduan.apiError(result);
          const code = error ? error.code : "";
          const final =
            result !== null &&
            ([400, 403, 404, 413, 415, 422].indexOf(result.status) !== -1 ||
              (result.status === 409 && code === "invalid_transition") ||
              (result.status === 429 && code === "rate_limited"));
          item.state = final ? "refused" : "failed";
          item.message = result ? answerText(result) : t("ev.err.session");
          update(item);
          return false;
        }
        item.upload = { url: data.upload.url, fields: data.upload.fields, expires_at: data.expires_at };
      }
      item.state = "sending";
      item.fraction = 0;
      update(item);
      say(t("ev.sendingOne", { name: item.file.name }));
      const answer = await post(item.upload, item.file, function (fraction) {
        item.fraction = fraction;
        update(item);
      });
      if (answer >= 200 && answer < 300) {
        item.state = "sent";
        item.upload = null;
        update(item);
        if (typeof item.sent === "function") item.sent();
        return true;
      }
      // The bucket refused the form itself (expired, or a clock that is wrong): the next try asks
      // for a new one. A lost connection or a bucket in trouble keeps it, and its place.
      const refused = answer >= 400 && answer < 500;
      if (refused) item.upload = null;
      item.state = "failed";
      item.message = t(answer === 0 ? "ev.err.network" : refused ? "ev.err.upload" : "ev.err.storage");
      update(item);
      return false;
    }

    /* Sends the files waiting, one at a time (on a slow connection each arrives sooner), then
       says how it went. A file chosen or retried meanwhile joins the line. */
    async function pump() {
      if (pumping) return;
      pumping = true;
      sendingNow += 1;
      const mine = generation;
      let tried = 0;
      let done = 0;
      let last = null;
      while (waiting.length && generation === mine) {
        last = waiting.shift();
        tried += 1;
        if (await sendOne(last)) done += 1;
      }
      sendingNow -= 1;
      if (generation !== mine) return; // cleared meanwhile: nothing left to say
      pumping = false;
      if (tried === 1) say(t(done ? "ev.sent.one" : "ev.failed.one", { name: last.file.name }));
      else say(done < tried ? t("ev.someFailed", { sent: done, n: tried }) : t("ev.allSent", { n: done }));
    }

    function enqueue(item) {
      item.state = "waiting";
      waiting.push(item);
    }

    function retry(item) {
      enqueue(item);
      update(item);
      pump();
    }

    /* Sends every file chosen. `ask(body)` asks the API for a form and resolves {status, data}, or
       null when it could not ask; `sent()` runs after each upload the bucket took, a retry's too. */
    function send(ask, sent) {
      const chosenNow = chosen();
      if (!chosenNow.length) return;
      showErrors([]);
      chosenNow.forEach(function (item) {
        item.ask = ask;
        item.sent = sent;
        enqueue(item);
      });
      render();
      pump();
    }

    /* Forgets the files the bucket took (once the view shows them) and those refused for good. */
    function forgetSent() {
      items = items.filter(function (item) {
        return item.state !== "sent" && item.state !== "refused";
      });
      render();
    }

    /* Moves the list and its announcements into `container` (null: back where the HTML put them). */
    function place(container) {
      const target = container || home;
      target.append(list, status);
    }

    function clear() {
      generation += 1;
      pumping = false;
      waiting = [];
      items = [];
      showErrors([]);
      status.textContent = "";
      render();
    }

    Aduan.onLanguageChange(render);
    render();
    return {
      chosen: function () {
        return chosen().length;
      },
      send: send,
      forgetSent: forgetSent,
      place: place,
      clear: clear
    };
  }

  /* -- showing what a complaint holds -- */

  /* Files checked, and files refused, so far: the number that grows once per upload the worker
     has seen (the view lists added files; a refusal is an event of the timeline). */
  function settledCount(view) {
    const added = Array.isArray(view.attachments) ? view.attachments.length : Number(view.attachments_count) || 0;
    const refused = (Array.isArray(view.timeline) ? view.timeline : []).filter(function (event) {
      return event.type === "attachment_rejected";
    }).length;
    return added + refused;
  }

  /* Waits for the worker to check what was sent: `expect(n)` once the view shows `n` settled files
     (settledCount), and every view the page shows passes `seen(view)`. Meanwhile the view is read
     again every few seconds (`read()` resolves it or null; `show(view)` puts it on screen, which
     calls seen) and `status` says how many are being checked; `settled()` runs when all are. */
  function checker(status, read, show, settled) {
    let target = 0;
    let tries = 0;
    let timer = null;
    let last = null;

    function stop() {
      clearTimeout(timer);
      target = 0;
    }

    function seen(view) {
      last = view;
      if (!target) return;
      const left = target - settledCount(view);
      clearTimeout(timer);
      if (left <= 0) {
        stop();
        status.textContent = t("ev.checked");
        if (typeof settled === "function") settled();
        return;
      }
      if (tries >= CHECK_TRIES) {
        stop();
        status.textContent = t("ev.checkLater");
        return;
      }
      status.textContent = t("ev.checking", { n: left });
      timer = setTimeout(async function () {
        tries += 1;
        const fresh = await read();
        if (fresh) show(fresh);
        else seen(last);
      }, CHECK_EVERY_MS);
    }

    function expect(n) {
      target = Math.max(target, n);
      tries = 0;
      if (last) seen(last);
    }

    return {
      expect: expect,
      seen: seen,
      stop: function () {
        stop();
        last = null;
        status.textContent = "";
      }
    };
  }

  let viewer = null; // the overlay for a full image, one per page

  function overlay() {
    if (viewer) return viewer;
    const dialog = document.createElement("dialog");
    dialog.className = "ev-viewer";
    dialog.setAttribute("aria-labelledby", "ev-viewer-title");
    const bar = document.createElement("div");
    bar.className = "ev-viewer-bar";
    const title = document.createElement("h2");
    title.id = "ev-viewer-title";
    const open = document.createElement("a");
    open.target = "_blank";
    open.rel = "noopener";
    open.dataset.i18n = "ev.openTab";
    open.textContent = t("ev.openTab");
    const close = document.createElement("button");
    close.type = "button";
    close.className = "secondary";
    close.dataset.i18n = "ev.close";
    close.textContent = t("ev.close");
    close.addEventListener("click", function () {
      dialog.close();
    });
    const image = document.createElement("img");
    image.className = "ev-full";
    const note = document.createElement("p");
    note.className = "status";
    note.setAttribute("role", "status");
    bar.append(title, close);
    dialog.append(bar, note, image, open);
    document.body.append(dialog);
    viewer = { dialog: dialog, title: title, image: image, open: open, note: note, back: null };
    image.addEventListener("load", function () {
      note.textContent = "";
    });
    image.addEventListener("error", function () {
      if (image.getAttribute("src")) note.textContent = t("ev.err.image");
    });
    dialog.addEventListener("close", function () {
      image.removeAttribute("src");
      if (viewer.back && document.contains(viewer.back)) viewer.back.focus();
    });
    return viewer;
  }

  /* The attachments of a view as thumbnails in `container` (a PDF as a labelled link); each opens
     the full file. `refresh()` reads the view again and resolves it (or null): a link older than
     four minutes is renewed before it is opened. Returns {update(view)}. */
  function gallery(container, refresh) {
    let attachments = [];
    let readAt = 0;

    function label(attachment, index) {
      const kind = attachment.content_type === "application/pdf" ? "ev.pdf" : "ev.photo";
      return t(kind, { n: index + 1, total: attachments.length });
    }

    async function fresh(attachmentId) {
      if (Date.now() - readAt > LINK_FRESH_MS && typeof refresh === "function") {
        const view = await refresh();
        if (view) update(view);
      }
      return attachments.filter(function (attachment) {
        return attachment.attachment_id === attachmentId;
      })[0];
    }

    async function openFull(event, attachmentId, index, link) {
      const pdf = link.dataset.pdf === "true";
      const canShow = typeof HTMLDialogElement === "function";
      const stale = Date.now() - readAt > LINK_FRESH_MS;
      if (pdf && !stale) return; // the link is good: the browser opens it in a new tab
      if (!pdf && !canShow && !stale) return;
      event.preventDefault();
      const tab = pdf || !canShow ? window.open("", "_blank") : null; // opened now, while the tap counts
      const attachment = await fresh(attachmentId);
      if (!attachment) {
        if (tab) tab.close();
        return;
      }
      if (tab) {
        tab.opener = null;
        tab.location.href = attachment.url;
        return;
      }
      const shown = overlay();
      shown.back = link;
      shown.title.textContent = label(attachment, index);
      shown.note.textContent = t("ev.loadingImage");
      shown.image.alt = label(attachment, index);
      shown.image.src = attachment.url;
      shown.open.href = attachment.url;
      if (!shown.dialog.open) shown.dialog.showModal();
    }

    function item(attachment, index) {
      const entry = document.createElement("li");
      const link = document.createElement("a");
      link.href = attachment.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.dataset.id = attachment.attachment_id;
      link.className = "ev-thumb";
      if (attachment.content_type === "application/pdf" || !attachment.thumbnail_url) {
        link.dataset.pdf = "true";
        link.classList.add("ev-doc");
        link.textContent = label(attachment, index);
      } else {
        const image = document.createElement("img");
        image.src = attachment.thumbnail_url;
        image.alt = label(attachment, index);
        link.append(image);
      }
      link.addEventListener("click", function (event) {
        openFull(event, attachment.attachment_id, index, link);
      });
      entry.append(link);
      return entry;
    }

    /* Shows the view's attachments: new ones added, gone ones removed; those already shown keep
       their thumbnail (loaded once) and take the new link. */
    function update(view) {
      readAt = Date.now();
      const next = Array.isArray(view.attachments) ? view.attachments : [];
      const same =
        next.length === attachments.length &&
        next.every(function (attachment, index) {
          return attachment.attachment_id === attachments[index].attachment_id;
        });
      attachments = next;
      if (same) {
        container.querySelectorAll("a.ev-thumb").forEach(function (link, index) {
          link.href = attachments[index].url;
        });
        return;
      }
      container.textContent = "";
      attachments.forEach(function (attachment, index) {
        container.append(item(attachment, index));
      });
      container.hidden = attachments.length === 0;
    }

    Aduan.onLanguageChange(function () {
      container.querySelectorAll("a.ev-thumb").forEach(function (link, index) {
        const text = label(attachments[index], index);
        const image = link.querySelector("img");
        if (image) image.alt = text;
        else link.textContent = text;
      });
    });

    return { update: update };
  }

  /* "2 photos or documents": what the public view says (a count, never a link). */
  function countText(n) {
    if (!n) return t("ev.count.none");
    return t(n === 1 ? "ev.count.one" : "ev.count", { n: n });
  }

  return {
    MAX_FILES: MAX_FILES,
    uploader: uploader,
    settledCount: settledCount,
    checker: checker,
    gallery: gallery,
    countText: countText
  };
})();
