/* Aduan: the operators' console (ops.html). Sign in, the inbox, one complaint with its whole
   timeline, and the actions the API allows on it now, as buttons. The same API as any other
   client: POST /ops/session for a token, then /ops/* with "Authorization: Bearer <token>".
   The API decides what is allowed (allowed_actions); the console only shows it.

   Each part is a file of web/console/ (docs/web.md), loaded before this one; this file routes the
   address to a view and starts. */
"use strict";
(function () {
  const ops = window.AduanOps;

  /* #/c/<tracking_id> is a complaint, anything else the inbox; both need a signed-in operator. */
  function route() {
    ops.page.clearProblem();
    if (!ops.session.signedIn()) {
      ops.session.showSignin();
      return;
    }
    const match = /^#\/c\/([A-Za-z0-9]{1,24})$/.exec(window.location.hash);
    if (match) ops.complaint.open(window.Aduan.canonicalTrackingId(match[1]), { focus: true });
    else ops.inbox.show();
  }

  ops.actions.connect({ show: ops.complaint.render, reread: ops.complaint.open });
  ops.evidence.connect({ show: ops.complaint.render });
  ops.session.onSignIn(route);
  window.addEventListener("hashchange", route);
  ops.session.start();
})();
