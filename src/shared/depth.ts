// How deep a JSON-like value nests, measured without recursion: a check that recursed would itself overflow the
// stack on the inputs it exists to refuse. Pure and deterministic, so workflows may call it too.

/** Deeper than any real input (an onboarding input nests about 5 levels), far below what overflows a stack. */
export const MAX_INPUT_DEPTH = 64;

/** True when `raw` has a container nested more than `maxDepth` levels deep (the top-level object is level 1). */
export function inputTooDeep(raw: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[raw, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value !== 'object') continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}

export function tooDeepProblem(maxDepth: number = MAX_INPUT_DEPTH): string {
  return `input: nests deeper than ${maxDepth} levels (an onboarding input needs a handful)`;
}
