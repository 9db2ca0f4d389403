// The header search box, driven by Pagefind. The index (pagefind/ in the site root) is
// written by generator/search/ (keys.py explains the "keys": ASCII words standing for every
// two-character run of Chinese, every document number and person name). A query is looked
// up through the same keys, which find every record containing it (recall); each candidate
// is then checked against its own text, so that only records containing the query are
// shown (precision), and the count says "约" while not every candidate has been checked.

const PAGE_SIZE = 5; // each result loads its text (a Pagefind fragment); more on request
const CHECK_MAX = 40; // candidates checked for one page of results at most; more on request
const SPREAD = 3; // bigrams looked up for one run of Chinese at most: the first, the last, between
const FILTERS = [["kind", "类型"], ["publisher", "发布机关"], ["year", "年份"], ["doctype", "文种"], ["section", "栏目"]];
const HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
const HAN = new RegExp(`[${HAN_CLASS}]+`, "gu");
const NUMBER = new RegExp(`^[${HAN_CLASS}]*〔[0-9]{4}〕第?[0-9]+号$`, "u"); // as keys.py
const WORD = /[0-9A-Za-z]+/g;
const BRACKETS = { "［": "〔", "[": "〔", "(": "〔", "（": "〔", "【": "〔", "〖": "〔",
                   "］": "〕", "]": "〕", ")": "〕", "）": "〕", "】": "〕", "〗": "〕" };

// ------------------------------------------------------------------ keys (as in keys.py)

export function normalise(text) {
  return Array.from((text || "").replace(/\s+/gu, ""), c => BRACKETS[c] || c).join("");
}

export function keyToken(text) {
  const points = Array.from(normalise(text), c => c.codePointAt(0));
  if (points.every(p => p < 36 ** 3)) return "k" + points.map(p => p.toString(36).padStart(3, "0")).join("");
  return "h" + points.map(p => p.toString(16)).join("x");
}

export function numberToken(text) {
  return "n" + keyToken(text).slice(1);
}

function bigrams(text) {
  const grams = [];
  for (const run of text.match(HAN) || []) {
    const chars = Array.from(run);
    for (let i = 0; i + 1 < chars.length; i++) grams.push(chars[i] + chars[i + 1]);
  }
  return grams;
}

/** Up to SPREAD bigrams of a run of Chinese, first and last included: a record containing
 * the run has them all; the check against the text does the rest. */
function spreadBigrams(run) {
  const chars = Array.from(run);
  const count = chars.length - 1;
  const picks = new Set();
  const n = Math.min(SPREAD, count);
  for (let i = 0; i < n; i++) picks.add(n === 1 ? 0 : Math.round((i * (count - 1)) / (n - 1)));
  return [...picks].map(i => chars[i] + chars[i + 1]);
}

/** The Pagefind queries for what the user typed: ``first`` ranks the document whose own
 * number it is first; ``broad`` finds every record that may contain it. ``exact`` when the
 * keys alone say whether a record contains the query (a document number, two characters). */
export function plan(query) {
  const whole = normalise(query);
  if (!whole) return null;
  if (NUMBER.test(whole)) {
    const key = numberToken(whole);
    return { parts: [whole], first: key, broad: key, exact: true };
  }
  const parts = (query || "").split(/\s+/u).map(normalise).filter(Boolean);
  const broad = [];
  let exact = true;
  for (const part of parts) {
    const runs = (part.match(HAN) || []).filter(run => Array.from(run).length > 1);
    if (!(runs.length === 1 && runs[0] === part && Array.from(part).length === 2)) exact = false;
    for (const run of runs) broad.push(...spreadBigrams(run).map(keyToken));
    if (!runs.length) {
      const words = part.match(WORD) || [];
      // One character: its key is the start of the keys of every bigram it begins.
      broad.push(...(words.length ? words.map(w => w.toLowerCase()) : [keyToken(part)]));
    }
  }
  // A person's records need no lookup of their own: the name is in their title, whose
  // bigrams weigh 5 and rank first (one index chunk less to load).
  return { parts, first: null, broad: [...new Set(broad)].join(" "), exact };
}

/** Whether a record's text contains every part of the query (spaces and brackets as normalise). */
export function contains(content, parts) {
  const text = normalise(content);
  return parts.every(part => text.includes(part));
}

// ------------------------------------------------------------------ Pagefind

