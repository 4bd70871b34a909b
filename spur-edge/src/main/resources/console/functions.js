// The functions list and one function's page.
import { h, table, kv, fmt } from '/console/dom.js';
import { lineChart, sparkline } from '/console/charts.js';
import { raw } from '/console/api.js';

const FUNCTIONS = '/2015-03-31/functions';

export async function functionsPage({ main, onLeave, call }) {
  const functions = [];
  let marker = '';
  do {
    const page = await call('GET', `${FUNCTIONS}/?MaxItems=50${marker ? '&Marker=' + encodeURIComponent(marker) : ''}`);
    functions.push(...page.Functions);
    marker = page.NextMarker;
  } while (marker);
  const search = h('input', { type: 'text', id: 'search', placeholder: 'Search functions', oninput: () => filter() });
  const rows = functions.map((f) => h('tr', { dataset: { function: f.FunctionName } },
    h('td', {}, h('a', { class: 'fn-link', href: `#/function/${encodeURIComponent(f.FunctionName)}` }, f.FunctionName)),
    h('td', {}, f.Runtime),
    h('td', { class: 'num' }, `${f.MemorySize} MB`),
    h('td', {}, fmt.time(f.LastModified)),
    h('td', { class: 'spark' }),
    h('td', { class: 'num invocations' }, '0'),
    h('td', { class: 'num errors' }, '0')));
  const filter = () => {
    const q = search.value.toLowerCase();
    rows.forEach((r) => { r.hidden = q && !r.dataset.function.toLowerCase().includes(q); });
  };
  main.replaceChildren(
    h('h2', {}, 'Functions'),
    h('div', { class: 'toolbar' }, search, h('span', { class: 'muted', id: 'function-count' }, `${functions.length} functions`)),
    functions.length
      ? table('functions', ['Name', 'Runtime', 'Memory', 'Last change', 'Last hour', 'Requests (1 h)', 'Errors (1 h)'], rows)
      : h('p', { class: 'muted', id: 'functions-empty' }, 'No functions yet: deploy one with spur deploy or aws lambda create-function.'));
  const draw = (overview) => {
    for (const r of rows) {
      const s = overview.Functions[r.dataset.function];
      const xs = overview.Minutes || [];
      const inv = s ? s.Invocations : xs.map(() => 0);
      const err = s ? s.Errors : xs.map(() => 0);
      if (xs.length) sparkline(r.querySelector('.spark'), xs.map((_, i) => i), inv, err);
      r.querySelector('.invocations').textContent = fmt.num(inv.reduce((a, b) => a + b, 0));
      r.querySelector('.errors').textContent = fmt.num(err.reduce((a, b) => a + b, 0));
    }
  };
  draw(await call('GET', '/spur/v1/series?minutes=60'));
  const events = new EventSource('/console/events');
  events.addEventListener('overview', (e) => draw(JSON.parse(e.data)));
  onLeave(() => events.close());
}

export async function functionPage({ main, onLeave, call, fn }, name) {
  const got = await call('GET', `${FUNCTIONS}/${fn(name)}`);
  const c = got.Configuration;
  const [versions, aliases, url, provisioned] = await Promise.all([
    call('GET', `${FUNCTIONS}/${fn(name)}/versions`),
    call('GET', `${FUNCTIONS}/${fn(name)}/aliases`),
    call('GET', `/2021-10-31/functions/${fn(name)}/url`).catch(() => null),
    call('GET', `/2019-09-30/functions/${fn(name)}/provisioned-concurrency?List=ALL`).catch(() => null),
  ]);
  const provisionedText = ((provisioned && provisioned.ProvisionedConcurrencyConfigs) || [])
    .map((p) => `${p.FunctionArn.split(':').pop()}: ${p.AllocatedProvisionedConcurrentExecutions}/${p.RequestedProvisionedConcurrentExecutions} ${p.Status}`)
    .join(', ') || 'none';
  const windowSelect = h('select', { id: 'window' }, [['15', '15 minutes'], ['60', '1 hour'], ['360', '6 hours'], ['1440', '24 hours']]
    .map(([v, t]) => h('option', { value: v, selected: v === '60' }, t)));
  const invChart = h('div', { class: 'chart', id: 'chart-invocations' });
  const durChart = h('div', { class: 'chart', id: 'chart-duration' });
  const logTail = h('pre', { class: 'log', id: 'log-tail' });
  const reserved = got.Concurrency && got.Concurrency.ReservedConcurrentExecutions;
  main.replaceChildren(
    h('h2', { id: 'fn-name' }, c.FunctionName, ' ', h('span', { class: 'badge' }, c.Runtime)),
    h('div', { class: 'grid2' },
      h('div', { class: 'card' }, h('h3', {}, 'Configuration'), kv('config', {
        ARN: c.FunctionArn, Handler: c.Handler, Memory: `${c.MemorySize} MB`, Timeout: `${c.Timeout} s`,
        'Ephemeral storage': `${(c.EphemeralStorage || {}).Size || 512} MB`, 'Last change': fmt.time(c.LastModified),
        State: c.State, 'Code SHA-256': c.CodeSha256,
        'Reserved concurrency': reserved === undefined ? 'unreserved' : String(reserved),
        'Provisioned concurrency': provisionedText,
        'Function URL': url ? h('a', { href: url.FunctionUrl, id: 'url' }, url.FunctionUrl) : 'none',
        Tags: Object.entries(got.Tags || {}).map(([k, v]) => `${k}=${v}`).join(', ') || 'none',
      })),
      h('div', { class: 'card' },
        h('h3', {}, 'Versions'),
        table('versions', ['Version', 'Description', 'Last change'], versions.Versions.map((v) => h('tr', {}, h('td', {}, v.Version), h('td', {}, v.Description), h('td', {}, fmt.time(v.LastModified))))),
        h('h3', {}, 'Aliases'),
        aliases.Aliases.length
          ? table('aliases', ['Alias', 'Version', 'Weights'], aliases.Aliases.map((a) => h('tr', {}, h('td', {}, a.Name), h('td', {}, a.FunctionVersion),
            h('td', {}, weights(a)))))
          : h('p', { class: 'muted', id: 'aliases' }, 'No aliases.'))),
    h('div', { class: 'card' }, h('div', { class: 'toolbar' }, h('h3', {}, 'Metrics'), windowSelect), h('div', { class: 'grid2' }, invChart, durChart)),
    h('div', { class: 'grid2' },
      h('div', { class: 'card' }, h('h3', {}, 'Live log'), logTail),
      testInvoke(name, call, fn)));
  const draw = (s) => {
    const xs = s.Minutes;
    lineChart(invChart, 'Invocations per minute', xs, { Invocations: s.Invocations, Errors: s.Errors, Throttles: s.Throttles, 'Cold starts': s.ColdStarts });
    lineChart(durChart, 'Duration', xs, { p50: s.DurationP50Ms, p99: s.DurationP99Ms }, ' ms');
  };
  const load = async () => draw(await call('GET', `/spur/v1/series?function=${fn(name)}&minutes=${windowSelect.value}`));
  windowSelect.addEventListener('change', load);
  await load();
  const events = new EventSource(`/console/events?function=${fn(name)}`);
  events.addEventListener('log', (e) => {
    const atBottom = logTail.scrollTop + logTail.clientHeight >= logTail.scrollHeight - 4;
    logTail.append(e.data.endsWith('\n') ? e.data : e.data + '\n');
    const lines = logTail.textContent.split('\n');
    if (lines.length > 2000) logTail.textContent = lines.slice(-2000).join('\n');
    if (atBottom) logTail.scrollTop = logTail.scrollHeight;
  });
  events.addEventListener('series', (e) => { if (windowSelect.value === '60') draw(JSON.parse(e.data)); else load(); });
  onLeave(() => events.close());
}

