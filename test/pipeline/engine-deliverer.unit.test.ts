import { describe, expect, it } from 'vitest';
import { RelayError } from '../../src/errors.ts';
import type { DeliverOptions, Deliverer } from '../../src/klaviyo/deliver/deliverer.ts';
import type { DeliveryOutcome } from '../../src/klaviyo/deliver/outcome.ts';
import type { KlaviyoRequest } from '../../src/klaviyo/request.ts';
import { createEngineDeliverer } from '../../src/pipeline/dispatcher/engine-deliverer.ts';
import { createEventRequest } from './fixtures.ts';

/** An in-memory engine that answers from a script and records the lane it was asked to use. */
function scriptedEngine(answer: (request: KlaviyoRequest) => DeliveryOutcome) {
  const lanes: boolean[] = [];
  const engine: Deliverer = {
    async deliver(batch: readonly KlaviyoRequest[], options?: DeliverOptions) {
      lanes.push(options?.useBulkLane === true);
      return batch.map(answer);
    },
    async deliverBulk() {
      return [];
    },
  };
  return { engine, lanes };
}

const thresholds = { backlog: 100, ageMs: 60_000 };
const unavailable = new RelayError('KLAVIYO_UNAVAILABLE', '503');

describe('engine deliverer adapter', () => {
  it('passes every engine outcome through, in order, with the HTTP status Klaviyo answered', async () => {
    const { engine } = scriptedEngine((request): DeliveryOutcome => {
      const id = request.kind === 'create-event' ? request.uniqueId : '';
      if (id === 'a') return { status: 'delivered', request, lane: 'create', httpStatus: 202 };
      if (id === 'b')
        return { status: 'retry-later', request, error: unavailable, retryAfterMs: 1_500, httpStatus: 503 };
      if (id === 'c')
        return {
          status: 'failed-permanently',
          request,
          error: new RelayError('KLAVIYO_REJECTED', '422'),
          httpStatus: 422,
        };
      return { status: 'halted', request, error: new RelayError('KLAVIYO_UNAUTHORIZED', '401'), httpStatus: 401 };
    });
    const deliver = createEngineDeliverer(engine, thresholds);
    const outcomes = await deliver(
      ['a', 'b', 'c', 'd'].map((id) => createEventRequest(id, id)),
      { records: 4, oldestAgeMs: 0 },
    );
    expect(outcomes.map((outcome) => [outcome.status, outcome.httpStatus])).toEqual([
      ['delivered', 202],
      ['retry-later', 503],
      ['failed-permanently', 422],
      ['halted', 401],
    ]);
    expect(outcomes[1]).toMatchObject({ retryAfterMs: 1_500, error: { code: 'KLAVIYO_UNAVAILABLE' } });
  });

  it('asks for the bulk lane only when the backlog or its age passes the threshold', async () => {
    const { engine, lanes } = scriptedEngine((request) => ({
      status: 'delivered',
      request,
      lane: 'bulk',
      httpStatus: 202,
    }));
    const deliver = createEngineDeliverer(engine, thresholds);
    const batch = [createEventRequest('p', 'u')];
    await deliver(batch, { records: 10, oldestAgeMs: 1_000 });
    await deliver(batch, { records: 100, oldestAgeMs: 0 });
    await deliver(batch, { records: 1, oldestAgeMs: 60_000 });
    expect(lanes).toEqual([false, true, true]);
  });

  it('turns an engine that throws into retries, never into lost requests', async () => {
    const engine: Deliverer = {
      deliver: async () => {
        throw new TypeError('engine bug');
      },
      deliverBulk: async () => [],
    };
    const outcomes = await createEngineDeliverer(engine, thresholds)([createEventRequest('p', 'u')], {
      records: 1,
      oldestAgeMs: 0,
    });
    expect(outcomes).toMatchObject([{ status: 'retry-later', error: { code: 'INTERNAL' }, httpStatus: undefined }]);
  });
});
