// The bad-input corpus: records a hostile or broken producer could put on a domain topic, each with the
// dead-letter code the failure policy (src/errors.ts) says it must end with. Generated in code from the
// same valid traffic the scenarios send, so each one differs from a deliverable event in one way only.
import { randomBytes } from 'node:crypto';
import type { RelayErrorCode } from '../../../src/errors.ts';
import type { DomainEvent } from '../../../src/domain/events.ts';
import { frame, HEADER_BYTES } from '../../../src/codec/wire-format.ts';
import { encodeAll, RESET_HOST } from './traffic.ts';

export interface HostileRecord {
  readonly kind: string;
  readonly key: string;
  readonly value: Buffer;
  readonly expectedCode: RelayErrorCode;
}

type Mutation = (event: DomainEvent) => DomainEvent;

/** Deep copy with `data` patched by `change`. */
function withData(change: (data: Record<string, unknown>) => void): Mutation {
  return (event) => {
    const data = structuredClone(event.data) as unknown as Record<string, unknown>;
    change(data);
    return { ...event, data } as unknown as DomainEvent;
  };
}

function customerOf(data: Record<string, unknown>): Record<string, unknown> {
  return data['customer'] as Record<string, unknown>;
}

/** Valid-shaped events that validation must refuse; each applies to the base event type given. */
const INVALID_EVENTS: readonly { kind: string; type: DomainEvent['type']; mutate: Mutation }[] = [
  {
    kind: 'invalid email',
    type: 'AccountCreated',
    mutate: withData((d) => void (customerOf(d)['email'] = 'john@@example')),
  },
  {
    kind: 'invalid phone',
    type: 'AccountCreated',
    mutate: withData((d) => void (customerOf(d)['phone'] = '555-CALL-NOW')),
  },
  {
    kind: 'javascript: reset link',
    type: 'PasswordResetRequested',
    mutate: withData((d) => void (d['resetLink'] = 'javascript:alert(document.cookie)//rsttok9f3ejs')),
  },
  {
    kind: 'look-alike reset link (userinfo)',
    type: 'PasswordResetRequested',
    mutate: withData((d) => void (d['resetLink'] = `https://evil.example\\@${RESET_HOST}/reset/rsttok9f3eat`)),
  },
  {
    kind: 'look-alike reset link (suffix host)',
    type: 'PasswordResetRequested',
    mutate: withData((d) => void (d['resetLink'] = `https://${RESET_HOST}.evil.example/reset/rsttok9f3esfx`)),
  },
  { kind: 'negative amount', type: 'OrderPlaced', mutate: withData((d) => void (d['totalMinor'] = -999)) },
  { kind: 'time in 1970', type: 'OrderPlaced', mutate: withData((d) => void (d['occurredAt'] = 86_400_000)) },
  { kind: 'time in 2100', type: 'OrderPlaced', mutate: withData((d) => void (d['occurredAt'] = Date.UTC(2100, 0, 1))) },
  {
    kind: 'huge string (300 KB name)',
    type: 'AccountCreated',
    mutate: withData((d) => void (customerOf(d)['firstName'] = 'J'.repeat(300 * 1024))),
  },
  {
    kind: '10 MB record',
    type: 'AccountCreated',
    mutate: withData((d) => void (customerOf(d)['lastName'] = 'S'.repeat(10 * 1024 * 1024))),
  },
];

/**
 * One of each hostile kind, built from `bases` (valid events of the traffic, one per type used here);
 * `round` keeps keys distinct when the corpus is repeated.
 */
export async function hostileCorpus(
  bases: readonly DomainEvent[],
  topic: string,
  registryUrl: string,
  round: number,
): Promise<HostileRecord[]> {
  const baseOf = (type: DomainEvent['type']): DomainEvent => {
    const base = bases.find((event) => event.type === type);
    if (base === undefined) throw new Error(`no base event of type ${type}`);
    return base;
  };
  const key = (kind: string): string => `hostile-${round}-${kind.replace(/\W+/g, '-')}`;
  const [valid] = await encodeAll([baseOf('OrderPlaced')], topic, registryUrl);
  if (valid === undefined) throw new Error('no encoded base');
  const body = valid.value.subarray(HEADER_BYTES);
  const randomNonZero = randomBytes(64);
  randomNonZero[0] = 1 + ((randomNonZero[0] ?? 0) % 255);
  const wrongMagic = Buffer.from(valid.value);
  wrongMagic[0] = 1;

  const framing: HostileRecord[] = [
    { kind: 'random bytes', key: key('random bytes'), value: randomNonZero, expectedCode: 'NOT_WIRE_FORMAT' },
    { kind: 'wrong magic byte', key: key('wrong magic byte'), value: wrongMagic, expectedCode: 'NOT_WIRE_FORMAT' },
    {
      kind: 'unknown schema id',
      key: key('unknown schema id'),
      value: frame(2_000_000_000 + round, body),
      expectedCode: 'UNKNOWN_SCHEMA_ID',
    },
    {
      kind: 'truncated Avro',
      key: key('truncated Avro'),
      value: valid.value.subarray(0, HEADER_BYTES + Math.floor(body.length / 3)),
      expectedCode: 'CORRUPT_AVRO',
    },
  ];
  const invalid: HostileRecord[] = [];
  for (const entry of INVALID_EVENTS) {
    const [encoded] = await encodeAll([entry.mutate(baseOf(entry.type))], topic, registryUrl);
    if (encoded === undefined) throw new Error(`could not encode ${entry.kind}`);
    invalid.push({ kind: entry.kind, key: key(entry.kind), value: encoded.value, expectedCode: 'VALIDATION_FAILED' });
  }
  return [...framing, ...invalid];
}
