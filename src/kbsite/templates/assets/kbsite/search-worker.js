/*
 * kbsite search worker: a drop-in replacement for Material's search worker.
 *
 * Material's UI (header search box, keyboard, result list, ?h= highlighting) is kept; it talks
 * to this worker with the same messages (SETUP, READY, QUERY, RESULT) and result shape. The
 * index is prebuilt at build time (kbsite.search.index): plain text per section, no inverted
 * index to build here, so the worker is ready as soon as the JSON is parsed. By default it is
 * sharded (kbsite.search.shards): the worker gets a small entry, ranks each query from the
 * postings of its keys and fetches the text only of the pages it shows (see "Sharded index").
 *
 * Matching cannot disagree with the index: Chinese terms match as substrings, Latin terms as
 * word prefixes, both on NFKC + lowercased text. The word list shipped in the index (the
 * knowledge base's titles, aliases, topics, tags, plus jieba's words from the notes) only
 * decides how a query is cut into terms: 知识蒸馏的温度 → 知识蒸馏 / 温度, KV缓存 → kv / 缓存.
 *
 * Three things let a query match in another script or language (docs/search.md): text and
 * query fold 繁體 to 简体 with the pairs the index ships; a query naming a glossary concept
 * matches every name of it (随机失活 finds "dropout"); a query in pinyin (qianghuaxuexi, qhxx)
 * finds titles and aliases by their syllables, below every real-character match.
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
// What may stand between two words of a phrase: Prefix-Tuning, prefix tuning and PrefixTuning
// are one phrase, and so are P-Tuning and p tuning.
const SEP = "[\\s\\-_/·]{0,2}"
// A version after a name: GLM-4, Llama-3.1, Qwen2.5, ColBERTv2, Llama 3.
const VERSION = "(?:[\\-_ ]?v?[0-9]+(?:\\.[0-9]+)*)"
const VERSION_AFTER = /^(?:[-_ ]?v?[0-9]+(?:\.[0-9]+)*)(?![a-z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff])/
const VERSION_TERM = /^v?[0-9]/
const VERSION_IN_NAME = /([a-z\u00c0-\u04ff])[-_ ]?v?[0-9]+(?:\.[0-9]+)*(?![a-z0-9\u00c0-\u04ff])/gu
// Ranking (see docs/search.md). Per term, the weight of a match in each field: aliases rank
// like titles and a heading nearly like a title. A name, heading or tag counts in proportion
// to how much of it the query spells. Body text is saturated and normalised by the page's
// length (BM25), so a long page that mentions a word often does not outrank a page about it;
// a stub counts as a page of half the average length.
const W = { title: 10, alias: 9, heading: 7, meta: 3, body: 1.5 }
const K1 = 1.2, B = 0.75, SHORT = 0.5
// A term's fields add up with saturation: a term in the title, a heading, the tags and the
// body is found more surely than in the title alone, but not four times over.
const SATURATE = 15
// A title or alias matched by a word placed before 的 counts half: 扩散模型的个性化微调 asks
// about 个性化微调, not about 扩散模型.
const MODIFIER = 0.5
// How the query's words sit together, in units of the query's weight: the exact phrase in a
// field, else all the words in one field. Words spread over fields get neither. A phrase in the
// body beats words scattered over title and body; one in a heading or title beats single-word
// title hits.
const PHRASE = { title: 10, alias: 9, heading: 8, meta: 4, body: 7 }
const TOGETHER = { title: 5, alias: 4.5, heading: 3.5, meta: 1, body: 0.75 }
// A match through a glossary name counts a little less than the words the query typed, so a
// note's own names win over the glossary's.
const ALT = 0.85, ALT_NAME = 0.8
const SNIPPET = 96           // characters of text around the matches
const MAX_RESULTS = 100
const MAX_SECTIONS = 4

let db = null
// 繁→简, from the index: characters (one for one, so offsets stay) and a few phrases.
let T2S = null, T2S_RE = null, T2S_PHRASES = null, T2S_PHRASE_RE = null

function simp(s) {
  if (!T2S_RE) return s
  if (T2S_PHRASE_RE) s = s.replace(T2S_PHRASE_RE, m => T2S_PHRASES.get(m))
  return s.replace(T2S_RE, c => T2S.get(c))
}

function setupVariants(docs) {
  T2S = T2S_RE = T2S_PHRASES = T2S_PHRASE_RE = null
  const pairs = docs.t2s || ""
  if (pairs.length >= 2) {
    T2S = new Map()
    for (let i = 0; i + 1 < pairs.length; i += 2) T2S.set(pairs[i], pairs[i + 1])
    T2S_RE = new RegExp(`[${[...T2S.keys()].join("").replace(/[\\\]^-]/g, "\\$&")}]`, "g")
  }
  const phrases = docs.t2s_phrases || []
  if (phrases.length) {
    T2S_PHRASES = new Map(phrases.map(p => [p.slice(0, p.length / 2), p.slice(p.length / 2)]))
    T2S_PHRASE_RE = new RegExp([...T2S_PHRASES.keys()].sort((a, b) => b.length - a.length).map(escapeRe).join("|"), "g")
  }
}

/* ---- Text --------------------------------------------------------------------------------- */

// Lowercase and fold full-width letters and digits, keeping the length (offsets stay valid).
function fold(s) {
  let f = s.toLowerCase()
  if (f.length !== s.length)
    f = Array.from(s, c => { const l = c.toLowerCase(); return l.length === c.length ? l : c }).join("")
  return simp(f.replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g,
    c => String.fromCharCode(c.charCodeAt(0) - 0xfee0).toLowerCase()))
}

function keyOf(s) {
  return simp(s.normalize("NFKC").toLowerCase()).replace(NOT_KEY, "")
}

// A name's length in words, roughly: a Latin word is one, two Han characters are one.
const CJK_CHAR = new RegExp(`[${CJK}]`, "u")
function units(folded) {
  let han = 0, words = 0, inWord = false
  for (const c of folded) {
    if (CJK_CHAR.test(c)) { han++; inWord = false }
    else if (WORDCHAR.test(c)) { if (!inWord) words++; inWord = true }
    else inWord = false
  }
  return Math.max(1, han / 2 + words)
}

function escapeHTML(s) {
  return s.replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c])
}

/* ---- Index -------------------------------------------------------------------------------- */

// A name without the version after it: Llama 3.1 → llama, Qwen2.5微调 → qwen微调.
function baseKey(name) {
  const key = keyOf(fold(name).replace(VERSION_IN_NAME, "$1"))
  return key && key !== keyOf(name) ? key : ""
}

// A page row of the index (kbsite.search.index.SearchPage.row), ready to match.
function pageOf([location, title, aliases, meta, sections, links, py], id) {
  const page = {
    id, location, title, aliases, meta, py: py || [],
    prior: 1 + 0.08 * Math.log2(1 + (links || 0)),
    tf: fold(title),
    af: aliases.map(fold),
    mf: fold(meta),
    keys: [keyOf(title), ...aliases.map(keyOf)],
    sections: sections.map(([anchor, heading, text]) => ({
      anchor, heading, text, hf: fold(heading), xf: fold(text)
    }))
  }
  page.length = page.sections.reduce((n, sec) => n + sec.text.length, 0)
  return page
}

