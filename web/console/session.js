/* Aduan console: the operator's session. Signing in (POST /ops/session, then GET /ops/me), with
   the steps the API may ask for first (POST /ops/session/challenge: a new operator's own password,
   the authenticator app's code; POST /ops/session/mfa: setting up two-step sign-in), the token kept
   in the tab's sessionStorage (gone when the tab closes), every /ops call with
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
  let step = null; // {username, session}: the sign-in step on screen (never stored)
  let offer = null; // {username, session}: two-step sign-in offered to a signed-in operator
  const STEP_FORMS = ["newpw-form", "code-form", "mfa-form"];

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
    showStep(null);
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
    $("mfa-offer").hidden = offer === null;
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
    form.elements.password.value = result.status === 200 ? "" : form.elements.password.value;
    await next(result, username, form);
  });

  /* What an answer of a sign-in step leads to: the token (then GET /ops/me), the next step's form,
     or the problem said on the form it answers. */
  async function next(result, username, on) {
    const data = result.data || {};
    if (result.status === 200 && data.token) {
      showStep(null);
      const seconds = Number(data.expires_in) || 3600;
      // A minute early: a request sent at the last second would fail on the way.
      keep({ token: data.token, expires_at: Date.now() + (seconds - 60) * 1000 });
      offer = data.mfa_offered ? { username: username, session: data.session } : null;
      await confirm();
      return;
    }
    if (result.status === 200 && data.challenge === "sign_in") {
      showStep(null);
      $("password").focus();
      page.announce(t("ops.mfa.done"));
      $("signin-status").textContent = t("ops.mfa.done");
      return;
    }
    if (result.status === 200 && data.challenge === "mfa_setup") {
      await setUp({ username: username, session: data.session });
      return;
    }
    if (result.status === 200 && data.challenge) {
      step = { username: username, session: data.session };
      showStep(data.challenge === "new_password" ? "newpw-form" : "code-form");
      return;
    }
    if (result.status === 401) {
      showStep(null);
      page.showProblem(t(on === form ? "ops.err.signin" : "ops.err.step"));
      return;
    }
    const error = Aduan.apiError(result);
    const details = error && Array.isArray(error.details) ? error.details : [];
    const outcome = Aduan.showFieldErrors(on, details);
    page.showProblem(page.failure(result), outcome.unknown);
  }

  /* One form of the sign-in on screen (null: the username and password). */
  function showStep(id) {
    form.hidden = id !== null;
    STEP_FORMS.forEach(function (other) {
      const stepForm = $(other);
      stepForm.hidden = other !== id;
      if (other !== id) {
        stepForm.reset();
        Aduan.clearFieldErrors(stepForm);
      }
    });
    if (id === null) step = null;
    else $(id).querySelector("input").focus();
  }

  /* The TOTP secret of an enrolment, shown as a key in groups of four and as an otpauth:// link. */
  async function setUp(enrolment) {
    const result = await Aduan.request("POST", "/ops/session/mfa", { json: enrolment });
    if (result.status !== 200 || !result.data) {
      await next(result, enrolment.username, form);
      return;
    }
    step = enrolment;
    if (me) page.show("signin"); // an operator who took the offer
    $("mfa-secret").textContent = result.data.secret.match(/.{1,4}/g).join(" ");
    $("mfa-link").href = result.data.otpauth_uri;
    showStep("mfa-form");
  }

  STEP_FORMS.forEach(function (id) {
    const stepForm = $(id);
    stepForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (signingIn || !step) return;
      Aduan.clearFieldErrors(stepForm);
      page.clearProblem();
      const name = id === "newpw-form" ? "new_password" : "code";
      const value = stepForm.elements[name].value.trim();
      if (!value) {
        Aduan.showFieldErrors(stepForm, [{ field: name, message: t("ops.err.required") }]);
        stepForm.elements[name].focus();
        return;
      }
      signingIn = true;
      const body = { username: step.username, session: step.session };
      body[name] = name === "code" ? value.replace(/\s+/g, "") : stepForm.elements[name].value;
      const result = await Aduan.request("POST", "/ops/session/challenge", { json: body });
      signingIn = false;
      if (me && result.status === 200 && result.data && result.data.challenge === "sign_in") {
        offer = null; // the signed-in operator stays signed in
        $("mfa-offer").hidden = true;
        showStep(null);
        page.announce(t("ops.mfa.on"));
        await confirm();
        return;
      }
      await next(result, step.username, stepForm);
    });
  });

  $("mfa-offer").addEventListener("click", function () {
    if (offer) setUp(offer);
  });

  $("sign-out").addEventListener("click", function () {
    offer = null;
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
