// The explorer's one page: HTML, CSS and a small script that only draws and sends requests.
// Every number it shows comes from the API (`ExplorerAPI`); no formula is computed here.

/// The page served at `/`. Self-contained: no fonts, scripts or styles from elsewhere.
public let explorerPage = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pvar explorer: DPO gradient, PVar and the bounds</title>
<style>
:root { --fg:#111; --bg:#fff; --muted:#444; --accent:#0b5cad; --lhs:#d9480f; --rhs:#2b8a3e; --line:#bbb; }
* { box-sizing: border-box; }
body { font: 18px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
header { padding: .5em 1em; border-bottom: 2px solid var(--line); }
header p { margin: .3em 0; color: var(--muted); max-width: 70em; }
h1 { font-size: 1.45em; margin: 0; }
main { display: grid; grid-template-columns: minmax(0, 39em) minmax(0, 1fr); gap: 1em; padding: 1em; align-items: start; }
@media (max-width: 1100px) { main { grid-template-columns: 1fr; } }
section { border: 1px solid var(--line); border-radius: 6px; padding: .5em .8em; }
h2 { font-size: 1.15em; margin: .2em 0 .4em; }
h3 { font-size: 1em; margin: .8em 0 .3em; }
label { font-weight: 600; }
.row { display: flex; align-items: center; gap: .5em; margin: .35em 0; flex-wrap: wrap; }
input[type=number] { width: 5.6em; }
input[type=range] { width: 5.2em; vertical-align: middle; }
.ctl { white-space: nowrap; }
#results { overflow-x: auto; }
select, button, input { font-size: 1em; }
button { padding: .3em .8em; cursor: pointer; }
:focus-visible { outline: 3px solid #f59f00; outline-offset: 2px; }
table { border-collapse: collapse; }
td, th { padding: .15em .45em; text-align: left; vertical-align: middle; }
th { font-weight: 600; border-bottom: 1px solid var(--line); }
.num { font-family: ui-monospace, monospace; font-size: .85em; }
.bar { height: .75em; display: block; min-width: 1px; margin: 2px 0; }
.lhs { background: var(--lhs); } .rhs { background: var(--rhs); } .pi { background: var(--accent); }
.heat td { width: 3.7em; height: 2em; text-align: center; font-family: ui-monospace, monospace; font-size: .8em; border: 1px solid #fff; }
.heat th { border: none; font-weight: normal; color: var(--muted); }
.maps { display: flex; gap: 2em; flex-wrap: wrap; }
#status { min-height: 1.4em; }
#status[data-state=error] { color: #b00020; font-weight: 600; }
pre { background: #f2f2f2; padding: .5em; overflow-x: auto; font-size: .8em; margin: .2em 0; }
a { color: var(--accent); }
.yes { color: #2b8a3e; font-weight: 600; } .no { color: #b00020; font-weight: 600; }
.legend { color: var(--muted); font-size: .85em; }
</style>
</head>
<body>
<header>
<h1>pvar explorer: the DPO gradient, preference variance and the bounds B0–B3</h1>
<p>One prompt, K responses. Move the rewards, the policy, the reference, β and the pair distribution: every number on
this page is computed by pvar's library, through the same function (and the same bytes) as <code>pvar evaluate</code>.
Each label links to its definition in the walkthrough or the proofs.</p>
</header>
<main>
<section aria-labelledby="h-instance">
<h2 id="h-instance">The instance</h2>
<div class="row"><label for="preset">Preset</label>
<select id="preset"><option value="">(choose an example)</option></select>
<a id="preset-link" href="#" target="_blank" rel="noopener" hidden>where it is explained</a></div>
<div class="row"><label for="K">Responses K</label><input type="number" id="K" min="2" max="6" step="1" value="2"></div>
<div class="row"><label for="form"><a data-link="policy">Policy</a></label>
<select id="form"><option value="tabular">tabular: one logit per response</option>
<option value="features1">features, d = 1 (θ and one feature per response)</option>
<option value="features2">features, d = 2</option></select></div>
<div class="row"><label for="beta">β</label>
<input type="range" id="beta-slider" min="0.05" max="5" step="0.05" aria-label="β (slider)">
<input type="number" id="beta" step="any" min="0"></div>
<div class="row"><label for="pairs"><a data-link="pairs">Pairs μ</a></label>
<select id="pairs"><option value="policy">drawn from the policy</option><option value="reference">drawn from the reference</option>
<option value="uniform">uniform</option></select></div>
<div id="theta-box"></div>
<table id="responses" aria-label="Responses"></table>
<p class="legend">Reference weights are divided by their sum; the policy's probabilities are on the right.</p>
<div class="row"><button id="at-reference" type="button">Put the policy at the reference</button>
<button id="certify" type="button">Certify the verdicts</button></div>
<p id="status" role="status" aria-live="polite" data-state="loading" data-seq="0">Loading…</p>
</section>
<section id="results" aria-labelledby="h-results">
<h2 id="h-results">What the library computes</h2>
<table id="quantities" aria-label="Quantities">
<tr><th><a data-link="loss">loss L</a></th><td class="num" id="q-loss"></td></tr>
<tr><th><a data-link="gradient">gradient ∇L</a></th><td class="num" id="q-gradient"></td></tr>
<tr><th><a data-link="gradient">‖∇L‖</a></th><td class="num" id="q-gradientNorm"></td></tr>
<tr><th><a data-link="pvarLabels">PVar of the labels</a></th><td class="num" id="q-pvarLabels"></td></tr>
<tr><th><a data-link="pvarPolicy">PVar of the policy</a></th><td class="num" id="q-pvarPolicy"></td></tr>
<tr><th><a data-link="scoreBound">score bound G</a></th><td class="num" id="q-scoreBound"></td></tr>
<tr><th><a data-link="atReference">at the reference</a></th><td id="q-atReference"></td></tr>
<tr><th><a data-link="pairs">pairs are the policy</a></th><td id="q-pairsArePolicy"></td></tr>
</table>
<h3><a data-link="statements">The statements: ‖∇L‖ against each bound</a></h3>
<table id="statements" aria-label="Statements">
<tr><th>statement</th><th>applies</th><th>‖∇L‖, bound</th><th>bound</th><th>ratio ‖∇L‖/bound</th><th>holds</th>
<th><a data-link="certify">certified</a></th></tr>
</table>
<p class="legend">Bars: <span class="bar lhs" style="width:2em;display:inline-block"></span> ‖∇L‖ and
<span class="bar rhs" style="width:2em;display:inline-block"></span> the bound, to the scale of the larger.
A statement that does not apply makes no claim here (its hypotheses fail); its ratio is shown for information.</p>
<h3><a data-link="implicitRewards">The policy and the implicit rewards h = β log(π/π_ref)</a></h3>
<table id="policy" aria-label="Policy"></table>
<h3><a data-link="preferences">Preferences</a>: the model's p(i, j) = σ(h_i − h_j) and the labels' q(i, j) = σ(r_i − r_j)</h3>
<div class="maps"><div><div>p (model)</div><table class="heat" id="p-map" aria-label="p"></table></div>
<div><div>q (labels)</div><table class="heat" id="q-map" aria-label="q"></table></div></div>
<p class="legend">Blue below 1/2, orange above; PVar is the μ-weighted mean of (p − 1/2)² (policy) or (q − 1/2)² (labels).</p>
<h3>The instance file (give it to <code>pvar evaluate --input FILE</code> for the same numbers)</h3>
<pre id="instance-json"></pre>
</section>
</main>
<script>
"use strict";
const $ = id => document.getElementById(id);
let state = null;      // the draft the controls hold (sent as is to the API)
let last = null;       // the last answer of /api/explore
let seq = 0;           // requests sent; answers to older ones are dropped
let timer = null;
let presets = [], links = {};
const featureDefaults = [[1, 0], [0, 1], [1, 1], [-1, 0], [0, -1], [-1, -1]];

function text(x) { return x === null || x === undefined ? "—" : String(x); }
function yesNo(b) { return b ? "yes" : "no"; }
function dimension() { return state.features ? state.features[0].length : 0; }

function defaultDraft(K) {
  return { beta: 1, logits: Array(K).fill(0), referenceWeights: Array(K).fill(1),
           rewards: Array.from({ length: K }, (_, i) => K - 1 - i), pairs: "policy" };
}

function resize(K) {
  const grow = (a, fill) => { const b = a.slice(0, K); while (b.length < K) b.push(fill(b.length)); return b; };
  state.rewards = grow(state.rewards, () => 0);
  state.referenceWeights = grow(state.referenceWeights, () => 1);
  if (state.logits) state.logits = grow(state.logits, () => 0);
  if (state.features) { const d = dimension(); state.features = grow(state.features, i => featureDefaults[i].slice(0, d)); }
}

function setForm(form) {
  const K = state.rewards.length;
  if (form === "tabular") { state.logits = Array(K).fill(0); delete state.features; delete state.theta; }
  else {
    const d = form === "features1" ? 1 : 2;
    state.features = Array.from({ length: K }, (_, i) => d === 1 ? [i] : featureDefaults[i].slice());
    state.theta = Array(d).fill(0); delete state.logits;
  }
}

// A slider and a number field bound to state[key][index] (index null: state[key]).
function control(id, label, key, index, min, max, step) {
  const get = () => index === null ? state[key] : state[key][index];
  const set = v => { if (index === null) state[key] = v; else state[key][index] = v; };
  const wrap = document.createElement("span"); wrap.className = "ctl";
  const slider = Object.assign(document.createElement("input"), { type: "range", id: id, min, max, step });
  slider.setAttribute("aria-label", label + " (slider)");
  const field = Object.assign(document.createElement("input"), { type: "number", id: id + "-value", step: "any" });
  field.setAttribute("aria-label", label);
  slider.value = get(); field.value = get();
  slider.addEventListener("input", () => { set(Number(slider.value)); field.value = slider.value; changed(); });
  field.addEventListener("change", () => { set(field.value === "" ? null : Number(field.value)); slider.value = field.value; changed(); });
  wrap.append(slider, field);
  return wrap;
}

function build() {
  const K = state.rewards.length, d = dimension();
  $("K").value = K;
  $("form").value = state.logits ? "tabular" : "features" + d;
  $("pairs").value = state.pairs;
  $("beta-slider").value = state.beta; $("beta").value = state.beta;
  const thetaBox = $("theta-box"); thetaBox.replaceChildren();
  if (state.theta) {
    state.theta.forEach((_, c) => {
      const row = document.createElement("div"); row.className = "row";
      const l = document.createElement("label"); l.textContent = "θ" + (d > 1 ? "[" + (c + 1) + "]" : ""); l.htmlFor = "theta-" + c;
      row.append(l, control("theta-" + c, "θ " + (c + 1), "theta", c, -4, 4, 0.05));
      thetaBox.append(row);
    });
  }
  const table = $("responses"); table.replaceChildren();
  const head = table.insertRow();
  for (const h of ["y", "reward r", state.logits ? "logit" : "features φ", "reference weight"]) {
    const th = document.createElement("th"); th.textContent = h; head.append(th);
  }
  for (let i = 0; i < K; i++) {
    const row = table.insertRow();
    row.insertCell().textContent = String(i + 1);
    row.insertCell().append(control("reward-" + i, "reward of response " + (i + 1), "rewards", i, -5, 5, 0.05));
    const policyCell = row.insertCell();
    if (state.logits) policyCell.append(control("logit-" + i, "logit of response " + (i + 1), "logits", i, -5, 5, 0.05));
    else state.features[i].forEach((v, c) => {
      const f = Object.assign(document.createElement("input"), { type: "number", id: "feature-" + i + "-" + c, step: "any", value: v });
      f.setAttribute("aria-label", "feature " + (c + 1) + " of response " + (i + 1));
      f.addEventListener("change", () => { state.features[i][c] = f.value === "" ? null : Number(f.value); changed(); });
      policyCell.append(f);
    });
    row.insertCell().append(control("ref-" + i, "reference weight of response " + (i + 1), "referenceWeights", i, 0.05, 5, 0.05));
  }
}

function changed() {
  clearCertified();
  clearTimeout(timer);
  timer = setTimeout(explore, 40);
}

function setStatus(stateName, message) {
  const s = $("status"); s.dataset.state = stateName; s.textContent = message;
}

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  const body2 = await response.text();
  if (!response.ok) throw new Error(body2.trim() || response.status + " " + response.statusText);
  return JSON.parse(body2);
}

async function explore() {
  const mine = ++seq;
  setStatus("busy", "Computing…");
  try {
    const answer = await post("/api/explore", JSON.stringify(state));
    if (mine !== seq) return;
    render(answer);
    $("status").dataset.seq = String(mine);
    setStatus("ready", "Computed by the library for the instance below.");
  } catch (error) {
    if (mine !== seq) return;
    setStatus("error", error.message);
  }
}

function cellsRow(table, values, header) {
  const row = table.insertRow();
  values.forEach((v, i) => {
    const c = i === 0 && header ? document.createElement("th") : row.insertCell();
    if (c.tagName === "TH") row.append(c);
    if (v instanceof Node) c.append(v); else c.textContent = v;
  });
  return row;
}

function bar(kind, fraction) {
  const b = document.createElement("span"); b.className = "bar " + kind;
  b.style.width = (Math.max(0, Math.min(1, fraction)) * 5).toFixed(3) + "em";
  return b;
}

function heat(table, matrix) {
  table.replaceChildren();
  const K = matrix.length;
  const head = table.insertRow(); head.append(document.createElement("th"));
  for (let j = 0; j < K; j++) { const th = document.createElement("th"); th.textContent = "j=" + (j + 1); head.append(th); }
  matrix.forEach((row, i) => {
    const r = table.insertRow(); const th = document.createElement("th"); th.textContent = "i=" + (i + 1); r.append(th);
    row.forEach(v => {
      const c = r.insertCell();
      const t = Math.min(1, Math.abs(v - 0.5) * 2);
      const [R, G, B] = v >= 0.5 ? [255, 255 - 120 * t, 255 - 220 * t] : [255 - 200 * t, 255 - 120 * t, 255];
      c.style.background = "rgb(" + R.toFixed(0) + "," + G.toFixed(0) + "," + B.toFixed(0) + ")";
      c.textContent = v.toFixed(3); c.title = String(v);
    });
  });
}

function render(answer) {
  last = answer;
  const e = answer.evaluation;
  for (const k of ["loss", "gradientNorm", "pvarLabels", "pvarPolicy", "scoreBound"]) $("q-" + k).textContent = text(e[k]);
  $("q-gradient").textContent = "[" + e.gradient.map(text).join(", ") + "]";
  $("q-atReference").textContent = yesNo(e.atReference);
  $("q-pairsArePolicy").textContent = yesNo(e.pairsArePolicy);
  const st = $("statements");
  while (st.rows.length > 1) st.deleteRow(1);
  for (const id of ["B0", "B1", "B2", "B3"]) {
    const b = e.bounds[id];
    const scale = Math.max(b.lhs, b.value) || 1;
    const bars = document.createElement("div"); bars.append(bar("lhs", b.lhs / scale), bar("rhs", b.value / scale));
    const name = Object.assign(document.createElement("a"), { textContent: id, href: links[id] || "#", target: "_blank", rel: "noopener" });
    const row = cellsRow(st, [name, yesNo(b.applies), bars, text(b.value), text(b.ratio),
      b.holds === null ? "n/a (no claim here)" : (b.resolved ? yesNo(b.holds) : "below double range"), ""], false);
    row.cells[1].id = "applies-" + id; row.cells[1].className = b.applies ? "yes" : "no";
    row.cells[3].id = "value-" + id; row.cells[3].className = "num";
    row.cells[4].id = "ratio-" + id; row.cells[4].className = "num";
    row.cells[5].id = "holds-" + id; row.cells[6].id = "certified-" + id;
  }
  const pt = $("policy"); pt.replaceChildren();
  cellsRow(pt, ["y", "π(y)", "", "π_ref(y)", "h(y)"], false).querySelectorAll("td").forEach(c => c.style.fontWeight = "600");
  e.policy.forEach((p, i) => {
    const row = cellsRow(pt, [String(i + 1), text(p), bar("pi", p), text(answer.instance.reference[i]), text(e.implicitRewards[i])], false);
    row.cells[1].className = row.cells[3].className = row.cells[4].className = "num";
    row.cells[1].id = "pi-" + i;
  });
  heat($("p-map"), answer.modelPreference);
  heat($("q-map"), answer.labelPreference);
  $("instance-json").textContent = JSON.stringify(answer.instance, null, 1).replace(/\n\s+(?=[-\d\]])/g, " ");
}

function clearCertified() {
  for (const id of ["B0", "B1", "B2", "B3"]) { const c = $("certified-" + id); if (c) c.textContent = ""; }
}

async function certify() {
  if (!last) return;
  const mine = seq;
  setStatus("busy", "Certifying in ball arithmetic…");
  try {
    const answer = await post("/api/certify", JSON.stringify(last.instance));
    if (mine !== seq) return;
    for (const id of ["B0", "B1", "B2", "B3"]) $("certified-" + id).textContent = answer.certified.bounds[id].verdict;
    setStatus("ready", "Certified at " + answer.certified.precisionBits + " bits: each verdict holds for the exact instance.");
  } catch (error) { setStatus("error", error.message); }
}

async function atReference() {
  const mine = ++seq;
  try {
    const draft = await post("/api/at-reference", JSON.stringify(state));
    if (mine !== seq) return;
    state = draft; build(); changed();
  } catch (error) { setStatus("error", error.message); }
}

function wire() {
  $("K").addEventListener("change", () => {
    const K = Math.round(Number($("K").value));
    if (!(K >= 2 && K <= 6)) { setStatus("error", "K: give a whole number from 2 to 6"); return; }
    resize(K); build(); changed();
  });
  $("form").addEventListener("change", () => { setForm($("form").value); build(); changed(); });
  $("pairs").addEventListener("change", () => { state.pairs = $("pairs").value; changed(); });
  $("beta-slider").addEventListener("input", () => { state.beta = Number($("beta-slider").value); $("beta").value = $("beta-slider").value; changed(); });
  $("beta").addEventListener("change", () => { state.beta = $("beta").value === "" ? null : Number($("beta").value); $("beta-slider").value = $("beta").value; changed(); });
  $("at-reference").addEventListener("click", atReference);
  $("certify").addEventListener("click", certify);
  $("preset").addEventListener("change", () => {
    const p = presets[Number($("preset").value)];
    if (!p) return;
    state = JSON.parse(JSON.stringify(p.draft));
    const link = $("preset-link"); link.hidden = !p.link; if (p.link) link.href = p.link;
    build(); changed();
  });
}

async function start() {
  try {
    const setup = await (await fetch("/api/setup")).json();
    presets = setup.presets; links = setup.links;
  } catch (error) { presets = []; links = {}; }
  presets.forEach((p, i) => $("preset").append(Object.assign(document.createElement("option"), { value: String(i), textContent: p.name })));
  document.querySelectorAll("a[data-link]").forEach(a => {
    const url = links[a.dataset.link];
    if (url) { a.href = url; a.target = "_blank"; a.rel = "noopener"; } else a.removeAttribute("href");
  });
  state = defaultDraft(3);
  wire(); build(); changed();
}
start();
</script>
</body>
</html>
"""#
