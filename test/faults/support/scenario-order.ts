// Scenario files are named NN-name.faults.test.ts and run in that order (vitest's default order is by
// past duration and size): the secrets scenario runs last because it reads the logs every other one wrote.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export class ScenarioOrder extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return Promise.resolve([...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId)));
  }
}
