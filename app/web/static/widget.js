/*
 * Threshold Guide chat widget. One file, no framework, no build step.
 *
 *   <script src="https://HOST/widget.js" data-title="Threshold Guide" data-accent="#1f4e79" async></script>
 *
 * Adds a launcher button and a chat panel inside a shadow root, so the host page's CSS cannot reach
 * them and theirs cannot reach the page. data-mode="page" shows the chat full-screen (the /embed page).
 * The API is the origin this script was loaded from. Nothing is kept in cookies; the conversation id
 * lives in sessionStorage (this tab only) and "Start again / clear" deletes it on the server too.
 * Every piece of text is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.customElements === undefined) return;
  var API = new URL(script.src, location.href).origin;
  var TITLE = script.getAttribute("data-title") || "Threshold Guide";
  var MODE = script.getAttribute("data-mode") === "page" ? "page" : "launcher";
  var DEFAULT_ACCENT = "#1f4e79";
  var ACCENT = accessibleAccent(script.getAttribute("data-accent"));
  var KEY = "threshold-guide:" + API;
  // The chat reads up to MAX_TEXT characters. The box has no maxlength (a paste is never cut silently): a
  // counter appears from COUNTER_FROM, and beyond the limit it says so and the text is not sent.
  var MAX_TEXT = 20000;
  var COUNTER_FROM = 15000;
  // A long paste is shown shortened in the conversation (start and end, the rest behind "Show all").
  var LONG_ECHO = 800;
  var KINDS = ["text", "question", "outcome", "alert", "act_now", "evidence", "recorded"];
  var PREFIX = { alert: "Urgent: ", act_now: "Act now: " };

  // --- Colour: the accent is the background of white text, so it must reach 4.5:1 (WCAG AA). ----------
  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function accessibleAccent(value) {
    var hex = (value || "").trim().toLowerCase();
    if (/^#[0-9a-f]{3}$/.test(hex)) hex = "#" + hex[1] + hex[1] + hex[2] + hex[2] + hex[3] + hex[3];
    if (!/^#[0-9a-f]{6}$/.test(hex)) return DEFAULT_ACCENT;
    var contrastWithWhite = 1.05 / (luminance(hex) + 0.05);
    return contrastWithWhite >= 4.5 ? hex : DEFAULT_ACCENT;
  }

  // --- Styles: a constructed stylesheet, which a strict style-src CSP on the host page allows. Sizes are
  // in em from `medium` (the reader's own default size, scaled by zoom), not rem: a host page's root size
  // must not shrink the guide. ---------------------------------------------------------------------------
  var CSS = [
    ":host{all:initial;display:block;position:fixed;right:1em;bottom:1em;z-index:2147483000;",
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;font-size:medium;line-height:1.5;color:#1a1a1a}",
    ":host([data-mode=page]){position:static;right:auto;bottom:auto;height:100%;min-height:100vh}",
    "*,*::before,*::after{box-sizing:border-box}",
    "[hidden]{display:none!important}",
    ".visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}",
    "button,textarea{font:inherit;color:inherit}",
    "button{cursor:pointer;border-radius:.5em;min-height:2.75em;padding:.5em .875em;border:2px solid var(--accent);background:#fff;color:var(--accent);font-weight:600;text-align:left}",
    "button,a{-webkit-tap-highlight-color:transparent}",
    "button.primary{background:var(--accent);color:#fff}",
    "button[disabled]{cursor:default;opacity:1;border-color:#767676;color:#595959;background:#f3f3f3}",
    ":focus-visible{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 5px #fff}",
    ".launcher{display:inline-flex;align-items:center;gap:.5em;background:var(--accent);color:#fff;border-color:#fff;",
    "border-radius:2em;padding:.75em 1.25em;box-shadow:0 2px 8px rgba(0,0,0,.35)}",
    ".panel{display:flex;flex-direction:column;width:min(27em,calc(100vw - 2em));height:min(42em,calc(100vh - 2em));",
    "background:#fff;border:1px solid #767676;border-radius:.75em;box-shadow:0 6px 24px rgba(0,0,0,.3);overflow:hidden}",
    ":host([data-mode=page]) .panel{width:100%;height:100vh;max-width:none;border:0;border-radius:0;box-shadow:none}",
    ".bar{display:flex;flex-wrap:wrap;align-items:center;gap:.5em;padding:.625em .75em;background:var(--accent);color:#fff}",
    ".bar h2{flex:1 1 6em;margin:0;font-size:1.125em;line-height:1.3}",
    ".bar button{min-height:2.25em;padding:.25em .625em;font-size:.9375em;background:#fff;color:var(--accent);border-color:#fff}",
    ".bar :focus-visible{outline-color:#fff;box-shadow:0 0 0 5px #1a1a1a}",
    ".safety{margin:0;padding:.5em .75em;background:#fff4e5;border-bottom:1px solid #b35c00;font-size:.9375em}",
    ".log{position:relative;flex:1 1 auto;overflow-y:auto;padding:.75em;display:flex;flex-direction:column;gap:.75em;background:#fafafa}",
    ".msg{max-width:95%;padding:.625em .875em;border-radius:.75em;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".msg.bot{align-self:flex-start;background:#fff;border:1px solid #c4c4c4}",
    ".msg.user{align-self:flex-end;background:var(--accent);color:#fff}",
    ".msg.alert{align-self:stretch;max-width:none;background:#fdecea;border:2px solid #a4161a;color:#5c0b0e;font-weight:600}",
    ".msg.act_now{align-self:stretch;max-width:none;background:#fdecea;border:4px solid #a4161a;color:#5c0b0e;",
    "box-shadow:0 0 0 3px #fff,0 0 0 5px #a4161a}",
    ".msg.act_now .headline{display:block;font-size:1.25em;margin-bottom:.25em}",
    ".msg.outcome{align-self:stretch;max-width:none;border:2px solid var(--accent)}",
    ".msg.evidence{align-self:stretch;max-width:none}",
    ".msg.recorded{background:#eaf4ec;border-color:#2e6b3a;color:#1d4425}",
    ".headline{font-size:1.125em}",
    ".calls{display:flex;flex-wrap:wrap;gap:.5em;margin-top:.625em;white-space:normal}",
    "a.call{display:inline-flex;align-items:center;min-height:2.75em;padding:.5em .875em;border-radius:.5em;",
    "background:#a4161a;color:#fff;font-weight:700;text-decoration:none;border:2px solid #a4161a}",
    // Outside alerts the numbers are a compact list: still easy to tap, without pushing the sections out of view.
    ".msg.outcome .calls,.msg.text .calls,.msg.question .calls{flex-direction:column;gap:.375em}",
    ".msg.outcome a.call,.msg.text a.call,.msg.question a.call{background:#fff;color:var(--accent);border-color:var(--accent);",
    "font-weight:600;font-size:.9375em;padding:.375em .75em;min-height:2.75em}",
    "a.call:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}",
    "details{margin-top:.5em;border-top:1px solid #c4c4c4;padding-top:.375em;white-space:normal}",
    "summary{cursor:pointer;font-weight:600;color:#0b4f8a;min-height:2.75em;display:flex;align-items:center}",
    "summary:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}",
    ".section-text{margin:.25em 0 .5em;white-space:pre-wrap}",
    ".evidence-list{list-style:none;margin:.625em 0 0;padding:0;display:flex;flex-direction:column;gap:.5em;white-space:normal}",
    ".evidence-list li{display:flex;flex-wrap:wrap;align-items:center;gap:.25em .75em;padding:.5em .625em;border:1px solid #c4c4c4;border-radius:.5em;background:#fafafa}",
    ".evidence-list .label{flex:1 1 12em;font-weight:600}",
    ".evidence-list .matched{flex:1 1 100%;color:#3d3d3d;font-size:.9375em}",
    ".evidence-list li.removed{opacity:.75;text-decoration:line-through}",
    ".long-echo details{border-top-color:rgba(255,255,255,.6)}",
    ".long-echo summary{color:#fff}",
    ".long-echo summary:focus-visible{outline-color:#fff}",
    ".msg.error{background:#fdecea;border-color:#a4161a}",
    ".msg:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}",
    ".choices,.tools{display:flex;flex-wrap:wrap;gap:.5em;margin-top:.625em;white-space:normal}",
    ".links{margin:.625em 0 0;padding-left:1.25em;white-space:normal}",
    "a{color:#0b4f8a;text-decoration:underline}",
    "a:focus-visible{outline:3px solid #1a1a1a}",
    ".status{padding:0 .75em;min-height:0;font-size:.9375em}",
    ".typing{align-self:flex-start;color:#595959;font-style:italic}",
    "form{display:flex;gap:.5em;padding:.625em .75em;border-top:1px solid #c4c4c4;background:#fff;align-items:flex-end}",
    "textarea{flex:1 1 auto;min-height:2.75em;max-height:8em;resize:vertical;padding:.5em;border:2px solid #595959;border-radius:.5em;background:#fff}",
    "textarea[aria-invalid=true]{border-color:#a4161a}",
    ".counter{margin:0;padding:.25em .75em 0;font-size:.9375em;background:#fff;color:#3d3d3d}",
    ".counter.over{color:#a4161a;font-weight:600}",
    // Hover only where there is a real pointer: on a touch screen :hover sticks to the tapped choice.
    "@media (hover:hover){button:hover{background:#eef2f7}button.primary:hover,.launcher:hover{background:var(--accent);text-decoration:underline}",
    ".bar button:hover{background:#eef2f7}}",
    // Phones: the open panel fills the screen and its header stays on one line.
    "@media (max-width:480px){:host(:not([data-mode=page])) .panel{position:fixed;top:0;left:0;width:100vw;height:100vh;height:100dvh;",
    "border:0;border-radius:0;box-shadow:none}",
    ".bar{flex-wrap:nowrap;gap:.375em;padding:.5em}",
    ".bar h2{flex:1 1 auto;min-width:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-size:1em}",
    ".bar button{flex:none;padding:.25em .5em}",
    ".wide{display:none}",
    ".safety{font-size:.875em;padding:.375em .625em}",
    ".log{padding:.5em}.msg{max-width:100%}}",
    "@media (prefers-reduced-motion:no-preference){.panel{animation:rise .18s ease-out}.msg{animation:fade .2s ease-out}",
    "@keyframes rise{from{transform:translateY(.5em);opacity:0}to{transform:none;opacity:1}}",
    "@keyframes fade{from{opacity:0}to{opacity:1}}}",
    "@media print{.launcher,form,.tools,.choices{display:none!important}}",
  ].join("\n");

  function applyStyles(root) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      var style = document.createElement("style");
      style.textContent = CSS;
      root.appendChild(style);
    }
  }

  // --- Small DOM helpers: text only, never markup. -------------------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function safeUrl(raw) {
    try {
      var url = new URL(raw, API);
      if (url.protocol === "https:" || url.origin === API) return url.href;
    } catch (e) {
      /* not a URL: dropped */
    }
    return null;
  }

  var store = {
    get: function (name) {
      try {
        return window.sessionStorage.getItem(KEY + ":" + name);
      } catch (e) {
        return null;
      }
    },
    set: function (name, value) {
      try {
        if (value === null) window.sessionStorage.removeItem(KEY + ":" + name);
        else window.sessionStorage.setItem(KEY + ":" + name, value);
      } catch (e) {
        /* storage blocked: the conversation simply does not survive a reload */
      }
    },
  };

  // --- The element. -------------------------------------------------------------------------------------
  function ThresholdGuide() {
    return Reflect.construct(HTMLElement, [], ThresholdGuide);
  }
  ThresholdGuide.prototype = Object.create(HTMLElement.prototype);
  ThresholdGuide.prototype.constructor = ThresholdGuide;
  Object.setPrototypeOf(ThresholdGuide, HTMLElement);

  ThresholdGuide.prototype.connectedCallback = function () {
    if (this._built) return;
    this._built = true;
    this._busy = false;
    this.setAttribute("data-mode", MODE);
    this.style.setProperty("--accent", ACCENT);
    var root = this.attachShadow({ mode: "open" });
    applyStyles(root);
    this._root = root;

    this._launcher = el("button", {
      type: "button",
      class: "launcher",
      "aria-label": "Open threshold guide",
      "aria-expanded": "false",
      "aria-controls": "tg-panel",
    });
    this._launcher.appendChild(el("span", { "aria-hidden": "true" }, "?"));
    this._launcher.appendChild(el("span", {}, TITLE));

    var panel = el("section", { id: "tg-panel", class: "panel", role: "dialog", "aria-labelledby": "tg-title" });
    // A div, not <header>: inside the dialog a banner landmark would clash with the host page's own.
    var header = el("div", { class: "bar" });
    header.appendChild(el("h2", { id: "tg-title" }, TITLE));
    // On a phone the button reads "Start again" so that the header fits on one line.
    this._clear = el("button", { type: "button", class: "clear" }, "Start again");
    this._clear.appendChild(el("span", { class: "wide" }, " / clear"));
    header.appendChild(this._clear);
    this._close = el("button", { type: "button", class: "close", "aria-label": "Close" }, "Close");
    header.appendChild(this._close);
    panel.appendChild(header);
    panel.appendChild(
      el("p", { class: "safety" }, "If a child is in immediate danger, call 999. This guide supports your judgement; it does not replace it.")
    );
    this._log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
    panel.appendChild(this._log);
    this._status = el("div", { class: "status", role: "status" });
    panel.appendChild(this._status);
    var form = el("form", { "aria-label": "Send a message" });
    var label = el("label", { for: "tg-input", class: "visually-hidden" }, "Type your answer, question or description");
    this._input = el("textarea", {
      id: "tg-input",
      rows: "2",
      placeholder: "Type here (no names, please)",
      autocomplete: "off",
      "aria-describedby": "tg-count",
    });
    this._send = el("button", { type: "submit", class: "primary" }, "Send");
    form.appendChild(label);
    form.appendChild(this._input);
    form.appendChild(this._send);
    this._counter = el("p", { id: "tg-count", class: "counter", hidden: "" });
    panel.appendChild(this._counter);
    panel.appendChild(form);
    this._panel = panel;

    root.appendChild(this._launcher);
    root.appendChild(panel);

    var self = this;
    this._launcher.addEventListener("click", function () {
      self.open(true);
    });
    this._close.addEventListener("click", function () {
      self.close();
    });
    this._clear.addEventListener("click", function () {
      self.clear();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.sendText();
    });
    this._input.addEventListener("input", function () {
      self.updateCounter();
    });
    this._input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        self.sendText();
      }
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && MODE !== "page") {
        event.preventDefault();
        self.close();
      }
    });

    if (MODE === "page") {
      this._launcher.hidden = true;
      this._close.hidden = true;
      panel.setAttribute("aria-label", TITLE);
      panel.removeAttribute("role");
      this.open(false);
    } else {
      panel.hidden = true;
      if (store.get("open") === "1") this.open(false); // reopened after a reload; focus is not taken
    }
  };

  ThresholdGuide.prototype.open = function (moveFocus) {
    this._panel.hidden = false;
    this._launcher.hidden = true;
    this._launcher.setAttribute("aria-expanded", "true");
    if (MODE !== "page") store.set("open", "1");
    if (!this._started) {
      this._started = true;
      this.post({}, null);
    }
    if (moveFocus) {
      // On a touch screen, focusing the text box would open the keyboard over the first message: focus the
      // conversation instead (still inside the panel, for screen readers).
      if (window.matchMedia && window.matchMedia("(pointer: coarse)").matches) this._log.focus();
      else this._input.focus();
    }
  };

  ThresholdGuide.prototype.close = function () {
    this._panel.hidden = true;
    this._launcher.hidden = false;
    this._launcher.setAttribute("aria-expanded", "false");
    store.set("open", null);
    this._launcher.focus();
  };

  ThresholdGuide.prototype.clear = function () {
    var id = store.get("session");
    store.set("session", null);
    if (id) {
      fetch(API + "/api/v1/chat/" + encodeURIComponent(id), { method: "DELETE", credentials: "omit" }).catch(
        function () {}
      );
    }
    this._log.textContent = "";
    this._status.textContent = "Cleared. Starting again.";
    this.post({}, null);
    this._input.focus();
  };

  function count(n) {
    return n.toLocaleString("en-GB");
  }

  // Silent while the text is short; from COUNTER_FROM it shows the count, and past MAX_TEXT it says so.
  ThresholdGuide.prototype.updateCounter = function () {
    var length = this._input.value.length;
    var over = length > MAX_TEXT;
    this._counter.hidden = length < COUNTER_FROM;
    this._counter.classList.toggle("over", over);
    this._counter.textContent = over
      ? count(length) + " characters: " + count(length - MAX_TEXT) + " over the " + count(MAX_TEXT) +
        " limit. Shorten it to send it; nothing has been cut."
      : count(length) + " of " + count(MAX_TEXT) + " characters";
    if (over) this._input.setAttribute("aria-invalid", "true");
    else this._input.removeAttribute("aria-invalid");
  };

  ThresholdGuide.prototype.sendText = function () {
    var text = this._input.value.trim();
    if (!text || this._busy) return;
    if (text.length > MAX_TEXT) {
      this.updateCounter();
      this._status.textContent =
        "Not sent: that is " + count(text.length) + " characters and the guide reads up to " + count(MAX_TEXT) +
        ". Shorten it (the most recent entries matter most) and send again.";
      return;
    }
    this._input.value = "";
    this.updateCounter();
    this.post({ text: text }, text);
  };

  ThresholdGuide.prototype.choose = function (button) {
    if (this._busy) return;
    this.post({ payload: button.payload }, button.title, true);
  };

  ThresholdGuide.prototype.addUserMessage = function (text) {
    var node = el("div", { class: "msg user" });
    node.appendChild(el("span", { class: "visually-hidden" }, "You: "));
    if (text.length <= LONG_ECHO) {
      node.appendChild(document.createTextNode(text));
    } else {
      // A long paste: its start and end, and the whole of it one tap away. All of it was sent.
      node.classList.add("long-echo");
      node.appendChild(document.createTextNode(text.slice(0, 240) + " … " + text.slice(-240)));
      var all = el("details");
      all.appendChild(el("summary", {}, "Show all " + count(text.length) + " characters sent"));
      all.appendChild(el("div", { class: "section-text" }, text));
      node.appendChild(all);
    }
    this._log.appendChild(node);
  };

  ThresholdGuide.prototype.dropOldChoices = function () {
    // Only the latest reply's quick replies and remove buttons stay: a short tab order, and no answering an
    // old question by accident.
    var old = this._log.querySelectorAll(".choices, .evidence-list button");
    for (var i = 0; i < old.length; i++) old[i].remove();
  };

  function telUrl(raw) {
    return /^tel:\+?[0-9]{3,15}$/.test(raw) ? raw : null;
  }

  ThresholdGuide.prototype.addBotMessage = function (message) {
    var self = this;
    var kind = KINDS.indexOf(message.kind) >= 0 ? message.kind : "text";
    var node = el("div", { class: "msg bot " + kind, "data-kind": kind, tabindex: "-1" });
    node.appendChild(el("span", { class: "visually-hidden" }, PREFIX[kind] || "Guide: "));
    var text = String(message.text || "");
    var evidence = message.evidence || [];
    if (evidence.length) {
      // The text lists the items too, for channels that show text only; here they are listed with buttons below.
      var labels = evidence.map(function (item) {
        return "- " + String(item.label || "");
      });
      text = text
        .split("\n")
        .filter(function (line) {
          return !labels.some(function (label) {
            return label !== "- " && line.indexOf(label) === 0;
          });
        })
        .join("\n");
    }
    // Phone numbers as tap-to-call links; web links go after the expandable sections.
    var calls = [];
    var links = [];
    (message.links || []).forEach(function (link) {
      var title = String(link.title || "");
      var raw = String(link.url || "");
      if (!title) return;
      if (/^tel:/i.test(raw)) {
        var tel = telUrl(raw);
        if (tel) calls.push({ title: title, url: tel });
      } else {
        var url = safeUrl(raw);
        if (url) links.push({ title: title, url: url });
      }
    });
    var urgent = kind === "act_now";
    if (urgent && calls.length) {
      // The numbers are buttons right under the headline; the text's own list of them is for text-only channels.
      text = text
        .split("\n")
        .filter(function (line) {
          return line.indexOf("Numbers: ") !== 0;
        })
        .join("\n");
    }
    var cut = kind === "outcome" || kind === "act_now" ? text.indexOf("\n") : -1;
    if (cut > 0) {
      // The first line (the level, or "act now") stands out; the rest follows as plain text.
      node.appendChild(el("strong", { class: "headline" }, text.slice(0, cut)));
      text = text.slice(cut).replace(/^\n+/, kind === "outcome" ? "\n\n" : "\n");
    }
    var callGroup = null;
    if (calls.length) {
      callGroup = el("div", { class: "calls", role: "group", "aria-label": "Tap to call" });
      calls.forEach(function (call) {
        callGroup.appendChild(el("a", { class: "call", href: call.url }, call.title));
      });
    }
    // On the act-now card the numbers come first, under the headline; elsewhere after the text.
    if (urgent && callGroup) {
      node.appendChild(callGroup);
      text = text.replace(/^\n+/, "\n");
    }
    node.appendChild(document.createTextNode(text));
    if (!urgent && callGroup) node.appendChild(callGroup);

    (message.sections || []).forEach(function (section) {
      var title = String(section.title || "");
      if (!title) return;
      var details = el("details", { class: "section" });
      details.appendChild(el("summary", {}, title));
      details.appendChild(el("div", { class: "section-text" }, String(section.text || "")));
      node.appendChild(details);
    });

    if (links.length) {
      var list = el("ul", { class: "links" });
      links.forEach(function (link) {
        var item = el("li");
        var a = el("a", { href: link.url, rel: "noopener noreferrer", target: "_blank" }, link.title);
        a.appendChild(el("span", { class: "visually-hidden" }, " (opens in a new tab)"));
        item.appendChild(a);
        list.appendChild(item);
      });
      node.appendChild(list);
    }

    if (evidence.length) {
      var items = el("ul", { class: "evidence-list", "aria-label": "What I recognised" });
      evidence.forEach(function (item) {
        var label = String(item.label || "");
        var li = el("li", { "data-id": String(item.id || "") });
        li.appendChild(el("span", { class: "label" }, label));
        var matched = (item.matched || []).map(function (words) {
          return "\u201c" + String(words) + "\u201d";
        });
        if (matched.length) li.appendChild(el("span", { class: "matched" }, "Matched: " + matched.join(", ")));
        var remove = item.remove;
        if (remove && remove.payload) {
          var title = String(remove.title || "Remove");
          var b = el("button", { type: "button", class: "remove" }, title);
          // The button's name says which item it removes, even when its visible title does not.
          if (title.indexOf(label) < 0) b.appendChild(el("span", { class: "visually-hidden" }, ": " + label));
          b.addEventListener("click", function () {
            if (self._busy) return;
            li.classList.add("removed");
            self.choose({ title: title + ": " + label, payload: String(remove.payload) });
          });
          li.appendChild(b);
        }
        items.appendChild(li);
      });
      node.appendChild(items);
    }

    var buttons = message.buttons || [];
    if (buttons.length) {
      var group = el("div", { class: "choices", role: "group", "aria-label": "Choices" });
      buttons.forEach(function (button) {
        var title = String(button.title || "");
        var b = el("button", { type: "button" }, title);
        if (/\(selected\)$/.test(title)) b.setAttribute("aria-pressed", "true");
        b.addEventListener("click", function () {
          self.choose({ title: title.replace(/ \(selected\)$/, ""), payload: String(button.payload || "") });
        });
        group.appendChild(b);
      });
      node.appendChild(group);
    }

    if (kind === "outcome" && message.summary) {
      var summary = String(message.summary);
      var tools = el("div", { class: "tools", role: "group", "aria-label": "Summary" });
      var copy = el("button", { type: "button" }, "Copy summary");
      copy.addEventListener("click", function () {
        self.copy(summary);
      });
      var print = el("button", { type: "button" }, "Print summary");
      print.addEventListener("click", function () {
        self.print(summary);
      });
      tools.appendChild(copy);
      tools.appendChild(print);
      node.appendChild(tools);
    }
    this._log.appendChild(node);
    return node;
  };

  ThresholdGuide.prototype.copy = function (text) {
    var self = this;
    function done() {
      self._status.textContent = "Summary copied. Paste it into your record or referral form.";
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () {
        self.copyFallback(text, done);
      });
    } else {
      this.copyFallback(text, done);
    }
  };

  ThresholdGuide.prototype.copyFallback = function (text, done) {
    var area = el("textarea", { class: "visually-hidden", "aria-hidden": "true", tabindex: "-1" });
    area.value = text;
    this._root.appendChild(area);
    area.select();
    try {
      document.execCommand("copy");
      done();
    } catch (e) {
      this._status.textContent = "Copying is blocked here: use Print summary instead.";
    }
    area.remove();
  };

  ThresholdGuide.prototype.print = function (text) {
    var win = window.open("", "_blank");
    if (!win) {
      this._status.textContent = "The print window was blocked. Use Copy summary instead.";
      return;
    }
    win.document.title = "Threshold Guide summary";
    var pre = win.document.createElement("pre");
    pre.textContent = text;
    pre.style.whiteSpace = "pre-wrap";
    pre.style.font = "16px/1.5 system-ui, sans-serif";
    win.document.body.appendChild(pre);
    win.focus();
    win.print();
  };

  ThresholdGuide.prototype.setBusy = function (busy) {
    this._busy = busy;
    this._log.setAttribute("aria-busy", busy ? "true" : "false");
    this._send.disabled = busy;
    if (busy) {
      this._typing = el("div", { class: "typing", "aria-hidden": "true" }, "Thinking…");
      this._log.appendChild(this._typing);
    } else if (this._typing) {
      this._typing.remove();
      this._typing = null;
    }
  };

  ThresholdGuide.prototype.post = function (body, echo, fromChoice) {
    var self = this;
    var session = store.get("session");
    if (session) body.session_id = session;
    if (echo !== null) this.addUserMessage(echo);
    this.setBusy(true);
    // Focus inside the shadow root shows as the host element being the document's active element.
    var focusInside = document.activeElement === this;
    fetch(API + "/api/v1/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      })
      .then(function (result) {
        self.setBusy(false);
        if (!result.ok) throw result;
        store.set("session", String(result.data.session_id));
        self.dropOldChoices();
        var first = null;
        var top = null;
        var outcome = null;
        (result.data.messages || []).forEach(function (message) {
          var node = self.addBotMessage(message);
          top = top || node;
          if (message.kind === "outcome") outcome = node;
          first = first || node.querySelector(".choices button");
        });
        // Show the start of the reply (a long outcome is read from its level down), else the latest line.
        var log = self._log;
        log.scrollTop = top ? Math.min(top.offsetTop - 8, log.scrollHeight) : log.scrollHeight;
        // A keyboard user who chose a button goes on to the next choices; someone typing stays in the
        // text box. Focus is never taken from outside the widget (e.g. when it reopens after a reload).
        // An outcome is long: focus goes to its start (its level), and Tab continues to its links and buttons.
        if (focusInside && fromChoice && outcome) outcome.focus();
        else if (focusInside && fromChoice && first) first.focus();
        else if (focusInside && fromChoice) self._input.focus();
      })
      .catch(function (failure) {
        self.setBusy(false);
        var status = failure && failure.status;
        var detail = failure && failure.data && failure.data.message ? String(failure.data.message) : "";
        var message =
          status === 413 || status === 422
            ? "I could not read that message. " + (detail || "Please keep it under " + count(MAX_TEXT) + " characters.")
            : status === 429
              ? "Too many messages just now. Please wait a moment and try again."
              : "Sorry, I cannot reach the guide just now. Please try again.";
        var node = self.addBotMessage({ kind: "text", text: message + " If a child is in immediate danger, call 999." });
        node.classList.add("error");
        var retry = el("button", { type: "button" }, "Try again");
        retry.addEventListener("click", function () {
          node.remove();
          self.post(body, null, true);
        });
        var group = el("div", { class: "choices", role: "group", "aria-label": "Choices" });
        group.appendChild(retry);
        node.appendChild(group);
        if (focusInside && fromChoice) retry.focus();
      });
  };

  if (!customElements.get("threshold-guide")) customElements.define("threshold-guide", ThresholdGuide);

  function mount() {
    if (document.querySelector("threshold-guide")) return;
    var guide = document.createElement("threshold-guide");
    // Full-screen mode sits where the script tag is (inside the page's main landmark); the launcher on the body.
    if (MODE === "page" && script.parentNode) script.parentNode.insertBefore(guide, script.nextSibling);
    else document.body.appendChild(guide);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
