/** The advanced training options: empty means the server's default ("auto" for rounds and epochs). */
import type { TrainRequest } from "../api/types";
import { AUTO, parseNumberFields, parseNumberOrAuto } from "./numberFields";

export interface AdvancedValues {
  num_shards: string;
  rounds: string;
  epochs: string;
  time_budget_minutes: string;
  patience: string;
  min_delta: string;
  base_model: string;
}

export const EMPTY_ADVANCED: AdvancedValues = {
  num_shards: "",
  rounds: "",
  epochs: "",
  time_budget_minutes: "",
  patience: "",
  min_delta: "",
  base_model: "",
};

type AdvancedRequest = Pick<
  TrainRequest,
  "num_shards" | "rounds" | "epochs" | "time_budget_minutes" | "patience" | "min_delta" | "base_model"
>;

/** How much training: shards, and rounds and epochs that are "auto" unless set. */
export const ADVANCED_FIELDS = [
  {
    key: "num_shards",
    label: "Shards",
    hint: "Parts the data is split into; each trains on a worker.",
    integer: true,
    min: 1,
  },
  {
    key: "rounds",
    label: "Rounds",
    hint: "Times the shard models are averaged and evaluated. auto: stop once validation accuracy stops improving or the time budget is spent.",
    integer: true,
    min: 1,
    auto: true,
    placeholder: AUTO,
  },
  {
    key: "epochs",
    label: "Epochs per round",
    hint: "Passes over each shard in a round. auto: chosen from the data size.",
    integer: true,
    min: 1,
    auto: true,
    placeholder: AUTO,
  },
] as const;

/** When an automatic run stops. */
export const BUDGET_FIELDS = [
  {
    key: "time_budget_minutes",
    label: "Time budget (minutes)",
    hint: "Wall time an auto run may take; no round starts that would overrun it.",
    min: 0,
    minExclusive: true,
    placeholder: "10",
  },
  {
    key: "patience",
    label: "Patience (rounds)",
    hint: "Rounds without improvement before auto rounds stop.",
    integer: true,
    min: 1,
    placeholder: "2",
  },
  {
    key: "min_delta",
    label: "Minimum improvement",
    hint: "Smallest validation-accuracy gain that counts, as a fraction: 0.005 is 0.5 points.",
    min: 0,
    max: 1,
    placeholder: "0.005",
  },
] as const;

/** The request fields set by the user (empty means the server's default), or why they are invalid. */
export function parseAdvanced(values: AdvancedValues): { request: AdvancedRequest; problem: string | null } {
  const request: AdvancedRequest = {};
  for (const field of ADVANCED_FIELDS) {
    if ("auto" in field) {
      const { value, problem } = parseNumberOrAuto(field, values[field.key]);
      if (problem) return { request, problem };
      if (value !== undefined) request[field.key] = value;
    } else {
      const { values: numbers, problem } = parseNumberFields([field], values);
      if (problem) return { request, problem };
      Object.assign(request, numbers);
    }
  }
  const budget = parseNumberFields(BUDGET_FIELDS, values);
  if (budget.problem) return { request, problem: budget.problem };
  Object.assign(request, budget.values);
  if (values.base_model.trim()) request.base_model = values.base_model.trim();
  return { request, problem: null };
}

/** A note (not a blocker) when a setting will have no effect: early stopping needs rounds set to auto. */
export function advancedNote(values: AdvancedValues): string | null {
  const rounds = values.rounds.trim().toLowerCase();
  const fixed = rounds !== "" && rounds !== AUTO;
  if (fixed && (values.patience.trim() || values.min_delta.trim())) {
    return "Patience and minimum improvement only apply when rounds are auto.";
  }
  return null;
}
