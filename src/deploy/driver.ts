import type { EmitPhase } from '../results/deploy-events.ts';

/** Deploys a new release of the target while the load runs. */
export interface DeployDriver {
  /** Resolves when the deploy completed; rejects with the reason when it failed. */
  deploy(emit: EmitPhase, signal: AbortSignal): Promise<void>;
}
