import { html, page } from './html.js';

/**
 * An error shown to the user, never redirected: the client or its redirect URI is not trusted
 * (RFC 6749 §4.1.2.1), the form was forged or stale, or the server cannot answer now.
 */
export function errorPage(o: { title: string; error?: string; description: string }): string {
  return page(o.title, html`<h1>${o.title}</h1>
<p class="error" role="alert">${o.description}</p>
${o.error ? html`<p>Error code: <code>${o.error}</code></p>` : null}
<p>You can close this page and return to the application.</p>`);
}
