/**
 * The klaviyo-relay package entry, for code that imports it (producing microservices, tools). The CLI
 * (`klaviyo-relay`) is the other entry. Only stable contracts are exported here.
 */
export { createDomainEventPublisher } from './publisher/index.ts';
export type {
  DomainEventPublisher,
  DomainEventPublisherOptions,
  PublishOptions,
  PublishReceipt,
} from './publisher/index.ts';
export { DOMAIN_EVENT_TYPES, identityKeyOf, isDomainEventType } from './domain/events.ts';
export type * from './domain/events.ts';
export { DEFAULT_TOPICS, SOURCE_TOPICS, subjectFor, recordNameOf } from './domain/topics.ts';
export { createEventValidator } from './domain/validation.ts';
export type { EventValidator, ValidationResult, ValidatorOptions } from './domain/validation.ts';
export { createEventDecoder, createEventEncoder, createRegistryClient } from './codec/index.ts';
export type { DecodeResult, EventDecoder, EventEncoder, SchemaRegistry } from './codec/index.ts';
export { RelayError, classify, isRelayError } from './errors.ts';
export type { RelayErrorCode } from './errors.ts';
