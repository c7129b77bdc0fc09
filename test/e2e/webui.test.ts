// An onboarding started the way an operator without our CLI would: the Temporal Web UI's "Start Workflow" form, in
// a real (headless) Chromium, against the dev server's own UI, with a real worker and the AEP emulator behind it.
// Also: an apply of a desired-state file whose plan is approved through the run page's "Send an Update".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { AepClient } from '../../src/aep';
import { devServerDynamicConfigArgs } from '../../src/dev/dev-server-config';
import { devServerExecutable } from '../../src/dev/temporal-binaries';
import { PresetRegistry } from '../../src/presets/registry';
import { EXIT } from '../../src/cli/main';
import type { UiLinkDoc } from '../../src/cli/ui-link-command';
import type { ApplyResult, DesiredPlan } from '../../src/shared/contracts/desired';
import type { applyDesiredState } from '../../src/workflows';
import { ONBOARDING_WORKFLOW_TYPE, UI_TEMPLATE_TASK_QUEUE } from '../../src/shared/naming';
import type { OnboardingResult } from '../../src/shared/onboarding';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { createOnboardingWorker } from '../../src/temporal/worker-factory';
import { browserSkipReason, launchBrowser, type Browser } from '../support/browser';
import { cli, type ListDoc } from '../support/cli';
import { freePort } from '../support/processes';
import { startEmulator, type StartedEmulator } from '../support/emulator';
import { aepClientFor, resourcesIn, workflowBundle } from '../support/onboarding';
import { uniqueName } from '../support/temporal';

const INPUT = { source: 'chatlio', name: 'Support chat UI' };
const SUMMARY = 'Chatlio onboarding started from the Web UI';
/** The activity summaries the workflow sets; the timeline and the event history label activities with them. */
const ACTIVITY_SUMMARIES = [
  'Create the Chatlio source connection (POST /sourceConnections)',
  'Create the mapping set (POST /conversion/mappingSets)',
  'Create the dataflow (POST /flows)',
];
/** The reads run as local activities, which the timeline labels with their type (UI 2.54 shows no summary). */
const LOCAL_ACTIVITY_TYPES = ['prepareOnboarding', 'getTenant', 'getInletUrl'];

/** Settles every start, then fails with the first error: whatever did start is still handed to `after`. */
async function allStarted(starts: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(starts)).find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The UI starts a moment after the server's gRPC port answers. */
async function waitForUi(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Temporal UI not answering at ${url}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Retries `attempt` (itself a short wait) until it succeeds, running `between` after each miss. */
async function retry(attempt: () => Promise<unknown>, between: () => Promise<unknown>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await attempt();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await between();
    }
  }
}

/** The run page refreshes a running workflow by itself, but reloading makes the wait independent of its pace. */
function waitForCompleted(page: Page): Promise<void> {
  const completed = page.getByTestId('execution-status').filter({ hasText: /^\s*completed\s*$/i });
  // A reload re-renders the whole single-page app, which takes seconds on a busy machine: give each look long enough
  // that the page can render before the next reload.
  return retry(
    () => completed.first().waitFor({ timeout: 10_000 }),
    () => page.reload({ waitUntil: 'load' }),
    90_000,
  );
}

/**
 * The UI renders markdown (the Summary and Current Details) in sandboxed frames that are not part of the page's
 * DOM, so locators cannot reach into them from the page; the frame is found by name, and found again whenever the
 * UI replaces it (it does, when a query answers).
 */
function waitInFrame(page: Page, name: string, locate: (frame: Frame) => Locator): Promise<void> {
  return retry(
    async () => {
      const frame = page.frame({ name });
      if (!frame) throw new Error(`no frame named ${name}`);
      await locate(frame).first().waitFor({ timeout: 2_000 });
    },
    () => new Promise((r) => setTimeout(r, 250)),
    30_000,
  );
}

