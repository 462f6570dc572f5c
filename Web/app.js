// metiers: the web page over the HTTP API (docs/openapi.yaml). Plain JavaScript, no build step,
// nothing loaded from elsewhere. Views: #/ (search), #/recherche?q=… (a title's results),
// #/fiche/<id> (a card). A pasted text is classified with POST /v1/classify and kept in memory
// (it may be long and personal: it never goes into the address).
"use strict";

const SUGGEST_LIMIT = 8;
const RESULT_LIMIT = 10;
const SUGGEST_DELAY_MS = 80;

const $ = (id) => document.getElementById(id);

// ---- HTTP ---------------------------------------------------------------------------------

// What the page says for the service's error codes (docs/PROTOCOL.md); others show the
// service's own message.
const MESSAGES = {
  not_found: "Aucune fiche ne correspond à cette adresse.",
  empty_query: "La recherche ne contient aucun mot à chercher : tapez un intitulé ou une description.",
  query_syntax: "La recherche est mal formée (un guillemet non fermé ?).",
  overloaded: "Le service est très sollicité : réessayez dans un instant.",
  timeout: "La recherche a pris trop de temps : raccourcissez le texte et réessayez.",
  index_unavailable: "L'index n'est pas disponible pour le moment.",
  line_too_long: "Le texte est trop long pour le service.",
  too_many_terms: "Le texte contient trop de mots différents : raccourcissez-le.",
};

class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    throw new ApiError("network", "Le service ne répond pas : vérifiez que metiersd tourne.");
  }
  let body;
  try {
    body = await response.json();
  } catch (e) {
    throw new ApiError("bad_response", `Réponse illisible du service (HTTP ${response.status}).`);
  }
  if (!body.ok) {
    const error = body.error || {};
    const code = error.code || "error";
    throw new ApiError(code, MESSAGES[code] || error.message || `Erreur HTTP ${response.status}`);
  }
  return body;
}

const query = (params) => new URLSearchParams(params).toString();

let cardNames = null; // id -> name, loaded once from GET /v1/cards
async function namesOfCards() {
  if (cardNames) return cardNames;
  try {
    const body = await api("/v1/cards");
    cardNames = new Map(body.cards.map((c) => [c.id, c.name]));
  } catch (e) {
    cardNames = new Map();
  }
  return cardNames;
}

// ---- DOM helpers --------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function setStatus(message, kind = "info") {
  const status = $("etat");
  status.className = kind;
  status.textContent = message;
}

const percent = (x) => `${Math.round(x * 100)} %`;

// The snippet's text with its matched words marked; offsets are Unicode code points.
function highlighted(snippet) {
  const chars = Array.from(snippet.text);
  const out = el("p", { class: "extrait" });
  let at = 0;
  for (const [start, end] of snippet.highlights) {
    if (start > at) out.append(chars.slice(at, start).join(""));
    out.append(el("mark", { text: chars.slice(start, end).join("") }));
    at = end;
  }
  if (at < chars.length) out.append(chars.slice(at).join(""));
  return out;
}

function matchedWords(result) {
  const words = new Set();
  if (result.snippet) {
    const chars = Array.from(result.snippet.text);
    for (const [start, end] of result.snippet.highlights) words.add(chars.slice(start, end).join("").toLowerCase());
  }
  return [...words];
}

// ---- Typeahead (WAI-ARIA combobox with a listbox) -------------------------------------------

const typeahead = { items: [], active: -1, timer: null, generation: 0 };

function closeSuggestions() {
  const list = $("suggestions");
  list.hidden = true;
  list.replaceChildren();
  typeahead.items = [];
  typeahead.active = -1;
  $("q").setAttribute("aria-expanded", "false");
  $("q").removeAttribute("aria-activedescendant");
}

function showSuggestions(items) {
  const list = $("suggestions");
  typeahead.items = items;
  typeahead.active = -1;
  list.replaceChildren(
    ...items.map((s, i) =>
      el("li", { id: `suggestion-${i}`, role: "option", "aria-selected": "false",
                 onmousedown: (e) => { e.preventDefault(); pickSuggestion(i); } },
        el("span", { class: "titre", text: s.title }),
        el("span", { class: "carte", text: s.card ? (s.famille || "") : `hors référentiel${s.rome ? " · " + s.rome : ""}` })))
  );
  list.hidden = items.length === 0;
  $("q").setAttribute("aria-expanded", items.length ? "true" : "false");
}

