/** The trained model against simple baselines scored on the same held-out split. */
import type { Baseline, ModelKind, RoundMetrics, TaskDetail } from "../api/types";

export interface ModelScores {
  /** The round (as in `rounds[i].round`) the scores are from. */
  round: number;
  metrics: RoundMetrics;
  /** The stored model's round (`kept_round`), not just the latest evaluated one. */
  kept: boolean;
}

/** The held-out scores of the kept round, else of the latest evaluated round; null before any evaluation. */
export function modelScores(task: TaskDetail): ModelScores | null {
  const evaluated = task.rounds.filter((round) => round.metrics).sort((a, b) => a.round - b.round);
  const kept = evaluated.find((round) => round.round === task.kept_round);
  const chosen = kept ?? evaluated.at(-1);
  return chosen?.metrics ? { round: chosen.round, metrics: chosen.metrics, kept: Boolean(kept) } : null;
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
