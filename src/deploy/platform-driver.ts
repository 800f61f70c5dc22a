import type { EmbeddedPlatform } from '../platform/platform.ts';
import type { Strategy } from '../scenario/schema.ts';
import type { DeployDriver } from './driver.ts';

/** Deploys a new release on the embedded platform with one of its strategies. */
export function platformDriver(platform: EmbeddedPlatform, strategy: Strategy): DeployDriver {
  return { deploy: (emit, signal) => platform.deploy(strategy, emit, signal) };
}