function moveActive(step) {
  if (!typeahead.items.length) return;
  const n = typeahead.items.length;
  typeahead.active = ((typeahead.active + 1 + step + n + 1) % (n + 1)) - 1; // -1: back to the text
  const options = $("suggestions").children;
  for (let i = 0; i < options.length; i++) options[i].setAttribute("aria-selected", String(i === typeahead.active));
  if (typeahead.active >= 0) {
    $("q").setAttribute("aria-activedescendant", `suggestion-${typeahead.active}`);
    options[typeahead.active].scrollIntoView({ block: "nearest" });
  } else {
    $("q").removeAttribute("aria-activedescendant");
  }
}

function pickSuggestion(i) {
  const suggestion = typeahead.items[i];
  if (!suggestion) return;
  $("q").value = suggestion.title;
  closeSuggestions();
  location.hash = `#/recherche?${query({ q: suggestion.title })}`;
}

async function fetchSuggestions() {
  const text = $("q").value;
  const generation = ++typeahead.generation;
  if (!text.trim()) return closeSuggestions();
  try {
    const body = await api(`/v1/suggest?${query({ q: text, limit: SUGGEST_LIMIT })}`);
    if (generation === typeahead.generation) showSuggestions(body.suggestions);
  } catch (e) {
    if (generation === typeahead.generation) closeSuggestions();
  }
}

function wireTypeahead() {
  const input = $("q");
  input.addEventListener("input", () => {
    clearTimeout(typeahead.timer);
    typeahead.timer = setTimeout(fetchSuggestions, SUGGEST_DELAY_MS);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { e.preventDefault(); moveActive(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); moveActive(-1); }
    else if (e.key === "Escape") closeSuggestions();
    else if (e.key === "Enter" && typeahead.active >= 0) { e.preventDefault(); pickSuggestion(typeahead.active); }
  });
  input.addEventListener("blur", () => setTimeout(closeSuggestions, 0));
}

// ---- Results ------------------------------------------------------------------------------

function renderResult(result) {
  const words = matchedWords(result);
  return el("li", { class: "resultat" },
    el("h3", {}, el("a", { href: `#/fiche/${encodeURIComponent(result.id)}`, text: result.name })),
    el("p", { class: "famille", text: [result.famille, result.sous_famille].filter(Boolean).join(" › ") }),
    el("p", { class: "confiance" },
      el("span", { text: "Confiance " }),
      el("meter", { min: "0", max: "1", value: String(result.confidence), "aria-label": "confiance" }),
      el("strong", { text: ` ${percent(result.confidence)}` })),
    el("dl", { class: "details" },
      result.rome.length ? [el("dt", { text: "ROME" }), el("dd", { text: result.rome.join(", ") })] : null,
      result.matched_title ? [el("dt", { text: "Intitulé reconnu" }), el("dd", { text: result.matched_title })] : null,
      result.rome_appellation ? [el("dt", { text: "Appellation ROME" }),
        el("dd", { text: `${result.rome_appellation.label} (${result.rome_appellation.code_rome})` })] : null,
      words.length ? [el("dt", { text: "Mots reconnus" }), el("dd", { class: "mots", text: words.join(", ") })] : null),
    result.snippet ? highlighted(result.snippet) : null);
}

function renderAnswer(results, match, nearestRome, didYouMean) {
  const list = $("resultats");
  list.replaceChildren(...results.map(renderResult));
  const corrected = didYouMean ? ` (compris : « ${didYouMean} »)` : "";
  if (results.length === 0 || match === "none") {
    list.replaceChildren();
    let message = "Aucun emploi-type du référentiel ne correspond" + corrected + ".";
    if (nearestRome) message += ` Métier ROME le plus proche : ${nearestRome.label} (${nearestRome.code_rome}).`;
    setStatus(message, "vide");
  } else {
    setStatus(`${results.length} emploi${results.length > 1 ? "s" : ""}-type${results.length > 1 ? "s" : ""} trouvé${results.length > 1 ? "s" : ""}${corrected}.`);
  }
}

async function searchTitle(text) {
  setStatus("Recherche…");
  try {
    const body = await api(`/v1/search?${query({ q: text, limit: RESULT_LIMIT })}`);
    renderAnswer(body.results, body.match, body.nearest_rome, body.did_you_mean);
  } catch (e) {
    $("resultats").replaceChildren();
    setStatus(e.message, "erreur");
  }
}

async function classifyText(text) {
  setStatus("Analyse du texte…");
  try {
    const body = await api("/v1/classify", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ postings: [{ id: "texte", description: text }], limit: RESULT_LIMIT }),
    });
    const item = body.items[0];
    if (!item.ok) throw new ApiError(item.error.code, item.error.message);
    renderAnswer(item.results || [], item.match, item.nearest_rome, null);
  } catch (e) {
    $("resultats").replaceChildren();
    setStatus(e.message, "erreur");
  }
}

