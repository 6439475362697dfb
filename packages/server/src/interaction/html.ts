import { createHash } from 'node:crypto';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values: everything a page shows that came from outside goes through here. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A string of trusted markup, built only by `html` and the page functions. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

type Part = Html | string | number | undefined | null | false | Part[];

function render(part: Part): string {
  if (part === undefined || part === null || part === false) return '';
  if (Array.isArray(part)) return part.map(render).join('');
  if (part instanceof Html) return part.markup;
  return escapeHtml(String(part));
}

/** A template tag that escapes every interpolated value unless it is already `Html`. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

// Inline, so a page needs no other request; allowed by its hash in the CSP, nothing else is.
const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d1f23}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0003}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #767676;border-radius:4px}
input:focus,button:focus{outline:3px solid #1a5fb4;outline-offset:2px}
.check{display:flex;gap:.5rem;align-items:center;font-weight:400}
.actions{display:flex;gap:1rem;margin-top:1.5rem}
button{font:inherit;padding:.5rem 1.25rem;border-radius:4px;border:1px solid #1a5fb4;background:#1a5fb4;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1a5fb4}
.error{border-left:4px solid #c01c28;background:#fdecee;padding:.5rem .75rem;margin:0 0 1rem}
ul{padding-left:1.25rem}code{font-size:.9em;word-break:break-all}`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/**
 * The headers of every login, consent and error page and of the redirects after them: no
 * framing (clickjacking), no caching, no referrer (the query holds the request), no script,
 * forms posting only here or to the client's redirect URI.
 */
export function pageHeaders(formTargets: string[] = []): Record<string, string> {
  // Chromium applies form-action to the redirects that follow a form POST, so the consent
  // answer's 303 to the client's redirect URI must be allowed too.
  const formAction = ["'self'", ...formTargets].join(' ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': `default-src 'none'; style-src ${STYLE_HASH}; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  };
}

/** The CSP source expression that lets a form's redirect reach `redirectUri`. */
export function formTarget(redirectUri: string): string[] {
  try {
    const url = new URL(redirectUri);
    // An app's private-use scheme (RFC 8252 §7.1) has no origin; its scheme is the source.
    return [url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol];
  } catch {
    return [];
  }
}

export function page(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.markup;
}

/** The original authorization request, carried through a form as hidden fields (repeats kept). */
export function hiddenParams(params: Record<string, string | string[] | undefined>): Html {
  const fields: Html[] = [];
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      fields.push(html`<input type="hidden" name="${'p.' + name}" value="${v}">`);
    }
  }
  return new Html(fields.join('\n'));
}