const root = document.querySelector("[data-gz-search]");
const base = new URL((root ? root.dataset.base : ".") + "/", location.href);
// Every key counts once per record: a title match (weight 5) ranks first; of records a
// query finds alike, the shorter first (page length weighs 0.3, under Pagefind's 0.75, so
// that it does not outweigh a title), which also keeps the texts the first page loads small.
const INDEX_OPTIONS = { excerptLength: 40, ranking: { pageLength: 0.3 } };
const instances = {}; // "own": this site's index; "all": every shard's, merged

// A sharded archive (gazette build --shards): the portal at the root, each shard's site in a
// folder beside the others; the portal's shards.json lists them. data-shards says which this
// site is ("portal" or "shard"). Scope "all" (全部发布机关) merges every shard's index into one
// search (Pagefind's mergeIndex: each query loads its chunks from every shard); "own"
// (本发布机关) searches this shard's index alone. The portal has no index of its own.
const shardsOf = root ? root.dataset.shards : "";
let scope = shardsOf === "portal" ? "all" : "own";
let sharded = null; // { portal, roots: [{ shard, publisher, root: URL }], own }
let shardsLoaded = null;

function shards() {
  if (!shardsLoaded) {
    shardsLoaded = (async () => {
      if (shardsOf !== "portal" && shardsOf !== "shard") return null;
      const url = new URL(shardsOf === "portal" ? "shards.json" : "../shards.json", base);
      try {
        const response = await fetch(url);
        if (!response.ok) return null; // a shard built alone: its own index only
        const data = await response.json();
        const roots = data.shards.map(s => ({ ...s, root: new URL(s.shard + "/", url) }));
        sharded = { portal: shardsOf === "portal", roots, own: roots.find(s => s.root.href === base.href) };
      } catch (error) {
        return null;
      }
      return sharded;
    })();
  }
  return shardsLoaded;
}

async function loadIndex(site, query = "") {
  const pf = await import(new URL("pagefind/pagefind.js" + query, site).href);
  await pf.options({ baseUrl: site.pathname, ...INDEX_OPTIONS });
  await pf.init();
  return pf;
}

async function loadAll(info) {
  const primary = info.own || info.roots[0];
  const pf = await loadIndex(primary.root, "?all"); // a second instance beside this site's own
  await Promise.all(
    info.roots
      .filter(s => s !== primary)
      .map(s => pf.mergeIndex(new URL("pagefind/", s.root).pathname, { baseUrl: s.root.pathname, ...INDEX_OPTIONS }))
  );
  return pf;
}

function load() {
  return shards().then(info => {
    const key = info && scope === "all" ? "all" : "own";
    if (!instances[key]) instances[key] = key === "all" ? loadAll(info) : loadIndex(base);
    return instances[key];
  });
}

/** The site root a result's link is relative to: the shard whose path its URL starts with. */
function siteOf(url) {
  let best = null;
  for (const s of (sharded && sharded.roots) || []) {
    if (url.startsWith(s.root.pathname) && (!best || s.root.pathname.length > best.pathname.length)) best = s.root;
  }
  return best || base;
}

/** The records found for a query, checked against their text as they are shown. */
export class Hits {
  constructor(candidates, parts, exact) {
    this.candidates = candidates; // Pagefind results, best first
    this.parts = parts;
    this.exact = exact;
    this.checked = 0;
    this.found = []; // the fragments (result data) of the records that contain the query
  }

  get done() {
    return this.checked >= this.candidates.length;
  }

  /** { n, about }: the number of records that contain the query, or an estimate (about). */
  count() {
    if (this.exact) return { n: this.candidates.length, about: false };
    if (this.done) return { n: this.found.length, about: false };
    const rate = this.checked ? this.found.length / this.checked : 1;
    return { n: Math.round(this.found.length + (this.candidates.length - this.checked) * rate), about: true };
  }

  /** Up to ``n`` more records containing the query (their fragments), checking at most
   * ``limit`` candidates. */
  async more(n = PAGE_SIZE, limit = CHECK_MAX) {
    const out = [];
    let budget = limit;
    while (out.length < n && !this.done && budget > 0) {
      const batch = this.candidates.slice(this.checked, this.checked + Math.min(n - out.length, budget));
      this.checked += batch.length;
      budget -= batch.length;
      const datas = await Promise.all(batch.map(r => r.data()));
      for (const data of datas) {
        if (!this.parts.length || contains(data.content, this.parts)) {
          this.found.push(data);
          out.push(data);
        }
      }
    }
    return out;
  }

