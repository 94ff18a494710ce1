/** One topic's dead letters under the CLI's filters, with the way to a replay, park or purge of them. */
import { STAGES } from '../../dlq/filter.ts';
import { html, type Html } from '../html.ts';
import type { Listing } from '../model.ts';
import { filterQuery } from '../query.ts';
import { checkField, countsList, errorBox, page, recordHref, textField, type PageContext } from './layout.ts';

export function filterForm(
  action: string,
  params: URLSearchParams,
  hidden: Readonly<Record<string, string>> = {},
): Html {
  const value = (name: string): string => params.getAll(name).join(',');
  const field = (name: string, label: string, hint: string): Html => textField('f', name, label, hint, value(name));
  return html`<form method="get" action="${action}" class="filters" aria-label="Filter">
    ${Object.entries(hidden).map(([name, val]) => html`<input type="hidden" name="${name}" value="${val}" />`)}
    <fieldset>
      <legend>Filter (the CLI's options)</legend>
      ${field('code', 'Error code', 'e.g. VALIDATION_FAILED; comma-separated')}
      <div class="field">
        <label for="f-stage">Stage</label
        ><select id="f-stage" name="stage">
          <option value="">any</option>
          ${STAGES.map((stage) => html`<option${value('stage') === stage ? html` selected` : ''}>${stage}</option>`)}</select
        ><small>decode, validate, project or deliver</small>
      </div>
      ${field('type', 'Event type', 'OrderPlaced or a metric: Reset Password')}
      ${field('key', 'Record key', 'comma-separated')}
      ${field('since', 'Failed since', 'ISO 8601 or a duration ago: 2h, 3d')}
      ${field('until', 'Failed until', 'ISO 8601 or a duration ago')} ${field('partition', 'Partitions', '0,2-3')}
      ${field('offset', 'Offsets', '100-200, 500-')}
      ${field('limit', 'Limit', 'at most n records, in partition/offset order')}
      ${checkField('f-include-handled', 'include-handled', 'Include dead letters already replayed, parked or purged', params.get('include-handled') === 'on')}
    </fieldset>
    <button type="submit">Apply filter</button>
  </form>`;
}

export function listPage(
  context: PageContext,
  topic: string,
  params: URLSearchParams,
  listing: Listing | { readonly error: string },
): Html {
  const query = filterQuery(params);
  const withTopic = new URLSearchParams([['topic', topic], ...query]);
  const actionLinks = html`<nav aria-label="Act on this selection" class="actions">
    <a class="button" href="/replay?${withTopic.toString()}">Plan a replay…</a>
    <a class="button" href="/replay?${new URLSearchParams([...withTopic, ['mode', 'park']]).toString()}"
      >Plan a park…</a
    >
    <a class="button danger" href="/purge?${withTopic.toString()}">Purge…</a>
    <a class="button" href="/audit?${new URLSearchParams([['topic', topic]]).toString()}">Audit of this topic</a>
  </nav>`;
  if ('error' in listing)
    return page(topic, context, [filterForm(`/topics/${encodeURIComponent(topic)}`, params), errorBox(listing.error)]);
  const { stats, rows } = listing;
  return page(
    topic,
    context,
    html`${filterForm(`/topics/${encodeURIComponent(topic)}`, params)}
      <p class="lead">
        ${stats.total} dead letter${stats.total === 1 ? '' : 's'}
        match${stats.total > 0 ? html` (oldest ${stats.oldest ?? '?'}, newest ${stats.newest ?? '?'})` : ''}.${listing.handledHidden > 0 ? html` ${listing.handledHidden} more were already replayed, parked or purged (include them with the checkbox).` : ''}
      </p>
      ${actionLinks}
      <div class="grid3">
        <section>
          <h2>By error code</h2>
          ${countsList(stats.byCode, 'by error code')}
        </section>
        <section>
          <h2>By stage</h2>
          ${countsList(stats.byStage, 'by stage')}
        </section>
        <section>
          <h2>By event type</h2>
          ${countsList(stats.byType, 'by event type')}
        </section>
      </div>
      <table class="records">
        <caption>
          Dead letters${listing.truncated ? ` (first ${rows.length}; narrow the filter or set a limit)` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Partition@offset</th>
            <th scope="col">Key</th>
            <th scope="col">Event type</th>
            <th scope="col">Stage</th>
            <th scope="col">Code</th>
            <th scope="col">Failed at (UTC)</th>
            <th scope="col" class="num">Replays</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (view) =>
              html`<tr>
                <td>
                  <a href="${recordHref(topic, view.record.partition, view.offset)}"
                    >${view.record.partition}@${view.offset}</a
                  >
                </td>
                <td class="mono">${view.key ?? '(none)'}</td>
                <td>${view.eventType}</td>
                <td>${view.info.stage ?? '?'}</td>
                <td>${view.info.errorCode ?? '?'}</td>
                <td>${view.info.failedAt ?? new Date(view.failedAtMs).toISOString()}</td>
                <td class="num">${view.info.replayCount}</td>
                <td class="message">${truncate(listing.redact(view.info.errorMessage ?? ''), 140)}</td>
              </tr>`,
          )}
        </tbody>
      </table>`,
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
