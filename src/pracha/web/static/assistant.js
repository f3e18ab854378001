// The assistant's chat widget: sends the widget's form to POST /api/v1/assistant/messages and shows
// the answer with its links in an aria-live log. Without this script the form posts to /assistant.
(function () {
  "use strict";
  var form = document.getElementById("assistant-form");
  var log = document.getElementById("assistant-log");
  if (!form || !log || !window.fetch) { return; }
  var input = document.getElementById("assistant-text");
  var button = form.querySelector("button[type=submit]");
  var lang = document.documentElement.lang === "en" ? "en" : "th";
  var busy = lang === "en" ? "Thinking…" : "กำลังค้นหาคำตอบ…";
  var failed = lang === "en" ? "Sorry, something went wrong. Please try again." : "ขออภัย เกิดข้อผิดพลาด กรุณาลองอีกครั้ง";

  function add(kind, text) {
    var item = document.createElement("div");
    item.className = "assistant-msg " + kind;
    item.textContent = text;
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function links(item, list, asButtons) {
    if (!list || !list.length) { return; }
    var ul = document.createElement("ul");
    list.forEach(function (link) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = link.url;
      a.textContent = link.title;
      if (asButtons) { a.className = "button"; }
      li.appendChild(a);
      ul.appendChild(li);
    });
    item.appendChild(ul);
  }

  form.addEventListener("submit", function (event) {
    var text = input.value.trim();
    if (!text) { return; }
    event.preventDefault();
    add("user", text);
    input.value = "";
    button.disabled = true;
    var pending = add("bot", busy);
    fetch("/api/v1/assistant/messages", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept-Language": lang,
        "X-CSRF-Token": form.elements.csrf_token.value
      },
      body: JSON.stringify({ text: text, conversation_id: form.elements.conversation_id.value || null })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) { pending.textContent = result.body.message || failed; return; }
      form.elements.conversation_id.value = result.body.conversation_id;
      pending.textContent = result.body.reply;
      links(pending, result.body.sources, false);
      links(pending, result.body.actions, true);
    }).catch(function () {
      pending.textContent = failed;
    }).then(function () {
      button.disabled = false;
      input.focus();
    });
  });
}());
