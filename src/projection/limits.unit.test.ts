import { describe, expect, it } from 'vitest';
import type { CreateEventBody } from '../klaviyo/request.ts';
import { checkCreateEventLimits, checkUpdateProfileLimits, KLAVIYO_LIMITS } from './limits.ts';

function body(
  properties: CreateEventBody['data']['attributes']['properties'],
  metric = 'Placed Order',
): CreateEventBody {
  return {
    data: {
      type: 'event',
      attributes: {
        properties,
        time: '2023-10-15T00:00:00+00:00',
        unique_id: '1',
        metric: { data: { type: 'metric', attributes: { name: metric } } },
        profile: { data: { type: 'profile', attributes: { email: 'a@example.com' } } },
      },
    },
  };
}

const limitError = (run: () => void) => {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string; detail: { pointer: string } };
  }
  throw new Error('expected a limit error');
};

describe("Klaviyo's limits", () => {
  it('passes a body at the limits', () => {
    const properties = Object.fromEntries(Array.from({ length: 400 }, (_, index) => [`p${index}`, index]));
    expect(() => checkCreateEventLimits(body({ ...properties }, 'm'.repeat(127)))).not.toThrow();
    expect(() => checkCreateEventLimits(body({ text: 'x'.repeat(KLAVIYO_LIMITS.maxStringBytes) }))).not.toThrow();
  });

  it('rejects a metric name of 128 characters', () => {
    expect(limitError(() => checkCreateEventLimits(body({}, 'm'.repeat(128)))).message).toMatch(/fewer than 128/);
  });

  it('rejects 401 properties', () => {
    const properties = Object.fromEntries(Array.from({ length: 401 }, (_, index) => [`p${index}`, index]));
    expect(limitError(() => checkCreateEventLimits(body(properties))).message).toMatch(/401 properties/);
  });

  it('rejects a string over 100 KB anywhere, counting UTF-8 bytes, and names where', () => {
    const error = limitError(() => checkCreateEventLimits(body({ Items: [{ Note: 'é'.repeat(51_201) }] })));
    expect(error.code).toBe('KLAVIYO_LIMIT_EXCEEDED');
    expect(error.detail.pointer).toBe('/data/attributes/properties/Items/0/Note');
  });

  it('rejects a body over 5 MB', () => {
    const items = Array.from({ length: 60 }, () => 'x'.repeat(90_000));
    expect(limitError(() => checkCreateEventLimits(body({ items }))).message).toMatch(/allows 5 MB/);
  });

  it('measures the body, not the longer request JSON it is handed as a bound', () => {
    const small = body({ text: 'x'.repeat(1_000) });
    expect(() =>
      checkCreateEventLimits(small, `{"note":"${'y'.repeat(6_000_000)}","body":${JSON.stringify(small)}}`),
    ).not.toThrow();
    const large = body({ items: Array.from({ length: 60 }, () => 'x'.repeat(90_000)) });
    const enclosing = JSON.stringify({ v: 1, body: large });
    expect(limitError(() => checkCreateEventLimits(large, enclosing)).message).toMatch(/allows 5 MB/);
  });

  it('rejects a profile update over 100 KB', () => {
    const update = {
      data: { type: 'profile', id: '1', attributes: { properties: { a: 'x'.repeat(60_000), b: 'y'.repeat(60_000) } } },
    } as const;
    expect(limitError(() => checkUpdateProfileLimits(update)).message).toMatch(/profile update body/);
  });
});
