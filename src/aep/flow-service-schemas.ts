// What Flow Service answers, read tolerantly (loose objects: unknown fields kept), one schema per entity kind.
import { z } from 'zod';

const specRef = z.looseObject({ id: z.string(), version: z.string().nullish() });

const entityBase = {
  id: z.string(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  state: z.string().nullish(),
  etag: z.string(),
  version: z.string().nullish(),
  createdAt: z.number().nullish(),
  updatedAt: z.number().nullish(),
  sandboxName: z.string().nullish(),
  imsOrgId: z.string().nullish(),
};

export const baseConnectionSchema = z.looseObject({
  ...entityBase,
  connectionSpec: specRef.optional(),
  auth: z.unknown().optional(),
});

export const sourceConnectionSchema = z.looseObject({
  ...entityBase,
  connectionSpec: specRef.optional(),
  baseConnectionId: z.string().nullish(),
  providerId: z.string().nullish(),
  data: z.looseObject({ format: z.string().nullish() }).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});

export const targetConnectionSchema = z.looseObject({
  ...entityBase,
  connectionSpec: specRef.optional(),
  data: z
    .looseObject({
      format: z.string().nullish(),
      schema: z.looseObject({ id: z.string(), version: z.string().nullish() }).optional(),
    })
    .optional(),
  params: z.looseObject({ dataSetId: z.string().nullish() }).optional(),
});

export const transformationSchema = z.looseObject({
  name: z.string(),
  params: z
    .looseObject({
      mappingId: z.string().nullish(),
      // `null` when the flow names no version (read as absent by callers).
      mappingVersion: z.union([z.number(), z.string()]).nullish(),
    })
    .optional(),
});

export const flowSchema = z.looseObject({
  ...entityBase,
  flowSpec: specRef,
  sourceConnectionIds: z.array(z.string()).default([]),
  targetConnectionIds: z.array(z.string()).default([]),
  transformations: z.array(transformationSchema).default([]),
  options: z.looseObject({ inletUrl: z.string().nullish() }).optional(),
  inheritedAttributes: z.record(z.string(), z.unknown()).optional(),
  runs: z.string().nullish(),
  lastOperation: z
    .looseObject({
      operation: z.string().nullish(),
      started: z.number().nullish(),
      updated: z.number().nullish(),
    })
    .optional(),
});

export const runSchema = z.looseObject({
  id: z.string(),
  flowId: z.string().nullish(),
  etag: z.string().nullish(),
  createdAt: z.number().nullish(),
  updatedAt: z.number().nullish(),
  metrics: z
    .looseObject({
      durationSummary: z
        .looseObject({ startedAtUTC: z.number().nullish(), completedAtUTC: z.number().nullish() })
        .optional(),
      sizeSummary: z
        .looseObject({ inputBytes: z.number().nullish(), outputBytes: z.number().nullish() })
        .optional(),
      recordSummary: z
        .looseObject({
          inputRecordCount: z.number().nullish(),
          outputRecordCount: z.number().nullish(),
          failedRecordCount: z.number().nullish(),
        })
        .optional(),
      fileSummary: z
        .looseObject({ inputFileCount: z.number().nullish(), outputFileCount: z.number().nullish() })
        .optional(),
      statusSummary: z
        .looseObject({
          status: z.string().nullish(),
          errors: z
            .array(z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }))
            .optional(),
        })
        .optional(),
    })
    .optional(),
  activities: z.array(z.record(z.string(), z.unknown())).optional(),
});

export const specSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  providerId: z.string().nullish(),
});

/** A flow spec names the connection specs its flows may join (flow-service.yaml `FlowSpec`). */
export const flowSpecSchema = specSchema.extend({
  sourceConnectionSpecIds: z.array(z.string()).nullish(),
  targetConnectionSpecIds: z.array(z.string()).nullish(),
});

export const idEtagSchema = z.looseObject({ id: z.string(), etag: z.string() });

export type BaseConnection = z.infer<typeof baseConnectionSchema>;
export type SourceConnection = z.infer<typeof sourceConnectionSchema>;
export type TargetConnection = z.infer<typeof targetConnectionSchema>;
export type Flow = z.infer<typeof flowSchema>;
export type Transformation = z.infer<typeof transformationSchema>;
export type Run = z.infer<typeof runSchema>;
export type ConnectionSpec = z.infer<typeof specSchema>;
export type FlowSpec = z.infer<typeof flowSpecSchema>;
export interface IdEtag {
  id: string;
  etag: string;
}

export type FlowKind = 'connections' | 'sourceConnections' | 'targetConnections' | 'flows';

export interface EntityByKind {
  connections: BaseConnection;
  sourceConnections: SourceConnection;
  targetConnections: TargetConnection;
  flows: Flow;
}

export const schemaByKind: { [K in FlowKind]: z.ZodType<EntityByKind[K]> } = {
  connections: baseConnectionSchema,
  sourceConnections: sourceConnectionSchema,
  targetConnections: targetConnectionSchema,
  flows: flowSchema,
};
