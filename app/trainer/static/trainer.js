// Trainer mode, presenter page (/trainer): pick a scenario, read it stage by stage, run a classroom vote,
// watch the votes arrive (polling), reveal the guidance, and step through the engine's walkthrough.
// Plain JS, no build step. The trainer token stays in memory only: closing the tab ends control of the room.
(function () {
  "use strict";

  var POLL_MS = 2000;
  var $ = function (id) { return document.getElementById(id); };
  var state = { scenario: null, stage: 0, room: null, token: null, timer: null, walk: null, step: 0 };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.append(c); });
    return node;
  }

  function status(text, isError) {
    $("status").textContent = text || "";
    $("status").className = "status" + (isError ? " error" : "");
  }

  function api(method, path, body, token) {
    var headers = { Accept: "application/json" };
    if (body) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            var error = new Error(data.message || "Request failed (" + response.status + ").");
            error.status = response.status;
            throw error;
          }
          return data;
        });
      });
  }

  // --- Scenario list and narrative -------------------------------------------------------------------
  function loadList() {
    api("GET", "/api/v1/scenarios").then(function (items) {
      var select = $("scenario-select");
      select.replaceChildren(el("option", { value: "" }, ["Choose a scenario…"]));
      items.forEach(function (item) {
        // The level is deliberately not shown: the room is about to vote on it.
        select.append(el("option", { value: item.id }, [item.title + " (" + item.duration_minutes + " min)"]));
      });
      status("");
    }).catch(function (e) { status(e.message, true); });
  }

  function chooseScenario(id) {
    stopPolling();
    ["story", "room", "walk"].forEach(function (s) { $(s).hidden = true; });
    $("scenario-meta").textContent = "";
    if (!id) return;
    api("GET", "/api/v1/scenarios/" + encodeURIComponent(id)).then(function (scenario) {
      state.scenario = scenario;
      state.stage = 0;
      state.room = null;
      state.walk = null;
      $("scenario-meta").textContent = scenario.summary;
      $("stages").replaceChildren();
      $("story").hidden = false;
      $("open-room").disabled = false;
      showNextStage();
    }).catch(function (e) { status(e.message, true); });
  }

  function showNextStage() {
    var stages = state.scenario.narrative;
    if (state.stage >= stages.length) return;
    var stage = stages[state.stage];
    state.stage += 1;
    $("stages").append(el("div", { class: "stage" }, [el("h3", {}, [stage.title]), el("p", {}, [stage.text])]));
    $("stage-count").textContent = "Stage " + state.stage + " of " + stages.length;
    $("next-stage").disabled = state.stage >= stages.length;
  }

  // --- Classroom -------------------------------------------------------------------------------------
  function openRoom() {
    $("open-room").disabled = true;
    api("POST", "/api/v1/classrooms", { scenario_id: state.scenario.id }).then(function (room) {
      state.room = room.code;
      state.token = room.trainer_token;
      $("room-code").textContent = room.code;
      $("join-url").textContent = room.join_url;
      $("room-qr").src = "/api/v1/classrooms/" + encodeURIComponent(room.code) + "/qr.svg";
      $("result").replaceChildren();
      $("reveal").disabled = false;
      $("room").hidden = false;
      drawChart({}, null);
      $("vote-total").textContent = "No votes yet.";
      startPolling();
      $("room").scrollIntoView({ behavior: "smooth", block: "start" });
    }).catch(function (e) { $("open-room").disabled = false; status(e.message, true); });
  }

  // The vote's choices: "Call 999 now" first (immediate danger comes first), then the four levels.
  var CHOICES = [["now", "Call 999"], ["1", "Level 1"], ["2", "Level 2"], ["3", "Level 3"], ["4", "Level 4"]];

  // guidance: the choice the guidance gives ("now" for immediate danger, else the level as a string).
  function drawChart(votes, guidance) {
    var total = 0;
    CHOICES.forEach(function (c) { total += votes[c[0]] || 0; });
    var rows = CHOICES.map(function (c) {
      var count = votes[c[0]] || 0;
      var fill = el("div", { class: "fill" });
      fill.style.width = (total ? Math.round((100 * count) / total) : 0) + "%";  // CSSOM: allowed by the CSP
      return el("div", { class: "row" + (guidance === c[0] ? " guidance" : "") + (c[0] === "now" ? " now" : "") }, [
        el("span", {}, [c[1]]),
        el("div", { class: "track" }, [fill]),
        el("span", { class: "count" }, [String(count)]),
      ]);
    });
    $("chart").replaceChildren.apply($("chart"), rows);
    var words = CHOICES.map(function (c) { return c[1] + ": " + (votes[c[0]] || 0); });
    $("chart").setAttribute("aria-label", "Votes per level, " + words.join(", "));
    return total;
  }

  function poll() {
    if (!state.room) return;
    api("GET", "/api/v1/classrooms/" + state.room, null, state.token).then(function (room) {
      var total = drawChart(room.votes, guidanceChoice(room.result));
      $("vote-total").textContent = total === 1 ? "1 vote" : total + " votes";
      if (room.revealed) { stopPolling(); showResult(room.result); }
    }).catch(function (e) {
      if (e.status === 404) { stopPolling(); status("The classroom has closed. Open a new one.", true); }
    });
  }

  function startPolling() { stopPolling(); poll(); state.timer = setInterval(poll, POLL_MS); }
  function stopPolling() { if (state.timer) clearInterval(state.timer); state.timer = null; }

  function reveal() {
    $("reveal").disabled = true;
    api("POST", "/api/v1/classrooms/" + state.room + "/reveal", null, state.token).then(function (result) {
      stopPolling();
      drawChart(result.votes, guidanceChoice(result));
      showResult(result);
    }).catch(function (e) { $("reveal").disabled = false; status(e.message, true); });
  }

  function guidanceChoice(result) {
    if (!result) return null;
    return result.immediate_danger ? "now" : String(result.level);
  }

  function list(items) { return el("ul", {}, items.map(function (t) { return el("li", {}, [t]); })); }

  function showResult(result) {
    $("reveal").disabled = true;
    var heading = result.immediate_danger
      ? "The guidance: call 999 now, a child is in immediate danger (then level " + result.level + ", " + result.level_name + ")"
      : "The guidance: level " + result.level + ", " + result.level_name;
    var box = el("div", { class: "result" + (result.immediate_danger ? " danger" : "") }, [
      el("h3", {}, [heading]),
      el("p", {}, [result.teaching]),
      el("h4", {}, ["Why"]),
      list(result.reasons),
    ]);
    if (result.teaching_points.length) {
      box.append(el("h4", {}, ["Teaching points"]), list(result.teaching_points));
    }
    $("result").replaceChildren(box);
  }

  // --- Walkthrough -----------------------------------------------------------------------------------
  function showWalk() {
    api("GET", "/api/v1/scenarios/" + encodeURIComponent(state.scenario.id) + "/walkthrough").then(function (walk) {
      state.walk = walk;
      state.step = 0;
      $("steps").replaceChildren();
      $("outcome").replaceChildren();
      $("walk").hidden = false;
      $("next-step").disabled = false;
      $("all-steps").disabled = false;
      nextStep();
      $("walk").scrollIntoView({ behavior: "smooth", block: "start" });
    }).catch(function (e) { status(e.message, true); });
  }

  function nextStep() {
    var walk = state.walk;
    if (!walk) return;
    if (state.step < walk.steps.length) {
      var s = walk.steps[state.step];
      state.step += 1;
      var item = el("li", {}, [
        el("p", { class: "q" }, [s.question]),
        el("p", { class: "a" }, ["Answer: " + s.answer + " ", el("span", { class: "badge" }, ["level so far " + s.level_so_far])]),
      ]);
      if (s.teaching_point) item.append(el("p", { class: "tp" }, [s.teaching_point]));
      $("steps").append(item);
    }
    if (state.step >= walk.steps.length) finishWalk();
  }

  function finishWalk() {
    $("next-step").disabled = true;
    $("all-steps").disabled = true;
    var o = state.walk.outcome;
    var box = el("div", { class: "result" + (o.immediate_danger ? " danger" : "") }, [
      el("h3", {}, [o.summary]),
      el("p", {}, [o.meaning]),
      el("h4", {}, ["What to do"]),
      list(o.routes.map(function (r) { return r.name; })),
    ]);
    $("outcome").replaceChildren(box);
  }

  function allSteps() { while (state.walk && state.step < state.walk.steps.length) nextStep(); }

  document.addEventListener("DOMContentLoaded", function () {
    $("scenario-select").addEventListener("change", function (e) { chooseScenario(e.target.value); });
    $("next-stage").addEventListener("click", showNextStage);
    $("open-room").addEventListener("click", openRoom);
    $("reveal").addEventListener("click", reveal);
    $("show-walk").addEventListener("click", showWalk);
    $("next-step").addEventListener("click", nextStep);
    $("all-steps").addEventListener("click", allSteps);
    loadList();
  });
})();
