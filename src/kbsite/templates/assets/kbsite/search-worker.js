/*
 * kbsite search worker: a drop-in replacement for Material's search worker.
 *
 * Material's UI (header search box, keyboard, result list, ?h= highlighting) is kept; it talks
 * to this worker with the same messages (SETUP, READY, QUERY, RESULT) and result shape. The
 * index is prebuilt at build time (kbsite.search.index): plain text per section, no inverted
 * index to build here, so the worker is ready as soon as the JSON is parsed.
 *
 * Matching cannot disagree with the index: Chinese terms match as substrings, Latin terms as
 * word prefixes, both on NFKC + lowercased text. The word list shipped in the index (the
 * knowledge base's titles, aliases, topics, tags, plus jieba's words from the notes) only
 * decides how a query is cut into terms: 知识蒸馏的温度 → 知识蒸馏 / 温度, KV缓存 → kv / 缓存.
 */
"use strict"

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3

// Han ideographs, the same ranges as kbsite/search/segment.py; kana and hangul match like Han.
const HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{3134f}"
const CJK = HAN + "\\u3040-\\u30ff\\uac00-\\ud7af"
const HAN_RUN = new RegExp(`^[${HAN}]+$`, "u")
const TOKEN = new RegExp(
  `[${CJK}]+|[a-z0-9\\u00c0-\\u024f\\u0370-\\u03ff\\u0400-\\u04ff]+(?:[:.][0-9]+)*`, "gu")
const WORDCHAR = /[a-z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]/
const NOT_KEY = new RegExp(`[^a-z0-9${CJK}]+`, "gu")
// Single characters that carry no meaning on their own in a query.
const STOP = new Set("的了是和与及或吗呢啊把被之也而在对".split(""))
// Field weights: aliases rank like titles.
const W = { title: 10, alias: 9, heading: 3, meta: 2 }
const SNIPPET = 96           // characters of text around the matches
const MAX_RESULTS = 100
const MAX_SECTIONS = 4

let db = null

/* ---- Text --------------------------------------------------------------------------------- */

// Lowercase and fold full-width letters and digits, keeping the length (offsets stay valid).
function fold(s) {
  let f = s.toLowerCase()
  if (f.length !== s.length)
    f = Array.from(s, c => { const l = c.toLowerCase(); return l.length === c.length ? l : c }).join("")
  return f.replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g,
    c => String.fromCharCode(c.charCodeAt(0) - 0xfee0).toLowerCase())
}

function keyOf(s) {
  return s.normalize("NFKC").toLowerCase().replace(NOT_KEY, "")
}

function escapeHTML(s) {
  return s.replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c])
}

/* ---- Index -------------------------------------------------------------------------------- */

function setup(docs) {
  const words = new Map()
  let maxLen = 1
  const list = docs.words ? docs.words.split(" ") : []
  list.forEach((w, i) => {
    if (!w) return
    words.set(w, i < docs.domain ? 1 : 2)
    maxLen = Math.max(maxLen, w.length)
  })
  const pages = docs.pages.map(([location, title, aliases, meta, sections, links]) => ({
    location, title, aliases, meta,
    prior: 1 + 0.08 * Math.log2(1 + (links || 0)),
    tf: fold(title),
    af: aliases.map(fold),
    mf: fold(meta),
    keys: [keyOf(title), ...aliases.map(keyOf)],
    sections: sections.map(([anchor, heading, text]) => ({
      anchor, heading, text, hf: fold(heading), xf: fold(text)
    }))
  }))
  return { words, maxLen, pages }
}

/* ---- Query -------------------------------------------------------------------------------- */

// Cut a run of Han characters into the fewest pieces, preferring the knowledge base's words.
function segmentHan(run, words, maxLen) {
  const n = run.length
  const cost = new Array(n + 1).fill(Infinity)
  const prev = new Array(n + 1).fill(0)
  cost[0] = 0
  for (let i = 0; i < n; i++) {
    if (cost[i] === Infinity) continue
    for (let j = i + 1; j <= Math.min(n, i + maxLen); j++) {
      const kind = j - i === 1 ? 3 : words.get(run.slice(i, j))
      if (!kind) continue
      const c = cost[i] + (kind === 1 ? 0.9 : kind === 2 ? 1 : 1.2)
      if (c < cost[j]) { cost[j] = c; prev[j] = i }
    }
  }
  const pieces = []
  for (let j = n; j > 0; j = prev[j]) pieces.unshift(run.slice(prev[j], j))
  // Characters the word list does not know stay together: 识蒸 is searched as one substring.
  const out = []
  let loose = ""
  for (const p of pieces) {
    if (p.length === 1 && !STOP.has(p)) { loose += p; continue }
    if (loose) { out.push(loose); loose = "" }
    if (p.length > 1) out.push(p)
  }
  if (loose) out.push(loose)
  return out
}

