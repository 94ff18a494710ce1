/** Purge, audit, delivery and sign-in pages. */
import type { AuditRecord } from '../../dlq/audit-record.ts';
import type { DeliveryView } from '../delivery.ts';
import { html, type Html } from '../html.ts';
import { filterQuery } from '../query.ts';
import { errorBox, page, recordHref, topicHref, type PageContext } from './layout.ts';
import { filterForm } from './list.ts';
import { auditTable } from './replay.ts';

export interface PurgePageInput {
  readonly topic: string;
  readonly params: URLSearchParams;
  readonly selected: readonly {
    readonly partition: number;
    readonly offset: number;
    readonly key: string | null;
    readonly code: string | undefined;
  }[];
  readonly filtered: boolean;
  readonly error: string | undefined;
}

export function purgePage(context: PageContext, input: PurgePageInput): Html {
  const { topic, params } = input;
  const count = input.selected.length;
  return page(
    `Purge: ${topic}`,
    context,
    html`<p><a href="${topicHref(topic)}">← ${topic}</a></p>
      ${filterForm('/purge', params, { topic })} ${input.error === undefined ? '' : errorBox(input.error)}
      <p class="lead" id="purge-summary">
        ${count} dead letter${count === 1 ? '' : 's'} would be purged. Purging cannot be undone: they are marked gone in
        the audit topic, and no later listing, replay or park sees them.
      </p>
      <ul class="plain">
        ${input.selected.slice(0, 50).map((record) => html`<li><a href="${recordHref(topic, record.partition, record.offset)}">${record.partition}@${record.offset}</a> <span class="mono">${record.key ?? '(none)'}</span> ${record.code ?? ''}</li>`)}${count > 50 ? html`<li>… and ${count - 50} more</li>` : ''}
      </ul>
      ${
        count === 0
          ? ''
          : context.csrf === undefined
            ? html`<p>
                <a class="button" href="/signin?next=${encodeURIComponent(`/purge?${params.toString()}`)}"
                  >Sign in to purge</a
                >
              </p>`
            : html`<form method="post" action="/actions/purge" class="confirm" aria-label="Confirm the purge">
                <input type="hidden" name="csrf" value="${context.csrf}" />
                <input type="hidden" name="topic" value="${topic}" />
                ${[...filterQuery(params)].map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
                <input type="hidden" name="expected" value="${count}" />
                ${
                  input.filtered
                    ? ''
                    : html`<div class="field check">
                        <input type="checkbox" id="p-all" name="all" /><label for="p-all"
                          >Delete every record of the topic from the log (Kafka deleteRecords, like
                          <code>--all</code>)</label
                        >
                      </div>`
                }
                <label for="confirm"
                  >Type the topic name <code>${topic}</code> to purge (this is the CLI's <code>--yes</code>)</label
                >
                <input id="confirm" name="confirm" autocomplete="off" spellcheck="false" />
                <button type="submit" class="danger">Purge ${count} record${count === 1 ? '' : 's'}</button>
              </form>`
      }`,
  );
}

export function auditPage(context: PageContext, topic: string | undefined, records: readonly AuditRecord[]): Html {
  return page(
    'Audit',
    context,
    html`<p>
        Every replay, park and purge, newest first: who, when, what, how
        many${topic === undefined ? '' : html`, on <code>${topic}</code> (<a href="/audit">all topics</a>)`}. The
        console writes the same records as the CLI, with itself as the actor.
      </p>
      ${auditTable(records)}`,
  );
}

const rate = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(value < 10 ? 2 : 0));

export function deliveryPage(
  context: PageContext,
  source: string,
  view: DeliveryView | { readonly error: string },
): Html {
  if ('error' in view)
    return page('Delivery', context, [
      html`<p>From the relay's metrics at <code>${source}</code>.</p>`,
      errorBox(`The relay's metrics are not reachable: ${view.error}`),
    ]);
  return page(
    'Delivery',
    context,
    html`<p>
        From the relay's metrics at <code>${source}</code>, read now. The sent rate is measured between two visits of
        this page: reload to update it.
      </p>
      ${view.halted ? errorBox('Delivery is HALTED: Klaviyo refused the credentials (401/403). Fix the key and restart; nothing is lost meanwhile.') : html`<p class="ok" role="status">Delivery is not halted.</p>`}
      ${view.failingChecks.length > 0 ? errorBox(`Readiness checks failing: ${view.failingChecks.join(', ')}`) : ''}
      <table class="records lanes">
        <caption>
          Rate against Klaviyo's limits, per lane
        </caption>
        <thead>
          <tr>
            <th scope="col">Lane</th>
            <th scope="col">Klaviyo's limit (configured)</th>
            <th scope="col" class="num">Allowed now (events/s)</th>
            <th scope="col" class="num">Sent (events/s)</th>
            <th scope="col" class="num">Sent in all</th>
          </tr>
        </thead>
        <tbody>
          ${view.lanes.map(
            (lane) =>
              html`<tr>
                <th scope="row">${lane.lane}</th>
                <td>
                  ${lane.limit === undefined ? '–' : `${lane.limit.perSecond}/s burst, ${lane.limit.perMinute}/min steady (${lane.limit.family})`}
                </td>
                <td class="num">${rate(lane.allowedPerSecond)}</td>
                <td class="num">${rate(lane.sentPerSecond)}</td>
                <td class="num">${lane.sentTotal}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <table class="records">
        <caption>
          Klaviyo's budget per rate family (steady window, as last answered)
        </caption>
        <thead>
          <tr>
            <th scope="col">Family</th>
            <th scope="col" class="num">Remaining</th>
            <th scope="col" class="num">Limit</th>
            <th scope="col" class="num">Waited for the limiter (s)</th>
          </tr>
        </thead>
        <tbody>
          ${view.budgets.map(
            (budget) =>
              html`<tr>
                <th scope="row">${budget.family}</th>
                <td class="num">${budget.remaining ?? '–'}</td>
                <td class="num">${budget.limit ?? '–'}</td>
                <td class="num">${budget.waitedSeconds === undefined ? '–' : budget.waitedSeconds.toFixed(1)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <table class="records">
        <caption>
          Requests Klaviyo answered since the relay started
        </caption>
        <thead>
          <tr>
            <th scope="col">Endpoint</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">Count</th>
          </tr>
        </thead>
        <tbody>
          ${view.requests.map(
            (entry) =>
              html`<tr>
                <td class="mono">${entry.endpoint}</td>
                <td>${entry.status}</td>
                <td class="num">${entry.count}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <table class="records">
        <caption>
          Backlog per urgency class
        </caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col" class="num">Waiting</th>
            <th scope="col" class="num">Oldest (s)</th>
          </tr>
        </thead>
        <tbody>
          ${view.classes.map(
            (entry) =>
              html`<tr>
                <th scope="row">${entry.name}</th>
                <td class="num">${entry.backlog}</td>
                <td class="num">${entry.oldestAgeSeconds === undefined ? '–' : entry.oldestAgeSeconds.toFixed(1)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <p>
        Unsettled requests at the dispatcher: <strong>${view.unsettled}</strong>, the oldest
        ${view.oldestUnsettledSeconds.toFixed(1)} s old.
      </p>
      <table class="records">
        <caption>
          Dead letters written since the relay started
        </caption>
        <thead>
          <tr>
            <th scope="col">Topic</th>
            <th scope="col">Stage</th>
            <th scope="col">Code</th>
            <th scope="col" class="num">Count</th>
          </tr>
        </thead>
        <tbody>
          ${view.deadLetters.map(
            (entry) =>
              html`<tr>
                <td class="mono"><a href="${topicHref(entry.topic)}">${entry.topic}</a></td>
                <td>${entry.stage}</td>
                <td>${entry.code}</td>
                <td class="num">${entry.count}</td>
              </tr>`,
          )}
        </tbody>
      </table>`,
  );
}

export function signInPage(context: PageContext, next: string, error: string | undefined): Html {
  return page(
    'Sign in',
    context,
    html`<p>
        Reading needs no sign-in. Replaying, parking, purging and the original bytes need the console token: it was
        printed when <code>klaviyo-relay console</code> started (or is <code>RELAY_CONSOLE_TOKEN</code>).
      </p>
      ${error === undefined ? '' : errorBox(error)}
      <form method="post" action="/signin" class="confirm">
        <input type="hidden" name="next" value="${next}" />
        <label for="token">Console token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required />
        <button type="submit" class="primary">Sign in</button>
      </form>`,
  );
}

export function messagePage(context: PageContext, title: string, message: string, back: string | undefined): Html {
  return page(title, context, [errorBox(message), back === undefined ? '' : html`<p><a href="${back}">Back</a></p>`]);
}
