import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.ts';
import { renderTerminal } from '../../src/export/terminal.ts';
import { syntheticReport } from '../helpers/synthetic-report.ts';

describe('a saturated generator', () => {
  it('is reported with a warning, since its own delays are in the figures', () => {
    const report = syntheticReport();
    const trial = report.variants[0]?.trials[0];
    if (!trial) throw new Error('no trial');
    trial.generator = { cpuPercent: 99, eventLoopUtilization: 0.97 };
    expect(renderTerminal(analyse(report))).toContain(
      'Warning: stop-start, trial 1: deploy-bench itself was saturated (its event loop was busy 97 % of the time), so its own delays are in these figures; use fewer users, a lower rate, or more load.workers.',
    );
    trial.generator = { cpuPercent: 30, eventLoopUtilization: 0.3 };
    expect(renderTerminal(analyse(report))).not.toContain('saturated');
  });
});
