// Flow Service (§5): connections, source/target connections, flows, runs, connection and flow specs.
// One file per resource under flowservice/; this file registers them in the order the router matches.
import type { Router } from '../core/router';
import { connectionRules } from './flowservice/connections';
import { registerKind } from './flowservice/crud';
import { flowRules, registerFlowActions } from './flowservice/flows';
import { registerRuns } from './flowservice/runs';
import { sourceConnectionRules, targetConnectionRules } from './flowservice/source-target-connections';
import { registerSpecs } from './flowservice/specs';

export { DEFAULT_LIMIT, MAX_LIMIT } from './flowservice/listing';
export { recordRun, RUN_WINDOW_MS } from './flowservice/runs';

export function register(router: Router): void {
  registerKind(router, 'connections', connectionRules);
  registerKind(router, 'sourceConnections', sourceConnectionRules);
  registerKind(router, 'targetConnections', targetConnectionRules);
  registerKind(router, 'flows', flowRules);
  registerFlowActions(router);
  registerRuns(router);
  registerSpecs(router);
}
