// swagger2openapi ships no types; the one call scripts/derive-openapi.ts makes.
declare module 'swagger2openapi' {
  export function convertObj(
    swagger: object,
    options: { patch?: boolean; warnOnly?: boolean; resolveInternal?: boolean },
  ): Promise<{ openapi: object }>;
}
