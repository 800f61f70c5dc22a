import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseScenario } from '../../src/scenario/load.ts';
import { parseShard } from '../../src/shard/plan.ts';
import { REPO } from '../helpers/scenarios.ts';

// The Kubernetes recipe cannot run here: these tests check the pieces it relies on.
const manifest = (name: string) =>
  parseAllDocuments(readFileSync(path.join(REPO, 'examples/kubernetes', name), 'utf8')).map(
    (doc) => doc.toJS() as { kind: string; metadata: { name: string }; [key: string]: unknown },
  );

interface JobSpec {
  completionMode?: string;
  completions: number;
  parallelism?: number;
  template: { spec: { containers: { args: string[] }[] } };
}

describe('the Kubernetes example (examples/kubernetes)', () => {
  const documents = manifest('sharded-job.yaml');
  const job = documents.find((d) => d.kind === 'Job')?.spec as JobSpec;
  const script = job.template.spec.containers[0]?.args[0] as string;

  it('holds a scenario that deploy-bench accepts, one variant and one trial as a shard needs', () => {
    const configMap = documents.find((d) => d.kind === 'ConfigMap') as unknown as {
      data: Record<string, string>;
    };
    const scenario = parseScenario(configMap.data['scenario.yaml'] as string, 'scenario.yaml', {});
    expect('url' in scenario.target).toBe(true);
    expect(scenario.variants).toHaveLength(1);
    expect(scenario.trials).toBe(1);
  });

  it('runs one shard per index of an Indexed Job, all at once, with the arguments bench takes', () => {
    expect(job.completionMode).toBe('Indexed');
    expect(job.parallelism).toBe(job.completions);
    // The pod's shell turns JOB_COMPLETION_INDEX into the shard's number; `npx` is replaced by echo.
    const argv = execFileSync('sh', ['-c', script.replace('exec npx', 'echo')], {
      encoding: 'utf8',
      env: { ...process.env, JOB_COMPLETION_INDEX: '2', START_AT: '2026-11-26T12:00:00Z' },
    })
      .trim()
      .split(/\s+/);
    const option = (name: string) => argv[argv.indexOf(name) + 1] as string;
    expect(argv.slice(0, 3)).toEqual(['bench', 'run', '/scenario/scenario.yaml']);
    expect(parseShard(option('--shard'))).toEqual({ index: 3, count: job.completions });
    expect(Date.parse(option('--start-at'))).not.toBeNaN();
    expect(option('--out')).toBe('/results/shard-3');
  });

  it('merges what the shards wrote into the shared volume', () => {
    const merge = manifest('merge-job.yaml').find((d) => d.kind === 'Job')?.spec as JobSpec;
    const args = merge.template.spec.containers[0]?.args[0] as string;
    expect(args).toContain('bench merge /results/shard-*/results.json');
    expect(script).toContain('--out /results/shard-');
  });
});
