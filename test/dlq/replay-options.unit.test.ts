// `dlq replay` / `dlq park` options are checked together: every mistake is reported in one run.
import { describe, expect, it } from 'vitest';
import { formatAuditTable, parseAuditRecord } from '../../src/dlq/audit-record.ts';
import { parseReplayOptions } from '../../src/dlq/replay-options.ts';

const NOW = Date.parse('2026-11-26T12:00:00Z');

describe('replay options', () => {
  it('reports every problem at once', () => {
    const parsed = parseReplayOptions(
      'replay',
      undefined,
      { rate: 'fast', maxAge: '3 days', since: 'yesterday', stage: ['deliverr'], limit: '0', id: 'no spaces' },
      NOW,
    );
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? [] : parsed.message.split('\n');
    expect(problems).toEqual([
      expect.stringMatching(/^--max-age: "3 days" is not a duration/),
      expect.stringMatching(/^--rate fast: must be a positive integer/),
      expect.stringMatching(/^--stage deliverr: must be one of/),
      expect.stringMatching(/^--since: "yesterday"/),
      expect.stringMatching(/^--limit 0: must be a positive integer/),
      'dlq replay: give a dead-letter topic, or --resume <id>',
      expect.stringMatching(/^--id "no spaces": a replay id is/),
    ]);
  });

  it('refuses options that would change a resumed plan, naming them', () => {
    const parsed = parseReplayOptions(
      'replay',
      'x.dlq',
      { resume: 'r1', code: ['VALIDATION_FAILED'], backfill: true, dryRun: true },
      NOW,
    );
    expect(parsed.ok ? '' : parsed.message).toBe(
      '--resume r1: the topic comes from the saved plan; drop x.dlq\n' +
        '--resume continues the saved plan as it was audited; --code, --backfill, --dry-run cannot change it',
    );
    expect(parseReplayOptions('replay', undefined, { resume: 'r1', rate: '50' }, NOW)).toEqual({
      ok: true,
      value: { kind: 'resume', replayId: 'r1', ratePerSecond: 50 },
    });
  });

  it('turns good options into a replay to start', () => {
    const parsed = parseReplayOptions(
      'replay',
      'identity.account.events.dlq',
      { maxAge: '1h', rate: '5000', since: '2h', code: ['VALIDATION_FAILED,PROJECTION_FAILED'], to: 'elsewhere' },
      NOW,
    );
    if (!parsed.ok || parsed.value.kind !== 'start') throw new Error(parsed.ok ? 'not a start' : parsed.message);
    expect(parsed.value).toMatchObject({
      dlqTopic: 'identity.account.events.dlq',
      maxAgeMs: 3_600_000,
      ratePerSecond: 5_000,
      to: 'elsewhere',
      backfill: false,
      dryRun: false,
      replayId: undefined,
    });
    expect(parsed.value.filter).toMatchObject({
      codes: ['VALIDATION_FAILED', 'PROJECTION_FAILED'],
      since: NOW - 2 * 3_600_000,
    });
  });
});

describe('audit record status', () => {
  const base = {
    v: 1,
    auditId: 'a1',
    operation: 'replay',
    actor: 'alice',
    host: 'h',
    at: '2026-11-26T12:00:00.000Z',
    command: ['dlq', 'replay'],
    dlqTopic: 'x.dlq',
    filter: {},
    replayId: 'r1',
    options: {},
    counts: { selected: 3 },
    handled: [],
  };

  it('records written before statuses existed read as completed; started ones as started', () => {
    expect(parseAuditRecord(Buffer.from(JSON.stringify(base)))?.status).toBe('completed');
    expect(parseAuditRecord(Buffer.from(JSON.stringify({ ...base, status: 'started' })))?.status).toBe('started');
    expect(parseAuditRecord(Buffer.from(JSON.stringify({ ...base, status: 'halfway' })))).toBeUndefined();
  });

  it('shows the status in the audit table', () => {
    const started = parseAuditRecord(Buffer.from(JSON.stringify({ ...base, status: 'started' })));
    if (started === undefined) throw new Error('unparsed');
    const [header, , row] = formatAuditTable([started]).split('\n');
    expect(header).toMatch(/^at\s+operation\s+status\s+actor/);
    expect(row).toMatch(/replay\s+started\s+alice\s+x\.dlq\s+r1\s+selected=3/);
  });
});
