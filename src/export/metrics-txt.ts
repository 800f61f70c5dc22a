import type { AnalysedRun } from '../analysis/analyse.ts';
import type { SummaryMetric } from '../analysis/variant-summary.ts';
import type { Exporter } from './exporter.ts';

/** Each figure as a metric: its name, what it is, and its scale from the summary's unit. */
const FIGURES: {
  metric: SummaryMetric;
  name: string;
  help: string;
  scale: number;
  digits: number;
}[] = [
  {
    metric: 'longestUserWaitMs',
    name: 'deploy_bench_longest_user_wait_seconds',
    help: 'Longest user wait (failed requests count), median over trials',
    scale: 1 / 1000,
    digits: 3,
  },
  {
    metric: 'longestTransactionMs',
    name: 'deploy_bench_longest_transaction_seconds',
    help: 'Longest transaction, failed requests included, median over trials',
    scale: 1 / 1000,
    digits: 3,
  },
  {
    metric: 'disruptionMs',
    name: 'deploy_bench_disruption_seconds',
    help: 'Time with failing or slow requests, median over trials',
    scale: 1 / 1000,
    digits: 3,
  },
  {
    metric: 'errors',
    name: 'deploy_bench_failed_requests',
    help: 'Failed requests, median over trials',
    scale: 1,
    digits: 1,
  },
  {
    metric: 'requests',
    name: 'deploy_bench_requests',
    help: 'Requests, median over trials',
    scale: 1,
    digits: 1,
  },
  {
    metric: 'availability',
    name: 'deploy_bench_availability_ratio',
    help: 'Successful requests over all, median over trials',
    scale: 1 / 100,
    digits: 5,
  },
  {
    metric: 'deployDurationMs',
    name: 'deploy_bench_deploy_seconds',
    help: 'From the trigger to the end of the deploy, median over trials',
    scale: 1 / 1000,
    digits: 3,
  },
];

/**
 * metrics.txt: each variant's headline figures in the OpenMetrics text format, written by
 * prom-client. GitLab shows a merge request's changes to them when a job names the file under
 * `artifacts:reports:metrics`; any tool that reads OpenMetrics can too.
 */
export const metricsExporter: Exporter<'metrics'> = {
  name: 'metrics',
  files: /^metrics\.txt$/,
  async render(run) {
    return [{ name: 'metrics.txt', content: await renderMetricsText(run) }];
  },
};

export async function renderMetricsText(run: AnalysedRun): Promise<string> {
  // Loaded with this format only: prom-client is not every command's start-up.
  const { Gauge, Registry } = await import('prom-client');
  const registry = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const figure of FIGURES) {
    const gauge = new Gauge({
      name: figure.name,
      help: figure.help,
      labelNames: ['variant'],
      registers: [registry],
    });
    for (const variant of run.variants) {
      const value = variant.summary.metrics[figure.metric].median;
      // A variant with no trial measured to its end has no figure: no line rather than NaN.
      // Rounded to a millisecond (or 0.001 %): GitLab compares the values as text.
      if (Number.isFinite(value))
        gauge.set({ variant: variant.name }, Number((value * figure.scale).toFixed(figure.digits)));
    }
  }
  const failed = new Gauge({
    name: 'deploy_bench_gates_failed',
    help: 'Gates that were judged and failed',
    registers: [registry],
  });
  failed.set(run.gates.filter((g) => g.evaluated && !g.passed).length);
  return registry.metrics();
}
