/**
 * PasswordResetRequested → Reset Password, with the link as the profile property PasswordResetLink, where
 * the guide puts it (the flow email reads it from the profile). The link is a secret: the projection never
 * logs, and the logger redacts it by name. A reset request older than its freshness window (default 1 h)
 * goes out with backfill: true (assemble.ts), so a stale link is recorded but never mailed.
 */
import type { PasswordResetRequested } from '../../../domain/events.ts';
import type { ProjectionContext } from '../../context.ts';
import type { EventDraft } from '../../draft.ts';
import { buildEventProfile } from '../../identity.ts';
import { METRICS } from '../../metrics.ts';
import { toKlaviyoTime } from '../../time.ts';
import { uniqueIds } from '../../unique-id.ts';

export function resetPassword(event: PasswordResetRequested, ctx: ProjectionContext): EventDraft {
  return {
    kind: 'create-event',
    metric: METRICS.resetPassword,
    // Each request is its own fact: asking twice sends two links.
    uniqueId: uniqueIds.resetPassword(event.eventId),
    properties:
      event.resetLinkExpiresAt === null ? {} : { PasswordResetLinkExpiresAt: toKlaviyoTime(event.resetLinkExpiresAt) },
    value: undefined,
    profile: buildEventProfile(event.customer, {
      identifiers: ctx.identifiers,
      path: 'customer',
      properties: { PasswordResetLink: event.resetLink },
    }),
  };
}
