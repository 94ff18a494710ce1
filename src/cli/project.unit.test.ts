import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEventValidator } from '../domain/validation.ts';
import { createProjectionContext } from '../projection/context.ts';
import { exampleRoutingRules } from '../projection/testing/spec.ts';
import { CliExit } from './exit-codes.ts';
import { parseEvents, projectText } from './project.ts';

const example = (type: string) => readFileSync(new URL(`../../schemas/examples/${type}.json`, import.meta.url), 'utf8');
const ctx = createProjectionContext(
  { relay: { profileIdentifiers: ['external_id', 'email', 'phone_number'], freshnessWindows: 'Reset Password=1h' } },
  exampleRoutingRules(),
)(Date.parse('2023-11-01T00:00:00Z'));
const validator = createEventValidator({
  resetLinkHosts: ['www.website.com'],
  now: () => Date.parse('2023-11-01T00:00:00Z'),
});

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
    const report = projectText(`[${example('EmailChanged')},${example('OrderPlaced')}]`, ctx, true, validator);
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
    const report = projectText(JSON.stringify(broken), ctx, false, validator);
    expect(report.failures).toBe(1);
    expect(report.results[0]).toMatchObject({
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('totalMinor must be long') },
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
    const report = projectText(input, ctx, false, validator);
    expect(report.failures).toBe(2);
    expect(report.results.map((result) => ('error' in result ? result.error.code : 'ok'))).toEqual([
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
      'ok',
    ]);
  });

  it('flags what the relay would dead-letter at validate, with its reason, and prints no request for it', () => {
    const reset = JSON.parse(example('PasswordResetRequested')) as { data: Record<string, unknown> };
    reset.data.resetLink = 'https://evil.example/reset?token=abc';
    const report = projectText(JSON.stringify(reset), ctx, true, validator);
    expect(report.failures).toBe(1);
    expect(report.results[0]).toEqual({
      index: 0,
      eventType: 'PasswordResetRequested',
      error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/would dead-letter.*resetLink/) },
    });
  });

  it('reports a broken pretty-printed document where it breaks, not at line 1', () => {
    const broken = example('OrderPlaced').replace('"orderId":', '"orderId"');
    expect(() => parseEvents(broken)).toThrow(/input is not JSON: .*line (\d+)/);
    expect(() => parseEvents(broken)).not.toThrow(/line 1\b/);
  });
});