function parseQuery(query) {
  const q = query.normalize("NFKC").toLowerCase()
  const terms = []
  for (const [token] of q.matchAll(TOKEN)) {
    if (/^[a-z0-9]/.test(token) || !HAN_RUN.test(token)) {
      terms.push({ t: token, latin: /^[a-z0-9\u00c0-\u04ff]/.test(token) })
      continue
    }
    const pieces = segmentHan(token, db.words, db.maxLen)
    if (!pieces.length && token.length) pieces.push(token)  // a query of stop characters only
    for (const p of pieces) terms.push({ t: p, latin: false })
  }
  const seen = new Set()
  const cut = q.lastIndexOf("的")
  return {
    key: keyOf(q),
    modifier: cut > 0 ? keyOf(q.slice(0, cut)) : "",
    head: cut > 0 ? keyOf(q.slice(cut + 1)) : keyOf(q),
    chunks: q.split(/\s+/).map(keyOf).filter(c => c.length >= 2),
    terms: terms.filter(({ t }) => !seen.has(t) && seen.add(t))
  }
}

/* ---- Matching ----------------------------------------------------------------------------- */

// Occurrences of term in a folded field: Chinese anywhere, Latin at the start of a word.
// Returns [count, whole-word?], count capped.
function count(hay, term, cap = 20) {
  let n = 0, whole = !term.latin
  const t = term.t
  for (let i = hay.indexOf(t); i >= 0 && n < cap; i = hay.indexOf(t, i + 1)) {
    if (term.latin) {
      if (i > 0 && WORDCHAR.test(hay[i - 1])) continue
      if (!WORDCHAR.test(hay[i + t.length] || " ")) whole = true
    }
    n++
  }
  return n ? [n, whole] : [0, false]
}

function spans(hay, terms, out = []) {
  for (const term of terms) {
    const t = term.t
    for (let i = hay.indexOf(t); i >= 0 && out.length < 400; i = hay.indexOf(t, i + 1)) {
      if (term.latin && i > 0 && WORDCHAR.test(hay[i - 1])) continue
      let end = i + t.length
      if (term.latin) while (end < hay.length && WORDCHAR.test(hay[end])) end++
      out.push([i, end, t])
    }
  }
  return out.sort((a, b) => a[0] - b[0] || b[1] - a[1])
}

function mark(text, list, from = 0, to = text.length) {
  let html = "", at = from
  for (const [s, e] of list) {
    if (e <= at || s >= to) continue
    const a = Math.max(s, at), b = Math.min(e, to)
    html += escapeHTML(text.slice(at, a)) + "<mark>" + escapeHTML(text.slice(a, b)) + "</mark>"
    at = b
  }
  return html + escapeHTML(text.slice(at, to))
}

// The window of text with the most distinct matched terms, matches highlighted.
function snippet(text, folded, terms) {
  const list = spans(folded, terms)
  if (!list.length)
    return text.length > SNIPPET ? escapeHTML(text.slice(0, SNIPPET)) + "…" : escapeHTML(text)
  let best = 0, bestScore = -1
  for (let i = 0; i < list.length; i++) {
    const seen = new Set()
    for (let j = i; j < list.length && list[j][0] < list[i][0] + SNIPPET * 0.8; j++) seen.add(list[j][2])
    if (seen.size > bestScore) { bestScore = seen.size; best = i }
  }
  let from = Math.max(0, list[best][0] - Math.floor(SNIPPET / 5))
  // Do not start in the middle of a Latin word.
  while (from > 0 && WORDCHAR.test(folded[from - 1]) && list[best][0] - from < SNIPPET / 3) from--
  const to = Math.min(text.length, from + SNIPPET)
  return (from > 0 ? "…" : "") + mark(text, list, from, to) + (to < text.length ? "…" : "")
}

