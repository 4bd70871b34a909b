// The async queue and dead letters, schedules, HTTP APIs, usage and cost, nodes.
import { h, table, kv, fmt } from '/console/dom.js';
import { barChart } from '/console/charts.js';

export async function asyncPage({ main, onLeave, call }) {
  const stats = h('div', { id: 'queue-stats' });
  const letters = h('div', { id: 'dead-letters-box' });
  const status = h('p', { id: 'async-status', class: 'muted' });
  const refresh = async () => {
    const s = await call('GET', '/spur/v1/async');
    stats.replaceChildren(kv('queue', {
      'Queued events': `${s.depth} (${s.running} running, ${s.delayed} waiting to retry)`,
      'Oldest event age': s.oldestEventAgeMillis === null ? '—' : `${s.oldestEventAgeMillis} ms`,
      'Dead letters stored': String(s.deadLetters),
      'Since start': `${s.enqueued} enqueued, ${s.succeeded} succeeded, ${s.retried} retried, ${s.deadLettered} dead-lettered`,
    }));
    const page = await call('GET', '/spur/v1/dead-letters?limit=100');
    letters.replaceChildren(page.DeadLetters.length
      ? table('dead-letters', ['Id', 'Function', 'Failed at', 'Attempts', 'Condition', 'Error', ''], page.DeadLetters.map(letterRow))
      : h('p', { class: 'muted', id: 'no-dead-letters' }, 'No dead letters.'));
  };
  const letterRow = (l) => {
    const detail = h('tr', { hidden: true }, h('td', { colspan: 7 }, h('pre', { class: 'small payload' }, JSON.stringify({ Payload: l.Payload, Response: l.Response }, null, 2))));
    const row = h('tr', { dataset: { id: l.Id } },
      h('td', {}, h('code', {}, l.Id.slice(0, 12))), h('td', {}, l.FunctionArn.split(':function:')[1]), h('td', {}, fmt.time(l.FailedAt)),
      h('td', { class: 'num' }, l.Attempts), h('td', {}, l.Condition), h('td', {}, l.ErrorType || ''),
      h('td', {},
        h('button', { class: 'inspect', onclick: () => { detail.hidden = !detail.hidden; } }, 'Inspect'), ' ',
        h('button', { class: 'replay primary', onclick: async () => {
          await call('POST', `/spur/v1/dead-letters/${encodeURIComponent(l.Id)}/replay`);
          status.textContent = `Replayed ${l.Id}`;
          status.dataset.replayed = l.Id;
          await refresh();
        } }, 'Replay')));
    return [row, detail];
  };
  main.replaceChildren(h('h2', {}, 'Asynchronous queue'), h('div', { class: 'card' }, stats),
    h('div', { class: 'toolbar' }, h('h3', {}, 'Dead letters'),
      h('button', { class: 'danger', id: 'purge', onclick: async () => {
        if (!confirm('Delete every dead letter of this account?')) return;
        const r = await call('DELETE', '/spur/v1/dead-letters');
        status.textContent = `Purged ${r.Purged}`;
        await refresh();
      } }, 'Purge all')),
    status, letters);
  await refresh();
  const timer = setInterval(() => refresh().catch(() => {}), 5000);
  onLeave(() => clearInterval(timer));
}

export async function schedulesPage({ main, call }) {
  const list = await call('GET', '/spur/v1/schedules');
  main.replaceChildren(h('h2', {}, 'Schedules'), list.Schedules.length
    ? table('schedules', ['Name', 'Expression', 'Time zone', 'State', 'Target', 'Next fire', 'Last fire'], list.Schedules.map((s) => h('tr', {},
      h('td', {}, s.Name), h('td', {}, h('code', {}, s.ScheduleExpression)), h('td', {}, s.ScheduleExpressionTimezone), h('td', {}, s.State),
      h('td', {}, (s.Target.Arn || '').split(':function:')[1] || s.Target.Arn), h('td', {}, fmt.time(s.NextFireTime)), h('td', {}, fmt.time(s.LastFireTime)))))
    : h('p', { class: 'muted', id: 'schedules' }, 'No schedules.'));
}

