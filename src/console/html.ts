/**
 * HTML built by a tagged template that escapes every interpolated value unless it is already `Html`
 * (another template's output). Dead letters carry whatever a producer wrote: nothing from a record may
 * reach the page as markup. Pure.
 */

export interface Html {
  readonly __html: string;
}

export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && '__html' in value;
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return (value as readonly Interpolation[]).map(render).join('');
  if (isHtml(value)) return value.__html;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return { __html: out };
}

/** Markup this module's callers built themselves (SVG from numbers); never record content. */
export function trusted(markup: string): Html {
  return { __html: markup };
}