function setup(docs) {
  setupVariants(docs)
  const words = new Map()
  let maxLen = 1
  const list = docs.words ? docs.words.split(" ") : []
  list.forEach((w, i) => {
    if (!w) return
    words.set(w, i < docs.domain ? 1 : 2)
    maxLen = Math.max(maxLen, w.length)
  })
  // Glossary: each name's key → its group; a group's names as match forms.
  const glossary = new Map()
  const groups = (docs.glossary || []).map(names => names.map(name => formOf(fold(name), true)))
  ;(docs.glossary || []).forEach((names, g) => names.forEach(name => {
    const k = keyOf(name)
    if (k && !glossary.has(k)) glossary.set(k, g)
  }))
  const base = { words, maxLen, glossary, groups }
  if (docs.shards) {
    // Sharded (kbsite.search.shards): rows come as queries need them.
    // The word list comes with the key shards: the words starting with a pair, in its shard.
    return { ...base, maxLen: docs.maxword || 1, wordPairs: new Set(), sharded: true, pages: [], n: docs.n, avgLength: docs.avg, stats: docs.stats,
             shardCount: docs.shards, token: docs.token, pinyinStarts: new Set((docs.pinyin || "").split(" ")),
             files: new Map(), shards: new Map(), decoded: new Map(), byTerm: new Map(), byForm: new Map(),
             named: new Map(), rows: new Map(), pinyin: new Map(),
             missing: null, misses: 0, fetched: 0, df: termPages, ...statsOf(docs) }
  }
  const pages = docs.pages.map(pageOf)
  const bodyChars = pages.reduce((n, p) => n + p.length, 0)
  return { ...base, pages, n: pages.length,
           avgLength: Math.max(1, bodyChars / Math.max(1, pages.length)) }
}

/* ---- Sharded index (kbsite.search.shards) --------------------------------------------------- */

// Phase 1 ranks from the postings of the query's keys alone (each page's fields and body count
// per key, in the key shards); phase 2 fetches the rows of the pages phase 1 ranks highest and
// ranks those exactly, with the site-wide page count and document frequencies of phase 1.
// TOP: how many pages phase 2 gets, per reading of the query; enough that the exact ranking of
// them gives the one-file index's top results (tests/search/test_search_shards.py). FIRST: the
// rows of the early answer, no more than a browser fetches at once from an HTTP/1.1 host (six
// connections), so that they come in one round.
const TOP = 25, TOP_PINYIN = 20, FIRST = 6
const MAX_RUN = 16  // kbsite.search.shards.MAX_RUN
const ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
const DIGIT = new Map([...ALPHA].map((c, i) => [c, i]))

