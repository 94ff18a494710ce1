/** Overview: every dead-letter and parked topic with its counts, oldest and newest, and a chart over time. */
import { renderChart } from '../chart.ts';
import { html, trusted, type Html } from '../html.ts';
import type { TopicOverview } from '../model.ts';
import { countsList, page, topicHref, type PageContext } from './layout.ts';

export function overviewPage(context: PageContext, topics: readonly TopicOverview[]): Html {
  const total = topics.filter((topic) => topic.kind === 'dlq').reduce((sum, topic) => sum + topic.stats.total, 0);
  const parked = topics.filter((topic) => topic.kind === 'parked').reduce((sum, topic) => sum + topic.stats.total, 0);
  const withLetters = topics.filter((topic) => topic.stats.total > 0);
  return page(
    'Overview',
    context,
    html`<p class="lead">
        ${total} dead letter${total === 1 ? '' : 's'} waiting, ${parked} parked, across ${topics.length} topics. Counts
        leave out dead letters already replayed, parked or purged.
      </p>
      <table class="overview">
        <caption>
          Dead-letter and parked topics
        </caption>
        <thead>
          <tr>
            <th scope="col">Topic</th>
            <th scope="col" class="num">Waiting</th>
            <th scope="col">Oldest / newest (UTC)</th>
            <th scope="col">By error code</th>
            <th scope="col">By stage</th>
            <th scope="col">By event type</th>
          </tr>
        </thead>
        <tbody>
          ${topics.map(
            (topic) =>
              html`<tr class="${topic.stats.total > 0 ? 'has' : 'empty'}">
                <th scope="row">
                  <a href="${topicHref(topic.topic)}">${topic.topic}</a
                  >${topic.kind === 'parked' ? html` <span class="tag">parked</span>` : ''}${topic.exists ? '' : html` <span class="muted">(not created yet)</span>`}${topic.handledHidden > 0 ? html`<br /><span class="muted">${topic.handledHidden} handled</span>` : ''}
                </th>
                <td class="num">${topic.stats.total}</td>
                <td class="nowrap">
                  ${topic.stats.total > 0 ? html`${topic.stats.oldest ?? '?'}<br />${topic.stats.newest ?? '?'}` : html`<span class="muted">–</span>`}
                </td>
                <td>${countsList(topic.stats.byCode, `${topic.topic} by error code`)}</td>
                <td>${countsList(topic.stats.byStage, `${topic.topic} by stage`)}</td>
                <td>${countsList(topic.stats.byType, `${topic.topic} by event type`)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <h2>Dead letters over time</h2>
      ${
        withLetters.length === 0
          ? html`<p class="muted">Nothing to chart: no topic has dead letters waiting.</p>`
          : withLetters.map(
              (topic) =>
                html`<section class="chart-box" aria-labelledby="chart-${topic.topic}">
                  <h3 id="chart-${topic.topic}"><a href="${topicHref(topic.topic)}">${topic.topic}</a></h3>
                  ${trusted(renderChart(topic.stats.byHour, topic.topic))}
                </section>`,
            )
      }`,
  );
}
