import { describe, expect, it } from 'vitest';
import { loadExample } from '../domain/examples.ts';
import { parseEventDocuments } from './event-json.ts';

const order = loadExample('OrderPlaced');
const account = loadExample('AccountCreated');

describe('domain events from JSON (produce input)', () => {
  it('reads one { type, data } document', () => {
    const parsed = parseEventDocuments(JSON.stringify(order, null, 2));
    expect(parsed.ok && parsed.events).toEqual([order]);
  });

  it('reads bare data with the type given apart', () => {
    const parsed = parseEventDocuments(JSON.stringify(order.data), 'OrderPlaced');
    expect(parsed.ok && parsed.events).toEqual([order]);
  });

  it('reads JSON lines and arrays of mixed types', () => {
    const lines = `${JSON.stringify(order)}\n\n${JSON.stringify(account)}\n`;
    expect(parseEventDocuments(lines)).toEqual({ ok: true, events: [order, account] });
    expect(parseEventDocuments(JSON.stringify([account, order]))).toEqual({ ok: true, events: [account, order] });
  });

  it('fills absent optional fields with null, as a decoder of the record would see them', () => {
    const { correlationId: _c, ...withoutCorrelation } = account.data;
    const customer = { customerId: '1234', email: 'john.smith@example.com' };
    const parsed = parseEventDocuments(JSON.stringify({ ...withoutCorrelation, customer }), 'AccountCreated');
    expect(parsed.ok && parsed.events[0]?.data).toMatchObject({
      correlationId: null,
      customer: { customerId: '1234', phone: null, location: null, klaviyoProfileId: null },
    });
  });

  it('names the line and the field that does not fit the schema', () => {
    const bad = { ...order.data, totalMinor: '9.99', customer: { ...order.data.customer, emial: 'x' } };
    const parsed = parseEventDocuments(
      `${JSON.stringify(order)}\n${JSON.stringify({ type: 'OrderPlaced', data: bad })}`,
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problems).toHaveLength(1);
      expect(parsed.problems[0]).toMatch(/^line 2: OrderPlaced does not fit its schema: /);
      expect(parsed.problems[0]).toContain('unknown field customer.emial');
      expect(parsed.problems[0]).toContain('totalMinor must be long, not string');
    }
  });

  it('reports a missing required field by name', () => {
    const { orderId: _o, ...data } = order.data;
    const parsed = parseEventDocuments(JSON.stringify(data), 'OrderPlaced');
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      'input: OrderPlaced does not fit its schema: orderId is missing',
    ]);
  });

  it.each([
    ['no type', JSON.stringify(order.data), undefined, /no event type/],
    [
      'an unknown type',
      JSON.stringify({ type: 'OrderShipped', data: {} }),
      undefined,
      /unknown event type "OrderShipped"/,
    ],
    [
      'a type that contradicts --type',
      JSON.stringify(order),
      'AccountCreated' as const,
      /holds a OrderPlaced, but --type is AccountCreated/,
    ],
    ['a line that is not JSON', `${JSON.stringify(order)}\n{oops`, undefined, /^line 2: not JSON/],
    ['a JSON scalar', '42', undefined, /expected a JSON object/],
    ['nothing', '  \n', undefined, /input holds no events/],
  ])('rejects %s', (_name, text, type, problem) => {
    const parsed = parseEventDocuments(text, type);
    expect(parsed.ok ? [] : parsed.problems.join('\n')).toMatch(problem);
  });
});
