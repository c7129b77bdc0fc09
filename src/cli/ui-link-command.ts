// `aep-onboard ui-link <source>`: a Temporal Web UI link that opens the Start Workflow form prefilled with a valid
// onboarding input for that source (src/client/ui-templates.ts says how, and why a template run never runs).
import {
  ensureTemplateRun,
  startWorkflowLink,
  TemplateUnavailableError,
  type TemplateRun,
} from '../client/ui-templates';
import { PresetRegistry } from '../presets/registry';
import { loadTemporalConnectConfig } from '../temporal/connect-config';
import { CliError, EXIT, type Command } from './context';

/** The dev server's UI (`temporal server start-dev`, `npm start`). */
export const DEFAULT_UI_URL = 'http://127.0.0.1:8233';

/** `ui-link --json`. */
export interface UiLinkDoc {
  url: string;
  source: string;
  taskQueue: string;
  template: TemplateRun;
}

export const uiLinkCommands: Record<string, Command> = {
  'ui-link': {
    summary: 'Print a Web UI link: the Start Workflow form prefilled for a source',
    usage:
      'aep-onboard ui-link <source> [--ui-url http://127.0.0.1:8233] [--task-queue aep-onboarding] [--json]',
    details: [
      'The form copies the input of a template run, aep-template-<source>, kept open on a task queue no worker',
      'polls (it never runs, never touches AEP); made on first use, reused after. In the form, give a new Workflow',
      'ID (or Random UUID) and your own name. --ui-url: else TEMPORAL_UI_URL, else the dev server UI.',
    ],
    options: { 'ui-url': { type: 'string' } },
    async run(ctx, positionals, values) {
      const source = positionals[0];
      const presets = PresetRegistry.fromEnv();
      if (!source) throw new CliError(`Name the source: one of ${presets.ids().join(', ')}.`, EXIT.usage);
      const preset = presets.get(source);
      if (!preset)
        throw new CliError(
          `Unknown source "${source}": one of ${presets.ids().join(', ')} ('aep-onboard sources').`,
          EXIT.usage,
        );
      const client = await ctx.client();
      let template: TemplateRun;
      try {
        template = await ensureTemplateRun(client, source, preset.displayName);
      } catch (e) {
        if (e instanceof TemplateUnavailableError) throw new CliError(e.message, EXIT.conflict);
        throw e;
      }
      const uiUrl =
        (values['ui-url'] as string | undefined) ?? (process.env.TEMPORAL_UI_URL || DEFAULT_UI_URL);
      const namespace = loadTemporalConnectConfig().namespace ?? 'default';
      const url = startWorkflowLink({ uiUrl, namespace, template, taskQueue: ctx.taskQueue });
      const doc: UiLinkDoc = { url, source, taskQueue: ctx.taskQueue, template };
      ctx.print(doc, () =>
        [
          url,
          '',
          `Opens the Start Workflow form for ${preset.displayName} on task queue ${ctx.taskQueue}, input`,
          `${JSON.stringify(template.input)} (from template run ${template.workflowId}, ` +
            `${template.reused ? 'reused' : 'created'}; it never runs).`,
          'Give a new Workflow ID (or click Random UUID) and your own name, then Start Workflow.',
        ].join('\n'),
      );
      return EXIT.ok;
    },
  },
};
