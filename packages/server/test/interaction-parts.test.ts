import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SessionCookies, cookieValue } from '../src/interaction/session.js';
import { CsrfTokens } from '../src/interaction/csrf.js';
import { escapeHtml, formTarget, html, Html } from '../src/interaction/html.js';
import { carriedParams, parseForm, toQuery } from '../src/interaction/form.js';

describe('the session cookie', () => {
  const key = randomBytes(32);
  let now = 1_000_000_000_000;
  const sessions = new SessionCookies({ key, secure: true, ttl: 60, clock: () => now });
  const cookie = (set: string) => set.split(';', 1)[0]!;

  it('round-trips, with HttpOnly, SameSite=Lax, Secure and a Max-Age', () => {
    const s = sessions.create('usr_1');
    const set = sessions.serialize(s);
    expect(set).toMatch(/^tsforge_session=[\w-]+\.[\w-]+; Path=\/oauth; Max-Age=60; HttpOnly; SameSite=Lax; Secure$/);
    expect(sessions.read(cookie(set))).toEqual(s);
  });

  it('is refused when altered, signed with another key, or expired (clock on the boundary)', () => {
    const set = cookie(sessions.serialize(sessions.create('usr_1')));
    const [payload, mac] = set.slice('tsforge_session='.length).split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), userId: 'usr_2' })).toString('base64url');
    expect(sessions.read(`tsforge_session=${forged}.${mac}`)).toBeNull();
    expect(new SessionCookies({ key: randomBytes(32), secure: true }).read(set)).toBeNull();
    expect(sessions.read('tsforge_session=garbage')).toBeNull();
    now += 59_999;
    expect(sessions.read(set)).not.toBeNull();
    now += 1;
    expect(sessions.read(set)).toBeNull();
  });

  it('finds its cookie among others', () => {
    expect(cookieValue('a=1; tsforge_session=x.y; b=2', 'tsforge_session')).toBe('x.y');
    expect(cookieValue('a=1', 'tsforge_session')).toBeUndefined();
  });
});

describe('CSRF tokens', () => {
  const csrf = new CsrfTokens(randomBytes(32));
  it('bind to the session and the form', () => {
    const token = csrf.issue('sid-1', 'login');
    expect(csrf.verify('sid-1', 'login', token)).toBe(true);
    expect(csrf.verify('sid-2', 'login', token)).toBe(false);
    expect(csrf.verify('sid-1', 'consent', token)).toBe(false);
    expect(csrf.verify('sid-1', 'login', undefined)).toBe(false);
    expect(csrf.verify('sid-1', 'login', ['a', 'b'])).toBe(false);
  });
});

describe('HTML', () => {
  it('escapes every interpolated value unless it is trusted markup', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(html`<p title="${'"><script>'}">${'<b>'}${new Html('<i>ok</i>')}${['<', html`<br>`]}</p>`.markup)
      .toBe('<p title="&quot;&gt;&lt;script&gt;">&lt;b&gt;<i>ok</i>&lt;<br></p>');
  });

  it('form-action admits the redirect URI origin, or the scheme of a native app', () => {
    expect(formTarget('https://app.test:8443/cb?x=1')).toEqual(['https://app.test:8443']);
    expect(formTarget('com.example.app:/cb')).toEqual(['com.example.app:']);
    expect(formTarget('not a url')).toEqual([]);
  });
});

describe('form parameters', () => {
  it('keep repeats, carry p.-prefixed fields and rebuild the query', () => {
    const form = parseForm('csrf=t&p.scope=a&p.scope=b&p.state=%26x&username=u');
    expect(form).toEqual({ csrf: 't', 'p.scope': ['a', 'b'], 'p.state': '&x', username: 'u' });
    const carried = carriedParams(form);
    expect(carried).toEqual({ scope: ['a', 'b'], state: '&x' });
    expect(toQuery(carried)).toBe('scope=a&scope=b&state=%26x');
  });
});