  /** Every record containing the query (checks every candidate). */
  async all() {
    while (!this.done) await this.more(Infinity, Infinity);
    return this.found;
  }
}

/** The records (a ``Hits``, best first) for ``query`` and ``filters``. */
export async function search(query, filters = {}) {
  const pf = await load();
  const steps = plan(query);
  const options = { filters };
  if (!steps) {
    const all = await pf.search(null, { filters }); // in page order: the bundle lists the newest first
    return new Hits(all.results, [], true);
  }
  const results = steps.first ? [...(await pf.search(steps.first, options)).results] : [];
  if (steps.broad && steps.broad !== steps.first) {
    const seen = new Set(results.map(r => r.id));
    const broad = await pf.search(steps.broad, options);
    results.push(...broad.results.filter(r => !seen.has(r.id)));
  }
  return new Hits(results, steps.parts, steps.exact);
}

export async function filterCounts() {
  const pf = await load();
  return pf.filters();
}

// ------------------------------------------------------------------ excerpts

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** ``content`` around the first hit of ``parts`` (or of their bigrams), hits marked. */
export function excerpt(content, parts, width = 90) {
  const text = (content || "").replace(/\s+/gu, " ").trim();
  const chars = Array.from(text);
  const map = []; // compact position → position in chars
  let compact = "";
  chars.forEach((c, i) => { if (c !== " ") { map.push(i); compact += BRACKETS[c] || c; } });
  const compactChars = Array.from(compact);
  const needles = [...parts, ...parts.flatMap(bigrams)].filter(Boolean);
  const hits = [];
  for (const needle of needles) {
    const n = Array.from(needle);
    for (let i = 0; i + n.length <= compactChars.length; i++) {
      if (compactChars[i] === n[0] && compactChars.slice(i, i + n.length).join("") === needle) {
        hits.push([map[i], map[i + n.length - 1] + 1]);
      }
    }
    if (hits.length) break;
  }
  if (!hits.length) return escapeHtml(chars.slice(0, width).join("")) + (chars.length > width ? "…" : "");
  const start = Math.max(0, hits[0][0] - Math.floor(width / 3));
  const end = Math.min(chars.length, start + width);
  let out = start > 0 ? "…" : "";
  let at = start;
  for (const [s, e] of hits) {
    if (s < at || e > end) continue;
    out += escapeHtml(chars.slice(at, s).join("")) + "<mark>" + escapeHtml(chars.slice(s, e).join("")) + "</mark>";
    at = e;
  }
  return out + escapeHtml(chars.slice(at, end).join("")) + (end < chars.length ? "…" : "");
}

