/** Choosing among the model types the server offers. */
import type { ModelType } from "../api/types";

/** The model a newcomer most likely wants: one of the dataset's kind, with pretrained weights if any. */
export function suggestModel(models: ModelType[], datasetKind: string | null | undefined): string | null {
  const sameKind = datasetKind ? models.filter((model) => model.kind === datasetKind) : models;
  const pool = sameKind.length > 0 ? sameKind : models;
  return (pool.find((model) => model.pretrained_available) ?? pool[0])?.model_type ?? null;
}
