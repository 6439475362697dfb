import { createHash, randomBytes } from 'node:crypto';
import { runCli } from './tsforge.js';

/** A browser stand-in over fetch: one cookie jar, no redirects followed, forms parsed from the pages. */
export class PageClient {
  #cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  async get(pathOrUrl: string): Promise<Response> {
    return this.#fetch(pathOrUrl, { method: 'GET' });
  }

  async post(path: string, form: URLSearchParams | string, headers: Record<string, string> = {}): Promise<Response> {
    return this.#fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: typeof form === 'string' ? form : form.toString(),
    });
  }

  /** Submits the page's form with its hidden fields plus `fields` (buttons included by name). */
  async submit(page: string, fields: Record<string, string>): Promise<Response> {
    const form = parseForm(page);
    for (const [k, v] of Object.entries(fields)) form.fields.set(k, v);
    return this.post(form.action, form.fields);
  }

  get cookieHeader(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async #fetch(pathOrUrl: string, init: RequestInit): Promise<Response> {
    const url = new URL(pathOrUrl, this.base);
    const headers = new Headers(init.headers);
    if (this.#cookies.size) headers.set('cookie', this.cookieHeader);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';', 1);
      const eq = pair!.indexOf('=');
      this.#cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return response;
  }
}

/** The form of a login or consent page: its action and every hidden field, in order. */
export function parseForm(page: string): { action: string; fields: URLSearchParams } {
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error(`no form on the page:\n${page}`);
  const fields = new URLSearchParams();
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.append(unescape(m[1]!), unescape(m[2]!));
  return { action: unescape(action), fields };
}

function unescape(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(base: string, params: Record<string, string>): string {
  return `${base}/oauth/authorize?${new URLSearchParams({ response_type: 'code', ...params })}`;
}

export async function createUser(dataDir: string, username: string, password: string): Promise<string> {
  const result = await runCli(['user', 'create', '--username', username, '--json'], { dataDir, stdin: password });
  if (result.code !== 0) throw new Error(`user create failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { user_id: string }).user_id;
}

export async function createAppClient(dataDir: string, o: { redirectUri: string; public?: boolean; scope?: string; name?: string }): Promise<{ client_id: string; client_secret: string | null }> {
  const args = ['client', 'create', '--name', o.name ?? 'Test app', '--grant', 'authorization_code', '--redirect-uri', o.redirectUri,
    '--scope', o.scope ?? 'files:read files:write', '--json', ...(o.public ? ['--public'] : [])];
  const result = await runCli(args, { dataDir });
  if (result.code !== 0) throw new Error(`client create failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { client_id: string; client_secret: string | null };
}

/**
 * Signs in and approves through the real pages over HTTP; returns the code from the final
 * redirect. `pages` reuses a signed-in browser.
 */
export async function codeThroughPages(o: {
  base: string; clientId: string; redirectUri: string; challenge: string; username: string; password: string;
  scope?: string; state?: string; pages?: PageClient; remember?: boolean;
}): Promise<{ code: string; location: URL; pages: PageClient }> {
  const pages = o.pages ?? new PageClient(o.base);
  const url = authorizeUrl(o.base, {
    client_id: o.clientId, redirect_uri: o.redirectUri, scope: o.scope ?? 'files:read', state: o.state ?? 'st',
    code_challenge: o.challenge, code_challenge_method: 'S256',
  });
  let response = await pages.get(url);
  for (let step = 0; step < 6; step++) {
    if (response.status === 302 || response.status === 303) {
      const location = new URL(response.headers.get('location')!, o.base);
      if (location.origin + location.pathname === new URL(o.redirectUri).origin + new URL(o.redirectUri).pathname) {
        const code = location.searchParams.get('code');
        if (!code) throw new Error(`redirected without a code: ${location}`);
        return { code, location, pages };
      }
      response = await pages.get(location.toString());
      continue;
    }
    const page = await response.text();
    if (response.status !== 200) throw new Error(`unexpected ${response.status}: ${page}`);
    if (page.includes('<title>Sign in</title>')) response = await pages.submit(page, { username: o.username, password: o.password });
    else if (page.includes('<title>Allow access?</title>')) response = await pages.submit(page, { decision: 'approve', ...(o.remember ? { remember: '1' } : {}) });
    else throw new Error(`unexpected page: ${page}`);
  }
  throw new Error('too many steps');
}

export async function exchangeCode(base: string, o: { code: string; clientId: string; redirectUri: string; verifier: string }): Promise<Response> {
  return fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: o.code, client_id: o.clientId, redirect_uri: o.redirectUri, code_verifier: o.verifier }),
  });
}
