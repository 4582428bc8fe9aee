// Trainer mode, voting page. /join shows a box for the classroom code; /join/CODE shows the vote: one
// anonymous vote per browser session, changeable until the trainer reveals the guidance, then the guidance
// beside what you voted. The voter id is random and lives in sessionStorage, so it identifies nothing and
// nobody, and ends with the tab; the server tells this page its own vote back, so a reload keeps it.
(function () {
  "use strict";

  var POLL_MS = 4000;
  // The level names are the content's (GET /api/v1/levels), so the partnership's edits reach this page; until
  // they load, or if they cannot, a level reads "Level N" only.
  var CHOICES = { now: "Call 999 now", 1: "Level 1", 2: "Level 2", 3: "Level 3", 4: "Level 4" };
  var myVote = null;
  var $ = function (id) { return document.getElementById(id); };
  var match = /^\/join\/([^/]+)\/?$/.exec(location.pathname);
  var code = match ? decodeURIComponent(match[1]).trim().toUpperCase() : "";
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
    var options = { method: method, headers: { Accept: "application/json", "X-Voter-Id": voterId() } };
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

  function showMyVote(choice) {
    if (choice === null || choice === undefined) return;
    myVote = choice;
    var input = document.querySelector('#vote-form input[value="' + String(choice) + '"]');
    if (input) input.checked = true;
    $("my-vote").hidden = false;
    $("my-vote").textContent = "You voted: " + CHOICES[String(choice)] + ".";
  }

  function loadLevelNames() {
    fetch("/api/v1/levels", { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error("levels " + response.status);
      return response.json();
    }).then(function (levels) {
      if (!Array.isArray(levels)) return;
      levels.forEach(function (level) {
        var label = level && $("level-name-" + level.level);
        if (!label || typeof level.name !== "string" || !level.name.trim()) return;
        label.textContent = level.name;
        CHOICES[String(level.level)] = "Level " + level.level + ", " + level.name;
      });
      showMyVote(myVote);
    }).catch(function () { /* the labels keep "Level N" */ });
  }

  function closeVoting(result) {
    closed = true;
    if (timer) clearInterval(timer);
    Array.prototype.forEach.call(document.querySelectorAll("#vote-form input, #vote-form button"), function (c) {
      c.disabled = true;
    });
    if (!result) return;
    var answer = result.immediate_danger
      ? "The guidance: call 999 now, a child is in immediate danger (then level " + result.level + ", " + result.level_name + ")"
      : "The guidance: level " + result.level + ", " + result.level_name;
    var box = el("div", { class: "result" + (result.immediate_danger ? " danger" : "") }, [
      el("h2", {}, [answer]),
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
      $("code-form").hidden = true;
      $("vote-form").hidden = false;
      showMyVote(room.your_vote);
      if (room.revealed && !closed) closeVoting(room.result);
    }).catch(function (e) {
      if (e.status === 404) {
        if (timer) clearInterval(timer);
        $("room-title").textContent = "Classroom not found";
        $("room-summary").textContent = "";
        status("No classroom with the code " + code + ". Check the code with your trainer and type it again.", true);
        $("vote-form").hidden = true;
        $("code-form").hidden = false;
        $("code-input").value = code;
      }
      // Anything else (a busy network, a rate limit): the next poll tries again.
    });
  }

  function submit(event) {
    event.preventDefault();
    var chosen = document.querySelector("#vote-form input[name=level]:checked");
    if (!chosen) { status("Choose an answer first.", true); return; }
    var choice = chosen.value === "now" ? "now" : Number(chosen.value);
    request("POST", "/api/v1/classrooms/" + encodeURIComponent(code) + "/votes", { level: choice, voter_id: voterId() })
      .then(function () {
        showMyVote(choice);
        status("Your vote is in. You can change it until the trainer reveals the guidance.");
      })
      .catch(function (e) {
        if (e.status === 409) { status("Voting has closed.", true); refresh(); return; }
        status(e.message, true);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("vote-form").addEventListener("submit", submit);
    if (!code) {
      $("code-input").focus();
      return;
    }
    $("code-form").hidden = true;
    $("room-summary").textContent = "Opening classroom " + code + "…";
    loadLevelNames();
    refresh();
    timer = setInterval(refresh, POLL_MS);
  });
})();
