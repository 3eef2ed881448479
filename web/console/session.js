/* Aduan console: the operator's session. Signing in (POST /ops/session, then GET /ops/me), the
   token kept in the tab's sessionStorage (gone when the tab closes), every /ops call with
   "Authorization: Bearer <token>", the sign-in form again when it ends, and signing out. */
"use strict";
window.AduanOps.session = (function () {
  const Aduan = window.Aduan;
  const { t, $ } = Aduan;
  const { page } = window.AduanOps;
  const SESSION_KEY = "aduan.ops.session";
  const form = $("signin-form");
  const signInListeners = [];
  const endListeners = [];
  let session = storedSession(); // {token, expires_at}
  let me = null; // GET /ops/me
  let signingIn = false;

  function storedSession() {
    const stored = Aduan.tabValue(SESSION_KEY);
    return stored && typeof stored.token === "string" && stored.expires_at > Date.now() ? stored : null;
  }

  function keep(value) {
    session = value;
    Aduan.setTabValue(SESSION_KEY, value);
  }

  /* `listener(me)` runs each time an operator is signed in (and known by GET /ops/me). */
  function onSignIn(listener) {
    signInListeners.push(listener);
  }

  /* `listener(how)` runs when the session ends: "expired" (a 401, or a token past its time: what
     was typed stays for the same operator) or "signed-out" (everything is forgotten). */
  function onEnd(listener) {
    endListeners.push(listener);
  }

  function end(how) {
    keep(null);
    endListeners.forEach(function (listener) {
      listener(how);
    });
  }

  /* A call with the operator's token. Resolves {status, data}, or null when the session ended
     (a 401, or a token past its time): the sign-in form is then on screen. */
  async function call(method, path, json) {
    if (!session || session.expires_at <= Date.now()) {
      expired();
      return null;
    }
    const result = await Aduan.request(method, path, {
      json: json,
      headers: { Authorization: "Bearer " + session.token }
    });
    if (result.status === 401) {
      expired();
      return null;
    }
    return result;
  }

  function expired() {
    end("expired");
    showSignin();
    page.showProblem(t("ops.err.session"));
  }

  function showSignin() {
    me = null;
    $("ops-user").hidden = true;
    document.title = t("ops.pageTitle");
    page.show("signin");
    Aduan.focusHeading($("signin-title"));
  }

  function renderMe() {
    if (!me) return;
    const who = $("ops-who");
    who.textContent = "";
    const name = document.createElement("strong");
    name.textContent = me.username;
    who.append(name, " · " + page.roleName(me.role));
    if (me.agency_name || me.agency_id) who.append(" · " + (me.agency_name || me.agency_id));
    $("ops-user").hidden = false;
  }

  /* Who the token belongs to (GET /ops/me); then the sign-in listeners run. */
  async function confirm() {
    const result = await call("GET", "/ops/me");
    if (!result) return;
    if (result.status !== 200 || !result.data) {
      showSignin();
      page.showProblem(page.failure(result));
      return;
    }
    me = result.data;
    renderMe();
    signInListeners.forEach(function (listener) {
      listener(me);
    });
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (signingIn) return;
    Aduan.clearFieldErrors(form);
    page.clearProblem();
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    const missing = [];
    if (!username) missing.push({ field: "username", message: t("ops.err.required") });
    if (!password) missing.push({ field: "password", message: t("ops.err.required") });
    if (missing.length) {
      Aduan.showFieldErrors(form, missing);
      $(missing[0].field).focus();
      return;
    }
    signingIn = true;
    $("signin-submit").setAttribute("aria-disabled", "true");
    $("signin-status").textContent = t("ops.signin.working");
    const result = await Aduan.request("POST", "/ops/session", { json: { username: username, password: password } });
    signingIn = false;
    $("signin-submit").setAttribute("aria-disabled", "false");
    $("signin-status").textContent = "";
    if (result.status === 200 && result.data && result.data.token) {
      form.elements.password.value = "";
      const seconds = Number(result.data.expires_in) || 3600;
      // A minute early: a request sent at the last second would fail on the way.
      keep({ token: result.data.token, expires_at: Date.now() + (seconds - 60) * 1000 });
      await confirm();
      return;
    }
    if (result.status === 401) {
      page.showProblem(t("ops.err.signin"));
      return;
    }
    const error = Aduan.apiError(result);
    const details = error && Array.isArray(error.details) ? error.details : [];
    const outcome = Aduan.showFieldErrors(form, details);
    page.showProblem(page.failure(result), outcome.unknown);
  });

  $("sign-out").addEventListener("click", function () {
    end("signed-out");
    history.replaceState(null, "", "/ops.html");
    showSignin();
    page.announce(t("ops.signedOut"));
  });

  Aduan.onLanguageChange(function () {
    renderMe();
    if (!session) document.title = t("ops.pageTitle");
  });

  /* Confirms the session this tab kept (then the sign-in listeners run), or asks to sign in. */
  function start() {
    if (session) confirm();
    else showSignin();
  }

  return {
    signedIn: function () {
      return session !== null;
    },
    me: function () {
      return me;
    },
    call: call,
    showSignin: showSignin,
    onSignIn: onSignIn,
    onEnd: onEnd,
    start: start
  };
})();
