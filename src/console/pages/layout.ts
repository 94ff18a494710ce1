/** The frame every page shares: navigation, sign-in state, a main landmark, local CSS and script only. */
import { html, type Html, type Interpolation } from '../html.ts';

export interface PageContext {
  /** The CSRF token of the signed-in session; undefined when not signed in. */
  readonly csrf: string | undefined;
  readonly path: string;
}

const NAV: readonly (readonly [string, string])[] = [
  ['/', 'Overview'],
  ['/replays', 'Replays'],
  ['/audit', 'Audit'],
  ['/delivery', 'Delivery'],
];

export function page(title: string, context: PageContext, body: Interpolation): Html {
  const current = (href: string): boolean =>
    href === '/' ? context.path === '/' || context.path.startsWith('/topics') : context.path.startsWith(href);
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · klaviyo-relay console</title>
        <link rel="stylesheet" href="/static/console.css" />
        <script src="/static/console.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <span class="brand">klaviyo-relay · dead letters</span>
          <nav aria-label="Main">
            <ul>
              ${NAV.map(([href, label]) => html`<li><a href="${href}" ${current(href) ? html` aria-current="page"` : ''}>${label}</a></li>`)}
            </ul>
          </nav>
          ${
            context.csrf === undefined
              ? html`<a class="signin" href="/signin?next=${encodeURIComponent(context.path)}"
                  >Sign in to make changes</a
                >`
              : html`<form method="post" action="/signout" class="signin">
                  <input type="hidden" name="csrf" value="${context.csrf}" /><span>Signed in</span>
                  <button type="submit" class="link">Sign out</button>
                </form>`
          }
        </header>
        <main id="main" tabindex="-1">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html> `;
}

export function errorBox(message: string): Html {
  return html`<div class="error" role="alert"><p>${message}</p></div>`;
}

export function notice(message: Interpolation): Html {
  return html`<div class="notice" role="status"><p>${message}</p></div>`;
}

export function countsList(counts: Readonly<Record<string, number>>, label: string): Html {
  const entries = Object.entries(counts);
  if (entries.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="counts" aria-label="${label}">
    ${entries.map(([name, count]) => html`<li><span class="name">${name}</span> <span class="count">${count}</span></li>`)}
  </ul>`;
}

export function topicHref(topic: string, query?: URLSearchParams): string {
  const search = query === undefined || [...query].length === 0 ? '' : `?${query.toString()}`;
  return `/topics/${encodeURIComponent(topic)}${search}`;
}

export function recordHref(topic: string, partition: number, offset: number | string): string {
  return `/topics/${encodeURIComponent(topic)}/records/${partition}/${offset}`;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

/** A labelled text field with its hint (the CLI option it stands for); ids are `<prefix>-<name>`. */
export function textField(prefix: string, name: string, label: string, hint: string, value: string): Html {
  return html`<div class="field">
    <label for="${prefix}-${name}">${label}</label
    ><input id="${prefix}-${name}" name="${name}" value="${value}" aria-describedby="${prefix}-h-${name}" /><small
      id="${prefix}-h-${name}"
      >${hint}</small
    >
  </div>`;
}

/** A labelled checkbox, checked when the form last sent it. */
export function checkField(id: string, name: string, label: string, checked: boolean): Html {
  return html`<div class="field check">
    <input type="checkbox" id="${id}" name="${name}" ${checked ? html` checked` : ''} /><label for="${id}"
      >${label}</label
    >
  </div>`;
}
