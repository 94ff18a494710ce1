import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../rate-limit/virtual-clock.ts';
import { createClassPermits, defaultUrgentReserve } from './permits.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('in-flight permits served by urgency class', () => {
  it('keeps the reserved permits for urgent: a full backlog of normal requests never holds them', async () => {
    const permits = createClassPermits({ size: 4, reservedForUrgent: 1, promoteAfterMs: 30_000 });
    const granted: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      void permits.acquire('normal').then(() => granted.push(`normal-${index}`));
    }
    await settle();
    expect(granted).toEqual(['normal-0', 'normal-1', 'normal-2']);
    expect(permits.waiting()).toBe(3);
    expect(await permits.acquire('urgent')).toBe(true);
    // Pool full now (3 normal + 1 urgent): the next urgent waits, and goes before every waiting normal.
    void permits.acquire('urgent').then(() => granted.push('urgent-2'));
    permits.release();
    await settle();
    expect(granted.at(-1)).toBe('urgent-2');
  });

  it('serves waiters by class, arrival order within a class', async () => {
    const permits = createClassPermits({ size: 1, reservedForUrgent: 0, promoteAfterMs: 30_000 });
    expect(await permits.acquire('low')).toBe(true);
    const order: string[] = [];
    for (const urgency of ['low', 'normal', 'high', 'normal', 'urgent'] as const) {
      void permits.acquire(urgency).then(() => {
        order.push(urgency);
        setImmediate(() => permits.release());
      });
    }
    permits.release();
    for (let turn = 0; turn < 10; turn += 1) await settle();
    expect(order).toEqual(['urgent', 'high', 'normal', 'normal', 'low']);
  });

  it('promotes a waiter one class per promoteAfterMs, so a low request is not starved by a stream of normal ones', async () => {
    const clock = createVirtualClock();
    const permits = createClassPermits({ size: 1, reservedForUrgent: 0, promoteAfterMs: 1_000, clock });
    expect(await permits.acquire('normal')).toBe(true);
    const order: string[] = [];
    void permits.acquire('low').then(() => order.push('low'));
    clock.advance(1_500);
    void permits.acquire('normal').then(() => order.push('normal'));
    permits.release();
    await settle();
    // The low waiter ranks with normal after 1 s and arrived first.
    expect(order).toEqual(['low']);
  });

  it('an aborted wait takes no permit', async () => {
    const permits = createClassPermits({ size: 1, reservedForUrgent: 0, promoteAfterMs: 30_000 });
    expect(await permits.acquire('normal')).toBe(true);
    const controller = new AbortController();
    const waiting = permits.acquire('normal', controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    expect(permits.waiting()).toBe(0);
    permits.release();
    expect(await permits.acquire('low')).toBe(true);
  });

  it('reserves one permit per 16, and never the last one of a pool', () => {
    expect(defaultUrgentReserve(32)).toBe(2);
    expect(defaultUrgentReserve(4)).toBe(1);
    expect(defaultUrgentReserve(1)).toBe(0);
  });
});
