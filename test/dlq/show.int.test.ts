// `dlq show` on the dead letters most likely to be shown (issue 16): a CORRUPT_AVRO record whose array
// count claims 2^30 items, registered under the real registry, is shown with a readable reason at once.
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient, frame } from '../../src/codec/index.ts';
import { loadExample } from '../../src/domain/examples.ts';
import { EVENT_SCHEMAS } from '../../src/domain/generated/schemas.ts';
import { subjectFor } from '../../src/domain/topics.ts';
import { NO_FILTER } from '../../src/dlq/filter.ts';
import { selectDeadLetters } from '../../src/dlq/operations.ts';
import { runCli } from '../support/cli.ts';
import { deadLetterHeaders } from './fixtures.ts';
import { createDlqWorld, produce, type DlqWorld } from './support.ts';

/** An OrderPlaced body cut right after its lineItems count, which claims 2^30 items. */
function corruptOrderBody(): Buffer {
  const type = avro.Type.forSchema(EVENT_SCHEMAS.OrderPlaced.schema);
  const order = loadExample('OrderPlaced').data;
  const full = type.toBuffer(order);
  const empty = type.toBuffer({ ...order, lineItems: [] });
  let at = 0;
  while (full[at] === empty[at]) at += 1;
  return Buffer.concat([full.subarray(0, at), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08])]);
}

describe('dlq show on a corrupt Avro dead letter', () => {
  let world: DlqWorld;

  beforeAll(async () => {
    world = await createDlqWorld(1);
    const registry = createRegistryClient({ url: world.config.registry.url });
    const schemaId = await registry.register(
      subjectFor('OrderPlaced', world.sourceTopic),
      JSON.stringify(EVENT_SCHEMAS.OrderPlaced.schema),
    );
    await produce(world.kafka, world.dlqTopic, [
      {
        key: 'corrupt',
        value: frame(schemaId, corruptOrderBody()),
        partition: 0,
        headers: deadLetterHeaders({ originalTopic: world.sourceTopic, stage: 'decode', code: 'CORRUPT_AVRO' }),
      },
    ]);
  });

  afterAll(async () => {
    await world.close();
  });

  it('decodes through the codec: a readable reason within a second', async () => {
    const ctx = world.context();
    const [record] = (await selectDeadLetters(ctx, world.dlqTopic, NO_FILTER)).selected;
    if (record?.record.value == null) throw new Error('no dead letter');
    const started = performance.now();
    const decoded = await ctx.schemas.decode(record.record.value);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(decoded).toEqual({ decodeError: expect.stringMatching(/^CORRUPT_AVRO: Avro body of OrderPlaced/) });
  });

  it('the command prints it and exits 0', () => {
    const result = runCli(['dlq', 'show', world.dlqTopic, '--json'], world.env);
    expect(result.status).toBe(0);
    const [shown] = JSON.parse(result.stdout) as { eventType: string; value: unknown }[];
    expect(shown?.eventType).toBe('OrderPlaced');
    expect(shown?.value).toEqual({ decodeError: expect.stringMatching(/^CORRUPT_AVRO/) });
  });
});
