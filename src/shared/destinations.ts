// Where a mapping may write when the onboarding creates its own schema: the source's field group, under the
// tenant namespace, or a field of the XDM class itself. Checked before the first AEP call, since Data Prep would
// refuse any other destination only once four resources exist.
import type { PresetField, SourcePreset } from './preset-schema';
import { TENANT_PLACEHOLDER } from './tenant';

/** Top-level fields of XDM ExperienceEvent that a streaming mapping may fill (identityMap takes any namespace). */
const CLASS_FIELDS = new Set(['_id', 'timestamp', 'eventType', 'producedBy']);

function resolves(fields: Record<string, PresetField>, path: string[]): boolean {
  let node: PresetField | undefined = { type: 'object', properties: fields };
  for (const part of path) {
    if (node.type === 'array') node = node.items;
    if (!node || node.type !== 'object') return false;
    // An object field without declared properties is free-form: anything below it is a valid path.
    if (!node.properties) return true;
    node = node.properties[part];
    if (!node) return false;
  }
  return true;
}

/** Why `destination` (before tenant substitution) is not a field of the schema this preset creates, if it is not. */
export function destinationProblem(destination: string, preset: SourcePreset): string | undefined {
  const [head, ...rest] = destination.split('.');
  if (head === undefined) return 'must be an XDM path';
  if (rest.length === 0 && CLASS_FIELDS.has(head)) return undefined;
  if (head === 'identityMap' && rest.length >= 1) return undefined;
  const ns = `${TENANT_PLACEHOLDER}`;
  const key = preset.fieldGroup.key;
  if (head !== ns) {
    return (
      `"${destination}" is outside the tenant namespace: write to ${ns}.${key}.<field> ` +
      `(the ${preset.displayName} field group) or to ${[...CLASS_FIELDS].join(', ')}`
    );
  }
  if (rest[0] !== key || !resolves(preset.fieldGroup.fields, rest.slice(1)) || rest.length < 2) {
    return `"${destination}" is not a field of the ${preset.displayName} field group (${ns}.${key}.…)`;
  }
  return undefined;
}