// ---- Card ---------------------------------------------------------------------------------

function section(title, ...content) {
  const body = content.flat().filter((c) => c !== null && c !== undefined && c !== "");
  if (!body.length) return null;
  return el("section", { class: "rubrique" }, el("h3", { text: title }), ...body);
}

const paragraphs = (text) => (text || "").split("\n").filter(Boolean).map((p) => el("p", { text: p }));
const bullets = (items) => (items && items.length ? el("ul", {}, items.map((i) => el("li", { text: i }))) : null);

function appellations(card) {
  const names = { courante: "Appellations courantes", anglais: "En anglais", table: "Table de correspondance" };
  const bySource = new Map();
  for (const a of card.appellations) {
    if (!bySource.has(a.source)) bySource.set(a.source, []);
    if (!bySource.get(a.source).includes(a.label)) bySource.get(a.source).push(a.label);
  }
  return el("dl", { class: "details" },
    [...bySource].map(([source, labels]) => [el("dt", { text: names[source] || source }), el("dd", { text: labels.join(" · ") })]));
}

// The passerelles as a picture: where people come from (left), the card, where they go (right).
// Every box is a link; the same content is given as lists below it.
function passerellesGraph(card, names) {
  const ns = "http://www.w3.org/2000/svg";
  const make = (tag, attrs) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  };
  const from = card.passerelles.origines, to = card.passerelles.evolutions;
  const rows = Math.max(from.length, to.length, 1);
  const boxW = 230, centerW = 330, boxH = 34, gap = 12, arrows = 80;
  const width = 2 * boxW + centerW + 2 * arrows, height = rows * (boxH + gap) + gap;
  const svg = make("svg", { viewBox: `0 0 ${width} ${height}`, class: "graphe", role: "img",
                            "aria-label": `Passerelles de ${card.name} : ${from.length} origines, ${to.length} évolutions` });
  const defs = make("defs", {});
  const marker = make("marker", { id: "fleche", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto" });
  marker.append(make("path", { d: "M0,0 L10,5 L0,10 z", class: "pointe" }));
  defs.append(marker);
  svg.append(defs);
  const label = (text, w) => { const max = Math.floor(w / 8); return text.length > max ? text.slice(0, max - 1) + "…" : text; };
  const box = (x, y, id, text, current) => {
    const w = current ? centerW : boxW;
    const group = current ? make("g", {}) : make("a", { href: `#/fiche/${encodeURIComponent(id)}` });
    group.append(make("rect", { x, y, width: w, height: boxH, rx: 6, class: current ? "noeud courant" : "noeud" }));
    const t = make("text", { x: x + w / 2, y: y + boxH / 2 + 5, "text-anchor": "middle" });
    t.textContent = label(text, w);
    const title = make("title", {});
    title.textContent = text;
    group.append(title, t);
    svg.append(group);
  };
  const centerY = height / 2 - boxH / 2, centerX = boxW + arrows;
  const column = (ids, x, toCenter) => ids.forEach((id, i) => {
    const y = gap + i * (boxH + gap) + ((rows - ids.length) * (boxH + gap)) / 2;
    const [x1, y1, x2, y2] = toCenter ? [x + boxW, y + boxH / 2, centerX, centerY + boxH / 2]
                                      : [centerX + centerW, centerY + boxH / 2, x, y + boxH / 2];
    svg.append(make("line", { x1, y1, x2, y2, class: "arete", "marker-end": "url(#fleche)" }));
    box(x, y, id, names.get(id) || id, false);
  });
  column(from, 0, true);
  column(to, boxW + centerW + 2 * arrows, false);
  box(centerX, centerY, card.id, card.name, true);
  return svg;
}

function passerellesLists(card, names) {
  const link = (id) => el("li", {}, el("a", { href: `#/fiche/${encodeURIComponent(id)}`, text: names.get(id) || id }));
  const p = card.passerelles;
  return el("div", { class: "colonnes" },
    el("div", {}, el("h4", { text: "On y vient de" }),
      el("ul", {}, p.origines.map(link), p.autres_origines.map((o) => el("li", { text: o })))),
    el("div", {}, el("h4", { text: "On peut évoluer vers" }),
      el("ul", {}, p.evolutions.map(link), p.autres_evolutions.map((o) => el("li", { text: o })))));
}

async function similarCards(id) {
  try {
    const body = await api(`/v1/cards/${encodeURIComponent(id)}/similar?${query({ limit: 5 })}`);
    return el("ol", {}, body.results.map((r) => el("li", {},
      el("a", { href: `#/fiche/${encodeURIComponent(r.id)}`, text: r.name }),
      r.shared_terms && r.shared_terms.length ? ` — en commun : ${r.shared_terms.slice(0, 6).join(", ")}` : "")));
  } catch (e) {
    return el("p", { class: "erreur", text: e.message });
  }
}

async function showCard(id) {
  const fiche = $("fiche");
  fiche.replaceChildren(el("p", { role: "status", text: "Chargement de la fiche…" }));
  let card;
  try {
    card = (await api(`/v1/cards/${encodeURIComponent(id)}`)).card;
  } catch (e) {
    const message = e.code === "not_found" ? `Aucun emploi-type n'a l'identifiant « ${id} ».` : e.message;
    fiche.replaceChildren(el("p", { class: "erreur", role: "alert", text: message }), el("p", {}, el("a", { href: "#/", text: "Chercher un emploi-type" })));
    return;
  }
  const [names, similar] = await Promise.all([namesOfCards(), similarCards(id)]);
  document.title = `${card.name} — metiers`;
  const v = card.variabilite, c = card.conditions_exercice;
  fiche.replaceChildren(
    el("h2", { id: "titre-fiche", tabindex: "-1", text: card.name }),
    el("p", { class: "famille", text: [card.famille, card.sous_famille].filter(Boolean).join(" › ") }),
    el("dl", { class: "details" },
      el("dt", { text: "Identifiant" }), el("dd", {}, el("code", { text: card.id })),
      el("dt", { text: "Codes ROME" }), el("dd", { text: card.rome.length ? card.rome.join(", ") : "non pertinent" })),
    section("Appellations", appellations(card)),
    section("Description synthétique", paragraphs(card.description_synthetique)),
    section("Activités principales", bullets(card.activites_principales)),
    section("Activités spécifiques", bullets(card.activites_specifiques)),
    section("Savoir-faire", bullets(card.savoir_faire)),
    section("Connaissances", bullets(card.connaissances)),
    section("Variabilité de l'emploi", el("dl", { class: "details" },
      el("dt", { text: "Type d'entreprise" }), el("dd", { text: v.type_entreprise }),
      el("dt", { text: "Secteur" }), el("dd", { text: v.sectoriel }))),
    section("Conditions d'exercice", el("dl", { class: "details" },
      el("dt", { text: "Liaisons externes" }), el("dd", { text: c.liaisons_externes }),
      el("dt", { text: "Liaisons internes" }), el("dd", { text: c.liaisons_internes }),
      el("dt", { text: "Lieu de travail" }), el("dd", { text: c.lieu_de_travail }))),
    section("Prérequis d'accès à l'emploi", paragraphs(card.prerequis)),
    section("Principales formations", bullets(card.formations)),
    section("Certifications", bullets(card.certifications)),
    section("Parcours dans l'emploi", paragraphs(card.parcours)),
    section("Passerelles", passerellesGraph(card, names), passerellesLists(card, names)),
    section("Emplois-types proches", similar));
  $("titre-fiche").focus();
}

// ---- Views --------------------------------------------------------------------------------

function route() {
  const hash = location.hash || "#/";
  const card = hash.match(/^#\/fiche\/(.+)$/);
  $("vue-fiche").hidden = !card;
  $("vue-recherche").hidden = !!card;
  if (card) return showCard(decodeURIComponent(card[1]));
  document.title = "metiers — les métiers de l'informatique";
  const search = hash.match(/^#\/recherche\?(.*)$/);
  if (search) {
    const q = new URLSearchParams(search[1]).get("q") || "";
    $("q").value = q;
    if (q.trim()) searchTitle(q);
  }
}

function start() {
  wireTypeahead();
  $("form-titre").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = $("q").value.trim();
    closeSuggestions();
    if (!q) return setStatus("Tapez un intitulé de poste.", "erreur");
    const target = `#/recherche?${query({ q })}`;
    if (location.hash === target) searchTitle(q);
    else location.hash = target;
  });
  $("form-texte").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("texte").value.trim();
    if (!text) return setStatus("Collez une offre ou décrivez votre métier.", "erreur");
    if (location.hash.startsWith("#/fiche/")) location.hash = "#/";
    classifyText(text);
  });
  window.addEventListener("hashchange", route);
  route();
}

document.addEventListener("DOMContentLoaded", start);
