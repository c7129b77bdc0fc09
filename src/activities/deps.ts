// What the activities are built from. The worker wires the real parts (src/temporal/worker-factory.ts), tests wire
// an AEP client pointed at the emulator and records read through their own client.
import type { AepClient } from '../aep';
import type { PresetRegistry } from '../presets/registry';
import type { OnboardingRecords } from '../records';

export interface ActivityDeps {
  /** The AEP client; `withSandbox` gives a view on another sandbox sharing its connection pool and token. */
  aep: AepClient;
  presets: PresetRegistry;
  /** The onboarding records (Temporal state), read through the worker's client: never an ambient one. */
  records: OnboardingRecords;
  /**
   * How long a retried create waits for an earlier attempt's create to land before trusting an empty look-up
   * (default: twice the HTTP request timeout; AEP may go on processing a request the client gave up on).
   */
  createSettleMs?: number;
  /** The notification hook (AEP_NOTIFY_URL, checked by notifyUrlProblem); the drift check POSTs state changes. */
  notifyUrl?: string;
}
