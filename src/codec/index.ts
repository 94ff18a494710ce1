/** The codec: Confluent wire format, schema registry client, cached resolvers, encode and decode. */
export { createEventDecoder, type DecodeResult, type EventDecoder, type EventDecoderOptions } from './decoder.ts';
export { createEventEncoder, encodeBody, type EncodedEvent, type EventEncoder } from './encoder.ts';
export {
  createRegistryClient,
  type RegistryClientOptions,
  type RegistrySchema,
  type SchemaRegistry,
} from './registry-client.ts';
export { frame, unframe, MAGIC_BYTE } from './wire-format.ts';
