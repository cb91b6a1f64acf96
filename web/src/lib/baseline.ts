/** The trained model against simple baselines scored on the same held-out split. */
import type { Baseline, ModelKind, RoundMetrics, TaskDetail } from "../api/types";

export interface ModelScores {
  /** The round (as in `rounds[i].round`) the scores are from. */
  round: number;
  metrics: RoundMetrics;
  /** The stored model's round (`kept_round`), not just the latest evaluated one. */
  kept: boolean;
  /** The rounds the stored model averages, when it averages more than one. */
  averaged?: number[];
}

/**
 * The held-out scores of the stored model (a soup of the best rounds, or the kept round), else of the latest
 * evaluated round; null before any evaluation.
 */
export function modelScores(task: TaskDetail): ModelScores | null {
  const evaluated = task.rounds.filter((round) => round.metrics).sort((a, b) => a.round - b.round);
  const soup = evaluated.at(-1)?.metrics?.model;
  if (soup && soup.rounds.length > 1) {
    return { round: soup.rounds[0], metrics: soup, kept: true, averaged: soup.rounds };
  }
  const kept = evaluated.find((round) => round.round === task.kept_round);
  const chosen = kept ?? evaluated.at(-1);
  return chosen?.metrics ? { round: chosen.round, metrics: chosen.metrics, kept: Boolean(kept) } : null;
}

/** "rounds 5, 6 and 7" (1-based) of 0-based round numbers, in round order. */
export function roundList(rounds: readonly number[]): string {
  const names = [...rounds].sort((a, b) => a - b).map((round) => String(round + 1));
  return names.length === 1 ? `round ${names[0]}` : `rounds ${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** The baseline to beat: the most accurate one (a classical model, unless the majority class does better). */
export function strongestBaseline(baselines: readonly Baseline[] | null | undefined): Baseline | null {
  if (!baselines?.length) return null;
  return baselines.reduce((best, baseline) => (baseline.accuracy > best.accuracy ? baseline : best));
}

/** Whether the model's held-out accuracy is strictly above the baseline's; null when either is unknown. */
export function beatsBaseline(accuracy: number | undefined, baseline: Baseline | null): boolean | null {
  if (typeof accuracy !== "number" || !baseline) return null;
  return accuracy > baseline.accuracy;
}

/** What to try when the model does not beat the baseline. */
export function baselineSuggestions(kind: ModelKind, pretrained: boolean | undefined): string[] {
  const longer = "Train longer: more rounds, or a bigger time budget (Advanced options on the Train page).";
  if (kind === "image") {
    return [
      "Add more images: a few hundred per class help most.",
      longer,
      "Use a larger image size: small images lose the details that tell classes apart.",
    ];
  }
  return [
    "Add more labelled examples: a few hundred per class help most.",
    longer,
    pretrained
      ? "Try another pretrained model or more epochs per round."
      : "Start from a pretrained model such as MiniLM (minilm), which already understands language.",
  ];
}
