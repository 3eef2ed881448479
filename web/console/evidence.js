/* Aduan console: a complaint's photos and documents. Thumbnails that open the full image, and the
   operator's own photos of the follow-up, sent as the citizen's are (evidence.js) through
   POST /ops/complaints/{id}/attachments with the operator's token. While the attachment worker
   checks them, only this part is read again; once it has, the whole complaint is shown anew (its
   timeline says what was added). */
"use strict";
window.AduanOps.evidence = (function () {
  const Aduan = window.Aduan;
  const { $ } = Aduan;
  const { session } = window.AduanOps;
  const shared = window.AduanEvidence;
  let shown = null; // the complaint whose photos are on screen
  let latest = null; // the last view read while waiting for the worker
  let complaintView = null; // {show(view)}: set by connect()
  const gallery = shared.gallery($("c-gallery"), read);
  const checks = shared.checker($("c-evidence-checking"), read, showChecking, function () {
    photos.forgetSent();
    if (complaintView && latest) complaintView.show(latest);
  });
  const photos = shared.uploader($("c-evidence-add"), function () {
    return shared.MAX_FILES - (shown ? Number(shown.attachments_count) || 0 : 0);
  });

  /* How the whole complaint is shown again once the worker has checked the files. */
  function connect(view) {
    complaintView = view;
  }

  async function read() {
    if (!shown) return null;
    const result = await session.call("GET", "/ops/complaints/" + encodeURIComponent(shown.tracking_id));
    const view = result && result.status === 200 ? result.data : null;
    return view && view.tracking_id === shown.tracking_id ? view : null;
  }

  function showChecking(view) {
    latest = view;
    renderPart(view);
    checks.seen(view);
  }

  function renderPart(view) {
    shown = view;
    const listed = Array.isArray(view.attachments) ? view.attachments : [];
    $("c-evidence-none").hidden = listed.length > 0;
    gallery.update({ attachments: listed });
    $("c-evidence-add").hidden = !Array.isArray(view.attachments) || view.status === "archived";
  }

  /* Puts a complaint's photos on screen (another complaint: what was chosen for the last goes). */
  function render(view) {
    if (shown && shown.tracking_id !== view.tracking_id) {
      checks.stop();
      photos.clear();
    }
    renderPart(view);
    checks.seen(view);
  }

  document.querySelector('#c-evidence-add [data-ev="send"]').addEventListener("click", function () {
    if (!shown) return;
    const path = "/ops/complaints/" + encodeURIComponent(shown.tracking_id) + "/attachments";
    const before = shared.settledCount(shown);
    let sent = 0;
    photos.send(
      function (body) {
        return session.call("POST", path, body);
      },
      function () {
        sent += 1;
        checks.expect(before + sent);
      }
    );
  });

  session.onEnd(function (how) {
    if (how === "signed-out") {
      checks.stop();
      photos.clear();
      shown = null;
    }
  });

  return { connect: connect, render: render };
})();
