import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'vitest';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// PROMTOOL=/path/to/promtool overrides the PATH search (and PROMTOOL=/nonexistent simulates its absence).
function findPromtool(): string | undefined {
  const override = process.env.PROMTOOL;
  if (override !== undefined && override !== '') return executable(override) ? override : undefined;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean).concat('/usr/bin');
  return dirs.map((dir) => join(dir, 'promtool')).find(executable);
}

const PROMTOOL = findPromtool();
const IN_CI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

/**
 * Runs `promtool check metrics` on an exposition. Without promtool the test is skipped
 * with a visible reason, except in CI, which installs promtool and must not skip.
 */
export function promtoolCheck(ctx: TestContext, body: string): { status: number; output: string } {
  if (!PROMTOOL) {
    if (IN_CI) throw new Error('promtool is required in CI (apt-get install -y prometheus) but was not found on PATH');
    const reason = 'promtool not installed (apt-get install -y prometheus); exposition not checked by promtool';
    console.warn(`skipped "${ctx.task.name}": ${reason}`);
    ctx.skip(reason);
  }
  const result = spawnSync(PROMTOOL as string, ['check', 'metrics'], { input: body, encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}
