// How an onboarding run is started, once for every starter: the CLI's client (src/client/onboarding.ts) and the
// apply workflow's child starts (src/workflows/apply-children.ts). Workflow-safe: no I/O.
import { AepOnboardingName, AepOnboardingStatus, AepSandbox, AepSource } from './search-attributes';

/**
 * A completed onboarding owns its resources: the same id may start again only after a failed run, or once a
 * teardown removed everything the completed one created.
 */
export const onboardingReusePolicy = (tornDown: boolean) =>
  tornDown ? ('ALLOW_DUPLICATE' as const) : ('ALLOW_DUPLICATE_FAILED_ONLY' as const);

/** The search attributes and the Web UI's summary and details of an onboarding run. */
export function onboardingStartOptions(input: { source: string; name: string }, sandbox: string) {
  return {
    typedSearchAttributes: [
      { key: AepSource, value: input.source },
      { key: AepSandbox, value: sandbox },
      { key: AepOnboardingName, value: input.name },
      { key: AepOnboardingStatus, value: 'running' },
    ],
    staticSummary: `Onboard ${input.source} "${input.name}" into AEP sandbox ${sandbox}`,
    staticDetails: [
      `**Source:** ${input.source}`,
      `**Name:** ${input.name}`,
      `**Sandbox:** ${sandbox}`,
      '',
      'Creates, in order: source connection; field group -> schema -> dataset -> target connection; mapping set;',
      'dataflow; then reads the streaming inlet URL. On failure or cancel, deletes what it created, newest first.',
    ].join('\n'),
  };
}
