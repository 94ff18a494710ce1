/**
 * `klaviyo-relay produce --type OrderPlaced --file event.json [--topic …]`: JSON in, Avro out. Reads one
 * event, an array, or JSON lines (`--file -` reads stdin), in the bare data shape with --type or in the
 * `{ type, data }` shape of schemas/examples. Every event is checked (Avro schema, then validation)
 * before any is sent, so a bad line sends nothing. Prints one receipt per event as JSON lines.
 * Exit codes: 0 sent; 1 invalid events or a failed send; 2 bad arguments, configuration or an endpoint
 * that cannot be reached.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parseEventDocuments } from '../codec/event-json.ts';
import { createRegistryClient } from '../codec/registry-client.ts';
import { DOMAIN_EVENT_TYPES, isDomainEventType, type DomainEvent, type DomainEventType } from '../domain/events.ts';
import { createEventValidator } from '../domain/validation.ts';
import { isRelayError } from '../errors.ts';
import { createLogger } from '../observability/logger.ts';
import { createKafka } from '../pipeline/kafka/client.ts';
import { createDomainEventPublisher } from '../publisher/publisher.ts';
import { secretsOf } from '../config/config.ts';
import { requireConfig } from './config-context.ts';
import { debugRequested } from './failure.ts';
import { CliExit, EXIT } from './exit-codes.ts';

interface ProduceOptions {
  readonly type?: string;
  readonly file: string;
  readonly topic?: string;
}

export function registerProduce(program: Command): void {
  program
    .command('produce')
    .description('publish domain events from JSON as Avro through the schema registry (JSON, array or JSON lines)')
    .option('--type <EventType>', `event type of bare data documents (${DOMAIN_EVENT_TYPES.join(', ')})`)
    .requiredOption('--file <path>', 'file of events, or - for stdin')
    .option('--topic <topic>', 'topic to publish to (default: the event type’s topic)')
    .action(async (options: ProduceOptions) => {
      const type = parseType(options.type);
      const config = requireConfig();
      const events = checkedEvents(readInput(options.file), type, config.relay.resetLinkHosts);
      const logger = createLogger({
        level: debugRequested(process.argv, process.env) ? 'debug' : 'silent',
        destination: process.stderr,
        name: 'klaviyo-relay produce',
        secrets: secretsOf(config),
      });
      const publisher = createDomainEventPublisher({
        kafka: createKafka(config, logger),
        registry: createRegistryClient(config.registry),
      });
      try {
        await publisher.connect();
        for (const event of events) {
          const receipt = await publisher.publish(event, options.topic === undefined ? {} : { topic: options.topic });
          process.stdout.write(`${JSON.stringify({ type: event.type, eventId: event.data.eventId, ...receipt })}\n`);
        }
      } catch (error) {
        throw asCliExit(error);
      } finally {
        await publisher.disconnect().catch(() => undefined);
      }
    });
}

function parseType(type: string | undefined): DomainEventType | undefined {
  if (type === undefined || isDomainEventType(type)) return type;
  throw new CliExit(EXIT.USAGE, `unknown --type ${type}; one of ${DOMAIN_EVENT_TYPES.join(', ')}`);
}

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new CliExit(EXIT.USAGE, `cannot read ${file === '-' ? 'stdin' : file}: ${(error as Error).message}`);
  }
}

/** Every event, parsed and validated, or exit 1 listing every problem (nothing is sent). */
function checkedEvents(
  text: string,
  type: DomainEventType | undefined,
  resetLinkHosts: readonly string[],
): DomainEvent[] {
  const parsed = parseEventDocuments(text, type);
  if (!parsed.ok)
    throw new CliExit(EXIT.FAILURE, `nothing sent; invalid input:\n  - ${parsed.problems.join('\n  - ')}`);
  const validator = createEventValidator({ resetLinkHosts });
  const problems = parsed.events.flatMap((event, index) => {
    const result = validator.validate(event);
    return result.ok ? [] : [`event ${index + 1} (${event.type}): ${result.error.message}`];
  });
  if (problems.length > 0)
    throw new CliExit(EXIT.FAILURE, `nothing sent; invalid events:\n  - ${problems.join('\n  - ')}`);
  return [...parsed.events];
}

function asCliExit(error: unknown): CliExit {
  if (!isRelayError(error)) return new CliExit(EXIT.FAILURE, `produce failed: ${String(error)}`);
  const unreachable = error.code === 'REGISTRY_UNAVAILABLE' || error.code === 'KAFKA_UNAVAILABLE';
  return new CliExit(unreachable ? EXIT.USAGE : EXIT.FAILURE, `produce failed (${error.code}): ${error.message}`);
}
