/* Passkeys (WebAuthn) for Pracha: buttons marked data-passkey="signin" or "register".
   Without JavaScript the buttons stay hidden or do nothing; password sign-in always works. */
(function () {
  "use strict";
  function enc(buffer) {
    var bytes = new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function dec(value) {
    var text = atob(value.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    return bytes.buffer;
  }
  function post(url, csrf, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json"},
      body: JSON.stringify(body || {})}).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      });
  }
  function fail(error) {
    var status = document.getElementById("passkey-status");
    if (status) { status.textContent = status.getAttribute("data-failed"); }
    if (window.console) { console.warn(error); }
  }
  function signin(button) {
    var csrf = button.getAttribute("data-csrf");
    return post("/passkeys/options", csrf).then(function (options) {
      options.challenge = dec(options.challenge);
      (options.allowCredentials || []).forEach(function (c) { c.id = dec(c.id); });
      return navigator.credentials.get({publicKey: options});
    }).then(function (cred) {
      var r = cred.response;
      return post("/passkeys/verify", csrf, {id: cred.id, rawId: enc(cred.rawId), type: cred.type,
        response: {clientDataJSON: enc(r.clientDataJSON), authenticatorData: enc(r.authenticatorData),
                   signature: enc(r.signature), userHandle: r.userHandle ? enc(r.userHandle) : null},
        clientExtensionResults: cred.getClientExtensionResults()});
    }).then(function (result) {
      if (button.getAttribute("data-next")) { window.location.assign(button.getAttribute("data-next")); return; }
      var form = document.getElementById(button.getAttribute("data-form"));
      form.querySelector("input[name=csrf_token]").value = result.csrf_token;
      form.submit();
    });
  }
  function register(button) {
    var csrf = button.getAttribute("data-csrf");
    return post("/me/passkeys/options", csrf).then(function (options) {
      options.challenge = dec(options.challenge);
      options.user.id = dec(options.user.id);
      (options.excludeCredentials || []).forEach(function (c) { c.id = dec(c.id); });
      return navigator.credentials.create({publicKey: options});
    }).then(function (cred) {
      var r = cred.response, name = document.getElementById("field-passkey_name");
      return post("/me/passkeys", csrf, {name: name ? name.value : "", credential: {id: cred.id,
        rawId: enc(cred.rawId), type: cred.type, clientExtensionResults: cred.getClientExtensionResults(),
        response: {clientDataJSON: enc(r.clientDataJSON), attestationObject: enc(r.attestationObject),
                   transports: r.getTransports ? r.getTransports() : []}}});
    }).then(function () { window.location.reload(); });
  }
  document.querySelectorAll("button[data-passkey]").forEach(function (button) {
    if (!window.PublicKeyCredential) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var run = button.getAttribute("data-passkey") === "register" ? register : signin;
      run(button).catch(fail);
    });
  });
}());
