// The contract every layer may import: the inputs and outputs of every workflow and activity. Types and plain
// constants only, so workflow code can import it without pulling zod or I/O into the bundle.
export type * from './activities';
export * from './lifecycle';
export type * from './name-lock';
export * from './resources';
export type * from './workflows';
