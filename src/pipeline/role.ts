/** What main.ts holds for each running role (projector, dispatcher): start, stop, and its readiness. */
import type { ReadinessCheck } from '../observability/health.ts';

export interface RoleHandle {
  readonly name: string;
  /** Connects, subscribes and starts consuming; resolves once the consumer runs. */
  start(): Promise<void>;
  /** Stops fetching, lets the batch in flight finish or abandons it uncommitted, disconnects. */
  stop(): Promise<void>;
  readonly readiness: readonly ReadinessCheck[];
}
