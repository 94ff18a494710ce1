/**
 * AccountUpdated → Updated Account with the guide's UpdateType, UpdatedProperties (human labels, as the
 * guide's "Favorite colors"), OldValues and NewValues (keyed by property name, as its "FavoriteColors").
 * The new values are also set as custom profile properties, so segments see the current state.
 */
import type { AccountUpdated } from '../../../domain/events.ts';
import type { JsonValue } from '../../../klaviyo/request.ts';
import type { ProjectionContext } from '../../context.ts';
import type { EventDraft } from '../../draft.ts';
import { buildEventProfile } from '../../identity.ts';
import { METRICS } from '../../metrics.ts';
import { uniqueIds } from '../../unique-id.ts';

export function updatedAccount(event: AccountUpdated, ctx: ProjectionContext): EventDraft {
  const oldValues: Record<string, JsonValue> = {};
  const newValues: Record<string, JsonValue> = {};
  for (const change of event.changes) {
    oldValues[change.property] = toJson(change.oldValue);
    newValues[change.property] = toJson(change.newValue);
  }
  return {
    kind: 'create-event',
    metric: METRICS.updatedAccount,
    uniqueId: uniqueIds.updatedAccount(event.eventId),
    properties: {
      UpdateType: event.updateType,
      UpdatedProperties: event.changes.map((change) => change.label ?? change.property),
      OldValues: oldValues,
      NewValues: newValues,
    },
    value: undefined,
    profile: buildEventProfile(event.customer, {
      identifiers: ctx.identifiers,
      path: 'customer',
      ...(event.changes.length === 0 ? {} : { properties: newValues }),
    }),
  };
}

function toJson(value: AccountUpdated['changes'][number]['oldValue']): JsonValue {
  return Array.isArray(value) ? [...(value as readonly string[])] : (value as JsonValue);
}
