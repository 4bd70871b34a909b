// Building the page from data without innerHTML: every value lands as text, never as markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function table(id, headers, rows) {
  return h('table', { id },
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { class: /^(Requests|Errors|Memory|Billed|GB|Cost|Attempts|Weight)/.test(t) ? 'num' : null }, t)))),
    h('tbody', {}, rows));
}

export function kv(id, pairs) {
  return h('dl', { class: 'kv', id }, Object.entries(pairs).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]));
}

export const fmt = {
  num: (n) => (n ?? 0).toLocaleString('en-US'),
  usd: (n) => '$' + (n ?? 0).toFixed(6),
  gbs: (n) => (n ?? 0).toFixed(3),
  time: (t) => (t ? new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—'),
};
