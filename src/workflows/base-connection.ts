// baseConnectionOperation: update or delete a base connection ("account"), one at a time per connection.
import { ApplicationFailure } from '@temporalio/workflow';
import type { BaseConnectionInput, BaseConnectionResult } from '../shared/contracts/workflows';
import { act, READ } from './options';
import { refuseTooDeep } from './validation';
import { FAILURE_TYPES } from '../shared/failures';

export type { BaseConnectionInput, BaseConnectionResult } from '../shared/contracts/workflows';

export async function baseConnectionOperation(input: BaseConnectionInput): Promise<BaseConnectionResult> {
  refuseTooDeep(input, 'operation');
  const a = act(READ, `${input.op === 'delete' ? 'Delete' : 'Update'} base connection ${input.connectionId}`);
  if (input.op === 'delete') {
    const out = await a.deleteBaseConnection({ sandbox: input.sandbox, connectionId: input.connectionId });
    return { op: 'delete', connectionId: input.connectionId, existed: out.existed };
  }
  if (input.name === undefined && input.description === undefined) {
    throw ApplicationFailure.nonRetryable(
      'Nothing to update: give a name or a description',
      FAILURE_TYPES.invalidLifecycleInput,
    );
  }
  const out = await a.patchBaseConnection({
    sandbox: input.sandbox,
    connectionId: input.connectionId,
    name: input.name,
    description: input.description,
  });
  return {
    op: 'update',
    connectionId: input.connectionId,
    etag: out.etag,
    changed: out.changed,
    preconditionFailures: out.preconditionFailures,
  };
}
