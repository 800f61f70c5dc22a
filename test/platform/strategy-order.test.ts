import { describe, expect, it } from 'vitest';
import {
  deployWithStrategy,
  type SupervisedProcess,
  type Supervisor,
} from '../../src/platform/strategies.ts';
import type { DeployPhase } from '../../src/results/deploy-events.ts';

/**
 * A deterministic supervisor: no processes, no clock. It logs what a strategy asked of it, and how
 * many processes were routed after each step, so that the order a strategy promises can be read.
 */
class FakeSupervisor implements Supervisor {
  readonly steps: string[] = [];
  readonly phases: DeployPhase[] = [];
  /** Routed processes after each step that changed the routing. */
  readonly routedCounts: number[] = [];
  private releases = 1;
  private live: SupervisedProcess[];
  private routed: SupervisedProcess[];

  constructor(
    private readonly count: number,
    /** Releases whose processes never come up. */
    private readonly broken: readonly string[] = [],
  ) {
    this.live = Array.from({ length: count }, (_, i) => ({
      name: `web.${i + 1}@v1`,
      release: 'v1',
    }));
    this.routed = [...this.live];
  }

  readonly emit = (phase: DeployPhase) => {
    this.phases.push(phase);
  };

  processCount(): number {
    return this.count;
  }

  running(): readonly SupervisedProcess[] {
    return this.live;
  }

  nextRelease(): string {
    return `v${++this.releases}`;
  }

  async startProcess(release: string, index: number): Promise<SupervisedProcess> {
    const process = { name: `web.${index}@${release}`, release };
    this.live.push(process);
    this.steps.push(`start ${process.name}`);
    return process;
  }

  async waitUp(process: SupervisedProcess): Promise<void> {
    if (this.broken.includes(process.release)) throw new Error(`${process.name} did not come up`);
    this.steps.push(`up ${process.name}`);
  }

  route(process: SupervisedProcess): void {
    this.routed.push(process);
    this.steps.push(`route ${process.name}`);
    this.routedCounts.push(this.routed.length);
  }

  async stopProcesses(processes: readonly SupervisedProcess[]): Promise<void> {
    for (const process of processes) {
      this.routed = this.routed.filter((p) => p !== process);
      this.routedCounts.push(this.routed.length);
      this.live = this.live.filter((p) => p !== process);
      this.steps.push(`stop ${process.name}`);
    }
  }

  routedNames(): string[] {
    return this.routed.map((p) => p.name);
  }
}

const deploy = (strategy: 'stop-start' | 'preboot' | 'rolling', supervisor: FakeSupervisor) =>
  deployWithStrategy(strategy, supervisor, supervisor.emit, new AbortController().signal);

describe('deploy strategies against a deterministic supervisor', () => {
  it('preboot: the new release is up and routed before any old process is stopped', async () => {
    const supervisor = new FakeSupervisor(2);
    await deploy('preboot', supervisor);
    expect(supervisor.steps).toEqual([
      'start web.1@v2',
      'start web.2@v2',
      'up web.1@v2',
      'up web.2@v2',
      'route web.1@v2',
      'route web.2@v2',
      'stop web.1@v1',
      'stop web.2@v1',
    ]);
    // Something answers at every moment.
    expect(Math.min(...supervisor.routedCounts)).toBeGreaterThan(0);
    expect(supervisor.phases).toEqual(['switched']);
    expect(supervisor.routedNames()).toEqual(['web.1@v2', 'web.2@v2']);
  });

  it('stop-start: every old process is stopped before the first new one starts', async () => {
    const supervisor = new FakeSupervisor(2);
    await deploy('stop-start', supervisor);
    expect(supervisor.steps).toEqual([
      'stop web.1@v1',
      'stop web.2@v1',
      'start web.1@v2',
      'start web.2@v2',
      'up web.1@v2',
      'up web.2@v2',
      'route web.1@v2',
      'route web.2@v2',
    ]);
    // The gap the router holds requests through.
    expect(supervisor.routedCounts).toContain(0);
  });

  it('rolling: one process at a time, so capacity dips by one and never to zero', async () => {
    const supervisor = new FakeSupervisor(3);
    await deploy('rolling', supervisor);
    expect(supervisor.steps).toEqual([
      'stop web.1@v1',
      'start web.1@v2',
      'up web.1@v2',
      'route web.1@v2',
      'stop web.2@v1',
      'start web.2@v2',
      'up web.2@v2',
      'route web.2@v2',
      'stop web.3@v1',
      'start web.3@v2',
      'up web.3@v2',
      'route web.3@v2',
    ]);
    expect(Math.min(...supervisor.routedCounts)).toBe(2);
    expect(supervisor.phases).toEqual(['switched', 'switched', 'switched']);
  });

  it('preboot whose new release never comes up leaves the old one serving', async () => {
    const supervisor = new FakeSupervisor(2, ['v2']);
    await expect(deploy('preboot', supervisor)).rejects.toThrow('web.1@v2 did not come up');
    expect(supervisor.steps.filter((s) => s.startsWith('stop'))).toEqual([]);
    expect(supervisor.routedNames()).toEqual(['web.1@v1', 'web.2@v1']);
  });

  it('stop-start whose new release never comes up leaves nothing serving', async () => {
    const supervisor = new FakeSupervisor(2, ['v2']);
    await expect(deploy('stop-start', supervisor)).rejects.toThrow('did not come up');
    expect(supervisor.routedNames()).toEqual([]);
  });
});
