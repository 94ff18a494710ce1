/**
 * A KlaviyoRequest's JSON text, made once per request: the projection measures it against Klaviyo's size
 * limits and the outbound record carries it. Serialising every request twice was a tenth of the
 * projector's CPU (bench/projector.ts --cpu-prof). Requests are never mutated, so the text cannot go stale;
 * a WeakMap lets it go with its request.
 */
import type { KlaviyoRequest } from './request.ts';

const texts = new WeakMap<KlaviyoRequest, string>();

export function requestJson(request: KlaviyoRequest): string {
  let text = texts.get(request);
  if (text === undefined) {
    text = JSON.stringify(request);
    texts.set(request, text);
  }
  return text;
}
