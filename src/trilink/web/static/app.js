// trilink operator page: a live common picture from the node's WebSocket, offline basemap.
// The server sends a snapshot, then deltas (features upserted / removed by id).
"use strict";

const stats = { frames: 0, frameMsTotal: 0, frameMsMax: 0, wsMessages: 0, wsBytes: 0,
                snapshotBytes: 0, deltaBytesMax: 0, consoleErrors: 0 };
window.__trilinkStats = stats;

const map = L.map("map", { preferCanvas: true, worldCopyJump: false, zoomControl: true,
                           attributionControl: false }).setView([39, 133], 5);
const renderer = L.canvas({ padding: 0.2 });
// the basemap lives in panes beneath the picture's overlay pane (z 400), whatever arrives first
map.createPane("land").style.zIndex = 300;
map.createPane("outlines").style.zIndex = 350;
const landRenderer = L.canvas({ padding: 0.2, pane: "land" });
const outlineRenderer = L.canvas({ padding: 0.2, pane: "outlines" });
const layers = {
  basemap: L.layerGroup().addTo(map),
  areas: L.layerGroup().addTo(map),
  eez: L.layerGroup().addTo(map),
  ellipses: L.layerGroup().addTo(map),
  groundTracks: L.layerGroup().addTo(map),
  trails: L.layerGroup().addTo(map),
  points: L.layerGroup().addTo(map),
  sensors: L.layerGroup().addTo(map),
};
L.control.layers(null, {
  "first-level areas": layers.areas, "12 nmi and EEZ lines": layers.eez, "impact ellipses": layers.ellipses,
  "ground tracks": layers.groundTracks, "trails": layers.trails, "sensors": layers.sensors,
}, { collapsed: true }).addTo(map);

const features = new Map();   // id -> GeoJSON feature
const drawn = new Map();      // id -> Leaflet layer
let meta = { nation: "", exercise: true, alerts: [], alert_history: [], links: [], server_time: 0 };
let clockOffset = 0;          // server time - local time, seconds
let selected = null;

// ---------------------------------------------------------------- basemap
const areaLayers = new Map();  // "NATION/name" -> Leaflet layer of a first-level area
const basemapStats = { countries: 0, areas: 0, lines: 0, bytes: 0, highlighted: [] };
window.__trilinkBasemap = basemapStats;
const AREA_STYLE = { color: "#56697c", weight: 0.6, fill: true, fillOpacity: 0, pane: "outlines" };
const AREA_ALERT_STYLE = { color: "#ff4040", weight: 2, fill: true, fillColor: "#ff2020", fillOpacity: 0.28 };
const LINE_STYLE = {
  eez: { color: "#4aa3df", weight: 1, dashArray: "6 4", opacity: 0.8 },
  territorial_sea: { color: "#7fc8f8", weight: 0.8, dashArray: "2 3", opacity: 0.8 },
};

async function loadCountries() {
  try {
    const topo = await (await fetch("/vendor/world-atlas/countries-50m.json")).json();
    const countries = topojson.feature(topo, topo.objects.countries);
    L.geoJSON(countries, { renderer: landRenderer, pane: "land", interactive: false,
                           style: { color: "#6b7f93", weight: 1, fillColor: "#24313d", fillOpacity: 1 } })
      .addTo(layers.basemap);
    basemapStats.countries = countries.features.length;
  } catch (err) { console.warn("country outlines unavailable", err); }
}

async function loadOutlines() {
  try {
    const resp = await fetch("/api/basemap");
    if (!resp.ok) { console.warn("areas unavailable", resp.status); return; }
    const text = await resp.text();
    basemapStats.bytes = text.length;
    for (const f of JSON.parse(text).features || []) {
      const p = f.properties || {};
      if (p.kind === "area") {
        const layer = L.geoJSON(f, { renderer: outlineRenderer, pane: "outlines", style: AREA_STYLE,
                                     interactive: false }).addTo(layers.areas);
        areaLayers.set(`${p.nation}/${p.name}`, layer);
        basemapStats.areas += 1;
      } else if (LINE_STYLE[p.kind]) {
        L.geoJSON(f, { renderer: outlineRenderer, pane: "outlines", style: LINE_STYLE[p.kind],
                       interactive: false }).addTo(layers.eez);
        basemapStats.lines += 1;
      }
    }
    highlightAlertedAreas();
  } catch (err) { console.warn("areas unavailable", err); }
}