function weights(alias) {
  const extra = (alias.RoutingConfig && alias.RoutingConfig.AdditionalVersionWeights) || {};
  const rest = 1 - Object.values(extra).reduce((a, b) => a + b, 0);
  return [`${alias.FunctionVersion}: ${Math.round(rest * 100)}%`, ...Object.entries(extra).map(([v, w]) => `${v}: ${Math.round(w * 100)}%`)].join(', ');
}

/** The test-invoke panel: saved events (in this browser), the response, the log and the REPORT side by side. */
function testInvoke(name, call, fn) {
  const key = `spur.events.${name}`;
  const saved = () => JSON.parse(localStorage.getItem(key) || '{}');
  const event = h('textarea', { id: 'event', spellcheck: 'false' }, '{}');
  const eventName = h('input', { type: 'text', id: 'event-name', placeholder: 'event name' });
  const select = h('select', { id: 'saved-events', onchange: () => { if (select.value) event.value = saved()[select.value]; } });
  const fill = () => select.replaceChildren(h('option', { value: '' }, 'Saved events…'), ...Object.keys(saved()).map((n) => h('option', { value: n }, n)));
  fill();
  const status = h('span', { id: 'invoke-status', class: 'muted' });
  const response = h('pre', { class: 'small', id: 'invoke-response' });
  const logs = h('pre', { class: 'small', id: 'invoke-logs' });
  const report = h('pre', { class: 'small', id: 'invoke-report' });
  const save = () => {
    const n = eventName.value.trim();
    if (!n) return;
    localStorage.setItem(key, JSON.stringify({ ...saved(), [n]: event.value }));
    fill();
    select.value = n;
  };
  const invoke = async () => {
    status.textContent = 'Invoking…';
    status.className = 'muted';
    const res = await raw('POST', `/2015-03-31/functions/${fn(name)}/invocations`, event.value, { 'X-Amz-Log-Type': 'Tail' });
    const body = await res.text();
    const tail = res.headers.get('X-Amz-Log-Result');
    const log = tail ? new TextDecoder().decode(Uint8Array.from(atob(tail), (ch) => ch.charCodeAt(0))) : '';
    let pretty = body;
    try { pretty = JSON.stringify(JSON.parse(body), null, 2); } catch { /* not JSON: as sent */ }
    response.textContent = pretty;
    logs.textContent = log.split('\n').filter((l) => !l.startsWith('REPORT ')).join('\n');
    report.textContent = (log.split('\n').find((l) => l.startsWith('REPORT ')) || '').split('\t').join('\n');
    const error = res.headers.get('X-Amz-Function-Error');
    status.textContent = !res.ok ? `HTTP ${res.status}` : error ? `Function error (${error})` : `Succeeded (version ${res.headers.get('X-Amz-Executed-Version')})`;
    status.className = !res.ok || error ? 'error' : 'ok';
    status.dataset.done = 'true';
  };
  return h('div', { class: 'card', id: 'test-invoke' },
    h('h3', {}, 'Test invoke'),
    h('div', { class: 'toolbar' }, select, eventName, h('button', { id: 'save-event', onclick: save }, 'Save event'),
      h('button', { class: 'primary', id: 'invoke', onclick: invoke }, 'Invoke'), status),
    event,
    h('div', { class: 'grid3' },
      h('div', {}, h('h3', {}, 'Response'), response),
      h('div', {}, h('h3', {}, 'Log'), logs),
      h('div', {}, h('h3', {}, 'REPORT'), report)));
}
