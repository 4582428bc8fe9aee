// Trainer mode, voting page (/join/CODE): one anonymous vote per browser session, changeable until the
// trainer reveals the guidance; then the guidance is shown here too. The voter id is random and lives in
// sessionStorage, so it identifies nothing and nobody, and ends with the tab.
(function () {
  "use strict";

  var POLL_MS = 4000;
  var $ = function (id) { return document.getElementById(id); };
  var code = document.body.getAttribute("data-code") || "";
  var timer = null;
  var closed = false;

  function voterId() {
    var key = "threshold-guide:voter";
    var id = null;
    try { id = sessionStorage.getItem(key); } catch (e) { /* storage blocked: a per-page id still works */ }
    if (!id) {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { sessionStorage.setItem(key, id); } catch (e) { /* as above */ }
    }
    return id;
  }

  function status(text, isError) {
    $("status").textContent = text;
    $("status").className = "status" + (isError ? " error" : "");
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.append(c); });
    return node;
  }

  function request(method, path, body) {
    var options = { method: method, headers: { Accept: "application/json" } };
    if (body) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || "Something went wrong (" + response.status + ").");
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function closeVoting(result) {
    closed = true;
    if (timer) clearInterval(timer);
    Array.prototype.forEach.call(document.querySelectorAll("#vote-form input, #vote-form button"), function (c) {
      c.disabled = true;
    });
    if (!result) return;
    var box = el("div", { class: "result" }, [
      el("h2", {}, ["The guidance: level " + result.level + ", " + result.level_name]),
      el("p", {}, [result.teaching]),
    ]);
    if (result.reasons.length) {
      box.append(el("ul", {}, result.reasons.map(function (r) { return el("li", {}, [r]); })));
    }
    $("result").replaceChildren(box);
    status("Voting has closed.");
  }

  function refresh() {
    request("GET", "/api/v1/classrooms/" + encodeURIComponent(code) + "/public").then(function (room) {
      $("room-title").textContent = room.title;
      $("room-summary").textContent = "Classroom " + room.code + ". " + room.summary;
      if (room.revealed && !closed) closeVoting(room.result);
    }).catch(function (e) {
      if (e.status === 404) {
        if (timer) clearInterval(timer);
        $("room-title").textContent = "Classroom not found";
        status("No classroom with the code " + code + ". Check the code with your trainer.", true);
        $("vote-form").hidden = true;
      }
      // Anything else (a busy network, a rate limit): the next poll tries again.
    });
  }

  function submit(event) {
    event.preventDefault();
    var chosen = document.querySelector("#vote-form input[name=level]:checked");
    if (!chosen) { status("Choose a level first.", true); return; }
    var level = Number(chosen.value);
    request("POST", "/api/v1/classrooms/" + encodeURIComponent(code) + "/votes", { level: level, voter_id: voterId() })
      .then(function () {
        status("Your vote is in: level " + level + ". You can change it until the trainer reveals the guidance.");
      })
      .catch(function (e) {
        if (e.status === 409) { status("Voting has closed.", true); refresh(); return; }
        status(e.message, true);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("vote-form").addEventListener("submit", submit);
    refresh();
    timer = setInterval(refresh, POLL_MS);
  });
})();