function highlightAlertedAreas() {
  // areas a shelter alert names are filled red; every other area goes back to a thin outline
  const named = new Set();
  for (const a of meta.alerts || []) {
    if (a.response !== "Shelter") continue;
    for (const name of a.areas || []) named.add(`${meta.nation}/${name}`);
  }
  const lit = [];
  for (const [key, layer] of areaLayers) {
    const on = named.has(key);
    layer.setStyle(on ? AREA_ALERT_STYLE : AREA_STYLE);
    if (on) lit.push(key.split("/")[1]);
  }
  basemapStats.highlighted = lit.sort();
}

// ---------------------------------------------------------------- drawing
function altitudeColour(altKm) {
  const t = Math.max(0, Math.min(1, Math.log10(1 + altKm) / Math.log10(1 + 2000)));
  const r = Math.round(44 + t * (215 - 44)), g = Math.round(123 - t * (123 - 25)),
        b = Math.round(182 - t * (182 - 28));
  return `rgb(${r},${g},${b})`;
}

function latlngs(coords) { return coords.map(c => [c[1], c[0]]); }

function drawFeature(f) {
  const p = f.properties || {};
  const g = f.geometry;
  switch (p.kind) {
    case "track": {
      const m = L.circleMarker([g.coordinates[1], g.coordinates[0]], {
        renderer, radius: 6, color: "#fff", weight: 2,
        fillColor: altitudeColour(p.alt_km || 0), fillOpacity: 1 });
      m.bindTooltip(`${p.track_id} ${p.missile_class || ""} ${p.phase || ""}`);
      m.on("click", () => select(p.track_id));
      return m.addTo(layers.points);
    }
    case "trail": {
      const pts = latlngs(g.coordinates), alts = p.alts_km || [];
      const group = L.layerGroup();
      for (let i = 1; i < pts.length; i++) {
        L.polyline([pts[i - 1], pts[i]], { renderer, color: altitudeColour(alts[i] || 0),
                                           weight: 3, interactive: false }).addTo(group);
      }
      return group.addTo(layers.trails);
    }
    case "impact_ellipse":
      return L.polygon(latlngs(g.coordinates[0]), { renderer, color: "#ff8c00", weight: 2,
                                                    fillOpacity: 0.15 }).addTo(layers.ellipses);
    case "launch_ellipse":
      return L.polygon(latlngs(g.coordinates[0]), { renderer, color: "#cccccc", weight: 1,
                                                    dashArray: "3 3", fillOpacity: 0.05 })
        .addTo(layers.ellipses);
    case "launch": {
      const m = L.marker([g.coordinates[1], g.coordinates[0]], {
        icon: L.divIcon({ className: "", html: '<span style="color:#fff;font-size:16px">✕</span>',
                          iconSize: [16, 16], iconAnchor: [8, 8] }) });
      m.bindTooltip(`launch of ${p.track_id}`);
      return m.addTo(layers.points);
    }
    case "impact":
      return L.circleMarker([g.coordinates[1], g.coordinates[0]], { renderer, radius: 3,
        color: "#ff8c00", fillOpacity: 1 }).addTo(layers.ellipses);
    case "ground_track":
      return L.polyline(latlngs(g.coordinates), { renderer, color: "#b000b0", weight: 2,
                                                  dashArray: "6 4", interactive: false })
        .addTo(layers.groundTracks);
    case "overflight": {
      const lines = g.type === "MultiLineString" ? g.coordinates.map(latlngs)
                                                  : [latlngs(g.coordinates)];
      return L.polyline(lines, { renderer, color: "#ee0000", weight: 5, interactive: false })
        .addTo(layers.groundTracks);
    }
    case "sensor": {
      const m = L.marker([g.coordinates[1], g.coordinates[0]], {
        icon: L.divIcon({ className: "", html: '<span style="color:#7fdbff;font-size:14px">△</span>',
                          iconSize: [14, 14], iconAnchor: [7, 7] }) });
      m.bindTooltip(`${p.sensor_id} (${p.model || p.sensor_kind || ""})`);
      return m.addTo(layers.sensors);
    }
    default:
      return null;
  }
}

function removeDrawn(id) {
  const layer = drawn.get(id);
  if (layer) { layer.remove(); drawn.delete(id); }
}

function applyUpserts(list) {
  for (const f of list) {
    features.set(f.id, f);
    removeDrawn(f.id);
    const layer = drawFeature(f);
    if (layer) drawn.set(f.id, layer);
  }
}

