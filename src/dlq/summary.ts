/** What a replay prints: the dry-run listing and the closing summary. Pure text. */
import type { ReplayOutcome, ReplayPreview } from './operations.ts';

export function formatPreview(preview: ReplayPreview): string {
  const { plan } = preview;
  const lines = [`dry run: ${plan.mode} ${plan.replayId} on ${plan.dlqTopic} (nothing was written)`];
  for (const { view, decision } of preview.records) {
    const where = `${view.record.partition}@${view.record.offset}`;
    const what = `${view.info.stage ?? '?'}/${view.info.errorCode ?? '?'} ${view.eventType} key=${view.key ?? '(none)'} replays=${view.info.replayCount}`;
    const action =
      decision.kind === 'replay'
        ? `→ ${decision.topic}${decision.backfilled ? ' (backfill)' : ''}`
        : decision.kind === 'park'
          ? `→ ${decision.topic} (park)`
          : `left: ${decision.reason}`;
    lines.push(`  ${where}  ${what}  ${action}`);
  }
  lines.push(
    `would ${plan.mode}: ${plan.counts.selected} selected; ${plan.counts.replay} replayed, ${plan.counts.park} parked, ${plan.counts.unroutable} left`,
  );
  if (preview.handledSkipped > 0)
    lines.push(`${preview.handledSkipped} matching records were already handled (--include-handled to include them)`);
  if (preview.handledIncluded > 0)
    lines.push(
      `${preview.handledIncluded} of them were handled before; Klaviyo deduplicates by unique_id, so nothing already recorded is duplicated`,
    );
  return `${lines.join('\n')}\n`;
}

export function formatReplaySummary(outcome: ReplayOutcome, preview: ReplayPreview | undefined): string {
  const { plan, run } = outcome;
  const lines: string[] = [];
  const verb = plan.mode === 'park' ? 'park' : 'replay';
  if (!run.completed) {
    lines.push(
      `${verb} ${plan.replayId} interrupted: this run ${plan.mode === 'park' ? `parked ${run.parked}` : `replayed ${run.replayed}, parked ${run.parked}`}; every committed chunk stays done`,
    );
    if (outcome.started !== undefined) lines.push(`audited as started (${outcome.started.auditId}); not completed`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `${verb} ${plan.replayId} on ${plan.dlqTopic}: ${plan.counts.selected} selected; ` +
      (plan.mode === 'park'
        ? `${plan.counts.selected - plan.counts.unroutable} parked to ${plan.dlqTopic}.parked`
        : `${plan.counts.replay} replayed, ${plan.counts.park} parked to ${plan.dlqTopic}.parked (replayed ${plan.maxReplays} times already), ${plan.counts.unroutable} left (no original topic)`),
  );
  if (run.resumed)
    lines.push(
      `resumed: this run did ${run.replayed} replays and ${run.parked} parks; the interrupted run did the rest, none twice`,
    );
  if (run.backfilled > 0)
    lines.push(`${run.backfilled} replayed with backfill: Klaviyo records them without firing flows`);
  if (preview !== undefined && preview.handledSkipped > 0) {
    lines.push(
      `skipped ${preview.handledSkipped} already replayed, parked or purged (--include-handled to replay them again)`,
    );
  }
  if (preview !== undefined && preview.replayedBefore > 0)
    lines.push(`${preview.replayedBefore} of them had been replayed before`);
  if (plan.mode === 'replay' && preview !== undefined && preview.handledIncluded > 0) {
    lines.push(
      `${preview.handledIncluded} of them had been replayed, parked or purged before: Klaviyo keeps one event per profile, metric and unique_id, so the events already recorded are not duplicated (and fire no flow again)`,
    );
  } else if (plan.mode === 'replay') {
    lines.push(
      'Klaviyo deduplicates events by unique_id, so replaying the same records again does not duplicate anything at Klaviyo.',
    );
  }
  if (outcome.audit !== undefined) lines.push(`audited as ${outcome.audit.auditId}`);
  return `${lines.join('\n')}\n`;
}