/* ---- Search ------------------------------------------------------------------------------- */

function scorePage(page, terms) {
  let score = 0, covered = 0
  const found = {}
  const secHits = new Array(page.sections.length).fill(0)
  let viaAlias = -1
  for (const term of terms) {
    let s = 0
    const [inTitle, titleWhole] = count(page.tf, term, 1)
    if (inTitle) s += W.title * (titleWhole ? 1 : 0.7)
    else {
      for (let a = 0; a < page.af.length; a++) {
        const [n, whole] = count(page.af[a], term, 1)
        if (n) { s += W.alias * (whole ? 1 : 0.7); if (viaAlias < 0) viaAlias = a; break }
      }
    }
    if (count(page.mf, term, 1)[0]) s += W.meta
    let body = 0, heading = 0
    page.sections.forEach((sec, k) => {
      const h = sec.hf ? count(sec.hf, term, 1)[0] : 0
      const [n] = count(sec.xf, term)
      if (h) heading = 1
      body += n
      if (h || n) secHits[k] += term.idf * (h * W.heading + (n ? 1 + Math.log(n) : 0))
    })
    if (heading) s += W.heading
    if (body) s += 1 + Math.log(Math.min(body, 50))
    found[term.t] = s > 0
    if (s > 0) { score += term.idf * s; covered += term.idf }
  }
  return { score, covered, found, secHits, viaAlias }
}

// The query names the page: a title or alias equal to it, containing it, or contained in it.
// Chinese compounds are head-final (知识蒸馏 is a kind of 蒸馏, 蒸馏温度 a kind of 温度), so
// for a Chinese query a name that ends with it ranks above one that starts with it.
// A name inside a longer query counts less when the rest of the query is not on the page, and
// less again when it sits before 的 (扩散模型的个性化微调 asks about 个性化微调, not 扩散模型).
function nameBonus(page, query, coverage) {
  const q = query.key
  if (!q) return 0
  const han = HAN_RUN.test(q.slice(-1))
  let bonus = 0
  for (const key of page.keys) {
    if (!key) continue
    let b = 0
    const ratio = q.length / key.length
    if (key === q) b = 200
    else if (key.endsWith(q)) b = (han ? 40 : 25) * ratio
    else if (key.startsWith(q)) b = (han ? 25 : 40) * ratio
    else if (key.includes(q)) b = 20 * ratio
    else if (q.includes(key) && key.length >= 2) {
      b = 30 * key.length / q.length * (0.5 + 0.5 * coverage)
      if (query.modifier && query.modifier.includes(key) && !query.head.includes(key)) b *= 0.5
    }
    bonus = Math.max(bonus, b)
  }
  return bonus
}

function docFreq(pages, term) {
  let df = 0
  for (const p of pages) {
    if (count(p.tf, term, 1)[0] || p.af.some(a => count(a, term, 1)[0]) || count(p.mf, term, 1)[0]
        || p.sections.some(s => count(s.xf, term, 1)[0] || count(s.hf, term, 1)[0])) df++
  }
  return df
}

function splitTerm(term) {
  if (term.latin) {
    const parts = term.t.match(/[a-z\u00c0-\u04ff]+|[0-9]+(?:[:.][0-9]+)*/g) || []
    return parts.length > 1 ? parts.map(t => ({ t, latin: true })) : []
  }
  // An unknown Chinese stretch found nowhere: its overlapping pairs (single characters match
  // almost anything, so a two-character stretch found nowhere just does not count).
  const chars = Array.from(term.t)
  const out = []
  for (let i = 0; i + 2 <= chars.length && chars.length > 2; i++) out.push({ t: chars[i] + chars[i + 1], latin: false })
  return out
}

const GLUED = /[a-z][0-9]|[0-9][a-z]/