function applyRemovals(ids) {
  for (const id of ids) { features.delete(id); removeDrawn(id); }
}

// ---------------------------------------------------------------- panel
function fmtDuration(s) {
  if (s === null || s === undefined || !isFinite(s)) return "—";
  const sign = s < 0 ? "-" : "";
  s = Math.abs(Math.round(s));
  return `${sign}${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function nowServer() { return Date.now() / 1000 + clockOffset; }

function renderPanel() {
  const tracks = [...features.values()].filter(f => f.properties.kind === "track");
  tracks.sort((a, b) => (a.properties.impact_time || 1e12) - (b.properties.impact_time || 1e12));
  document.getElementById("count").textContent = tracks.length;
  const now = nowServer();
  const html = tracks.map(f => {
    const p = f.properties;
    const tti = p.impact_time ? p.impact_time - now : null;
    const who = (p.contributors || []).join(", ");
    const dis = p.disagreement ? `<div class="disagree">⚠ partners disagree: ${p.disagreement}</div>` : "";
    const ell = p.ellipse_km ? `${p.ellipse_km[0].toFixed(1)} × ${p.ellipse_km[1].toFixed(1)} km` : "—";
    return `<div class="missile" data-id="${p.track_id}">
      <div class="head"><span>${p.track_id}</span><span class="tti" data-impact="${p.impact_time || ""}">${fmtDuration(tti)}</span></div>
      <div class="row">${p.missile_class || "?"} · ${p.phase || "?"} · alt ${(p.alt_km || 0).toFixed(0)} km · apogee ${p.apogee_km ? p.apogee_km.toFixed(0) : "—"} km</div>
      <div class="row">impact ${p.impact_lat !== undefined && p.impact_lat !== null ? p.impact_lat.toFixed(2) + ", " + p.impact_lon.toFixed(2) : "—"} · 95 % ${ell}</div>
      <div class="row">from: ${who || "—"}</div>${dis}</div>`;
  }).join("");
  const box = document.getElementById("missiles");
  box.innerHTML = html;
  for (const el of box.querySelectorAll(".missile")) el.onclick = () => select(el.dataset.id);
}

function select(trackId) {
  selected = trackId;
  const f = features.get(`track:${trackId}`);
  if (f) map.panTo([f.geometry.coordinates[1], f.geometry.coordinates[0]]);
}

function renderMeta() {
  const exercise = meta.exercise !== false;
  for (const id of ["mode", "mode-right", "mode-bottom"]) {
    const el = document.getElementById(id);
    el.textContent = exercise ? "EXERCISE" : "ACTUAL";
    el.className = "mode " + (exercise ? "exercise" : "actual");
  }
  document.title = `${exercise ? "EXERCISE" : "ACTUAL"} — trilink ${meta.nation || ""}`;
  document.getElementById("nation").textContent = `trilink ${meta.nation || ""}`;
  const links = document.getElementById("links");
  links.innerHTML = (meta.links || []).map(l =>
    `<span class="link ${l.connected ? "up" : "down"}" title="rejects ${l.rejects}">${l.nation}
     ${l.connected ? "●" : "○"} ${l.last_report_age_s === null || l.last_report_age_s === undefined ? "—" : l.last_report_age_s.toFixed(1) + " s"}
     ${l.rejects ? "· rej " + l.rejects : ""}</span>`).join("");
  const alerts = document.getElementById("alerts");
  alerts.innerHTML = (meta.alerts || []).map(a =>
    `<div class="alert-banner ${a.response === "Shelter" ? "" : "monitor"}" data-alert="${a.id}">
      <span>${exercise && !String(a.headline || "").startsWith("EXERCISE") ? "EXERCISE · " : ""}${a.headline || a.response}</span>
      <span>${(a.areas || []).join(", ")}</span>
      <span class="countdown" data-impact="${a.impact_time || ""}"></span></div>`).join("");
  document.getElementById("alert-history").innerHTML = (meta.alert_history || []).slice(-30).reverse()
    .map(h => `<li>${h.time_iso || ""} ${h.msg_type} ${h.response || ""} — ${(h.areas || []).join(", ")}</li>`)
    .join("");
  highlightAlertedAreas();
}

function tick() {
  const now = nowServer();
  document.getElementById("clock").textContent =
    new Date(now * 1000).toISOString().substring(11, 19) + "Z";
  for (const el of document.querySelectorAll("[data-impact]")) {
    const t = parseFloat(el.dataset.impact);
    el.textContent = isFinite(t) ? (el.classList.contains("countdown") ? "impact in " : "") +
                                   fmtDuration(t - now) : (el.classList.contains("countdown") ? "" : "—");
  }
}

// ---------------------------------------------------------------- live feed
function onMessage(text) {
  const t0 = performance.now();
  stats.wsMessages += 1;
  stats.wsBytes += text.length;
  const msg = JSON.parse(text);
  if (msg.type === "snapshot") {
    stats.snapshotBytes = text.length;
    applyRemovals([...features.keys()]);
    applyUpserts(msg.features || []);
  } else if (msg.type === "delta") {
    stats.deltaBytesMax = Math.max(stats.deltaBytesMax, text.length);
    applyRemovals(msg.remove || []);
    applyUpserts(msg.upsert || []);
  }
  if (msg.meta) {
    // a snapshot carries the whole state; a delta only the parts that changed (each part whole)
    meta = Object.assign(msg.type === "snapshot" ? { alerts: [], alert_history: [], links: [] } : meta, msg.meta);
    if (meta.server_time) clockOffset = meta.server_time - Date.now() / 1000;
    renderMeta();
  }
  renderPanel();
  tick();
  requestAnimationFrame(() => {
    const ms = performance.now() - t0;
    stats.frames += 1; stats.frameMsTotal += ms; stats.frameMsMax = Math.max(stats.frameMsMax, ms);
    document.getElementById("stats").textContent =
      `${features.size} features · ${stats.wsMessages} updates · frame ${ms.toFixed(1)} ms`;
  });
}

// The server sends something at least every couple of seconds (the active alerts at least);
// a socket silent for longer than SILENT_MS is treated as dead: closed, reopened, and the page
// resynchronised from the new connection's snapshot. A closed socket is reopened with backoff.
const SILENT_MS = 8000;
const live = { ws: null, lastMessage: 0, reconnects: 0, retryMs: 1000 };
window.__trilinkLive = live;

function connect(path) {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const token = new URLSearchParams(location.search).get("token");
  const url = `${proto}://${location.host}${path}${token ? "?token=" + encodeURIComponent(token) : ""}`;
  const ws = new WebSocket(url);
  live.ws = ws;
  live.lastMessage = Date.now();
  ws.onmessage = ev => {
    live.lastMessage = Date.now();
    live.retryMs = 1000;
    try { onMessage(ev.data); } catch (err) {
      // a message the page cannot apply: start again from a fresh snapshot
      console.warn("update could not be applied; resynchronising", err);
      ws.close();
    }
  };
  ws.onclose = () => {
    if (live.ws !== ws || window.__trilinkReplay) return;
    live.ws = null;
    live.reconnects += 1;
    console.info(`live feed closed; reconnecting in ${live.retryMs} ms`);
    setTimeout(() => connect(path), live.retryMs);
    live.retryMs = Math.min(live.retryMs * 2, 8000);
  };
  return ws;
}