describe(
  'Web UI: start an onboarding from the Temporal Web UI',
  { timeout: 240_000, skip: browserSkipReason() },
  () => {
    let env: TestWorkflowEnvironment | undefined;
    let emu: StartedEmulator | undefined;
    let aep: AepClient | undefined;
    let browser: Browser | undefined;
    let worker: Worker | undefined;
    let running: Promise<void> | undefined;
    let uiUrl = '';
    const taskQueue = uniqueName('webui');

    before(async () => {
      const uiPort = await freePort();
      uiUrl = `http://127.0.0.1:${uiPort}`;
      await allStarted([
        TestWorkflowEnvironment.createLocal({
          server: {
            executable: devServerExecutable(),
            ui: true,
            uiPort,
            searchAttributes: ONBOARDING_SEARCH_ATTRIBUTES,
            // The news feed is fetched from the internet; there is none here.
            extraArgs: ['--ui-disable-news-fetch', ...devServerDynamicConfigArgs()],
          },
        }).then((e) => (env = e)),
        startEmulator().then((e) => (emu = e)),
        launchBrowser().then((b) => (browser = b)),
        workflowBundle(),
      ]);
      aep = aepClientFor(emu!);
      worker = await createOnboardingWorker({
        connection: env!.nativeConnection,
        namespace: env!.namespace ?? 'default',
        taskQueue,
        aep,
        presets: PresetRegistry.fromEnv({}),
        tuning: { workflowBundle: await workflowBundle() },
      });
      running = worker.run();
      await waitForUi(uiUrl);
    });

    after(async () => {
      await browser?.close();
      if (worker && running) {
        worker.shutdown();
        await running;
      }
      await aep?.close();
      await emu?.close();
      await env?.teardown();
    });

    it('fills the Start Workflow form, and the run page shows the completed onboarding', async () => {
      try {
        await startFromTheUi();
      } catch (err) {
        // On failure the page as it was says more than any message.
        await browser?.screenshot('webui-failure.png').catch(() => undefined);
        if (browser?.blocked.length) console.error('non-loopback requests (aborted):', browser.blocked);
        throw err;
      }
    });

    it('ui-link: a per-source link opens the form prefilled from a template run that never runs', async () => {
      await withCliEnv(startFromALink, 'webui-link-failure.png');
    });

    it('apply -f: three onboardings, the plan approved through the Web UI’s "Send an Update"', async () => {
      await withCliEnv(approveFromTheUi, 'webui-approve-failure.png');
    });

    /** Runs `fn` with the in-process CLI pointed at this suite's servers; a failure leaves a screenshot. */
    async function withCliEnv(fn: () => Promise<void>, screenshot: string): Promise<void> {
      const saved = { ...process.env };
      Object.assign(process.env, {
        TEMPORAL_ADDRESS: env!.address,
        TEMPORAL_NAMESPACE: env!.namespace ?? 'default',
        AEP_ORG_ID: emu!.options.orgId,
      });
      delete process.env.TEMPORAL_TASK_QUEUE;
      delete process.env.TEMPORAL_PROFILE;
      try {
        await fn();
      } catch (err) {
        await browser?.screenshot(screenshot).catch(() => undefined);
        throw err;
      } finally {
        process.env = saved;
      }
    }

    async function approveFromTheUi(): Promise<void> {
      const page = browser!.page;
      const namespace = env!.namespace ?? 'default';
      const dir = mkdtempSync(path.join(tmpdir(), 'aep-webui-apply-'));
      const file = path.join(dir, 'onboardings.yaml');
      writeFileSync(
        file,
        [
          'version: 1',
          'sandbox: dev',
          'onboardings:',
          ...['chatlio', 'pendo', 'shopify'].map((s) => `  - { source: ${s}, name: UI apply ${s} }`),
        ].join('\n'),
      );
      const args = ['apply', '-f', file, '--task-queue', taskQueue, '--json'];
      // No terminal to ask and no --yes: the apply waits for its approval.
      const waiting = await cli(...args);
      assert.equal(waiting.code, EXIT.changes, waiting.err);
      const { workflowId, plan } = waiting.json<{ workflowId: string; plan: DesiredPlan }>();
      assert.equal(plan.summary.create, 3);
      const handle = env!.client.workflow.getHandle<typeof applyDesiredState>(workflowId);
      const { runId } = await handle.describe();

      await page.goto(`${uiUrl}/namespaces/${namespace}/workflows/${workflowId}/${runId}/history`);
      // Current Details shows the plan and its hash, queried from the live worker.
      await page.getByTestId('user-metadata-tab').click();
      const details = 'user-metadata-current-details';
      await waitInFrame(page, details, (f) => f.getByText(plan.hash));
      await waitInFrame(page, details, (f) => f.getByText('3 to create, 0 to change, 0 to delete'));
      await page.getByRole('button', { name: 'More Actions' }).click();
      await page.getByText('Send an Update').locator('visible=true').first().click();
      const dialog = page.locator('dialog[open]');
      await dialog.getByRole('button', { name: 'Select an Update' }).click();
      await dialog.getByRole('option').filter({ hasText: 'approve' }).first().click();
      const data = dialog.getByRole('textbox', { name: 'Data' });
      await data.click();
      await page.keyboard.insertText(JSON.stringify({ planHash: plan.hash }));
      await data.blur();
      await dialog.getByTestId('confirm-modal-button').click();

      const result = await handle.result();
      assert.equal(result.status, 'applied');
      assert.equal(result.planHash, plan.hash);
      const created = result.reports.filter((r) => r.outcome === 'created');
      assert.equal(created.length, 3);
      for (const r of created) assert.ok(r.webhookUrl?.includes(`x-adobe-flow-id=${r.ids?.flowId}`), r.name);
      await waitForCompleted(page);
      await browser!.screenshot('webui-apply-approved.png');

      const again = await cli(...args);
      assert.equal(again.code, EXIT.ok, again.err);
      const second = again.json<{ result: ApplyResult }>().result;
      assert.deepEqual(
        [second.status, second.summary.create, second.summary.change, second.summary.delete],
        ['nothing-to-do', 0, 0, 0],
      );
      rmSync(dir, { recursive: true, force: true });
    }

    async function startFromALink(): Promise<void> {
      const page = browser!.page;
      const namespace = env!.namespace ?? 'default';
      const link = ['ui-link', 'pendo', '--task-queue', taskQueue, '--ui-url', uiUrl, '--json'];
      const made = await cli(...link);
      assert.equal(made.code, EXIT.ok, made.out + made.err);
      const doc = made.json<UiLinkDoc>();
      assert.equal(doc.template.workflowId, 'aep-template-pendo');
      assert.equal(doc.template.reused, false);
      const again = await cli(...link);
      assert.equal(again.code, EXIT.ok, again.err);
      assert.deepEqual(
        [again.json<UiLinkDoc>().template.reused, again.json<UiLinkDoc>().url],
        [true, doc.url],
        'the template run is reused',
      );
      const flowsBefore = ((await resourcesIn(emu!)).flows ?? []).length;

      const workflowId = uniqueName('onboard-webui-link');
      await page.goto(doc.url);
      await page.getByTestId('start-workflow').waitFor();
      const data = page.getByRole('textbox', { name: 'Data' });
      // The input copied from the template run, with the queue and type from the link.
      await data.filter({ hasText: '"source": "pendo"' }).waitFor();
      await page.getByText('Task Queue is Active').waitFor();
      assert.equal(await page.getByTestId('workflowType').inputValue(), ONBOARDING_WORKFLOW_TYPE);
      assert.equal(await page.getByTestId('workflowId').inputValue(), doc.template.workflowId);
      // Submitted as is, the form meets the open template under that id: refused, nothing starts.
      await page.getByTestId('start-workflow-button').click();
      await page
        .getByText(/already (running|started)/i)
        .first()
        .waitFor();
      await page.getByTestId('workflowId').fill(workflowId);
      await page.getByTestId('workflowId').blur();
      await page.getByTestId('start-workflow-button').click();
      await page.getByRole('link', { name: 'Workflow started successfully' }).click();
      await page.waitForURL((url) =>
        url.pathname.startsWith(`/namespaces/${namespace}/workflows/${workflowId}/`),
      );
      await waitForCompleted(page);
      await browser!.screenshot('webui-link-onboarding.png');

      const handle = env!.client.workflow.getHandle(workflowId);
      const result = (await handle.result()) as OnboardingResult;
      const description = await handle.describe();
      assert.deepEqual(
        [description.status.name, description.type, description.taskQueue],
        ['COMPLETED', ONBOARDING_WORKFLOW_TYPE, taskQueue],
      );
      assert.equal(result.name, doc.template.input.name);
      const flows = ((await resourcesIn(emu!)).flows ?? []) as { id: string }[];
      assert.equal(flows.length, flowsBefore + 1, 'one flow more: the started run’s');
      assert.ok(flows.some((f) => f.id === result.ids.flowId));

      // The template is still open on its unpolled queue and never had a workflow task: it ran nothing.
      const template = env!.client.workflow.getHandle(doc.template.workflowId);
      const t = await template.describe();
      assert.deepEqual([t.status.name, t.taskQueue], ['RUNNING', UI_TEMPLATE_TASK_QUEUE]);
      const history = await template.fetchHistory();
      assert.ok(
        !history.events?.some((e) => e.workflowTaskStartedEventAttributes),
        'no workflow task of the template was ever started',
      );
      const list = await cli('list', '--json');
      assert.equal(list.code, EXIT.ok, list.err);
      assert.ok(
        !list.json<ListDoc>().some((o) => o.workflowId === doc.template.workflowId),
        'not an onboarding',
      );
    }

    async function startFromTheUi(): Promise<void> {
      const page = browser!.page;
      const workflowId = uniqueName('onboard-webui');
      const namespace = env!.namespace ?? 'default';

      await page.goto(`${uiUrl}/namespaces/${namespace}/workflows`);
      await page.getByRole('link', { name: 'Start Workflow', exact: true }).click();
      await page.getByTestId('start-workflow').waitFor();
      // User metadata first: the editors below re-render the form when they lose focus.
      await page.getByRole('button', { name: 'More options' }).click();
      await page.locator('[contenteditable="true"][data-language="markdown"]').first().click();
      await page.keyboard.insertText(SUMMARY);
      await page.getByTestId('workflowId').fill(workflowId);
      await page.getByTestId('taskQueue').fill(taskQueue);
      await page.getByTestId('workflowType').fill(ONBOARDING_WORKFLOW_TYPE);
      // Once the queue field is left, the form looks the queue up: our worker must be seen polling it.
      await page.getByText('Task Queue is Active').waitFor();
      // A CodeMirror editor: insertText, because typed brackets and quotes would be auto-closed twice.
      const data = page.getByRole('textbox', { name: 'Data' });
      await data.click();
      await page.keyboard.insertText(JSON.stringify(INPUT));
      // Leaving the editor makes the form parse and re-indent the JSON; a click that blurs it is swallowed by that
      // re-render, so blur first and wait for the re-indented text (proof the form accepted the JSON).
      await data.blur();
      await data.filter({ hasText: '"source": "chatlio"' }).waitFor();
      await page.getByLabel('json/plain').check();
      await page.getByTestId('start-workflow-button').click();

      // The form stays put and a toast links to the new run.
      await page.getByRole('link', { name: 'Workflow started successfully' }).click();
      await page.waitForURL((url) =>
        url.pathname.startsWith(`/namespaces/${namespace}/workflows/${workflowId}/`),
      );
      await waitForCompleted(page);
      for (const summary of ACTIVITY_SUMMARIES)
        await page.getByText(summary, { exact: false }).first().waitFor();
      for (const type of LOCAL_ACTIVITY_TYPES) await page.getByText(type, { exact: true }).first().waitFor();
      await browser!.screenshot('webui-onboarding.png');

      await page.getByTestId('history-tab').click();
      await page
        .getByTestId('event-summary-row')
        .filter({ hasText: 'Create the dataflow (POST /flows)' })
        .first()
        .waitFor();

      const handle = env!.client.workflow.getHandle(workflowId);
      const result = (await handle.result()) as OnboardingResult;
      const description = await handle.describe();
      assert.equal(description.status.name, 'COMPLETED');
      assert.equal(description.type, ONBOARDING_WORKFLOW_TYPE);
      assert.equal(description.taskQueue, taskQueue);
      assert.equal(result.workflowId, workflowId);
      assert.equal(result.name, INPUT.name);
      assert.equal(result.webhookUrl, `${result.inletUrl}?x-adobe-flow-id=${result.ids.flowId}`);
      assert.ok(result.inletUrl.startsWith(`${emu!.url}/collection/`), result.inletUrl);

      const flows = (await resourcesIn(emu!)).flows as { id: string; name: string }[] | undefined;
      assert.deepEqual(
        flows?.map((f) => f.id),
        [result.ids.flowId],
        'the emulator holds exactly the flow the run reports',
      );

      // "Current Details" is the workflow's step list, queried from the live worker.
      await page.getByTestId('user-metadata-tab').click();
      await waitInFrame(page, 'user-metadata-summary', (f) => f.getByText(SUMMARY));
      const details = 'user-metadata-current-details';
      await waitInFrame(page, details, (f) => f.getByText(/Phase:\s*completed/));
      await waitInFrame(page, details, (f) => f.getByText(`flow: done ${result.ids.flowId}`));
      await waitInFrame(page, details, (f) => f.getByRole('link', { name: result.webhookUrl }));
      await browser!.screenshot('webui-current-details.png');
    }
  },
);