// ------------------------------------------------------------------ the search box

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function mount(root) {
  const toggle = document.getElementById("__search");
  const form = root.querySelector("form");
  const input = root.querySelector(".md-search__input");
  const meta = root.querySelector(".md-search-result__meta");
  const list = root.querySelector(".md-search-result__list");
  const more = root.querySelector(".gz-search__more");
  const filterBox = root.querySelector(".gz-search__filters");
  // Filter counts need every filter file (about 150 KB at 10,000 documents): loaded on request.
  const filterToggle = root.querySelector(".gz-search__filter-toggle");
  const selects = {};
  let hits = null;
  let serial = 0;
  let timer = 0;

  const open = () => { if (toggle && !toggle.checked) toggle.checked = true; };
  const close = () => { if (toggle) toggle.checked = false; input.blur(); };

  function filters() {
    const chosen = {};
    for (const [key, select] of Object.entries(selects)) if (select.value) chosen[key] = [select.value];
    return chosen;
  }

  async function buildFilters() {
    if (filterBox.childElementCount) return;
    const counts = await filterCounts();
    for (const [key, label] of FILTERS) {
      const values = Object.entries(counts[key] || {});
      if (!values.length) continue;
      values.sort((a, b) => key === "year" ? b[0].localeCompare(a[0]) : b[1] - a[1] || a[0].localeCompare(b[0], "zh"));
      const select = element("select", "gz-search__filter");
      select.name = key;
      select.setAttribute("aria-label", label);
      select.append(new Option(`${label}：全部`, ""));
      for (const [value, count] of values) select.append(new Option(`${value}（${count}）`, value));
      select.addEventListener("change", () => run());
      selects[key] = select;
      filterBox.append(select);
    }
    filterBox.hidden = false;
    if (filterToggle) filterToggle.hidden = true;
  }

  function showCount() {
    const { n, about } = hits.count();
    if (!n && hits.done) meta.textContent = "没有找到相关结果";
    else meta.textContent = `找到${about ? "约" : ""} ${n.toLocaleString("zh-CN")} 条结果`;
  }

  async function render() {
    const mine = serial;
    const current = hits;
    const datas = await current.more(PAGE_SIZE);
    if (mine !== serial) return;
    for (const data of datas) list.append(item(data, current.parts));
    showCount();
    more.hidden = current.done;
    root.dataset.shown = input.value; // for tests and search_eval: this query's first results are in
  }

  function item(data, parts) {
    const m = data.meta || {};
    const li = element("li", "md-search-result__item");
    const a = element("a", "md-search-result__link");
    a.href = new URL((m.link || data.url).replace(/^\//, ""), siteOf(data.url)).href;
    const article = element("article", "md-search-result__article md-typeset");
    article.append(element("h1", "", m.title || data.url));
    const line = element("div", "gz-search__meta");
    line.append(element("span", "gz-search__kind", m.kind || ""));
    for (const value of [m.docno, m.date, m.publisher]) if (value) line.append(element("span", "", value));
    article.append(line);
    const p = element("p", "gz-search__excerpt");
    p.innerHTML = excerpt(data.content, parts);
    article.append(p);
    a.append(article);
    li.append(a);
    return li;
  }

  async function run() {
    const mine = ++serial;
    const query = input.value.trim();
    const chosen = filters();
    if (!query && !Object.keys(chosen).length) {
      list.replaceChildren();
      more.hidden = true;
      meta.textContent = "输入关键词即可搜索";
      return;
    }
    meta.textContent = "正在搜索…";
    let found;
    try {
      found = await search(query, chosen);
    } catch (error) {
      if (mine === serial) meta.textContent = "搜索索引不可用（请先运行 gazette build）";
      return;
    }
    if (mine !== serial) return;
    hits = found;
    list.replaceChildren();
    if (!hits.candidates.length) {
      more.hidden = true;
      meta.textContent = "没有找到相关结果";
      root.dataset.shown = input.value;
      return;
    }
    await render();
  }

  shards().then(info => {
    if (!info || info.portal || !info.own) return;
    const choice = element("select", "gz-search__filter gz-search__scope"); // styled as the filters
    choice.name = "scope";
    choice.setAttribute("aria-label", "搜索范围");
    choice.append(new Option(`本发布机关（${info.own.publisher}）`, "own"));
    choice.append(new Option(`全部发布机关（${info.roots.length} 个站点）`, "all"));
    choice.addEventListener("change", () => {
      scope = choice.value;
      filterBox.replaceChildren(); // the filter counts are another index's
      for (const key of Object.keys(selects)) delete selects[key];
      filterBox.hidden = true;
      if (filterToggle) filterToggle.hidden = false;
      load().catch(() => {});
      run();
    });
    (filterToggle || filterBox).before(choice);
  });
  input.addEventListener("focus", () => { open(); load().catch(() => {}); });
  if (filterToggle) filterToggle.addEventListener("click", () => load().then(buildFilters).catch(() => {}));
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 150); });
  input.addEventListener("keydown", event => {
    if (event.key === "Escape") close();
    if (event.key === "Enter") {
      event.preventDefault();
      const first = list.querySelector("a");
      if (first) location.href = first.href;
    }
  });
  form.addEventListener("submit", event => event.preventDefault());
  form.addEventListener("reset", () => setTimeout(() => { run(); input.focus(); }));
  more.addEventListener("click", () => { if (hits) render(); });
  document.addEventListener("keydown", event => {
    const target = event.target;
    const typing = target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName));
    if (!typing && !event.metaKey && !event.ctrlKey && (event.key === "/" || event.key === "s")) {
      event.preventDefault();
      input.focus();
    }
  });
  if (toggle) toggle.addEventListener("change", () => { if (toggle.checked) input.focus(); });
}

if (root) mount(root);
window.gazetteSearch = {
  search, plan, excerpt, keyToken, contains, filterCounts, ready: () => load(),
  setScope: value => { scope = value; return load(); }, // "own" or "all" (a shard of a sharded archive)
};