export async function apisPage({ main, call }) {
  const list = await call('GET', '/spur/v1/apis');
  const cards = list.Items.map((a) => h('div', { class: 'card', dataset: { api: a.ApiId } },
    h('h3', {}, a.Name, ' ', h('span', { class: 'badge' }, a.ApiId)),
    h('p', {}, h('a', { href: a.ApiPathEndpoint }, a.ApiPathEndpoint)),
    table(null, ['Route', 'Function', 'Payload', 'Authorization'], (a.Routes || []).map((r) => h('tr', {},
      h('td', {}, h('code', {}, r.RouteKey)), h('td', {}, r.Target && r.Target.Function), h('td', {}, r.PayloadFormatVersion), h('td', {}, r.AuthorizationType || r.Authorizer || 'NONE'))))));
  main.replaceChildren(h('h2', {}, 'HTTP APIs'), cards.length ? h('div', { id: 'apis' }, cards) : h('p', { class: 'muted', id: 'apis' }, 'No HTTP APIs.'));
}

export async function usagePage({ main, call }) {
  const since = h('select', { id: 'usage-since' }, [['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days']].map(([v, t]) => h('option', { value: v, selected: v === '7d' }, t)));
  const box = h('div');
  const chart = h('div', { class: 'chart', id: 'usage-chart' });
  const load = async () => {
    const [byFunction, byDay] = await Promise.all([
      call('GET', `/spur/v1/usage?by=function&since=${since.value}`),
      call('GET', `/spur/v1/usage?by=day&since=${since.value}`),
    ]);
    const row = (label, r) => h('tr', { class: label === 'Total' ? 'total' : null, dataset: { function: label } },
      h('td', {}, label), h('td', { class: 'num' }, fmt.num(r.Requests)), h('td', { class: 'num' }, fmt.num(r.Errors)),
      h('td', { class: 'num' }, fmt.num(r.BilledDurationMs)), h('td', { class: 'num' }, fmt.gbs(r.GBSeconds)),
      h('td', { class: 'num' }, fmt.gbs(r.ProvisionedConcurrencyGBSeconds + r.ProvisionedDurationGBSeconds)),
      h('td', { class: 'num' }, fmt.gbs(r.EphemeralStorageGBSeconds)), h('td', { class: 'num' }, fmt.usd(r.EstimatedCost.Total)));
    const p = byFunction.Prices;
    box.replaceChildren(
      table('usage-table', ['Function', 'Requests', 'Errors', 'Billed ms', 'GB-s', 'Provisioned GB-s', 'Ephemeral GB-s', 'Cost (USD)'],
        [...byFunction.Rows.map((r) => row(r.Function, r)), row('Total', byFunction.Total)]),
      h('p', { class: 'muted' }, `From ${byFunction.Since} to ${byFunction.Until}. Prices: $${p.requestsPerMillion} per million requests, $${p.gbSecond} per GB-s, `
        + `provisioned $${p.provisionedGbSecond} per GB-s kept and $${p.provisionedDurationGbSecond} per GB-s run, ephemeral storage $${p.ephemeralGbSecond} per GB-s above 512 MB; no free tier.`));
    const days = byDay.Rows.map((r) => Date.parse(r.Day) / 1000 + 43200); // bars at midday
    barChart(chart, 'Estimated cost per day', days, 'USD', byDay.Rows.map((r) => r.EstimatedCost.Total),
      Math.floor(Date.parse(byDay.Since) / 86400000) * 86400, Math.ceil(Date.parse(byDay.Until) / 86400000) * 86400, (v) => '$' + (v === 0 ? '0' : v.toPrecision(2)));
  };
  since.addEventListener('change', load);
  main.replaceChildren(h('h2', {}, 'Usage and cost'), h('div', { class: 'toolbar' }, since), h('div', { class: 'card' }, chart), box);
  await load();
}

export async function nodesPage({ main, call }) {
  let body;
  try {
    const nodes = await call('GET', '/spur/v1/nodes');
    // The membership API's shape is the cluster work's: show every plain field each node has.
    const list = nodes.Nodes || nodes.Items || nodes.nodes || [];
    const columns = [...new Set(list.flatMap((n) => Object.keys(n).filter((k) => n[k] === null || typeof n[k] !== 'object')))];
    body = table('nodes', columns, list.map((n) => h('tr', {}, columns.map((c) => h('td', {}, /time|seen|heartbeat/i.test(c) && n[c] ? fmt.time(n[c]) : n[c] ?? '')))));
  } catch (e) {
    if (e.status !== 404) throw e;
    const health = await call('GET', '/spur/v1/health');
    body = h('div', { id: 'nodes' },
      h('p', {}, 'This node: ', h('span', { class: 'badge' }, health.status), ' ', location.host),
      h('p', { class: 'muted' }, 'This server has no membership API (GET /spur/v1/nodes) yet: cluster membership lands with the cluster work. Until then the console shows this node only.'));
  }
  main.replaceChildren(h('h2', {}, 'Nodes'), h('div', { class: 'card' }, body));
}
