// portalsim live page: renders the simulator's snapshots (server-sent events), no libraries.
"use strict";
(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const fmt = (n) => Number(n || 0).toLocaleString("en-US", { maximumFractionDigits: 1 });
  const el = (tag, attrs, text) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const svgEl = (tag, attrs) => {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  };

  function figure(name, value) {
    document.querySelectorAll(`[data-figure="${name}"]`).forEach((n) => { n.textContent = fmt(value); });
  }

  function bars(table, counts, key) {
    const rows = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const top = Math.max(1, ...rows.map((r) => r[1]));
    table.replaceChildren(...rows.map(([name, count]) => {
      const tr = el("tr", { [key]: name });
      tr.append(el("td", { class: "name" }, name), el("td", { class: "count", "data-count": String(count) }, fmt(count)));
      const cell = el("td");
      cell.append(el("div", { class: "bar", style: `width:${(100 * count) / top}%` }));
      tr.append(cell);
      return tr;
    }));
    if (!rows.length) {
      const empty = el("tr");
      empty.append(el("td", { class: "dim" }, "none"));
      table.replaceChildren(empty);
    }
  }

  function chart(series, faults, elapsed) {
    const svg = document.getElementById("chart");
    const w = 1000, h = 220, pad = 24;
    const tMax = Math.max(10, elapsed, ...series.map((p) => p[0]));
    const tMin = series.length ? Math.min(series[0][0], ...faults.map((f) => f.start_s)) : 0;
    const yMax = Math.max(1, ...series.map((p) => Math.max(p[1], p[2])));
    const x = (t) => pad + ((t - tMin) / Math.max(1e-6, tMax - tMin)) * (w - 2 * pad);
    const y = (v) => h - pad - (v / yMax) * (h - 2 * pad);
    const nodes = [];
    faults.forEach((f) => {
      const x0 = x(Math.max(f.start_s, tMin)), x1 = x(Math.min(f.end_s, tMax));
      nodes.push(svgEl("rect", { x: x0, y: pad, width: Math.max(1, x1 - x0), height: h - 2 * pad, fill: "#d1242f22", "data-fault": f.service }));
      const label = svgEl("text", { x: x0 + 4, y: pad + 12, "font-size": 11, fill: "#d1242f" });
      label.textContent = `${f.service} ${f.state === "on" ? "down now" : f.state === "planned" ? "to stop" : "stopped"}`;
      nodes.push(label);
    });
    [0, 0.5, 1].forEach((q) => {
      nodes.push(svgEl("line", { x1: pad, x2: w - pad, y1: y(q * yMax), y2: y(q * yMax), stroke: "#dde3e9" }));
      const tick = svgEl("text", { x: 2, y: y(q * yMax) - 2, "font-size": 10, fill: "#6b7a8a" });
      tick.textContent = fmt(q * yMax);
      nodes.push(tick);
    });
    [[1, "#0b5cad", "submitted"], [2, "#1a7f37", "settled"]].forEach(([i, color, name]) => {
      const points = series.map((p) => `${x(p[0]).toFixed(1)},${y(p[i]).toFixed(1)}`).join(" ");
      nodes.push(svgEl("polyline", { points, fill: "none", stroke: color, "stroke-width": 2, "data-series": name }));
    });
    const end = svgEl("text", { x: w - pad, y: h - 6, "font-size": 10, fill: "#6b7a8a", "text-anchor": "end" });
    end.textContent = `${fmt(tMax)} s`;
    nodes.push(end);
    svg.replaceChildren(...nodes);
  }

  function services(figures) {
    const body = document.querySelector("#services tbody");
    body.replaceChildren(...Object.entries(figures).map(([name, f]) => {
      const tr = el("tr", { "data-service": name });
      tr.append(el("td", {}, name));
      if (!f.up) {
        tr.append(el("td", { class: "down", colspan: "5" }, "not answering"));
        return tr;
      }
      ["lag", "outbox_depth", "consumed", "produced", "deadlettered"].forEach((k) =>
        tr.append(el("td", { "data-metric": k }, fmt(f[k]))));
      return tr;
    }));
  }

  function slowest(rows) {
    const body = document.querySelector("#slowest tbody");
    body.replaceChildren(...rows.map((r) => {
      const tr = el("tr");
      tr.append(el("td", {}, r.dossier_code), el("td", {}, r.procedure_code || "?"),
        el("td", {}, `${fmt(r.age_s)} s`), el("td", {}, `${r.status} (${r.at})`));
      return tr;
    }));
  }

  function faultList(faults) {
    const list = document.getElementById("faults");
    list.replaceChildren(...faults.map((f) => el("li", { class: f.state === "on" ? "fault-on" : "" },
      `${f.service} stopped ${fmt(f.start_s)}–${fmt(f.end_s)} s (${f.state})`)));
    if (!faults.length) list.replaceChildren(el("li", { class: "dim" }, "none in this run"));
  }

  function render(snap) {
    if (!snap) return;
    window.portalsimLive = snap;
    document.getElementById("run").textContent = snap.run;
    const state = document.getElementById("state");
    state.textContent = snap.finished ? "finished" : "running";
    state.className = `state ${snap.finished ? "finished" : "running"}`;
    ["elapsed_s", "submitted", "settled", "in_flight", "refused", "desk_backlog", "deadletters", "events"]
      .forEach((k) => figure(k, snap[k]));
    const last = snap.series.length ? snap.series[snap.series.length - 1] : [0, 0, 0];
    figure("submitted_rate", last[1]);
    figure("settled_rate", last[2]);
    bars(document.getElementById("portals"), snap.settled_per_portal, "data-portal");
    bars(document.getElementById("stages"), snap.in_flight_by_stage, "data-stage");
    chart(snap.series, snap.faults, snap.elapsed_s);
    services(snap.services);
    slowest(snap.slowest_open);
    faultList(snap.faults);
  }

  fetch("/snapshot").then((r) => r.json()).then(render).catch(() => {});
  const events = new EventSource("/events");
  events.onmessage = (e) => render(JSON.parse(e.data));
})();
