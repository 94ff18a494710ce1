import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createProjectionContext } from '../projection/context.ts';
import { exampleRoutingRules } from '../projection/testing/spec.ts';
import { CliExit } from './exit-codes.ts';
import { parseEvents, projectText } from './project.ts';

const example = (type: string) => readFileSync(new URL(`../../schemas/examples/${type}.json`, import.meta.url), 'utf8');
const ctx = createProjectionContext(
  { relay: { profileIdentifiers: ['external_id', 'email', 'phone_number'], freshnessWindows: 'Reset Password=1h' } },
  exampleRoutingRules(),
)(Date.parse('2023-11-01T00:00:00Z'));

describe('klaviyo-relay project', () => {
  it('reads one event, an array, or JSON lines', () => {
    const one = example('OrderPlaced');
    const lines = [one, example('EmailChanged')].map((text) => JSON.stringify(JSON.parse(text))).join('\n');
    expect(parseEvents(one)).toHaveLength(1);
    expect(parseEvents(`[${one},${example('LeadCaptured')}]`)).toHaveLength(2);
    expect(parseEvents(lines).map((parsed) => parsed.ok && parsed.event.type)).toEqual(['OrderPlaced', 'EmailChanged']);
    expect(() => parseEvents('{"type":')).toThrow(CliExit);
    expect(() => parseEvents('   ')).toThrow(/no input/);
  });

  it('prints method, path and body of each request, and passes --check for the examples', () => {
    const report = projectText(`[${example('EmailChanged')},${example('OrderPlaced')}]`, ctx, true);
    expect(report.failures).toBe(0);
    const [emailChange, order] = report.results;
    expect(
      emailChange &&
        'requests' in emailChange &&
        emailChange.requests.map((request) => `${request.method} ${request.path}`),
    ).toEqual(['PATCH /api/profiles/01H81WC034AKRMQJQARPEEBHJE', 'POST /api/events']);
    expect(order && 'requests' in order && order.violations).toEqual([]);
  });

  it('reports an event that does not fit its schema, naming the field, and counts it as a failure', () => {
    const broken = JSON.parse(example('OrderPlaced')) as { data: Record<string, unknown> };
    broken.data.totalMinor = 'ten';
    const report = projectText(JSON.stringify(broken), ctx, false);
    expect(report.failures).toBe(1);
    expect(report.results[0]).toMatchObject({
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('data.totalMinor') },
    });
  });

  it('reports unknown event types and projection errors per event, without stopping the others', () => {
    const tooOld = JSON.parse(example('AccountCreated')) as { data: Record<string, unknown> };
    tooOld.data.occurredAt = Date.parse('1999-01-01T00:00:00Z');
    const input = [
      JSON.stringify({ type: 'Nope', data: {} }),
      JSON.stringify(tooOld),
      example('AccountCreated').replaceAll('\n', ''),
    ].join('\n');
    const report = projectText(input, ctx, false);
    expect(report.failures).toBe(2);
    expect(report.results.map((result) => ('error' in result ? result.error.code : 'ok'))).toEqual([
      'VALIDATION_FAILED',
      'KLAVIYO_LIMIT_EXCEEDED',
      'ok',
    ]);
  });
});
