/**
 * The one place a kafkajs client is built from the Config, with kafkajs's own log lines routed through
 * the relay's redacting pino logger (kafkajs would otherwise print to the console in its own format).
 */
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
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
  return new Kafka(kafkaConfig);
}

function toSasl(sasl: NonNullable<Config['kafka']['sasl']>): SASLOptions {
  if (sasl.mechanism === 'plain') return { mechanism: 'plain', username: sasl.username, password: sasl.password };
  if (sasl.mechanism === 'scram-sha-256')
    return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
  return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
}

function logKafkaEntry(logger: Logger, entry: LogEntry): void {
  const { message, ...rest } = entry.log;
  const fields = { kafkajs: entry.namespace, ...rest };
  const text = `kafkajs: ${String(message)}`;
  if (entry.level <= logLevel.ERROR) logger.error(fields, text);
  else if (entry.level === logLevel.WARN) logger.warn(fields, text);
  else if (entry.level === logLevel.INFO) logger.info(fields, text);
  else logger.debug(fields, text);
}
