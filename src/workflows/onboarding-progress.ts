// What a person sees of a running onboarding: the search attributes, the run page's Current Details, and the
// worker's own counters.
import { metricMeter, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { STEP_ORDER, type OnboardingProgress } from '../shared/onboarding';
import {
  AepOnboardingName,
  AepOnboardingStatus,
  AepSandbox,
  AepSource,
  type OnboardingStatus,
} from '../shared/search-attributes';

/**
 * The worker's own counters, exported with Temporal's metrics (the SDK skips them during replay). The meter exists
 * only inside a workflow, so they are made per run.
 */
export function onboardingCounters() {
  const counter = (name: string, description: string) =>
    metricMeter.createCounter(name, 'onboardings', description);
  return {
    started: counter('aep_onboardings_started', 'Onboardings started'),
    completed: counter('aep_onboardings_completed', 'Onboardings completed'),
    compensated: counter('aep_onboardings_compensated', 'Onboardings failed and undone'),
    cancelled: counter('aep_onboardings_cancelled', 'Onboardings cancelled and undone'),
  };
}

export function setStatus(
  status: OnboardingStatus,
  attrs?: { source: string; sandbox: string; name: string },
): void {
  upsertSearchAttributes([
    { key: AepOnboardingStatus, value: status },
    ...(attrs
      ? [
          { key: AepSource, value: attrs.source },
          { key: AepSandbox, value: attrs.sandbox },
          { key: AepOnboardingName, value: attrs.name },
        ]
      : []),
  ]);
}

/** The run was started with these attributes and the status "running" (as the CLI and the apply start it). */
export function startedWith(attrs: { source: string; sandbox: string; name: string }): boolean {
  const sa = workflowInfo().typedSearchAttributes;
  return (
    sa.get(AepOnboardingStatus) === 'running' &&
    sa.get(AepSource) === attrs.source &&
    sa.get(AepSandbox) === attrs.sandbox &&
    sa.get(AepOnboardingName) === attrs.name
  );
}

/** The run page's "Current Details": the step list, as a person would tick it off in the tutorial. */
export function renderDetails(p: OnboardingProgress): void {
  const lines = [`**Phase:** ${p.phase}`, ''];
  for (const s of STEP_ORDER) {
    const st = p.steps[s];
    if (st)
      lines.push(`- ${s}: ${st.state}${st.id ? ` \`${st.id}\`` : ''}${st.error ? ` — ${st.error}` : ''}`);
  }
  if (p.compensation.length) {
    lines.push('', '**Compensation (newest first):**');
    for (const c of p.compensation) lines.push(`- ${c.step}: ${c.outcome}${c.id ? ` \`${c.id}\`` : ''}`);
  }
  if (p.webhookUrl) lines.push('', `**Webhook URL:** ${p.webhookUrl}`);
  setCurrentDetails(lines.join('\n'));
}