// Letters glued to digits are read both ways and the better reading wins per page:
// llama3 finds "Llama 3" even when some page has the literal "llama3".
function search(raw) {
  const best = new Map()
  for (const split of [false, true]) {
    const query = parseQuery(raw)
    if (split) {
      if (!query.terms.some(t => t.latin && GLUED.test(t.t))) break
      query.terms = query.terms.flatMap(t => t.latin && GLUED.test(t.t) ? splitTerm(t) : [t])
    }
    for (const hit of rank(query)) {
      const seen = best.get(hit.page)
      if (!seen || seen.score < hit.score) best.set(hit.page, hit)
    }
  }
  const hits = [...best.values()].sort((a, b) => b.score - a.score)
  return { items: hits.slice(0, MAX_RESULTS).map(hit => render(hit, hit.live, hit.terms)) }
}

function rank(query) {
  if (!query.terms.length) return []
  const pages = db.pages
  const N = pages.length
  // Document frequency of each term, for its weight; a term found nowhere is split once
  // (llama3 → llama 3, an unknown Chinese stretch → its character pairs), else it does not count.
  const live = []
  const pending = query.terms.map(t => [t, true])
  while (pending.length) {
    const [term, splittable] = pending.shift()
    const df = docFreq(pages, term)
    term.df = df
    term.idf = df ? Math.log(1 + N / df) : 0
    if (df) { live.push(term); continue }
    const parts = splittable ? splitTerm(term) : []
    if (parts.length) term.split = true
    for (const part of parts) {
      if (query.terms.some(t => t.t === part.t)) continue
      query.terms.push(part)
      pending.push([part, false])
    }
  }
  if (!live.length) return []
  const total = live.reduce((a, t) => a + t.idf, 0)
  const hits = []
  for (const page of pages) {
    const r = scorePage(page, live)
    if (!r.covered) continue
    const coverage = r.covered / total
    let phrase = 0
    for (const chunk of query.chunks)
      if (chunk.length >= 3 && page.sections.some(s => keyOf(s.text).includes(chunk))) phrase += 5
    const score = ((r.score + phrase) * coverage * coverage + nameBonus(page, query, coverage)) * page.prior
    hits.push({ page, score, r, live, terms: query.terms })
  }
  return hits
}

function render({ page, score, r }, live, all) {
  const terms = {}
  for (const t of all) if (!t.split) terms[t.t] = !!r.found[t.t]
  const order = page.sections.map((_, k) => k).filter(k => r.secHits[k] > 0)
    .sort((a, b) => r.secHits[b] - r.secHits[a])
  // The teaser comes from the first section that has the most distinct terms.
  const distinct = k => live.filter(t => count(page.sections[k].xf, t, 1)[0]).length
  let lead = page.sections[0]
  if (order.length) {
    const most = Math.max(...order.map(distinct))
    lead = page.sections[Math.min(...order.filter(k => distinct(k) === most))]
  }
  const titleSpans = spans(page.tf, live)
  let text = ""
  if (r.viaAlias >= 0 && !titleSpans.length) {
    const alias = page.aliases[r.viaAlias]
    text += `<span class="kb-search-alias">${mark(alias, spans(page.af[r.viaAlias], live))}</span> · `
  }
  if (lead) text += snippet(lead.text, lead.xf, live)
  else if (page.meta) text += mark(page.meta, spans(page.mf, live))
  const article = {
    location: page.location,
    title: mark(page.title, titleSpans),
    text,
    score,
    terms
  }
  const sections = order.slice(0, MAX_SECTIONS).filter(k => page.sections[k].anchor).map((k, i) => {
    const sec = page.sections[k]
    return {
      location: `${page.location}#${sec.anchor}`,
      title: mark(sec.heading, spans(sec.hf, live)),
      text: snippet(sec.text, sec.xf, live),
      score: score * (0.5 - i * 0.01),
      terms
    }
  })
  return [article, ...sections]
}

/* ---- Messages ----------------------------------------------------------------------------- */

function handler(message) {
  switch (message.type) {
    case SETUP:
      db = setup(message.data.docs)
      return { type: READY }
    case QUERY:
      try {
        return { type: RESULT, data: db ? search(message.data) : { items: [] } }
      } catch (err) {
        console.warn(`kbsite search: query failed: ${message.data}`, err)
        return { type: RESULT, data: { items: [] } }
      }
    default:
      throw new TypeError("Invalid message type")
  }
}

if (typeof module !== "undefined" && module.exports) {
  module.exports = { handler, fold, keyOf, parseQuery: q => parseQuery(q), segmentHan }
} else {
  addEventListener("message", ev => { postMessage(handler(ev.data)) })
}
