// Spur's own APIs as the signed-in account: the session cookie travels by itself (same origin), and every
// state-changing call carries the session's CSRF token, as Spur requires.
export const session = { auth: 'none', signedIn: false, account: '', region: '', csrf: '' };

export class ApiError extends Error {
  constructor(status, type, message) {
    super(`${type || status}: ${message}`);
    this.status = status;
    this.type = type;
  }
}

export async function loadSession() {
  const s = await call('GET', '/console/session');
  Object.assign(session, {
    auth: s.Auth, signedIn: s.SignedIn, account: s.Account || '', region: s.Region || '', csrf: s.Csrf || '',
  });
  return session;
}

export async function signIn(accessKeyId, secretAccessKey, region) {
  const s = await call('POST', '/console/session', { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, Region: region });
  Object.assign(session, { signedIn: true, account: s.Account, region: s.Region, csrf: s.Csrf });
}

export async function signOut() {
  await call('DELETE', '/console/session');
  Object.assign(session, { signedIn: false, csrf: '' });
}

/** One call; resolves to the parsed JSON (or null), rejects with an ApiError in AWS's error shape. */
export async function call(method, path, body, headers = {}) {
  const res = await raw(method, path, body, headers);
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) {
    throw new ApiError(res.status, res.headers.get('x-amzn-ErrorType'), json && (json.message || json.Message) || text);
  }
  return json;
}

/** The fetch Response itself, for callers that read headers (Invoke). */
export function raw(method, path, body, headers = {}) {
  const h = { ...headers };
  if (body !== undefined && typeof body !== 'string') {
    body = JSON.stringify(body);
    h['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && session.csrf) {
    h['X-Spur-Csrf'] = session.csrf;
  }
  return fetch(path, { method, headers: h, body, credentials: 'same-origin', cache: 'no-store' });
}

export const fn = (name) => encodeURIComponent(name);
