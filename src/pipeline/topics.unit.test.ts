import { describe, expect, it } from 'vitest';
import { relayTopics } from './topics.ts';

describe('relayTopics', () => {
  it('lists each topic with its dead letters and their parking, plus the outbound class topics with their retry topics and the audit topic, once each', () => {
    const topics = relayTopics({
      sourceTopics: ['identity.account.events', 'commerce.order.events', 'identity.account.events'],
      outboundTopic: 'klaviyo.requests',
      auditTopic: 'klaviyo-relay.audit',
    });
    expect(topics).toEqual([
      'identity.account.events',
      'identity.account.events.dlq',
      'identity.account.events.dlq.parked',
      'commerce.order.events',
      'commerce.order.events.dlq',
      'commerce.order.events.dlq.parked',
      'klaviyo.requests',
      'klaviyo.requests.dlq',
      'klaviyo.requests.dlq.parked',
      'klaviyo.requests.urgent',
      'klaviyo.requests.high',
      'klaviyo.requests.urgent.retry',
      'klaviyo.requests.high.retry',
      'klaviyo.requests.retry',
      'klaviyo-relay.audit',
    ]);
  });
});
