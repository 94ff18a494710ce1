/**
 * InvoiceCreated → Created Invoice: the order information the customer entered plus MissingInformation,
 * the list of what they still have to provide (the guide's invoice notification).
 */
import type { InvoiceCreated } from '../../../domain/events.ts';
import type { ProjectionContext } from '../../context.ts';
import type { EventDraft } from '../../draft.ts';
import { buildEventProfile } from '../../identity.ts';
import { METRICS } from '../../metrics.ts';
import { toMajorUnits } from '../../money.ts';
import { uniqueIds } from '../../unique-id.ts';
import { orderProperties } from '../shared/order-properties.ts';

export function createdInvoice(event: InvoiceCreated, ctx: ProjectionContext): EventDraft {
  return {
    kind: 'create-event',
    metric: METRICS.createdInvoice,
    uniqueId: uniqueIds.createdInvoice(event.invoiceId),
    properties: {
      ...orderProperties(event),
      InvoiceId: event.invoiceId,
      MissingInformation: [...event.missingInformation],
    },
    value: toMajorUnits(event.totalMinor, event.currency, 'totalMinor'),
    profile: buildEventProfile(event.customer, { identifiers: ctx.identifiers, path: 'customer' }),
  };
}
