/**
 * A table of schema changes with the verdict Avro's resolution rules give them, shared by the unit test
 * (our walker against this table and against avsc's resolver) and the integration test (our walker
 * against the real registry's compatibility API, for every row). `history` is the registered versions,
 * oldest first; `candidate` is the proposed next version.
 */

export interface ChangeCase {
  readonly name: string;
  readonly history: readonly object[];
  readonly candidate: object;
  /** Expected verdicts against the latest version only. */
  readonly backward: boolean;
  readonly forward: boolean;
  /** Expected verdicts against all of `history` (equal to the above when history has one version). */
  readonly backwardTransitive: boolean;
  readonly forwardTransitive: boolean;
  /** The field a breaking change's explanation must name. */
  readonly field?: string;
}

const doc = 'test event';

function order(fields: readonly object[], extra: object = {}): object {
  return {
    type: 'record',
    name: 'OrderPlaced',
    namespace: 'com.acme.commerce',
    doc,
    fields: [{ name: 'orderId', type: 'string', doc }, ...fields],
    ...extra,
  };
}

const status = (symbols: readonly string[], extra: object = {}) => ({
  type: 'enum',
  name: 'Status',
  symbols,
  ...extra,
});

const optional = (name: string, type: unknown = 'string') => ({ name, type: ['null', type], default: null, doc });

const lines = (lineFields: readonly object[]) => ({
  name: 'lines',
  type: { type: 'array', items: { type: 'record', name: 'Line', fields: lineFields } },
  doc,
});

/** A change against a single registered version: transitive and latest-only verdicts coincide. */
function simple(
  name: string,
  before: object,
  candidate: object,
  verdict: { backward: boolean; forward: boolean; field?: string },
): ChangeCase {
  return {
    name,
    history: [before],
    candidate,
    backwardTransitive: verdict.backward,
    forwardTransitive: verdict.forward,
    ...verdict,
  };
}

const required = (name: string, type: unknown, extra: object = {}) => ({ name, type, doc, ...extra });

export const CHANGE_CASES: readonly ChangeCase[] = [
  simple('identical schema', order([]), order([]), { backward: true, forward: true }),
  simple('add optional field with null default', order([]), order([optional('giftMessage')]), {
    backward: true,
    forward: true,
  }),
  simple('add required field without default', order([]), order([required('giftMessage', 'string')]), {
    backward: false,
    forward: true,
    field: 'giftMessage',
  }),
  simple('add field with non-null default', order([]), order([required('channel', 'string', { default: 'web' })]), {
    backward: true,
    forward: true,
  }),
  simple('remove optional field', order([optional('note')]), order([]), { backward: true, forward: true }),
  simple('remove required field', order([required('total', 'long')]), order([]), {
    backward: true,
    forward: false,
    field: 'total',
  }),
  simple('change type long to string', order([required('total', 'long')]), order([required('total', 'string')]), {
    backward: false,
    forward: false,
    field: 'total',
  }),
  simple('widen int to long', order([required('quantity', 'int')]), order([required('quantity', 'long')]), {
    backward: true,
    forward: false,
    field: 'quantity',
  }),
  simple('narrow long to int', order([required('quantity', 'long')]), order([required('quantity', 'int')]), {
    backward: false,
    forward: true,
    field: 'quantity',
  }),
  simple('string to bytes', order([required('note', 'string')]), order([required('note', 'bytes')]), {
    backward: true,
    forward: true,
  }),
  simple(
    'add enum symbol, enum without default',
    order([required('status', status(['PLACED', 'PAID']))]),
    order([required('status', status(['PLACED', 'PAID', 'SHIPPED']))]),
    { backward: true, forward: false, field: 'status' },
  ),
  simple(
    'add enum symbol, enum with default',
    order([required('status', status(['UNKNOWN', 'PLACED'], { default: 'UNKNOWN' }))]),
    order([required('status', status(['UNKNOWN', 'PLACED', 'SHIPPED'], { default: 'UNKNOWN' }))]),
    { backward: true, forward: true },
  ),
  simple(
    'rename enum symbol, enum without default',
    order([required('status', status(['PLACED', 'PAID']))]),
    order([required('status', status(['PLACED', 'SETTLED']))]),
    { backward: false, forward: false, field: 'status' },
  ),
  simple(
    'rename enum symbol, enum with default',
    order([required('status', status(['UNKNOWN', 'PAID'], { default: 'UNKNOWN' }))]),
    order([required('status', status(['UNKNOWN', 'SETTLED'], { default: 'UNKNOWN' }))]),
    { backward: true, forward: true },
  ),
  simple('make required field optional', order([required('email', 'string')]), order([optional('email')]), {
    backward: true,
    forward: false,
    field: 'email',
  }),
  simple(
    'rename field with alias',
    order([required('total', 'long')]),
    order([required('totalMinor', 'long', { aliases: ['total'] })]),
    { backward: true, forward: false, field: 'total' },
  ),
  simple(
    'rename record without alias',
    order([]),
    { ...order([]), name: 'OrderSubmitted' },
    {
      backward: false,
      forward: false,
    },
  ),
  simple('change union branch type', order([optional('coupon', 'string')]), order([optional('coupon', 'long')]), {
    backward: false,
    forward: false,
    field: 'coupon',
  }),
  simple(
    'add required field to a record inside an array',
    order([lines([{ name: 'sku', type: 'string' }])]),
    order([
      lines([
        { name: 'sku', type: 'string' },
        { name: 'quantity', type: 'int' },
      ]),
    ]),
    { backward: false, forward: true, field: 'quantity' },
  ),
  simple(
    'fixed size change',
    order([required('hash', { type: 'fixed', name: 'Hash', size: 16 })]),
    order([required('hash', { type: 'fixed', name: 'Hash', size: 32 })]),
    { backward: false, forward: false, field: 'hash' },
  ),
  {
    name: 'default removed again: compatible with the latest version, not with the first',
    history: [order([]), order([required('channel', 'string', { default: 'web' })])],
    candidate: order([required('channel', 'string')]),
    backward: true,
    forward: true,
    backwardTransitive: false,
    forwardTransitive: true,
    field: 'channel',
  },
  {
    name: 'required field removed after a version gave it a default: forward breaks against the first version',
    history: [order([required('total', 'long')]), order([required('total', 'long', { default: 0 })])],
    candidate: order([]),
    backward: true,
    forward: true,
    backwardTransitive: true,
    forwardTransitive: false,
    field: 'total',
  },
];
