/**
 * The one place a kafkajs client is built from the Config, with kafkajs's own log lines routed through
 * the relay's redacting pino logger (kafkajs would otherwise print to the console in its own format).
 */
import {
  Kafka,
  logLevel,
  Partitioners,
  type KafkaConfig,
  type LogEntry,
  type Producer,
  type ProducerConfig,
  type SASLOptions,
} from 'kafkajs';
import type { Config } from '../../config/config.ts';
import type { Logger } from '../../observability/logger.ts';

export function createKafka(config: Config, logger: Logger): Kafka {
  const kafkaConfig: KafkaConfig = {
    clientId: config.kafka.clientId,
    brokers: [...config.kafka.brokers],
    ssl: config.kafka.ssl,
    connectionTimeout: config.kafka.connectionTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => logKafkaEntry(logger, entry),
    ...(config.kafka.sasl ? { sasl: toSasl(config.kafka.sasl) } : {}),
  };
  return new RelayKafka(kafkaConfig);
}

/**
 * kafkajs warns once per process that v2 "switched default partitioner" for every producer created
 * without `createPartitioner`. The relay has only ever used v2's default (murmur2, as Java's client), so
 * every producer of this client gets it explicitly and no command prints a migration notice.
 */
class RelayKafka extends Kafka {
  override producer(config: ProducerConfig = {}): Producer {
    return super.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
  }
}

function toSasl(sasl: NonNullable<Config['kafka']['sasl']>): SASLOptions {
  if (sasl.mechanism === 'plain') return { mechanism: 'plain', username: sasl.username, password: sasl.password };
  if (sasl.mechanism === 'scram-sha-256')
    return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
  return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
}

type Level = 'error' | 'warn' | 'info' | 'debug';

/**
 * The level a kafkajs log entry deserves in an operator's log. kafkajs logs every protocol error answer at
 * ERROR as it arrives (namespace `Connection`, message `Response <Api>(key: …, version: …)`), before its
 * caller handles or retries it — after each transaction commit the broker answers CONCURRENT_TRANSACTIONS
 * once as a matter of course; a topic being created answers Metadata with UNKNOWN_TOPIC_OR_PARTITION — and
 * then logs the retry it schedules (`retryCount`/`retryTime`) at ERROR again. Only a failure kafkajs gives
 * up on is an error; a scheduled retry is a warning, the raw response is detail. Pure, so it is tested as
 * a table, with entries captured from kafkajs itself (client.int.test.ts checks the capture still holds).
 */
export function kafkaLogLevel(entry: Pick<LogEntry, 'namespace' | 'level' | 'log'>): Level {
  const { message, retryTime } = entry.log as { message?: unknown; retryTime?: unknown };
  if (entry.level <= logLevel.ERROR) {
    if (entry.namespace === 'Connection' && typeof message === 'string' && message.startsWith('Response '))
      return 'debug';
    return typeof retryTime === 'number' ? 'warn' : 'error';
  }
  if (entry.level === logLevel.WARN) return 'warn';
  return entry.level === logLevel.INFO ? 'info' : 'debug';
}

function logKafkaEntry(logger: Logger, entry: LogEntry): void {
  const { message, ...rest } = entry.log;
  logger[kafkaLogLevel(entry)]({ kafkajs: entry.namespace, ...rest }, `kafkajs: ${String(message)}`);
}
