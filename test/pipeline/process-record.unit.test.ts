import { describe, expect, it } from 'vitest';
import { RelayError } from '../../src/errors.ts';
import { processRecord } from '../../src/pipeline/projector/process-record.ts';
import type { DecodeRecord, ProjectEvent } from '../../src/pipeline/projector/ports.ts';
import { createEventRequest, sourceRecord } from './fixtures.ts';

interface TestEvent {
  readonly type: string;
  readonly id: string;
}

const decodeJson: DecodeRecord<TestEvent> = async (record) => {
  const text = record.value?.toString('utf8') ?? '';
  if (text === 'registry-down') throw new RelayError('REGISTRY_UNAVAILABLE', 'registry unreachable');
  if (!text.startsWith('{')) return { ok: false, error: new RelayError('NOT_WIRE_FORMAT', 'not wire format') };
  return { ok: true, event: JSON.parse(text) as TestEvent, schemaId: 7 };
};

const projectOne: ProjectEvent<TestEvent> = (event) =>
  event.id === 'bad' ? new RelayError('NO_PROFILE_IDENTIFIER', 'no profile') : [createEventRequest('p1', event.id)];

describe('processRecord applies the failure policy', () => {
  it('projects a decodable, projectable event', async () => {
    const outcome = await processRecord(sourceRecord('1', '{"type":"OrderPlaced","id":"o1"}'), decodeJson, projectOne);
    expect(outcome).toMatchObject({ kind: 'project', eventType: 'OrderPlaced' });
    expect(outcome.kind === 'project' && outcome.requests.map((request) => request.requestId)).toEqual(['o1:0']);
  });

  it('dead-letters an undecodable record at stage decode', async () => {
    const outcome = await processRecord(sourceRecord('1', 'garbage'), decodeJson, projectOne);
    expect(outcome).toMatchObject({ kind: 'dead-letter', stage: 'decode', eventType: undefined });
  });

  it('dead-letters a projection error at stage project, keeping the schema id', async () => {
    const outcome = await processRecord(sourceRecord('1', '{"type":"OrderPlaced","id":"bad"}'), decodeJson, projectOne);
    expect(outcome).toMatchObject({ kind: 'dead-letter', stage: 'project', schemaId: 7, eventType: 'OrderPlaced' });
  });

  it('retries, never dead-letters, when the registry is down (thrown)', async () => {
    const outcome = await processRecord(sourceRecord('1', 'registry-down'), decodeJson, projectOne);
    expect(outcome).toMatchObject({ kind: 'retry', error: { code: 'REGISTRY_UNAVAILABLE' } });
  });

  it('retries when the projection throws: a bug of ours must not eat the record', async () => {
    const throwing: ProjectEvent<TestEvent> = () => {
      throw new TypeError('boom');
    };
    const outcome = await processRecord(sourceRecord('1', '{"type":"OrderPlaced","id":"o1"}'), decodeJson, throwing);
    expect(outcome).toMatchObject({ kind: 'retry', error: { code: 'INTERNAL' } });
  });
});
