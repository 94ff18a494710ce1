import { describe, expect, it } from 'vitest';
import { loadExample } from '../../../domain/examples.ts';
import { given, withData } from '../../testing/spec.ts';

const example = loadExample('PaymentFailed');

describe('Failed Payment', () => {
  it('says why the payment failed and what to do, with all order information', () => {
    const request = given(example).thenEvent();
    expect(request.metric).toBe('Failed Payment');
    expect(Object.keys(request.body.data.attributes.properties).slice(0, 3)).toEqual([
      'OrderId',
      'PaymentFailure',
      'PaymentNextSteps',
    ]);
    expect(request.body.data.attributes.properties).toMatchObject({
      OrderId: '1234',
      PaymentFailure: 'Credit card not accepted',
      PaymentNextSteps: 'Please use a different payment method or contact your credit card provider.',
      Categories: ['Fiction', 'Children'],
      ItemNames: ['Winnie the Pooh'],
      DiscountCode: 'Free Shipping',
      DiscountValue: 5,
    });
    expect(request.body.data.attributes.value).toBe(9.99);
  });

  it('notifies each failed attempt once: unique_id is orderId:paymentAttemptId', () => {
    const retry = withData(example, { paymentAttemptId: '2', eventId: '7f3c2a10-5b6d-4e8f-9a1b-0000000000bb' });
    const republished = withData(example, { eventId: '7f3c2a10-5b6d-4e8f-9a1b-0000000000cc' });
    expect(given(example).thenEvent().uniqueId).toBe('1234:1');
    expect(given(retry).thenEvent().uniqueId).toBe('1234:2');
    expect(given(republished).thenEvent().uniqueId).toBe('1234:1');
  });

  it('leaves out next steps the producer does not give', () => {
    const noSteps = withData(example, { nextSteps: null });
    expect(given(noSteps).thenEvent().body.data.attributes.properties).not.toHaveProperty('PaymentNextSteps');
  });
});
