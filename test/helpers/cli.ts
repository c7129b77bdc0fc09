// `aep-onboard` called in-process through runCli with captured output, as the CLI tests drive it.
import { runCli } from '../../src/cli/main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
  json: () => any;
}

export async function cli(...args: string[]): Promise<CliRun> {
  return cliAnswering(undefined, ...args);
}

/** As from a terminal whose user answers each question with `answer` (undefined: no terminal). */
export async function cliAnswering(
  answer: { yes: boolean; asked: string[] } | undefined,
  ...args: string[]
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const confirm = answer
    ? async (q: string) => {
        answer.asked.push(q);
        return answer.yes;
      }
    : undefined;
  const code = await runCli(args, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    ...(confirm ? { confirm } : {}),
  });
  return {
    code,
    out: out.join('\n'),
    err: err.join('\n'),
    json: () => JSON.parse(out.join('\n')),
  };
}
