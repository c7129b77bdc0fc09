// Inputs of the day-two workflows that carry user-written values (update, adopt), checked with zod by the CLI before
// it starts a run and by the workflow's first (local) activity (src/activities/validation.ts).
import { z } from 'zod';
import { FlowOptionsSchema, OnboardingInputSchema } from './input';
import { MappingSchema } from './preset-schema';

export const UpdateInputSchema = z
  .object({
    workflowId: z.string().min(1),
    /** The dataflow's display name in AEP (the onboarding's own name, its key, does not change). */
    flowName: z.string().trim().min(1).max(256).optional(),
    description: z.string().max(500).optional(),
    flowOptions: FlowOptionsSchema.optional(),
    /** Added to the current mappings, replacing any with the same destination (`_{TENANT}` allowed). */
    mappingOverrides: z.array(MappingSchema).max(500).optional(),
    /** Destinations whose current mappings are removed. */
    dropMappings: z.array(z.string().min(1)).max(500).optional(),
    state: z.enum(['enabled', 'disabled']).optional(),
  })
  .strict()
  .refine(({ workflowId: _id, ...changes }) => Object.values(changes).some((v) => v !== undefined), {
    message: 'nothing to update: give a flow name, description, flow options, mapping changes or a state',
  });
export type UpdateInput = z.input<typeof UpdateInputSchema>;
export type ValidUpdateInput = z.output<typeof UpdateInputSchema>;

export const AdoptInputSchema = z
  .object({
    /** The onboarding id the adopt run runs under (derived by the client from org, sandbox, source and name). */
    workflowId: z.string().min(1),
    name: OnboardingInputSchema.shape.name,
    source: OnboardingInputSchema.shape.source,
    sandbox: z.string().min(1),
    flowId: z.string().min(1),
    /** Delete the flow's dataset at teardown too (default: kept, it was not made by us). */
    manageDataset: z.boolean().optional(),
    /** Delete its schema at teardown too; needs manageDataset (a schema in use by a dataset cannot go). */
    manageSchema: z.boolean().optional(),
  })
  .strict()
  .refine((a) => !a.manageSchema || a.manageDataset, {
    message: 'manageSchema needs manageDataset: the schema cannot be deleted while its dataset stays',
  });
export type AdoptInput = z.input<typeof AdoptInputSchema>;
export type ValidAdoptInput = z.output<typeof AdoptInputSchema>;
