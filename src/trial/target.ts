import type { OutputLog } from '../deploy/bounded-log.ts';
import { commandDriver } from '../deploy/command-driver.ts';
import type { DeployDriver } from '../deploy/driver.ts';
import { platformDriver } from '../deploy/platform-driver.ts';
import { plainConnection, type TargetConnection, urlConnection } from '../load/connection.ts';
import type { LiveInstance } from '../platform/instance-log.ts';
import { EmbeddedPlatform } from '../platform/platform.ts';
import { INSTANCE_HEADER } from '../platform/router.ts';
import type { InstanceLifecycle } from '../results/recording.ts';
import type { ScenarioFiles } from '../scenario/files.ts';
import type { DeployConfig, Scenario, UrlTargetConfig, Variant } from '../scenario/schema.ts';
import { ConnectionRefusal, checkCertificate, waitUntilReady } from './wait-ready.ts';

/** The target could not be brought up: nothing was measured, the run cannot go on. */
export class TargetError extends Error {
  override name = 'TargetError';
}

/** What a deploy command runs with: its folder, environment, clock and log. */
export interface DeployContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The trial's clock: the command's output lines are stamped on it. */
  now: () => number;
  log: OutputLog;
  markers: DeployConfig['markers'];
}

/**
 * What a trial sends its load to and deploys: the embedded platform, or a service at a URL that a
 * shell command deploys. The trial's timeline does not depend on which, and a test hands it a fake.
 */
export interface Target {
  /** Where the load goes. */
  readonly connection: TargetConnection;
  /**
   * The header that names the instance behind each answer, when the target sets one itself (the
   * embedded router names its processes); otherwise the scenario's `load.instanceHeader`, if any.
   */
  readonly instanceHeader?: string;
  /** The deploy of `variant` on this target. */
  driver(variant: Variant, context: DeployContext): DeployDriver;
  /** Its instances now, for a live view: only a target that runs them knows. */
  liveInstances?(): LiveInstance[];
  /** Every instance's life on the trial's clock, taken before `stop()`: a lane still up stays open. */
  lifecycle?(origin: bigint): InstanceLifecycle[];
  /** Stops whatever it started; safe to call more than once. */
  stop(): Promise<void>;
}

export interface TargetRequest {
  scenario: Scenario;
  /** The scenario's folder: the app's command and relative paths resolve from it. */
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The variant's `env`: the embedded platform's app gets it over its own `app.env`. */
  variantEnv?: Record<string, string>;
  files: ScenarioFiles;
  signal: AbortSignal;
}

/** What a variant's commands, hooks and app run with: the scenario's environment and its `env`. */
export function variantEnvironment(
  env: NodeJS.ProcessEnv,
  variant: Pick<Variant, 'env'>,
): NodeJS.ProcessEnv {
  return variant.env ? { ...env, ...variant.env } : env;
}

/** Brings the scenario's target up: the embedded platform's first release, or a URL once ready. */
export function openTarget(request: TargetRequest): Promise<Target> {
  const { target } = request.scenario;
  return 'platform' in target ? startPlatformTarget(request) : openUrlTarget(target, request);
}

async function startPlatformTarget(request: TargetRequest): Promise<Target> {
  const { scenario, dir, env, signal } = request;
  if (!('platform' in scenario.target)) throw new TargetError('expected the embedded platform');
  let platform: EmbeddedPlatform;
  try {
    const config = scenario.target.platform;
    const { variantEnv } = request;
    const app = variantEnv
      ? { ...config.app, env: { ...config.app.env, ...variantEnv } }
      : config.app;
    platform = await EmbeddedPlatform.start({ ...config, app }, dir, signal, env);
  } catch (error) {
    throw new TargetError(`the target did not come up: ${(error as Error).message}`);
  }
  return {
    connection: { ...plainConnection(platform.url), keepAlive: scenario.load.keepAlive },
    // Every process is a lane, named as its supervisor names it (a header of the app's own would
    // name the same process otherwise).
    instanceHeader: INSTANCE_HEADER,
    driver(variant) {
      // The scenario's schema already refused such a variant: a failed deploy, should it come.
      if (variant.strategy === undefined)
        throw new Error(`${variant.name}: the embedded platform deploys with a strategy`);
      return platformDriver(platform, variant.strategy);
    },
    liveInstances: () => platform.instances.live(),
    lifecycle: (origin) => platform.instances.snapshot(origin),
    stop: () => platform.stop(),
  };
}

/**
 * An external target, once its readiness path answers (when the scenario gives one) and its
 * certificate is accepted. A shell command deploys it.
 */
async function openUrlTarget(config: UrlTargetConfig, request: TargetRequest): Promise<Target> {
  const { scenario, files, signal } = request;
  const connection = urlConnection(config, scenario.load, files.ca);
  const { url, ready } = config;
  // Readiness first: a target that comes up late would refuse the certificate check's connection.
  if (ready) {
    try {
      await waitUntilReady(
        new URL(ready.path ?? new URL(url).pathname, connection.origin).toString(),
        ready.timeout,
        signal,
        connection,
      );
    } catch (error) {
      const { message } = error as Error;
      throw new TargetError(
        error instanceof ConnectionRefusal ? message : `the target is not ready: ${message}`,
      );
    }
  }
  try {
    await checkCertificate(connection, signal);
  } catch (error) {
    throw new TargetError((error as Error).message);
  }
  return {
    connection,
    driver(variant, context) {
      if (variant.command === undefined)
        throw new Error(`${variant.name}: a URL target is deployed by a shell command`);
      return commandDriver({ command: variant.command, ...context });
    },
    stop: async () => {},
  };
}
