/** For producing microservices: the typed domain-event publisher. */
export {
  createDomainEventPublisher,
  type DomainEventPublisher,
  type DomainEventPublisherOptions,
  type PublishOptions,
  type PublishReceipt,
} from './publisher.ts';
