// Spur's web console: a hash-routed page per resource, each reading Spur's own APIs as the signed-in account.
import { session, loadSession, signIn, signOut, call, fn } from '/console/api.js';
import { h } from '/console/dom.js';
import { functionsPage, functionPage } from '/console/functions.js';
import { asyncPage, schedulesPage, apisPage, usagePage, nodesPage } from '/console/pages.js';

const main = document.getElementById('main');
/** What the current page opened (event streams, timers), closed when the page changes. */
let cleanup = [];

function onLeave(fnToRun) { cleanup.push(fnToRun); }

async function route() {
  cleanup.forEach((c) => { try { c(); } catch { /* closing anyway */ } });
  cleanup = [];
  if (session.auth === 'sigv4' && !session.signedIn) {
    return showSignIn();
  }
  renderWho();
  const [, page, ...rest] = (location.hash || '#/functions').split('/');
  document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', a.getAttribute('href') === `#/${page}`));
  const ctx = { main, onLeave, call, fn };
  main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  try {
    switch (page) {
      case 'function': return await functionPage(ctx, decodeURIComponent(rest.join('/')));
      case 'async': return await asyncPage(ctx);
      case 'schedules': return await schedulesPage(ctx);
      case 'apis': return await apisPage(ctx);
      case 'usage': return await usagePage(ctx);
      case 'nodes': return await nodesPage(ctx);
      default: return await functionsPage(ctx);
    }
  } catch (e) {
    main.replaceChildren(h('p', { class: 'error', id: 'page-error' }, String(e.message || e)));
  }
}

function renderWho() {
  const who = document.getElementById('who');
  who.replaceChildren(`account ${session.account} · ${session.region}`);
  who.id = 'who';
  if (session.auth === 'sigv4') {
    who.append(h('button', { id: 'signout', onclick: async () => { await signOut(); route(); } }, 'Sign out'));
  } else {
    who.append(h('span', { class: 'badge' }, '--auth none'));
  }
}

function showSignIn() {
  document.getElementById('who').replaceChildren();
  const error = h('p', { class: 'error', id: 'signin-error' });
  const form = h('form', { class: 'card signin', id: 'signin', onsubmit: async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    try {
      await signIn(form.querySelector('#access-key').value.trim(), form.querySelector('#secret-key').value, form.querySelector('#region').value.trim());
      route();
    } catch (e) {
      error.textContent = e.message;
    }
  } },
  h('h2', {}, 'Sign in to Spur'),
  h('p', { class: 'muted' }, 'With an access key from ', h('code', {}, 'spur keys create'), '. The secret is checked by the server and never stored in this browser.'),
  h('label', { for: 'access-key' }, 'Access key ID'), h('input', { type: 'text', id: 'access-key', autocomplete: 'username', required: true }),
  h('label', { for: 'secret-key' }, 'Secret access key'), h('input', { type: 'password', id: 'secret-key', autocomplete: 'current-password', required: true }),
  h('label', { for: 'region' }, 'Region'), h('input', { type: 'text', id: 'region', value: 'us-east-1' }),
  h('p', {}, h('button', { class: 'primary', id: 'signin-submit', type: 'submit' }, 'Sign in')),
  error);
  main.replaceChildren(form);
}

window.addEventListener('hashchange', route);
loadSession().then(route, (e) => main.replaceChildren(h('p', { class: 'error' }, String(e.message || e))));
