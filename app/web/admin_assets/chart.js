// Draws /admin/analytics as bars. The token stays in this page's memory: never a URL, cookie or storage.
"use strict";

const TITLES = {
  "assessments:level": "Completed assessments by level",
  "assessments:route": "Completed assessments by route",
  "assessments:week": "Completed assessments by ISO week",
};

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function drawGroup(name, values) {
  const section = element("section");
  section.append(element("h2", "", TITLES[name] || name));
  const max = Math.max(1, ...Object.values(values));
  for (const [label, count] of Object.entries(values)) {
    const row = element("div", "row");
    const track = element("div", "track");
    const bar = element("div", "bar");
    bar.style.width = `${(100 * count) / max}%`; // CSSOM, allowed by style-src 'self'
    track.append(bar);
    row.append(element("span", "label", label), track, element("span", "count", count));
    section.append(row);
  }
  return section;
}

async function show(event) {
  event.preventDefault();
  const token = document.getElementById("token").value;
  const status = document.getElementById("status");
  const charts = document.getElementById("charts");
  status.textContent = "Loading…";
  const response = await fetch("../analytics", { headers: { Authorization: `Bearer ${token}` } });
  const body = await response.json();
  if (!response.ok) {
    status.textContent = body.message || `Request failed (${response.status}).`;
    return;
  }
  status.textContent = `${body.assessments_completed} completed assessments.`;
  charts.replaceChildren(...Object.entries(body.counts).map(([name, values]) => drawGroup(name, values)));
  const csv = document.getElementById("csv");
  csv.hidden = false;
  csv.onclick = async (e) => {
    e.preventDefault();
    const file = await fetch("../analytics?format=csv", { headers: { Authorization: `Bearer ${token}` } });
    const link = element("a");
    link.href = URL.createObjectURL(await file.blob());
    link.download = "threshold-analytics.csv";
    link.click();
  };
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("token-form").addEventListener("submit", show);
});
