// The header search box, driven by Pagefind. The index (pagefind/ in the site root) is
// written by generator/search.py, which also explains the "keys": ASCII words standing
// for every two-character run of Chinese, every document number and person name. A query
// is looked up through the same keys, so any text a record contains finds the record.

const PAGE_SIZE = 5; // each result loads its text (a Pagefind fragment); more on request
const FILTERS = [["kind", "类型"], ["publisher", "发布机关"], ["year", "年份"], ["doctype", "文种"], ["section", "栏目"]];
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/gu;
const WORD = /[0-9A-Za-z]+/g;
const BRACKETS = { "［": "〔", "[": "〔", "(": "〔", "（": "〔", "【": "〔", "〖": "〔",
                   "］": "〕", "]": "〕", ")": "〕", "）": "〕", "】": "〕", "〗": "〕" };

// ------------------------------------------------------------------ keys (as in search.py)

export function normalise(text) {
  return Array.from((text || "").replace(/\s+/gu, ""), c => BRACKETS[c] || c).join("");
}

export function keyToken(text) {
  const points = Array.from(normalise(text), c => c.codePointAt(0));
  if (points.every(p => p < 36 ** 3)) return "k" + points.map(p => p.toString(36).padStart(3, "0")).join("");
  return "h" + points.map(p => p.toString(16)).join("x");
}

function bigrams(text) {
  const grams = [];
  for (const run of text.match(HAN) || []) {
    const chars = Array.from(run);
    for (let i = 0; i + 1 < chars.length; i++) grams.push(chars[i] + chars[i + 1]);
  }
  return grams;
}

/** The Pagefind queries for what the user typed: exact keys first, then every bigram. */
export function plan(query) {
  const parts = (query || "").split(/\s+/u).map(normalise).filter(Boolean);
  if (!parts.length) return null;
  const exact = parts.map(keyToken).join(" ");
  const broad = [];
  for (const part of parts) {
    const grams = bigrams(part);
    const words = part.match(WORD) || [];
    // One character: its key is the start of the keys of every bigram it begins.
    if (!grams.length && !words.length) broad.push(keyToken(part));
    broad.push(...new Set(grams.map(keyToken)), ...words.map(w => w.toLowerCase()));
  }
  return { parts, exact, broad: [...new Set(broad)].join(" ") };
}

// ------------------------------------------------------------------ Pagefind

const root = document.querySelector("[data-gz-search]");
const base = new URL((root ? root.dataset.base : ".") + "/", location.href);
let pagefind = null;

function load() {
  if (!pagefind) {
    pagefind = import(new URL("pagefind/pagefind.js", base).href).then(async pf => {
      // Every key counts once per record, so length says nothing of relevance: a title
      // match (weight 5) ranks first, a long document does not lose to a one-line entry.
      await pf.options({ baseUrl: base.pathname, excerptLength: 40, ranking: { pageLength: 0 } });
      await pf.init();
      return pf;
    });
  }
  return pagefind;
}

/** Results (Pagefind result objects, best first) for ``query`` and ``filters``. */
export async function search(query, filters = {}) {
  const pf = await load();
  const steps = plan(query);
  const options = { filters };
  if (!steps) {
    const all = await pf.search(null, { filters, sort: { date: "desc" } });
    return { results: all.results, parts: [] };
  }
  const exact = await pf.search(steps.exact, options);
  const results = [...exact.results];
  if (steps.broad !== steps.exact) {
    const seen = new Set(results.map(r => r.id));
    const broad = await pf.search(steps.broad, options);
    results.push(...broad.results.filter(r => !seen.has(r.id)));
  }
  return { results, parts: steps.parts };
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
  let state = { results: [], parts: [], shown: 0 };
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

  async function render(from) {
    const mine = serial;
    const page = state.results.slice(from, from + PAGE_SIZE);
    const datas = await Promise.all(page.map(r => r.data()));
    if (mine !== serial) return;
    for (const data of datas) list.append(item(data, state.parts));
    state.shown = from + page.length;
    more.hidden = state.shown >= state.results.length;
  }

  function item(data, parts) {
    const m = data.meta || {};
    const li = element("li", "md-search-result__item");
    const a = element("a", "md-search-result__link");
    a.href = new URL((m.link || data.url).replace(/^\//, ""), base).href;
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
    state = { results: found.results, parts: found.parts, shown: 0 };
    list.replaceChildren();
    meta.textContent = found.results.length ? `找到 ${found.results.length} 条结果` : "没有找到相关结果";
    await render(0);
  }

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
  more.addEventListener("click", () => render(state.shown));
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
window.gazetteSearch = { search, plan, excerpt, keyToken, filterCounts, ready: () => load() };
