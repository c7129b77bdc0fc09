// An onboarding started the way an operator without our CLI would: the Temporal Web UI's "Start Workflow" form, in
// a real (headless) Chromium, against the dev server's own UI, with a real worker and the AEP emulator behind it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame, Locator, Page } from 'playwright-core';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { AepClient } from '../../src/aep';
import { devServerExecutable } from '../../src/dev/temporal-binaries';
import { PresetRegistry } from '../../src/presets/registry';
import { ONBOARDING_WORKFLOW_TYPE } from '../../src/shared/naming';
import type { OnboardingResult } from '../../src/shared/onboarding';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { createOnboardingWorker } from '../../src/temporal/worker-factory';
import { browserSkipReason, freePort, launchBrowser, type Browser } from '../helpers/browser';
import { startEmulator, type StartedEmulator } from '../helpers/emulator';
import { aepClientFor, resourcesIn, workflowBundle } from '../helpers/onboarding';
import { uniqueName } from '../helpers/temporal';

const INPUT = { source: 'chatlio', name: 'Support chat UI' };
const SUMMARY = 'Chatlio onboarding started from the Web UI';
/** The activity summaries the workflow sets; the timeline and the event history label activities with them. */
const ACTIVITY_SUMMARIES = [
  'Read the tenant id (GET /stats)',
  'Create the Chatlio source connection (POST /sourceConnections)',
  'Create the mapping set (POST /conversion/mappingSets)',
  'Create the dataflow (POST /flows)',
  'Read the streaming inlet URL (GET /flows/{id})',
];

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
  return retry(
    () => completed.first().waitFor({ timeout: 2_000 }),
    () => page.reload(),
    45_000,
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
  { timeout: 120_000, skip: browserSkipReason() },
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
      const B0 = Date.now();
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
            extraArgs: ['--ui-disable-news-fetch'],
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
      console.log('TIME before', Date.now() - B0);
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
        throw err;
      }
    });

    async function startFromTheUi(): Promise<void> {
      const T0 = Date.now();
      const page = browser!.page;
      const workflowId = uniqueName('onboard-webui');
      const namespace = env!.namespace ?? 'default';

      await page.goto(`${uiUrl}/namespaces/${namespace}/workflows`);
      console.log('TIME 1', Date.now() - T0);
      await page.getByRole('link', { name: 'Start Workflow', exact: true }).click();
      console.log('TIME 2', Date.now() - T0);
      await page.getByTestId('start-workflow').waitFor();
      console.log('TIME 3', Date.now() - T0);
      // User metadata first: the editors below re-render the form when they lose focus.
      await page.getByRole('button', { name: 'More options' }).click();
      console.log('TIME 4', Date.now() - T0);
      await page.locator('[contenteditable="true"][data-language="markdown"]').first().click();
      console.log('TIME 5', Date.now() - T0);
      await page.keyboard.insertText(SUMMARY);
      console.log('TIME 6', Date.now() - T0);
      await page.getByTestId('workflowId').fill(workflowId);
      console.log('TIME 7', Date.now() - T0);
      await page.getByTestId('taskQueue').fill(taskQueue);
      console.log('TIME 8', Date.now() - T0);
      await page.getByTestId('workflowType').fill(ONBOARDING_WORKFLOW_TYPE);
      console.log('TIME 9', Date.now() - T0);
      // Once the queue field is left, the form looks the queue up: our worker must be seen polling it.
      await page.getByText('Task Queue is Active').waitFor();
      console.log('TIME 10', Date.now() - T0);
      // A CodeMirror editor: insertText, because typed brackets and quotes would be auto-closed twice.
      const data = page.getByRole('textbox', { name: 'Data' });
      await data.click();
      console.log('TIME 11', Date.now() - T0);
      await page.keyboard.insertText(JSON.stringify(INPUT));
      console.log('TIME 12', Date.now() - T0);
      // Leaving the editor makes the form parse and re-indent the JSON; a click that blurs it is swallowed by that
      // re-render, so blur first and wait for the re-indented text (proof the form accepted the JSON).
      await data.blur();
      console.log('TIME 13', Date.now() - T0);
      await data.filter({ hasText: '"source": "chatlio"' }).waitFor();
      console.log('TIME 14', Date.now() - T0);
      await page.getByLabel('json/plain').check();
      console.log('TIME 15', Date.now() - T0);
      await page.getByTestId('start-workflow-button').click();
      console.log('TIME 16', Date.now() - T0);

      // The form stays put and a toast links to the new run.
      await page.getByRole('link', { name: 'Workflow started successfully' }).click();
      console.log('TIME 17', Date.now() - T0);
      await page.waitForURL((url) =>
        url.pathname.startsWith(`/namespaces/${namespace}/workflows/${workflowId}/`),
      );
      await waitForCompleted(page);
      console.log('TIME 18', Date.now() - T0);
      for (const summary of ACTIVITY_SUMMARIES)
        await page.getByText(summary, { exact: false }).first().waitFor();
      console.log('TIME 19', Date.now() - T0);
      await browser!.screenshot('webui-onboarding.png');
      console.log('TIME 20', Date.now() - T0);

      await page.getByTestId('history-tab').click();
      console.log('TIME 21', Date.now() - T0);
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
      console.log('TIME 22', Date.now() - T0);
      await waitInFrame(page, 'user-metadata-summary', (f) => f.getByText(SUMMARY));
      console.log('TIME 23', Date.now() - T0);
      const details = 'user-metadata-current-details';
      await waitInFrame(page, details, (f) => f.getByText(/Phase:\s*completed/));
      console.log('TIME 24', Date.now() - T0);
      await waitInFrame(page, details, (f) => f.getByText(`flow: done ${result.ids.flowId}`));
      console.log('TIME 25', Date.now() - T0);
      await waitInFrame(page, details, (f) => f.getByRole('link', { name: result.webhookUrl }));
      console.log('TIME 26', Date.now() - T0);
      await browser!.screenshot('webui-current-details.png');
      console.log('TIME 27', Date.now() - T0);
    }
  },
);
