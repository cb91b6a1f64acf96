/** The advanced training options: empty means the server's default. */
import type { TrainRequest } from "../api/types";

export interface AdvancedValues {
  num_shards: string;
  rounds: string;
  epochs: string;
  base_model: string;
}

export const EMPTY_ADVANCED: AdvancedValues = { num_shards: "", rounds: "", epochs: "", base_model: "" };

type AdvancedRequest = Pick<TrainRequest, "num_shards" | "rounds" | "epochs" | "base_model">;

export const ADVANCED_FIELDS = [
  {
    key: "num_shards",
    label: "Shards",
    hint: "Parts the data is split into; each trains on a worker.",
    integer: true,
    min: 1,
  },
  { key: "rounds", label: "Rounds", hint: "Times the shard models are averaged and evaluated.", integer: true, min: 1 },
  { key: "epochs", label: "Epochs per round", hint: "Passes over each shard in a round.", integer: true, min: 1 },
] as const;

/** The request fields set by the user (empty means the server's default), or why they are invalid. */
export function parseAdvanced(values: AdvancedValues): { request: AdvancedRequest; problem: string | null } {
  const request: AdvancedRequest = {};
  for (const { key, label } of ADVANCED_FIELDS) {
    const raw = values[key].trim();
    if (!raw) continue;
    const number = Number(raw);
    if (!Number.isInteger(number) || number < 1) {
      return { request, problem: `${label} must be a whole number of at least 1.` };
    }
    request[key] = number;
  }
  if (values.base_model.trim()) request.base_model = values.base_model.trim();
  return { request, problem: null };
}
