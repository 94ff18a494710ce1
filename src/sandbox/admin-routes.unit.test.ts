import { describe, expect, it } from 'vitest';
import { handleAdmin, type AdminContext } from './admin-routes.ts';
import { createFaults } from './faults.ts';
import { emptyCounters } from './klaviyo-routes.ts';
import { createRateWindows } from './rate-windows.ts';
import { createSandboxStore } from './store.ts';

function context(): AdminContext {
  return {
    store: createSandboxStore(),
    counters: emptyCounters,
    faults: createFaults(),
    windows: createRateWindows({
      events: { perSecond: 350, perMinute: 3_500 },
      bulk: { perSecond: 10, perMinute: 150 },
      profiles: { perSecond: 75, perMinute: 750 },
    }),
    reset: () => undefined,
    now: 0,
  };
}

describe('sandbox admin: the competing integration', () => {
  it('PUT /__sandbox/competitor sets a share of each window; counters show it; bad input is a 400', () => {
    const admin = context();
    const put = (body: unknown) => handleAdmin('PUT', '/__sandbox/competitor', new URLSearchParams(), body, admin);
    expect(put({ family: 'events', share: 0.5 })).toEqual({
      status: 200,
      body: { competitor: { events: 0.5, bulk: 0, profiles: 0 } },
    });
    const counters = handleAdmin('GET', '/__sandbox/counters', new URLSearchParams(), undefined, admin);
    expect(counters.body).toMatchObject({ competitor: { events: 0.5 } });
    expect(admin.windows.admit('events', 30_000).headers['ratelimit-remaining']).toBe(String(3_500 - 875 - 1));
    expect(put({ family: 'orders', share: 0.5 }).status).toBe(400);
    expect(put({ family: 'events', share: 1 }).status).toBe(400);
    expect(put({ family: 'events' }).status).toBe(400);
  });
});
