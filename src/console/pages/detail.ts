/**
 * One dead letter as `dlq show` shows it (the same function, the same redaction): why it failed, Klaviyo's
 * error, where it came from, its replays, the decoded value and every header. The original bytes are not
 * redacted, so they are shown only to a signed-in operator who asks for them.
 */
import { html, type Html } from '../html.ts';
import type { Detail } from '../model.ts';
import { json, page, recordHref, topicHref, type PageContext } from './layout.ts';

export function detailPage(context: PageContext, topic: string, detail: Detail): Html {
  const { shown } = detail;
  const [partition, offset] = [detail.view.record.partition, detail.view.offset];
  const failure = shown.failure;
  const hasDetail =
    shown.detail !== undefined &&
    !(typeof shown.detail === 'object' && shown.detail !== null && Object.keys(shown.detail).length === 0);
  const relayHeaders = detail.headers.filter((header) => header.name.startsWith('relay.'));
  const otherHeaders = detail.headers.filter((header) => !header.name.startsWith('relay.'));
  const oneRecord = new URLSearchParams([
    ['topic', topic],
    ['partition', String(partition)],
    ['offset', String(offset)],
    ['include-handled', 'on'],
  ]);
  return page(
    `${shown.coordinates}`,
    context,
    html`<p><a href="${topicHref(topic)}">← ${topic}</a></p>
      ${detail.handled ? html`<p class="notice" role="status">Already replayed, parked or purged (see the audit).</p>` : ''}
      <nav aria-label="Act on this record" class="actions">
        <a class="button" href="/replay?${oneRecord.toString()}">Plan a replay of this record…</a>
        <a class="button" href="/replay?${new URLSearchParams([...oneRecord, ['mode', 'park']]).toString()}"
          >Plan a park…</a
        >
      </nav>
      <dl class="facts">
        <dt>Key</dt>
        <dd class="mono">${shown.key ?? '(none)'}</dd>
        <dt>Event type</dt>
        <dd>${shown.eventType}</dd>
        <dt>Failed</dt>
        <dd>
          stage <strong>${failure.stage ?? '?'}</strong>, code <strong>${failure.code ?? '?'}</strong>, at
          ${failure.failedAt ?? '?'} (first ${failure.firstFailedAt ?? '?'}, attempts ${failure.attempts ?? '?'})
        </dd>
        <dt>Message</dt>
        <dd class="message">${failure.message ?? ''}</dd>
        <dt>Came from</dt>
        <dd class="mono">
          ${shown.origin.topic ?? '?'}/${shown.origin.partition ?? '?'}@${shown.origin.offset ?? '?'}
        </dd>
        <dt>Replays</dt>
        <dd>${shown.replay.count}${shown.replay.id === undefined ? '' : ` (last ${shown.replay.id})`}</dd>
        <dt>Size</dt>
        <dd>value ${detail.size} bytes, key ${detail.keySize} bytes, ${detail.headers.length} headers</dd>
      </dl>
      ${
        hasDetail
          ? html`<h2>${failure.stage === 'deliver' ? "Klaviyo's error" : 'Error detail'}</h2>
              <pre class="json">${json(shown.detail)}</pre>`
          : ''
      }
      <h2>
        Value
        <span class="muted"
          >(${shown.format}${shown.format === 'avro' ? ', decoded through the registry' : ''}; secrets and reset links
          redacted)</span
        >
      </h2>
      <pre class="json" id="value">${json(shown.value)}</pre>
      <h2>relay.* headers</h2>
      ${headerTable(relayHeaders, 'Dead-letter and replay headers')}
      ${
        otherHeaders.length > 0
          ? html`<h2>Original headers</h2>
              ${headerTable(otherHeaders, 'Headers the record carried')}`
          : ''
      }
      <h2>Original bytes</h2>
      <p>
        Not redacted: they are exactly what the producer wrote.
        ${
          context.csrf === undefined
            ? html`<a href="/signin?next=${encodeURIComponent(`${recordHref(topic, partition, offset)}/bytes`)}"
                  >Sign in to see them</a
                >.`
            : html`<a href="${recordHref(topic, partition, offset)}/bytes">Show the original bytes (hex and base64)</a
                >.`
        }
      </p>`,
  );
}

function headerTable(headers: Detail['headers'], caption: string): Html {
  return html`<table class="headers">
    <caption class="sr-only">
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">Header</th>
        <th scope="col">Value</th>
      </tr>
    </thead>
    <tbody>
      ${headers.map(
        (header) =>
          html`<tr>
            <th scope="row" class="mono">${header.name}</th>
            <td class="mono wrap">${header.value}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function bytesPage(
  context: PageContext,
  topic: string,
  partition: number,
  offset: number,
  value: Buffer | null,
): Html {
  const bytes = value ?? Buffer.alloc(0);
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hex = [...row].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
    const text = [...row].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${text}`);
  }
  return page(
    `Original bytes of ${topic}/${partition}@${offset}`,
    context,
    html`<p><a href="${recordHref(topic, partition, offset)}">← back to the record</a></p>
      <p>
        ${value === null ? 'The record has no value (a tombstone).' : `${bytes.length} bytes, exactly as the producer wrote them (not redacted).`}
      </p>
      <h2>Hex</h2>
      <pre class="hex">${lines.join('\n')}</pre>
      <h2>Base64</h2>
      <pre class="wrap mono">${bytes.toString('base64')}</pre>`,
  );
}