// How a file of the index is fetched (the site's root is two folders above this worker); the
// build's token keeps a browser from mixing two builds.
let load = path => fetch(new URL(`../../${path}?v=${db.token}`, self.location)).then(r => {
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`)
  return r.json()
})

// 32-bit FNV-1a over code points, as kbsite.search.shards.fnv1a.
function hash(s) {
  let h = 0x811c9dc5
  for (const c of s) h = Math.imul(h ^ c.codePointAt(0), 0x01000193) >>> 0
  return h
}

const CJK_START = new RegExp(`^[${CJK}]`, "u")
const CJK_ONLY = new RegExp(`^[${CJK}]+$`, "u")
const HAN_RUNS = new RegExp(`[${HAN}]+`, "gu")

// kbsite.search.shards.shard_of: a Latin run by its first three characters, a pair's words with
// the pair, else the whole key.
function shardOf(key) {
  if (key[0] === "=") return hash(key.slice(1)) % db.shardCount
  const by = key.endsWith("*") || CJK_START.test(key) || Array.from(key).length === 2 ? key
    : key.slice(0, key[0] === "~" ? 4 : 3)
  return hash(by) % db.shardCount
}

function loadShards(list) {
  return Promise.all(list.filter(s => !db.shards.has(s)).map(async s => db.shards.set(s, await fetchFile(`search/k/${s}.json`))))
}

function fetchFile(path) {
  if (!db.files.has(path)) db.files.set(path, load(path).catch(err => { db.files.delete(path); throw err }))
  return db.files.get(path)
}

// A key's postings: page → its posting packed in a number: the body count (C), fields (F: 1
// title, 2 alias, 4 tags, 8 heading), the length of the shortest title (TL) and alias (AL)
// holding it (see shorter). While db.missing is a set (collecting), a key whose shard is not
// loaded yet is noted there and has none.
const C = p => p & 63, F = p => (p >> 6) & 15, TL = p => (p >> 10) & 63, AL = p => (p >> 16) & 63
const pack = (c, f, tl, al) => c | f << 6 | tl << 10 | al << 16
const CODES = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHA.length; i++) CODES[ALPHA.charCodeAt(i)] = i

function postings(key) {
  const s = shardOf(key)
  const shard = db.shards.get(s)
  if (!shard) { miss(s); return new Map() }
  let out = db.decoded.get(key)
  if (out) return out
  out = new Map()
  const code = shard[key] || ""
  let at = 0, page = -1
  const next = () => CODES[code.charCodeAt(at++)]
  while (at < code.length) {
    let v = 0, shift = 1, d
    while ((d = next()) >= 32) { v += (d - 32) * shift; shift *= 32 }
    v += d * shift
    page += Math.floor(v / 2)
    const c = next()
    let f = 0, tl = 0, al = 0
    if (v % 2) {
      f = next()
      if (f & 1) tl = next()
      if (f & 2) al = next()
    }
    out.set(page, pack(c, f, tl, al))
  }
  db.decoded.set(key, out)
  return out
}

// A shard not loaded yet: noted while collecting (db.missing); what was worked out without it
// is not cached (cached).
function miss(s) {
  db.misses++
  if (db.missing) db.missing.add(s)
}

function cached(cache, id, make) {
  let out = cache.get(id)
  if (!out) {
    const misses = db.misses
    out = make()
    if (db.misses === misses) cache.set(id, out)
  }
  return out
}

function both(a, b) {
  const out = new Map()
  const [small, big] = a.size <= b.size ? [a, b] : [b, a]
  for (const [id, p] of small) {
    const q = big.get(id)
    // In no one field together: not there (a term is in one field).
    if (q !== undefined && (Math.min(C(p), C(q)) || F(p) & F(q)))
      out.set(id, pack(Math.min(C(p), C(q)), F(p) & F(q), shorter(TL(p), TL(q)) === TL(p) ? TL(q) : TL(p),
                       shorter(AL(p), AL(q)) === AL(p) ? AL(q) : AL(p)))
  }
  return out
}

// Name lengths (kbsite.search.shards.key_length): 0 for none, plus 32 without the version.
function shorter(a, b) {
  return !a ? b : !b ? a : a % 32 <= b % 32 ? a : b
}

function either(maps) {
  if (maps.length === 1) return maps[0]
  const out = new Map()
  for (const m of maps) for (const [id, p] of m) {
    const q = out.get(id)
    out.set(id, q === undefined ? p : pack(Math.min(63, C(p) + C(q)), F(p) | F(q), shorter(TL(p), TL(q)), shorter(AL(p), AL(q))))
  }
  return out
}

// Han text: the pages with all its pairs of neighbouring characters (one character: that one).
function hanPages(t) {
  const chars = Array.from(t)
  if (chars.length === 1) return postings(t)
  let out = null
  for (let i = 0; i + 1 < chars.length; i++) {
    out = out ? both(out, postings(chars[i] + chars[i + 1])) : postings(chars[i] + chars[i + 1])
    if (!out.size && !db.missing) break
  }
  return out
}

// A Latin term: the pages with a run it starts (mark "~": a run after a letter, a version).
function latinPages(t, mark) {
  t = t.slice(0, MAX_RUN)
  if (t.length < 3) return postings(mark + t + "*")
  const s = shardOf(mark + t)
  const shard = db.shards.get(s)
  if (!shard) { miss(s); return new Map() }
  const keys = Object.keys(shard).filter(k => k.startsWith(mark + t) && !k.endsWith("*"))
  return either(keys.map(postings).concat([new Map()]))
}

// The pages a way of writing a term can match (a superset: keys cannot say that the pairs of
// 知识蒸馏 are next to each other).
function formPages(f) {
  return cached(db.byForm, (f.re ? "/" : "") + f.t + (f.latin ? "@" : "") + (f.version ? "v" : ""), () => formPagesOf(f))
}

function formPagesOf(f) {
  if (f.re) {
    // A phrase: a Latin token starts a word, or follows a Latin one glued to it (prefixtuning) or
    // as its version (llama3); Han tokens are anywhere. Letters and digits may be apart (p-3):
    // then only the start of the token counts, and what follows it is not narrowed down.
    const tokens = f.t.split(" ")
    let out = null, apart = false
    tokens.forEach((tok, i) => {
      let m
      if (LATIN_START.test(tok)) {
        const after = i > 0 && LATIN_START.test(tokens[i - 1])
        if (after && apart) return
        const cut = tok.search(/[a-z][0-9]|[0-9][a-z]/)
        if (cut >= 0) { tok = tok.slice(0, cut + 1); apart = true }
        if (!after) m = latinPages(tok, "")
        else {
          const ways = [latinPages(tok, "")]
          if (VERSION_TERM.test(tok)) ways.push(latinPages(tok, "~"))
          for (let j = i - 1; j >= 0 && LATIN_START.test(tokens[j]); j--) ways.push(latinPages(tokens.slice(j, i).join("") + tok, ""))
          m = either(ways)
        }
      } else if (CJK_ONLY.test(tok)) m = hanPages(tok)
      else return
      out = out ? both(out, m) : m
      // Where the scripts meet, the characters on either side, any digit as 0
      // (kbsite.search.shards._CROSS_RE); a name before Han may carry a version (qwen2.5 微调).
      const prev = tokens[i - 1]
      if (prev && LATIN_START.test(prev) !== LATIN_START.test(tok) && !apart) {
        const a = Array.from(prev).pop().replace(/[0-9]/, "0"), b = Array.from(tok)[0].replace(/[0-9]/, "0")
        const ends = LATIN_START.test(prev) && /[a-z\u00c0-\u04ff]/.test(a) ? [a, "0"] : [a]
        out = both(out, either(ends.map(e => postings(e + b))))
      }
    })
    return out || new Map()
  }
  if (!f.t) return new Map()
  if (f.latin) return f.version ? either([latinPages(f.t, ""), latinPages(f.t, "~")]) : latinPages(f.t, "")
  return CJK_ONLY.test(f.t) ? hanPages(f.t) : new Map()
}

function termPages(term) {
  if (!term.forms) return formPages(term)
  const id = term.forms.map(f => (f.re ? "/" : "") + f.t + (f.latin ? "@" : "") + (f.version ? "v" : "")).join("|")
  return cached(db.byTerm, id, () => either(term.forms.map(formPages)))
}

// Pages named by a part of the query (nameBonusOf: q.includes(key)): page → the longest such
// name's length. A part: from a token's start (any character of Han) to a token's end (any
// character); a name holds all its keys and is as long.
function namesInside(query) {
  const out = new Map(), tokens = query.tokens
  const chars = tokens.map(t => Array.from(t))
  const han = tokens.map(t => !LATIN_START.test(t))
  const note = (pages, length) => {
    if (length < 2 || length >= query.key.length) return
    for (const [id, p] of pages) {
      let v = 0
      for (const n of [F(p) & 1 ? TL(p) : 0, F(p) & 2 ? AL(p) : 0]) if (n % 32 === length) v = Math.max(v, n >= 32 ? 0.8 * length : length)
      if (v > (out.get(id) || 0)) out.set(id, v)
    }
  }
  let spans = 0
  for (let i = 0; i < tokens.length; i++) for (let a = 0; a < (han[i] ? chars[i].length : 1); a++) {
    // Within a Han token: one pair more at a time, over the pages with it in a name.
    if (han[i] && CJK_ONLY.test(tokens[i])) {
      let pages = null
      for (let b = a + 2; b <= chars[i].length; b++) {
        const pair = namedPostings(chars[i][b - 2] + chars[i][b - 1])
        pages = pages ? both(pages, pair) : pair
        if (!pages.size && !db.missing) break
        note(pages, b - a)
      }
    }
    // Across tokens, from two Han characters at least (a single one's postings are long).
    if (han[i] && chars[i].length - a < 2) continue
    for (let j = i + 1; j < tokens.length; j++) for (let b = han[j] ? 2 : 1; b <= chars[j].length; b++) {
      if (++spans > 60) return out
      const part = tokens.slice(i, j + 1).map((t, k) => chars[i + k].slice(k === 0 ? a : 0, i + k === j ? b : undefined).join(""))
      note(tokenPages(part), part.join("").length)
    }
    if (!han[i]) note(tokenPages([tokens[i]]), tokens[i].length)
  }
  return out
}

// A key's postings in titles and aliases only.
function namedPostings(key) {
  return cached(db.named, key, () => {
    const out = new Map()
    for (const [id, p] of postings(key)) if (F(p) & 3) out.set(id, p)
    return out
  })
}

// The pages where all the query's tokens occur (a superset), for its phrase and its name.
function tokenPages(tokens) {
  if (!tokens.length) return new Map()
  return formPages(tokens.length > 1 ? { t: tokens.join(" "), re: true } : termOf(tokens[0]))
}

// Each page's body length and prior (pageOf), from the entry's two characters a page.
function statsOf(docs) {
  const lengths = new Float64Array(docs.n), priors = new Float64Array(docs.n)
  for (let id = 0; id < docs.n; id++) {
    lengths[id] = LENGTH_BASE ** DIGIT.get(docs.stats[2 * id]) - 1
    priors[id] = 1 + 0.08 * Math.log2(1 + DIGIT.get(docs.stats[2 * id + 1]))
  }
  return { lengths, priors }
}
const LENGTH_BASE = 1.2  // kbsite.search.shards.LENGTH_BASE

// rank's estimate from postings, for a page its keys say it may hold: each field a term's keys
// all occur in counts as if the term were there, in full; a name's share is guessed from its
// length. Returns the best TOP as [{page: id, score, live}], best first.
function estimate(query) {
  if (!query.terms.length) return []
  // The pages holding all the query's tokens: where its phrase and its name may be.
  const whole = tokenPages(query.tokens)
  const names = [[1, whole]]
  const g = groupOf(query.key)
  if (g !== undefined) for (const f of db.groups[g]) names.push([ALT_NAME, formPages(f)])
  const inside = namesInside(query)
  const live = liveTerms(query)
  if (!live.length) return []
  const total = live.reduce((a, t) => a + t.idf, 0)
  const looks = live.map(termPages)
  if (db.missing && db.missing.size) return []  // collecting, and a shard is missing: known now
  const ids = new Set()
  for (const m of looks) for (const id of m.keys()) ids.add(id)
  const qlen = query.key.length
  const tlens = live.map(term => term.t.replace(/ /g, "").length)
  const scores = [], pages = []
  for (const id of ids) {
    const length = db.lengths[id]
    let score = 0, covered = 0, all = 31
    for (let i = 0; i < live.length; i++) {
      const p = looks[i].get(id)
      if (p === undefined) { all = 0; continue }
      const f = F(p), c = C(p)
      const term = live[i]
      const named = term.mod ? MODIFIER : 1
      let s = 0
      if (f & 1) s = W.title * named * (0.5 + 0.5 * Math.min(1, tlens[i] / Math.max(1, TL(p) % 32)))
      if (f & 2) s = Math.max(s, W.alias * named * (0.5 + 0.5 * Math.min(1, tlens[i] / Math.max(1, AL(p) % 32))))
      if (f & 4) s += W.meta
      if (f & 8) s += W.heading
      s += W.body * bm25(Math.min(c, 50), length)
      all &= f | (c ? 16 : 0)
      if (s > 0) { score += term.idf * s * (1 + SATURATE) / (s + SATURATE); covered += term.idf }
    }
    if (!covered) continue
    const coverage = covered / total
    let structure = 0
    if (live.length >= 2) {
      structure = all & 1 ? TOGETHER.title : all & 2 ? TOGETHER.alias : all & 8 ? TOGETHER.heading
        : all & 4 ? TOGETHER.meta : all & 16 ? TOGETHER.body * Math.min(1, bm25(1, length)) : 0
      const p = query.phrase && coverage >= 0.5 ? whole.get(id) : undefined
      if (p !== undefined) {
        const f = F(p)
        structure = Math.max(structure, f & 1 ? PHRASE.title : f & 2 ? PHRASE.alias : f & 8 ? PHRASE.heading
          : f & 4 ? PHRASE.meta : PHRASE.body * Math.min(1, bm25(Math.max(1, C(p)), length)))
      }
    }
    let bonus = (inside.get(id) || 0) * 30 / qlen * (0.5 + 0.5 * coverage)
    for (const [weight, m] of names) {
      const p = m.get(id)
      if (p === undefined) continue
      for (const n of [F(p) & 1 ? TL(p) : 0, F(p) & 2 ? AL(p) : 0]) {
        if (n) bonus = Math.max(bonus, weight * (n >= 32 ? 0.8 : 1) * (n % 32 <= qlen ? 200 : 40 * qlen / (n % 32)))
      }
    }
    scores.push(((score + structure * total) * coverage * coverage + bonus) * db.priors[id])
    pages.push(id)
  }
  // Only the best TOP are wanted (prepare): best first, then in page order.
  const order = Array.from(pages.keys()).sort((x, y) => scores[y] - scores[x] || pages[x] - pages[y])
  return order.slice(0, TOP).map(k => ({ page: pages[k], score: scores[k], live }))
}

// The pinyin file of names for a start of a query, each name's syllables parsed once.
function pinyinNames(start) {
  if (!db.pinyin.has(start))
    db.pinyin.set(start, fetchFile(`search/p/${start}.json`).then(entries => entries.map(([id, py]) => [id, py.map(p => p ? pinyinOf(p) : null)]),
      err => { db.pinyin.delete(start); throw err }))
  return db.pinyin.get(start)
}

// Phase 1: load the key shards the query's terms need and pick the pages to rank exactly (and,
// for a query that could be pinyin, the names it spells best); phase 2: fetch their rows. After
// this db.pages holds them, and rank takes each term's document frequency from the postings.
async function prepare(raw, post) {
  // First, in one go, the shards of what the query needs whatever its terms: its Han pairs
  // (with the words starting with each pair, for cutting it into terms: kbsite.search.shards), and
  // Latin tokens, where its scripts meet, and the names of every glossary concept a part of
  // it names. A single character's postings (long) only for a term of one character.
  const folded = simp(raw.normalize("NFKC").toLowerCase())
  const han = folded.match(HAN_RUNS) || []
  db.missing = new Set()
  for (const run of han) {
    const chars = Array.from(run)
    chars.forEach((c, i) => { if (i) postings(chars[i - 1] + c) })
  }
  const tokens = folded.match(TOKEN) || []
  for (const t of tokens) if (LATIN_START.test(t)) [termOf(t), ...splitTerm(termOf(t))].forEach(formPages)
  tokenPages(tokens)
  const key = Array.from(keyOf(folded))
  for (let i = 0; i < key.length; i++) for (let j = i + 1; j <= Math.min(key.length, i + 40); j++) {
    const g = db.glossary.get(key.slice(i, j).join(""))
    if (g !== undefined) db.groups[g].forEach(formPages)
  }
  const first = [...db.missing]
  db.missing = null
  // The pinyin of the names a Latin query may spell, meanwhile: its first two letters, or
  // three where the file is split that far.
  const q = raw.normalize("NFKC").toLowerCase().replace(/[\s'’]+/g, "")
  const start = q.length >= 3 && db.pinyinStarts.has(q.slice(0, 3)) ? q.slice(0, 3) : q.slice(0, 2)
  const split = q.length >= 3 && start.length === 2 && [...db.pinyinStarts].some(s => s.length === 3 && s.startsWith(start))
  const spelled = PINYIN_QUERY.test(q) && db.pinyinStarts.has(start) && !split ? pinyinNames(start) : null
  if (spelled) spelled.catch(() => {})  // awaited below; a failure is reported there
  await loadShards(first)
  for (const run of han) {
    const chars = Array.from(run)
    for (let i = 1; i < chars.length; i++) {
      const pair = chars[i - 1] + chars[i]
      if (db.wordPairs.has(pair)) continue
      db.wordPairs.add(pair)
      const list = db.shards.get(shardOf("=" + pair))["=" + pair]
      if (list) list.split("|").forEach((part, kind) => part.split(" ").forEach(w => { if (w) db.words.set(w, kind + 1) }))
    }
  }
  // Estimated once more only if some shard was missing: else the first pass had all it needed.
  db.missing = new Set()
  let estimated = hitsOf(raw, estimate)
  const wanted = [...db.missing]
  db.missing = null
  if (wanted.length) {
    await loadShards(wanted)
    estimated = hitsOf(raw, estimate)
  }
  // Each reading's TOP, best first (a page's best place in any reading).
  const place = new Map()
  for (const list of estimated.lists)
    list.forEach((h, i) => place.set(h.page, Math.min(i, place.has(h.page) ? place.get(h.page) : i)))
  const chosen = new Set([...place].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([id]) => id))
  if (spelled) {
    const scored = []
    for (const [id, pys] of await spelled) {
      let best = 0
      pys.forEach((p, j) => { if (p) best = Math.max(best, pinyinScore(q, p) * (j ? 0.95 : 1)) })
      if (best > 0) scored.push([best * db.priors[id], id])
    }
    scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, TOP_PINYIN).forEach(([, id]) => chosen.add(id))
  }
  // The best FIRST first: with post, their exact ranking is shown while the others load.
  const order = [...chosen]
  const rows = ids => Promise.all(ids.filter(id => !db.rows.has(id)).map(async id => {
    const row = await fetchFile(`search/d/${id}.json`)
    db.rows.set(id, pageOf(row, id))
  }))
  const show = ids => { db.pages = [...ids].sort((a, b) => a - b).map(id => db.rows.get(id)) }
  if (post && order.length > FIRST && order.slice(0, FIRST).some(id => !db.rows.has(id))) {
    await rows(order.slice(0, FIRST))
    show(order.slice(0, FIRST))
    post(answer(raw))
  }
  await rows(order)
  show(order)
  db.fetched = order.length
}

// Derived on first use, so that setup stays a single pass over the text.
function nameUnits(page) {
  return page.units || (page.units = [page.tf, ...page.af].map(units))
}

function tagsOf(page) {
  return page.tags || (page.tags = page.meta ? page.meta.split(" · ").map(tag => ({ f: fold(tag), u: units(fold(tag)) })) : [])
}

function basesOf(page) {
  return page.bases || (page.bases = [page.title, ...page.aliases].map(baseKey))
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

const LATIN_START = /^[a-z0-9\u00c0-\u04ff]/

// Numbers in words: notes write 每 4 个权重保留 2 个, 4 bit, 第 3 层; a reader may type
// 四个, 两个, 四比特, 第三层. A piece that starts with a Chinese numeral (after an optional 第 or 每)
// also matches its digits, as another way of writing it: 四个 → 4 个, 十六位 → 16 位. Only a
// numeral alone or before a measure word: 一致性 and 千问 are words, not numbers.
const NUMERAL = /^([第每]?)([零〇一二两三四五六七八九十百千万]+)((?:[个位层头倍次步维卡条组种类比块张轮阶期代届路秒天年月亿][\u3400-\u9fff]{0,2})?)$/u
const NUMERAL_DIGIT = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 }
const NUMERAL_UNIT = { 十: 10, 百: 100, 千: 1000, 万: 10000 }

function numeralValue(s) {
  // 二〇二四: digit by digit; else 三百二十 = 3 × 100 + 2 × 10, 十六 = 16.
  if (![...s].some(c => c in NUMERAL_UNIT)) return s.length > 1 && /两/.test(s) ? null : [...s].map(c => NUMERAL_DIGIT[c]).join("")
  let total = 0, section = 0, digit = null
  for (const c of s) {
    if (c in NUMERAL_DIGIT) { if (digit !== null) return null; digit = NUMERAL_DIGIT[c]; continue }
    const unit = NUMERAL_UNIT[c]
    if (unit === 10000) { total += (section + (digit || 0)) * unit; section = 0 }
    else section += (digit === null ? 1 : digit) * unit
    digit = null
  }
  return String(total + section + (digit || 0))
}

function numeralForm(piece) {
  const m = NUMERAL.exec(piece)
  const value = m && numeralValue(m[2])
  return value === null || value === undefined ? null : formOf([m[1], value, m[3]].filter(Boolean).join(" "), true)
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
}

// The query as one phrase over the folded text: its tokens in order, with at most a space, a
// hyphen or a slash between them (Prefix-Tuning = prefix tuning, P-Tuning = p tuning). Letters
// glued to digits may be apart (llama3 = Llama 3), and a name may carry a version the query
// leaves out (qwen 微调 = Qwen2.5微调). A phrase starting with a Latin token starts a word.
function phraseOf(tokens, bounded = false) {
  if (!tokens.length) return null
  const parts = tokens.map((token, i) => {
    if (!LATIN_START.test(token)) return escapeRe(token)
    let re = escapeRe(token).replace(/([a-z])(?=[0-9])|([0-9])(?=[a-z])/g, `$1$2${SEP}`)
    const next = tokens[i + 1]
    if (/[a-z]$/.test(token) && !(next && VERSION_TERM.test(next))) re += VERSION + "?"
    return re
  })
  const lead = LATIN_START.test(tokens[0]) ? "(?<![a-z0-9\\u00c0-\\u024f\\u0370-\\u03ff\\u0400-\\u04ff])" : ""
  const tail = bounded && LATIN_START.test(tokens[tokens.length - 1]) ? "(?![a-z\\u00c0-\\u024f\\u0370-\\u03ff\\u0400-\\u04ff])" : ""
  return new RegExp(lead + parts.join(SEP) + tail, "u")
}

// A query term. Latin terms match at the start of a word; a version (3, v2) also right after a
// name, and a name (ending in a letter) also before a version.
function termOf(t, latin = LATIN_START.test(t)) {
  return latin ? { t, latin, version: VERSION_TERM.test(t), name: /[a-z\u00c0-\u04ff]$/.test(t) } : { t, latin }
}

// One way of writing a term: a plain string (matched as termOf says) or, for a name of several
// tokens (tree of thoughts, KV 缓存), its phrase. Another name of the concept (alt) must match a
// whole word: the glossary's RM is not the start of RMSNorm.
function formOf(text, alt) {
  const tokens = text.match(TOKEN) || []
  if (tokens.length > 1) {
    const re = phraseOf(tokens, true)
    return { t: tokens.join(" "), latin: LATIN_START.test(tokens[0]), re: new RegExp(re.source, "gu"), alt }
  }
  return { ...termOf(tokens[0] || text), alt }
}

// The glossary group a stretch of the query names, if any.
function groupOf(key) {
  return key && db.glossary ? db.glossary.get(key) : undefined
}

// A term that names a glossary concept matches every name of it: what was typed first.
function withForms(term, g, typed) {
  const forms = [{ ...typed, alt: false }]
  const seen = new Set([typed.re ? typed.re.source : typed.t])
  for (const f of db.groups[g]) {
    const id = f.re ? f.re.source : f.t
    if (!seen.has(id)) { seen.add(id); forms.push(f) }
  }
  return { ...term, forms, group: g }
}

function parseQuery(query, spans = true) {
  const q = simp(query.normalize("NFKC").toLowerCase())
  const cut = q.lastIndexOf("的")
  // Before the last 的 is a modifier, when something follows it.
  const modEnd = cut > 0 && keyOf(q.slice(cut + 1)) ? cut : -1
  const terms = [], tokens = [], matches = [...q.matchAll(TOKEN)]
  for (const m of matches) tokens.push(m[0])
  let whole = -1  // the glossary group the whole query names, if it does
  let found = false  // a run of two or more tokens names a concept
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i], token = m[0]
    // The longest run of tokens from here that names a glossary concept (tree of thoughts,
    // vLLM, 随机失活) is one term, matched by all its names.
    let named = false
    for (let j = Math.min(matches.length, i + 6); j > i; j--) {
      const g = groupOf(keyOf(tokens.slice(i, j).join("")))
      if (g === undefined) continue
      if (j - i > 1) { found = true; if (!spans) continue }
      const last = matches[j - 1]
      const typed = formOf(tokens.slice(i, j).join(" "), false)
      const base = j - i > 1 ? { t: typed.t, latin: typed.latin, re: typed.re } : termOf(token)
      terms.push({ ...withForms(base, g, typed), mod: last.index + last[0].length <= modEnd })
      if (i === 0 && j === matches.length) whole = g
      i = j - 1
      named = true
      break
    }
    if (named) continue
    if (/^[a-z0-9]/.test(token) || !HAN_RUN.test(token)) {
      terms.push({ ...termOf(token), mod: m.index + token.length <= modEnd })
      continue
    }
    const pieces = segmentHan(token, db.words, db.maxLen)
    if (!pieces.length && token.length) pieces.push(token)  // a query of stop characters only
    let at = 0
    for (const p of pieces) {
      at = token.indexOf(p, at) + p.length
      const term = { ...termOf(p, false), mod: m.index + at <= modEnd }
      const g = groupOf(p)
      if (pieces.length === 1 && matches.length === 1 && g !== undefined) whole = g
      const digits = g === undefined ? numeralForm(p) : null
      terms.push(g !== undefined ? withForms(term, g, termOf(p, false))
        : digits ? { ...term, forms: [{ ...termOf(p, false), alt: false }, digits] } : term)
    }
  }
  // One term per text; it is a modifier only if it never appears outside the modifier.
  const unique = new Map()
  for (const term of terms) {
    const seen = unique.get(term.t)
    if (!seen) unique.set(term.t, term)
    else seen.mod = seen.mod && term.mod
  }
  const key = keyOf(q)
  return {
    key,
    spans: found,
    // Other names of the concept the whole query names: they name pages too, a little less.
    alts: whole >= 0 ? db.groups[whole].map(f => keyOf(f.t)).filter(k => k && k !== key) : [],
    modifier: modEnd > 0 ? keyOf(q.slice(0, modEnd)) : "",
    head: modEnd > 0 ? keyOf(q.slice(modEnd + 1)) : keyOf(q),
    phrase: phraseOf(tokens),
    tokens,
    terms: [...unique.values()]
  }
}

/* ---- Matching ----------------------------------------------------------------------------- */

// Where a Latin term may start: at the start of a word, or, for a version (3, v2), right
// after the name it belongs to (llama3, ColBERTv2).
function starts(hay, i, term) {
  if (i === 0 || !WORDCHAR.test(hay[i - 1])) return true
  return term.version && !/[0-9]/.test(hay[i - 1])
}

// Occurrences of term in a folded field: Chinese anywhere, Latin at the start of a word.
// Returns [count, whole-word?], count capped. A name followed by a version is the whole name:
// qwen is a whole word of Qwen2.5, glm of GLM-4.
// Returns [count, whole-word?, own?, weighted count]: own is false when only another glossary
// name matched; the weighted count counts those matches ALT each.
function count(hay, term, cap = 20) {
  if (!term.forms) return countForm(hay, term, cap)
  let n = 0, whole = false, own = false, weighted = 0
  for (const f of term.forms) {
    const [k, w] = f.re ? countRe(hay, f.re, cap) : countForm(hay, f, cap)
    if (!k || (f.alt && !w)) continue
    n += k
    weighted += f.alt ? ALT * k : k
    whole = whole || w
    if (!f.alt) own = true
    if (n >= cap) break
  }
  return n ? [Math.min(n, cap), whole, own, Math.min(weighted, cap)] : [0, false, false, 0]
}

function countRe(hay, re, cap) {
  re.lastIndex = 0
  let n = 0
  while (n < cap && re.exec(hay)) n++
  return [n, n > 0]
}

function countForm(hay, term, cap) {
  let n = 0, whole = !term.latin
  const t = term.t
  for (let i = hay.indexOf(t); i >= 0 && n < cap; i = hay.indexOf(t, i + 1)) {
    if (term.latin) {
      if (!starts(hay, i, term)) continue
      const end = i + t.length
      if (!WORDCHAR.test(hay[end] || " ") || (term.name && VERSION_AFTER.test(hay.slice(end, end + 12)))) whole = true
    }
    n++
  }
  return n ? [n, whole, true, n] : [0, false, false, 0]
}

function spans(hay, terms, out = []) {
  for (const term of terms) {
    for (const f of term.forms || [term]) {
      if (f.re) {
        f.re.lastIndex = 0
        for (let m; out.length < 400 && (m = f.re.exec(hay));) out.push([m.index, m.index + m[0].length, term.t])
        continue
      }
      const t = f.t
      for (let i = hay.indexOf(t); i >= 0 && out.length < 400; i = hay.indexOf(t, i + 1)) {
        if (f.latin && !starts(hay, i, f)) continue
        let end = i + t.length
        if (f.latin) while (end < hay.length && WORDCHAR.test(hay[end])) end++
        if (f.alt && f.latin && WORDCHAR.test(hay[end - 1]) && end !== i + t.length) continue
        out.push([i, end, term.t])
      }
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

// Body text: term frequency saturated and normalised by the page's length (BM25).
function bm25(tf, length) {
  return tf ? tf * (K1 + 1) / (tf + K1 * (1 - B + B * Math.max(length, SHORT * db.avgLength) / db.avgLength)) : 0
}

// Each term's fields, weighted by its idf. A title or alias counts in proportion to how much of
// it the query spells (奖励模型 is all of the title 奖励模型, a fifth of a paper's title), and so
// do a heading and a tag. Also: the best field that holds all the terms, if any.
function scorePage(page, terms) {
  let score = 0, covered = 0
  const found = {}
  const secHits = new Array(page.sections.length).fill(0)
  const names = [page.tf, ...page.af]
  const spelled = names.map(() => 0)
  const inName = terms.map(term => names.map((name, j) => {
    const [n, whole, own] = count(name, term, 1)
    if (n) spelled[j] += term.units
    return n ? (whole ? 1 : 0.7) * (own ? 1 : ALT) : 0
  }))
  const share = names.map((_, j) => spelled[j] ? 0.5 + 0.5 * Math.min(1, spelled[j] / nameUnits(page)[j]) : 0)
  const masks = { names: names.map(() => 0), meta: 0, headings: page.sections.map(() => 0), sections: page.sections.map(() => 0) }
  let viaAlias = -1
  terms.forEach((term, i) => {
    const bit = 1 << i
    let s = 0
    inName[i].forEach((m, j) => { if (m) masks.names[j] |= bit })
    const named = term.mod ? MODIFIER : 1
    // The title, else the best alias; an alias with the typed words beats the title matched
    // through another glossary name.
    let best = W.title * inName[i][0] * share[0] * named, at = -1
    for (let a = 1; a < names.length; a++) {
      const v = W.alias * inName[i][a] * share[a] * named
      if (v > best) { best = v; at = a - 1 }
    }
    s += best
    if (at >= 0 && viaAlias < 0) viaAlias = at
    let tag = 0
    for (const { f, u } of tagsOf(page)) if (count(f, term, 1)[0]) tag = Math.max(tag, 0.5 + 0.5 * Math.min(1, term.units / u))
    if (tag) { s += W.meta * tag; masks.meta |= bit }
    let body = 0, heading = 0
    page.sections.forEach((sec, k) => {
      const h = sec.hf ? count(sec.hf, term, 1)[0] : 0
      const [n, , , weighted] = count(sec.xf, term)
      if (h) {
        if (sec.hu === undefined) sec.hu = units(sec.hf)
        heading = Math.max(heading, 0.5 + 0.5 * Math.min(1, term.units / sec.hu))
        masks.headings[k] |= bit
      }
      if (h || n) masks.sections[k] |= bit
      body += weighted
      if (h || n) secHits[k] += term.idf * (h * W.heading + (n ? 1 + Math.log(n) : 0))
    })
    s += W.heading * heading
    s += W.body * bm25(Math.min(body, 50), page.length)
    found[term.t] = s > 0
    if (s > 0) { score += term.idf * s * (1 + SATURATE) / (s + SATURATE); covered += term.idf }
  })
  // All the terms in one field: the best such field. In the body, it counts less on a long page.
  let together = 0
  const all = terms.length >= 2 && terms.length <= 30 ? 2 ** terms.length - 1 : -1
  if (all > 0) {
    if (masks.names[0] === all) together = TOGETHER.title
    else if (masks.names.includes(all)) together = TOGETHER.alias
    else if (masks.headings.includes(all)) together = TOGETHER.heading
    else if (masks.meta === all) together = TOGETHER.meta
    else if (masks.sections.includes(all)) together = TOGETHER.body * Math.min(1, bm25(1, page.length))
  }
  return { score, covered, found, secHits, viaAlias, together }
}

// The best field holding the query as a phrase (see phraseOf), as a PHRASE weight. A phrase
// in the body counts like a term of its own: less on a long page that mentions it once.
function phraseField(page, re) {
  if (re.test(page.tf)) return PHRASE.title
  if (page.af.some(a => re.test(a))) return PHRASE.alias
  if (page.sections.some(s => s.hf && re.test(s.hf))) return PHRASE.heading
  if (re.test(page.mf)) return PHRASE.meta
  let n = 0
  for (const s of page.sections) if (re.test(s.xf)) n++
  return n ? PHRASE.body * Math.min(1, bm25(n, page.length)) : 0
}

// The query names the page: a title or alias equal to it, containing it, or contained in it.
// Chinese compounds are head-final (知识蒸馏 is a kind of 蒸馏, 蒸馏温度 a kind of 温度), so
// for a Chinese query a name that ends with it ranks above one that starts with it.
// A name inside a longer query counts less when the rest of the query is not on the page, and
// less again when it sits before 的 (扩散模型的个性化微调 asks about 个性化微调, not 扩散模型).
// A name with a version the query leaves out counts nearly as much: qwen 微调 names Qwen2.5微调.
function nameBonus(page, query, coverage) {
  let bonus = nameBonusOf(page, query, query.key, coverage)
  for (const alt of query.alts) bonus = Math.max(bonus, ALT_NAME * nameBonusOf(page, query, alt, coverage))
  return bonus
}

function nameBonusOf(page, query, q, coverage) {
  if (!q) return 0
  const han = HAN_RUN.test(q.slice(-1))
  const of = key => {
    const ratio = q.length / key.length
    if (key === q) return 200
    if (key.endsWith(q)) return (han ? 40 : 25) * ratio
    if (key.startsWith(q)) return (han ? 25 : 40) * ratio
    if (key.includes(q)) return 20 * ratio
    // Not when the query names a glossary concept: "sampling" is not "importance sampling".
    if (q.includes(key) && key.length >= 2 && !query.spans) {
      const b = 30 * key.length / q.length * (0.5 + 0.5 * coverage)
      return query.modifier && query.modifier.includes(key) && !query.head.includes(key) ? b * 0.5 : b
    }
    return 0
  }
  // Without the version only when the query names no version: llama3 微调 is not about Llama 2.
  const bases = /[0-9]/.test(q) ? [] : basesOf(page)
  let bonus = 0
  page.keys.forEach((key, j) => {
    if (key) bonus = Math.max(bonus, of(key))
    if (bases[j]) bonus = Math.max(bonus, 0.8 * of(bases[j]))
  })
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

// Letters and digits glued together, apart: llama3 → llama 3, colbertv2 → colbert v2.
const PIECES = /v[0-9]+(?:[:.][0-9]+)*|[a-z\u00c0-\u04ff]+?(?=v[0-9]|[0-9]|$)|[0-9]+(?:[:.][0-9]+)*/g

function splitTerm(term) {
  if (term.forms && term.t.includes(" "))  // a glossary name of several words found nowhere
    return term.t.split(" ").map(t => ({ ...termOf(t), mod: term.mod }))
  if (term.latin) {
    const parts = term.t.match(PIECES) || []
    return parts.length > 1 ? parts.map(t => ({ ...termOf(t, true), mod: term.mod })) : []
  }
  // An unknown Chinese stretch found nowhere: its overlapping pairs (single characters match
  // almost anything, so a two-character stretch found nowhere just does not count).
  const chars = Array.from(term.t)
  const out = []
  for (let i = 0; i + 2 <= chars.length && chars.length > 2; i++)
    out.push({ ...termOf(chars[i] + chars[i + 1], false), mod: term.mod })
  return out
}

const GLUED = /[a-z][0-9]|[0-9][a-z]/

// Letters glued to digits are read both ways and the better reading wins per page:
// llama3 finds "Llama 3" even when some page has the literal "llama3".
// A run of words naming a glossary concept (tree of thoughts) is also read as one term matched
// by all its names; the word-by-word reading stays, at a discount (the page shares words with
// the concept, not the concept), and less again for each word it finds nowhere (which it would
// otherwise just drop); each page keeps its better score.
const WORDWISE = 0.6
function search(raw) {
  const best = hitsOf(raw, rank).best
  const hits = [...best.values()].sort((a, b) => b.score - a.score)
  // Pinyin: after every page the characters found, the pages whose title or alias it spells.
  for (const hit of pinyinHits(raw, best)) hits.push(hit)
  return { items: hits.slice(0, MAX_RESULTS).map(hit => render(hit, hit.live, hit.terms)) }
}

// Every reading of the query ranked by rankFn (rank, or estimate from postings): each page's
// best hit, and each reading's hits.
function hitsOf(raw, rankFn) {
  const best = new Map(), lists = []
  const plain = parseQuery(raw, false)
  const readings = plain.spans ? [plain, parseQuery(raw, true)] : [plain]
  for (const reading of readings) for (const split of [false, true]) {
    const query = split ? { ...reading } : reading
    if (split) {
      if (!query.terms.some(t => t.latin && !t.forms && GLUED.test(t.t))) break
      query.terms = query.terms.flatMap(t => t.latin && !t.forms && GLUED.test(t.t) ? splitTerm(t) : [t])
    }
    const asked = query.terms.length
    const list = rankFn(query)
    for (const hit of list) {
      if (reading === plain && readings.length > 1) hit.score *= WORDWISE * Math.min(1, hit.live.length / asked) ** 2
      const seen = best.get(hit.page)
      if (!seen || seen.score < hit.score) best.set(hit.page, hit)
    }
    lists.push(list)
  }
  return { best, lists }
}

/* ---- Pinyin ------------------------------------------------------------------------------- */

const PINYIN_QUERY = /^[a-z]{2,60}$/

// A name's pinyin (qiang hua xue xi, a character's other readings after |): per syllable, its
// spellings and their initials.
function pinyinOf(py) {
  return py.split(" ").map(s => { const alts = s.split("|"); return { alts, initials: alts.map(a => a[0]) } })
}

// Where q, read from syllable i on, ends exactly after a syllable (the last one may be typed in
// part): the index after it, else -1. Every reading of a syllable is tried.
function spell(q, syl, i, at = 0) {
  if (i >= syl.length) return -1
  for (const a of syl[i].alts) {
    if (q.startsWith(a, at)) {
      if (at + a.length === q.length) return i + 1
      const end = spell(q, syl, i + 1, at + a.length)
      if (end > 0) return end
    } else if (at > 0 && a.startsWith(q.slice(at))) return i + 1
  }
  return -1
}

// How well q spells a name in pinyin, 0..1: the whole name in full or by its initials, then
// its first syllables, then syllables inside it.
function pinyinScore(q, syl) {
  const n = syl.length
  let best = 0
  for (let i = 0; i < n; i++) {
    const end = spell(q, syl, i)
    if (end < 0) continue
    best = Math.max(best, i === 0 ? (end === n ? 1 : 0.6 + 0.3 * end / n) : 0.3 + 0.3 * (end - i) / n)
  }
  if (q.length <= n && [...q].every((c, k) => syl[k].initials.includes(c)))
    best = Math.max(best, q.length === n ? 0.95 : 0.5 + 0.3 * q.length / n)
  return best
}

function pinyinHits(raw, literal) {
  const q = raw.normalize("NFKC").toLowerCase().replace(/[\s'’]+/g, "")
  if (!PINYIN_QUERY.test(q)) return []
  const out = []
  for (const page of db.pages) {
    if (!page.py.length || literal.has(page)) continue
    if (!page.pys) page.pys = page.py.map(py => py ? pinyinOf(py) : null)
    let best = 0, via = -1
    page.pys.forEach((p, j) => {
      const s = p ? pinyinScore(q, p) * (j ? 0.95 : 1) : 0
      if (s > best) { best = s; via = j }
    })
    if (best > 0) out.push({ page, score: best * page.prior / 1000, live: [], terms: [],
                             r: { found: {}, secHits: [], viaAlias: via - 1, pinyin: via } })
  }
  return out.sort((a, b) => b.score - a.score)
}

// A query's terms that occur somewhere, each with its idf; a term found nowhere is split once
// (llama3 → llama 3, an unknown Chinese stretch → its character pairs), else it does not count.
// Sharded, the document frequency comes from the postings (db.df).
function liveTerms(query) {
  const N = db.n
  const live = []
  const pending = query.terms.map(t => [t, true])
  while (pending.length) {
    const [term, splittable] = pending.shift()
    const df = db.df ? db.df(term).size : docFreq(db.pages, term)
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
  return live
}

function rank(query) {
  if (!query.terms.length) return []
  const pages = db.pages
  const live = liveTerms(query)
  if (!live.length) return []
  for (const term of live) {
    term.units = term.forms ? units(term.t) : term.latin ? 1 : term.t.length / 2
  }
  const total = live.reduce((a, t) => a + t.idf, 0)
  const hits = []
  for (const page of pages) {
    const r = scorePage(page, live)
    if (!r.covered) continue
    const coverage = r.covered / total
    // The exact phrase beats all the words in one field, which beats words across fields.
    let structure = live.length >= 2 ? r.together : 0
    if (live.length >= 2 && query.phrase && coverage >= 0.5)
      structure = Math.max(structure, phraseField(page, query.phrase))
    const bonus = nameBonus(page, query, coverage)
    const score = ((r.score + structure * total) * coverage * coverage + bonus) * page.prior
    hits.push({ page, score, r, live, terms: query.terms, parts: { structure, coverage, bonus } })
  }
  return hits
}

// The words as this page writes them, for Material's ``?h=`` highlighting on the page a result
// opens (it marks the terms it is given, as given): 简体 text a 繁體 query found, another
// glossary name (知识蒸馏 for kd), the name a pinyin query spelled. Title, aliases and the
// first sections' text, a few distinct forms.
const SURFACES = 12
function surfaces(page, live, r) {
  const out = new Map()
  const add = (text, list) => {
    for (const [s, e] of list) {
      const w = text.slice(s, e).trim()
      if (w && !out.has(w.toLowerCase()) && out.size < SURFACES) out.set(w.toLowerCase(), w)
    }
  }
  if (r.pinyin >= 0) add(r.pinyin ? page.aliases[r.pinyin - 1] : page.title, [[0, Infinity]])
  add(page.title, spans(page.tf, live))
  page.af.forEach((a, j) => add(page.aliases[j], spans(a, live)))
  for (const sec of page.sections.slice(0, 8)) add(sec.text, spans(sec.xf, live))
  return out.values()
}

function render({ page, score, r }, live, all) {
  const terms = {}
  for (const t of all) if (!t.split) terms[t.t] = !!r.found[t.t]
  const typed = new Set(Object.keys(terms).map(t => t.toLowerCase()))
  for (const w of surfaces(page, live, r)) if (!typed.has(w.toLowerCase())) terms[w] = true
  const order = page.sections.map((_, k) => k).filter(k => r.secHits[k] > 0)
    .sort((a, b) => r.secHits[b] - r.secHits[a])
  // The teaser comes from the first section that has the most distinct terms.
  const distinct = k => live.filter(t => count(page.sections[k].xf, t, 1)[0]).length
  let lead = page.sections[0]
  if (order.length) {
    const most = Math.max(...order.map(distinct))
    lead = page.sections[Math.min(...order.filter(k => distinct(k) === most))]
  }
  // A name spelled in pinyin is marked whole: the reader typed all of it, in other letters.
  const titleSpans = r.pinyin === 0 ? [[0, page.title.length, ""]] : spans(page.tf, live)
  let text = ""
  const titleOwn = r.pinyin === 0 || live.some(t => count(page.tf, t, 1)[2])
  if (r.viaAlias >= 0 && !titleOwn) {
    const alias = page.aliases[r.viaAlias]
    const aliasSpans = r.pinyin > 0 ? [[0, alias.length, ""]] : spans(page.af[r.viaAlias], live)
    text += `<span class="kb-search-alias">${mark(alias, aliasSpans)}</span> · `
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

function answer(raw) {
  try {
    return { type: RESULT, data: db ? search(raw) : { items: [] } }
  } catch (err) {
    console.warn(`kbsite search: query failed: ${raw}`, err)
    return { type: RESULT, data: { items: [] } }
  }
}

// A message's reply; for a sharded index a query's reply is a promise (its files load first),
// and post, if given, gets an earlier reply from the best pages while the others load.
function handler(message, post) {
  switch (message.type) {
    case SETUP:
      db = setup(message.data.docs)
      return { type: READY }
    case QUERY:
      if (db && db.sharded) {
        const raw = message.data
        return prepare(raw, post).then(() => answer(raw), err => {
          console.warn(`kbsite search: could not load the index for: ${raw}`, err)
          return { type: RESULT, data: { items: [] } }
        })
      }
      return answer(message.data)
    default:
      throw new TypeError("Invalid message type")
  }
}

if (typeof module !== "undefined" && module.exports) {
  module.exports = { handler, fold, keyOf, parseQuery: q => parseQuery(q), segmentHan, hash,
    setLoad: fn => { load = fn },
    fetchedRows: () => db && db.sharded ? db.fetched : 0,
    // For tuning: each reading's top pages with their score parts.
    explain: (q, n = 5) => [parseQuery(q, false), parseQuery(q, true)].map(query => rank(query)
      .sort((a, b) => b.score - a.score).slice(0, n).map(h => ({ title: h.page.title, score: h.score,
        base: h.r.score, ...h.parts, terms: h.live.map(t => t.t + ":" + t.idf.toFixed(1)).join(",") }))) }
} else {
  // The reply to a query a newer one has replaced while its files loaded is dropped, so an
  // older answer never replaces a newer one. ``kbsiteBusy``: queries not answered yet (the
  // browser tests wait for 0).
  let latest = 0
  self.kbsiteBusy = 0
  addEventListener("message", async ev => {
    const query = ev.data && ev.data.type === QUERY
    const seq = query ? ++latest : latest
    if (query) self.kbsiteBusy++
    try {
      const reply = await handler(ev.data, early => { if (seq === latest) postMessage(early) })
      if (reply.type === RESULT && seq !== latest) return
      postMessage(reply)
    } finally {
      if (query) self.kbsiteBusy--
    }
  })
}
