/* Aduan console: a complaint's timeline. Every event, oldest first, with who acted and the text of
   a response, question, reply or return; the events the citizen does not see marked "Internal";
   notification deliveries (one per attempt) behind a checkbox with their count. */
"use strict";
window.AduanOps.timeline = (function () {
  const Aduan = window.Aduan;
  const { t, $ } = Aduan;
  const { page, reference } = window.AduanOps;
  const deliveriesBox = $("show-deliveries");
  let shown = null; // the complaint whose timeline is on screen

  function actorText(actor) {
    if (!actor || !actor.role) return "";
    const parts = [page.roleName(actor.role)];
    if (actor.agency_id) parts.push(reference.agencyName(actor.agency_id));
    if (actor.user_id) parts.push(actor.user_id);
    return parts.join(" · ");
  }

  /* What was written with the event: a response, a question, the citizen's reply, a return's reason. */
  function writtenText(event) {
    const data = event.data || {};
    if (typeof data.response === "string") return data.response;
    if (typeof data.question === "string") return data.question;
    if (typeof data.text === "string") return data.text;
    if (typeof data.reason === "string" && event.type === "returned") return data.reason;
    return "";
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
      channel: page.known("ops.channel." + data.channel, String(data.channel || "")),
      recipient: agency ? reference.agencyName(agency[1]) : page.known("ops.recipient." + recipient, recipient),
      outcome: page.known("ops.delivery." + (cut === -1 ? raw : raw.slice(0, cut)).trim(), raw) + reason
    });
  }

  /* The API's text; the console's own for an internal event the API has no words for. */
  function eventText(event) {
    if (event.text && event.text !== event.type) return event.text;
    return page.known("ops.ev." + event.type, event.text || event.type);
  }

  function eventItem(event) {
    const delivery = event.type === "notification";
    const item = Aduan.timelineItem(event, delivery ? deliveryText(event.data || {}) : eventText(event));
    if (event.public === false) item.classList.add("internal");
    const written = writtenText(event);
    if (written) {
      const quote = document.createElement("blockquote");
      quote.className = "event-text";
      quote.textContent = written;
      item.append(quote);
    }
    const who = actorText(event.actor);
    const meta = document.createElement("p");
    meta.className = "event-meta";
    if (who) meta.append(who);
    if (event.public === false) {
      if (who) meta.append(" ");
      meta.append(page.tag("tag-internal", t("ops.internal")));
    }
    if (meta.childNodes.length) item.append(meta);
    return item;
  }

  function render(view) {
    shown = view;
    const timeline = $("c-timeline");
    const events = Aduan.chronological(view.timeline);
    const deliveries = events.filter(function (event) {
      return event.type === "notification";
    }).length;
    deliveriesBox.parentNode.hidden = deliveries === 0;
    Aduan.setText("show-deliveries-label", t("ops.deliveries", { n: deliveries }));
    timeline.textContent = "";
    events.forEach(function (event) {
      if (event.type === "notification" && !deliveriesBox.checked) return;
      timeline.append(eventItem(event));
    });
  }

  deliveriesBox.addEventListener("change", function () {
    if (shown) render(shown);
  });

  return { render: render };
})();
