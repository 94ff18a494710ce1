/**
 * Replay and park: the dry-run plan first (what goes where, which events are backfilled, which are
 * parked), then the confirmation (the topic name typed in full), then a status page that reads the
 * replay's state from Kafka, so it survives a reload and can be resumed.
 */
import type { AuditRecord } from '../../dlq/audit-record.ts';
import type { ReplayPreview } from '../../dlq/operations.ts';
import { html, type Html } from '../html.ts';
import type { ReplayStatus } from '../replay-state.ts';
import { filterQuery } from '../query.ts';
import { checkField, errorBox, json, page, recordHref, textField, topicHref, type PageContext } from './layout.ts';
import { filterForm } from './list.ts';

export interface ReplayPageInput {
  readonly topic: string;
  readonly mode: 'replay' | 'park';
  readonly params: URLSearchParams;
  /** The dry run, or why it could not be made. */
  readonly preview: ReplayPreview | { readonly error: string };
  /** Binds the confirmation to this dry run: the replay is refused if the selection changed since. */
  readonly fingerprint: string | undefined;
}

export function replayPlanPage(context: PageContext, input: ReplayPageInput): Html {
  const { topic, mode, params } = input;
  const verb = mode === 'park' ? 'Park' : 'Replay';
  const options = html`<fieldset>
    <legend>${verb} options</legend>
    ${
      mode === 'replay'
        ? [
            textField(
              'o',
              'to',
              'Send to topic instead',
              '--to; empty: where each record came from',
              params.get('to') ?? '',
            ),
            checkField(
              'o-backfill',
              'backfill',
              'Backfill every replayed event (recorded without firing flows)',
              params.get('backfill') === 'on',
            ),
            textField('o', 'max-age', 'Backfill events older than', '--max-age, e.g. 1h', params.get('max-age') ?? ''),
            textField(
              'o',
              'rate',
              'Rate limit',
              '--rate: records per second; empty: no limit',
              params.get('rate') ?? '',
            ),
          ]
        : html`<p>Parked records move to <code>${topic}.parked</code> for a human.</p>`
    }
  </fieldset>`;
  const form = filterForm('/replay', params, { topic, ...(mode === 'park' ? { mode } : {}) });
  const planForm = html`<form method="get" action="/replay" class="options" aria-label="${verb} options">
    <input
      type="hidden"
      name="topic"
      value="${topic}"
    />${mode === 'park' ? html`<input type="hidden" name="mode" value="park" />` : ''}
    ${[...filterQuery(params)].map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
    ${options}
    <button type="submit">Update the dry run</button>
  </form>`;
  if ('error' in input.preview)
    return page(`${verb}: ${topic}`, context, [
      html`<p><a href="${topicHref(topic)}">← ${topic}</a></p>`,
      errorBox(input.preview.error),
      form,
      planForm,
    ]);
  const preview = input.preview;
  const { plan } = preview;
  const rows = preview.records.map(({ view, decision }) => {
    const action =
      decision.kind === 'replay'
        ? html`→
            <span class="mono">${decision.topic}</span
            >${decision.backfilled ? html` <span class="tag">backfill</span>` : ''}`
        : decision.kind === 'park'
          ? html`→ <span class="mono">${decision.topic}</span> <span class="tag warn">park</span>`
          : html`<span class="tag warn">left</span> ${decision.reason}`;
    return html`<tr>
      <td>
        <a href="${recordHref(topic, view.record.partition, view.offset)}">${view.record.partition}@${view.offset}</a>
      </td>
      <td class="mono">${view.key ?? '(none)'}</td>
      <td>${view.eventType}</td>
      <td>${view.info.stage ?? '?'}/${view.info.errorCode ?? '?'}</td>
      <td class="num">${view.info.replayCount}</td>
      <td>${action}</td>
    </tr>`;
  });
  const backfilled = preview.records.filter(
    (record) => record.decision.kind === 'replay' && record.decision.backfilled,
  ).length;
  const confirm =
    plan.counts.selected === 0
      ? html`<p class="muted">Nothing to ${mode}.</p>`
      : context.csrf === undefined
        ? html`<p>
            <a class="button" href="/signin?next=${encodeURIComponent(`/replay?${params.toString()}`)}"
              >Sign in to ${mode} these records</a
            >
          </p>`
        : html`<form method="post" action="/actions/replay" class="confirm" aria-label="Confirm the ${mode}">
            <input type="hidden" name="csrf" value="${context.csrf}" />
            <input type="hidden" name="fingerprint" value="${input.fingerprint ?? ''}" />
            <input type="hidden" name="id" value="${plan.replayId}" />
            ${[...params].filter(([name]) => name !== 'confirm' && name !== 'id').map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
            <label for="confirm"
              >Type the topic name <code>${topic}</code> to ${mode} ${plan.counts.selected}
              record${plan.counts.selected === 1 ? '' : 's'}</label
            >
            <input id="confirm" name="confirm" autocomplete="off" spellcheck="false" required />
            <button type="submit" class="${mode === 'park' ? 'danger' : 'primary'}">${verb} now</button>
          </form>`;
  return page(
    `${verb}: ${topic}`,
    context,
    html`<p><a href="${topicHref(topic)}">← ${topic}</a></p>
      ${form} ${planForm}
      <section aria-labelledby="plan-h">
        <h2 id="plan-h">Dry run <span class="muted">(nothing was written)</span></h2>
        <p class="lead" id="plan-summary">
          Would ${mode} ${plan.counts.selected} selected: ${plan.counts.replay}
          replayed${backfilled > 0 ? ` (${backfilled} with backfill)` : ''}, ${plan.counts.park} parked,
          ${plan.counts.unroutable} left. Replay id <code>${plan.replayId}</code>.
        </p>
        ${preview.handledSkipped > 0 ? html`<p>${preview.handledSkipped} matching records were already handled; include them with the filter's checkbox.</p>` : ''}
        ${preview.handledIncluded > 0 ? html`<p>${preview.handledIncluded} of them were handled before: Klaviyo deduplicates by unique_id, so nothing already recorded is duplicated.</p>` : ''}
        <table class="records plan">
          <caption>
            What goes where
          </caption>
          <thead>
            <tr>
              <th scope="col">Partition@offset</th>
              <th scope="col">Key</th>
              <th scope="col">Event type</th>
              <th scope="col">Stage/code</th>
              <th scope="col" class="num">Replays</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>
      </section>
      ${confirm}`,
  );
}

const STATE_TEXT: Record<ReplayStatus['state'], string> = {
  running: 'running',
  completed: 'completed',
  interrupted: 'interrupted (not running in this console): resume continues where it stopped, none twice',
  failed: 'failed',
  unknown: 'not started',
};

export function replayStatusPage(context: PageContext, status: ReplayStatus): Html {
  const { plan } = status;
  const percent =
    status.total > 0 ? Math.floor((status.done * 100) / status.total) : status.state === 'completed' ? 100 : 0;
  return page(
    `${plan?.mode === 'park' ? 'Park' : 'Replay'} ${status.replayId}`,
    context,
    html`<div id="replay-status" data-replay-id="${status.replayId}" data-state="${status.state}">
      <p class="lead">State: <strong id="state">${STATE_TEXT[status.state]}</strong></p>
      ${status.error === undefined ? '' : errorBox(status.error)}
      <label for="progress">Progress (records read through the plan's range)</label>
      <progress id="progress" max="${Math.max(status.total, 1)}" value="${status.done}">${percent}%</progress>
      <p id="progress-text" aria-live="polite">${status.done} of ${status.total} (${percent}%)</p>
      ${
        plan === undefined
          ? html`<p class="muted">No saved plan with this id.</p>`
          : html`<dl class="facts">
              <dt>Dead-letter topic</dt>
              <dd><a href="${topicHref(plan.dlqTopic)}">${plan.dlqTopic}</a></dd>
              <dt>Planned</dt>
              <dd>
                ${plan.counts.selected} selected: ${plan.counts.replay} to replay, ${plan.counts.park} to park,
                ${plan.counts.unroutable} left
              </dd>
              <dt>Options</dt>
              <dd class="mono">
                ${json({ to: plan.to, backfill: plan.backfill, maxAgeMs: plan.maxAgeMs, maxReplays: plan.maxReplays })}
              </dd>
              <dt>Created</dt>
              <dd>${plan.createdAt} by ${plan.actor}</dd>
            </dl>`
      }
      ${
        status.state === 'interrupted' && context.csrf !== undefined
          ? html`<form method="post" action="/actions/resume">
              <input type="hidden" name="csrf" value="${context.csrf}" /><input
                type="hidden"
                name="id"
                value="${status.replayId}"
              /><button type="submit" class="primary">Resume ${status.replayId}</button>
            </form>`
          : status.state === 'interrupted'
            ? html`<p>
                <a href="/signin?next=${encodeURIComponent(`/replays/${status.replayId}`)}">Sign in to resume it</a>.
              </p>`
            : ''
      }
      <h2>Log</h2>
      <pre id="log" class="log" aria-live="polite">${status.log.join('\n')}</pre>
      <h2>Audit records</h2>
      ${auditTable(status.audit)}
    </div>`,
  );
}

export function replaysPage(context: PageContext, audit: readonly AuditRecord[]): Html {
  const byId = new Map<string, AuditRecord[]>();
  for (const record of audit) {
    if (record.replayId === undefined) continue;
    byId.set(record.replayId, [...(byId.get(record.replayId) ?? []), record]);
  }
  return page(
    'Replays and parks',
    context,
    html`<p>Every replay and park, newest first, from the audit topic. Open one to follow it or resume it.</p>
      <table class="records">
        <caption>
          Replays and parks
        </caption>
        <thead>
          <tr>
            <th scope="col">Replay id</th>
            <th scope="col">Operation</th>
            <th scope="col">Topic</th>
            <th scope="col">Actor</th>
            <th scope="col">Started</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          ${[...byId].map(([id, records]) => {
            const first = records[records.length - 1] ?? records[0];
            const completed = records.some((record) => record.status === 'completed');
            return html`<tr>
              <td><a href="/replays/${encodeURIComponent(id)}" class="mono">${id}</a></td>
              <td>${first?.operation ?? ''}</td>
              <td class="mono">${first?.dlqTopic ?? ''}</td>
              <td>${first?.actor ?? ''}</td>
              <td>${first?.at ?? ''}</td>
              <td>${completed ? 'completed' : 'started, not completed'}</td>
            </tr>`;
          })}
        </tbody>
      </table>`,
  );
}

export function auditTable(records: readonly AuditRecord[]): Html {
  if (records.length === 0) return html`<p class="muted">No audit records.</p>`;
  return html`<table class="audit">
    <caption class="sr-only">
      Audit records
    </caption>
    <thead>
      <tr>
        <th scope="col">At (UTC)</th>
        <th scope="col">Operation</th>
        <th scope="col">Status</th>
        <th scope="col">Actor</th>
        <th scope="col">Host</th>
        <th scope="col">Topic</th>
        <th scope="col">Replay id</th>
        <th scope="col">Counts</th>
        <th scope="col">Filter</th>
        <th scope="col">Command</th>
      </tr>
    </thead>
    <tbody>
      ${records.map(
        (record) =>
          html`<tr>
            <td>${record.at}</td>
            <td>${record.operation}</td>
            <td>${record.status}</td>
            <td>${record.actor}</td>
            <td>${record.host}</td>
            <td class="mono">${record.dlqTopic}</td>
            <td class="mono">
              ${record.replayId === undefined ? '-' : html`<a href="/replays/${encodeURIComponent(record.replayId)}">${record.replayId}</a>`}
            </td>
            <td>
              ${Object.entries(record.counts)
                .filter(([, count]) => count > 0)
                .map(([name, count]) => `${name}=${count}`)
                .join(' ')}
            </td>
            <td class="mono">${Object.keys(record.filter).length === 0 ? '(all)' : JSON.stringify(record.filter)}</td>
            <td class="mono wrap">${record.command.join(' ')}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
