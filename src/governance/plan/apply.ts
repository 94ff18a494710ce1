/**
 * Makes a plan true in the registry, idempotently: levels first, then new versions. A breaking version is
 * refused unless breaking is allowed; then it is registered under NONE for that one request and the
 * subject's level restored, because the registry would (rightly) refuse it at the level we keep.
 */
import type { RegistryClient } from '../registry/client.ts';
import { isBreaking, levelChanges, type SubjectPlan } from './plan.ts';

export type ApplyOutcome =
  | { readonly status: 'unchanged' }
  | { readonly status: 'applied'; readonly levelSet: boolean; readonly registeredId: number | undefined }
  | { readonly status: 'refused'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string };

export interface ApplyOptions {
  readonly allowBreaking: boolean;
}

export async function applyPlan(
  registry: RegistryClient,
  plan: SubjectPlan,
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  const subject = plan.event.subject;
  const breaking = isBreaking(plan);
  if (breaking && !options.allowBreaking) {
    return {
      status: 'refused',
      reason: `breaking change under ${plan.desiredLevel}; fix it or re-run with --allow-breaking`,
    };
  }
  const setLevel = levelChanges(plan);
  if (plan.action === 'unchanged') {
    if (!setLevel) return { status: 'unchanged' };
    await registry.setLevel(subject, plan.desiredLevel);
    return { status: 'applied', levelSet: true, registeredId: undefined };
  }
  if (breaking) await registry.setLevel(subject, 'NONE');
  else if (setLevel) await registry.setLevel(subject, plan.desiredLevel);
  const result = await registry.register(subject, plan.event.text);
  if (breaking) await registry.setLevel(subject, plan.desiredLevel);
  if (!result.ok) return { status: 'failed', reason: `registry refused (${result.status}): ${result.message}` };
  return { status: 'applied', levelSet: setLevel || breaking, registeredId: result.id };
}
