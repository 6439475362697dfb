import type { AuthorizationRequestSummary } from '@tsforge/oauth2-server';
import { hiddenParams, html, page } from './html.js';
import type { FormParams } from './form.js';

export interface ConsentPageInput {
  request: AuthorizationRequestSummary;
  params: FormParams;
  csrf: string;
  action: string;
  /** The signed-in user's name, so a shared browser shows who is approving. */
  username: string;
}

/** What the user approves: the application, where the answer goes, each scope. */
export function consentPage(o: ConsentPageInput): string {
  const scopes = o.request.scopes.length
    ? html`<ul>${o.request.scopes.map((s) => html`<li><code>${s}</code></li>`)}</ul>`
    : html`<p>No specific permissions.</p>`;
  return page('Allow access?', html`<h1>Allow access?</h1>
<p>Signed in as <strong>${o.username}</strong>.</p>
<p><strong>${o.request.clientName}</strong> asks for:</p>
${scopes}
<p>If you allow it, you will be sent to <code>${o.request.redirectUri}</code>.</p>
<form method="post" action="${o.action}">
<input type="hidden" name="csrf" value="${o.csrf}">
${hiddenParams(o.params)}
${o.request.canRememberConsent ? html`<label class="check"><input type="checkbox" name="remember" value="1"> Remember this decision for ${o.request.clientName}</label>` : ''}
<div class="actions">
<button type="submit" name="decision" value="approve" autofocus>Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</div>
</form>`);
}
