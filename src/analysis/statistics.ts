/**
 * Statistics for a handful of trials, chosen to need no assumption about the distribution of a
 * deploy's figures (one slow boot makes them anything but normal) and no randomness:
 * - the median's confidence interval from order statistics (binomial), with its exact coverage;
 * - the Mann–Whitney rank test with its exact permutation p-value.
 */

export interface ConfidenceInterval {
  low: number;
  high: number;
  /** The interval's actual coverage, e.g. 0.96875 for [min, max] of 6 trials. */
  confidence: number;
}

function binomialCoefficient(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

/**
 * The narrowest interval [x(k), x(n+1-k)] of the sorted values whose coverage of the true median
 * is at least `level`; with too few values to reach it, [min, max] with the coverage it has.
 * Undefined for fewer than 2 values: one trial says nothing about the spread.
 */
export function medianConfidenceInterval(
  values: readonly number[],
  level = 0.95,
): ConfidenceInterval | undefined {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n < 2) return undefined;
  // Coverage of [x(k), x(n+1-k)] is 1 - 2·P(Binomial(n, ½) < k).
  const coverage = (k: number) => {
    let tail = 0;
    for (let i = 0; i < k; i++) tail += binomialCoefficient(n, i) / 2 ** n;
    return 1 - 2 * tail;
  };
  let k = 1;
  while (k + 1 <= n / 2 && coverage(k + 1) >= level) k++;
  return { low: sorted[k - 1] as number, high: sorted[n - k] as number, confidence: coverage(k) };
}

export interface RankTest {
  /** Two-sided p-value: how likely a split of the ranks at least this uneven is by chance alone. */
  p: number;
  /** The smallest p-value these sample sizes can reach at all. */
  minimumP: number;
}

/**
 * Exact two-sided Mann–Whitney test (ties get mid-ranks): counts, over every way to split the pooled
 * ranks into groups of these sizes, how many give a rank sum at least as far from its mean.
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): RankTest | undefined {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return undefined;
  const pooled = [...a.map((v) => ({ v, inA: true })), ...b.map((v) => ({ v, inA: false }))].sort(
    (x, y) => x.v - y.v,
  );
  // Doubled mid-ranks keep every rank an integer.
  const doubledRanks: number[] = new Array(pooled.length);
  for (let i = 0; i < pooled.length; ) {
    let j = i;
    while (
      j + 1 < pooled.length &&
      (pooled[j + 1] as { v: number }).v === (pooled[i] as { v: number }).v
    )
      j++;
    for (let r = i; r <= j; r++) doubledRanks[r] = i + j + 2;
    i = j + 1;
  }
  const observed = pooled.reduce(
    (sum, item, i) => sum + (item.inA ? (doubledRanks[i] as number) : 0),
    0,
  );
  // ways[c][s]: number of ways to pick c of the ranks seen so far with doubled sum s.
  const maxSum = doubledRanks.reduce((x, y) => x + y, 0);
  let ways: number[][] = Array.from({ length: n + 1 }, () => new Array(maxSum + 1).fill(0));
  (ways[0] as number[])[0] = 1;
  for (const rank of doubledRanks) {
    const next = ways.map((row) => [...row]);
    for (let c = 0; c < n; c++) {
      const row = ways[c] as number[];
      const target = next[c + 1] as number[];
      for (let s = 0; s + rank <= maxSum; s++) {
        const count = row[s] as number;
        if (count) target[s + rank] = (target[s + rank] as number) + count;
      }
    }
    ways = next;
  }
  const distribution = ways[n] as number[];
  const total = distribution.reduce((x, y) => x + y, 0);
  const mean = (n * (n + m + 1)) as number; // doubled: n(N+1)/2 × 2
  const distance = Math.abs(observed - mean);
  let extreme = 0;
  let mostExtreme = 0;
  let largestDistance = 0;
  distribution.forEach((count, s) => {
    if (!count) return;
    const d = Math.abs(s - mean);
    if (d >= distance - 1e-9) extreme += count;
    if (d > largestDistance + 1e-9) {
      largestDistance = d;
      mostExtreme = count;
    } else if (Math.abs(d - largestDistance) <= 1e-9) mostExtreme += count;
  });
  return { p: Math.min(1, extreme / total), minimumP: mostExtreme / total };
}

/** What trials say about a difference between two sets of figures, and on what evidence. */
export interface Evidence {
  /** The difference is there in the trials: the rank test says so, or every pair of trials does. */
  told: boolean;
  /** Told by the rank test at 5 %: beyond the noise of the trials. */
  beyondNoise: boolean;
  /** In words, for the reports: the test and its p-value, or why there could be none. */
  evidence: string;
}

/** Below this p-value, the rank test tells a difference from noise. */
export const SIGNIFICANCE = 0.05;

/**
 * Whether the trials tell `a` from `b` — the one rule of the run's verdict and of `bench compare`.
 * With trials enough for the rank test to reach 5 % (4 on each side), the test decides. With fewer,
 * no difference can be told from noise; one is named only when every trial of `a` differs from
 * every trial of `b` as `differs` says, and the evidence says it may be noise.
 */
export function tellApart(
  a: readonly number[],
  b: readonly number[],
  differs: (x: number, y: number) => boolean,
): Evidence {
  const trials =
    a.length === b.length
      ? `${a.length} trial${a.length === 1 ? '' : 's'} each`
      : `${a.length} and ${b.length} trials`;
  const test = mannWhitney(a, b);
  if (!test) return { told: false, beyondNoise: false, evidence: 'not measured on both sides' };
  if (test.minimumP < SIGNIFICANCE) {
    // Two-sided: the caller reads the direction from the medians.
    const told = test.p < SIGNIFICANCE;
    return {
      told,
      beyondNoise: told,
      evidence: `rank test p = ${test.p.toPrecision(2)}, ${trials}`,
    };
  }
  const everyPair = a.every((x) => b.every((y) => differs(x, y)));
  return {
    told: everyPair,
    beyondNoise: false,
    evidence: `${trials}: ${everyPair ? '' : 'the trials overlap, and are '}too few to tell a difference from noise; 4 trials each can`,
  };
}
