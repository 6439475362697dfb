import type { AuthorizationRequestSummary } from '@tsforge/oauth2-server';
import { hiddenParams, html, page } from './html.js';
import type { FormParams } from './form.js';

export interface LoginPageInput {
  request: AuthorizationRequestSummary;
  /** The original query, posted back with the form. */
  params: FormParams;
  csrf: string;
  action: string;
  /** Shown above the form (role=alert), e.g. after a wrong password. */
  error?: string | null;
  username?: string;
}

/**
 * The sign-in form. The username field takes focus first (autofocus), the error is announced to
 * screen readers and linked to the fields it concerns.
 */
export function loginPage(o: LoginPageInput): string {
  const error = o.error ? html`<p class="error" id="login-error" role="alert">${o.error}</p>` : null;
  const described = o.error ? html` aria-describedby="login-error" aria-invalid="true"` : '';
  return page('Sign in', html`<h1>Sign in</h1>
<p><strong>${o.request.clientName}</strong> wants to access your account.</p>
${error}
<form method="post" action="${o.action}">
<input type="hidden" name="csrf" value="${o.csrf}">
${hiddenParams(o.params)}
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${o.username ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus${described}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${described}>
<div class="actions"><button type="submit">Sign in</button></div>
</form>`);
}