function watchdog() {
  const ws = live.ws;
  if (ws && ws.readyState === WebSocket.OPEN && Date.now() - live.lastMessage > SILENT_MS) {
    console.info("live feed silent; reconnecting");
    ws.close();
  }
}

// ---------------------------------------------------------------- replay
async function setupReplay() {
  const resp = await fetch("/api/replay/range");
  if (!resp.ok) return false;
  const range = await resp.json();
  if (!range.available) return false;
  window.__trilinkReplay = true;
  document.getElementById("replay").hidden = false;
  const slider = document.getElementById("replay-slider");
  const show = async () => {
    const t = range.start + (range.end - range.start) * slider.value / 1000;
    document.getElementById("replay-time").textContent = new Date(t * 1000).toISOString();
    const snap = await (await fetch(`/api/replay/picture?t=${t}`)).json();
    clockOffset = t - Date.now() / 1000;
    onMessage(JSON.stringify(Object.assign({ type: "snapshot" }, snap)));
  };
  slider.oninput = show;
  await show();
  return true;
}

async function start() {
  // the live feed never waits for the basemap: it comes in beneath whatever is drawn
  const basemap = Promise.all([loadCountries(), loadOutlines()]);
  if (!(await setupReplay())) {
    connect("/ws");
    setInterval(watchdog, 1000);
  }
  setInterval(tick, 250);
  await basemap;
}
start();
