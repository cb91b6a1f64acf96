/** LoRA jobs for display: the best trial, progress over the trial budget, number formats and the load snippet. */
import type { LoraJob, LoraTrial } from "../api/types";

/** Optuna's state of a trial that has not ended. */
const UNFINISHED_TRIAL = "RUNNING";

/** The server's packaged default base model, by the hub id a user loads it with. */
const PACKAGED_MODELS: Record<string, string> = { smollm2: "HuggingFaceTB/SmolLM2-135M-Instruct" };

/**
 * The trial to highlight: the job's best trial once it is done, before that the completed trial with the lowest
 * eval loss so far (the worker reports trials while it runs, and the best one only at the end).
 */
export function bestTrialNumber(job: Pick<LoraJob, "trials" | "best_trial">): number | null {
  if (job.best_trial) return job.best_trial.number;
  let best: LoraTrial | null = null;
  for (const trial of job.trials) {
    if (trial.state !== "COMPLETE" || trial.eval_loss === null || !Number.isFinite(trial.eval_loss)) continue;
    if (best === null || trial.eval_loss < (best.eval_loss as number)) best = trial;
  }
  return best?.number ?? null;
}

/** A trial the study chart can place: it has a learning rate and a finite eval loss. */
export interface TrialPoint {
  number: number;
  learning_rate: number;
  eval_loss: number;
  /** 1 when the trial does not say, so the point still has a size. */
  rank: number;
  lora_alpha: number | null;
  state: string;
}

/** The trials with a learning rate and a finite eval loss (failed and running ones have none), by number. */
export function trialPoints(trials: LoraTrial[]): TrialPoint[] {
  return [...trials]
    .sort((a, b) => a.number - b.number)
    .flatMap((trial) => {
      const { learning_rate, rank, lora_alpha } = trial.params;
      if (typeof learning_rate !== "number" || !(learning_rate > 0)) return [];
      if (trial.eval_loss === null || !Number.isFinite(trial.eval_loss)) return [];
      return [
        {
          number: trial.number,
          learning_rate,
          eval_loss: trial.eval_loss,
          rank: rank ?? 1,
          lora_alpha: lora_alpha ?? null,
          state: trial.state,
        },
      ];
    });
}

/**
 * Axis ranges with room around the points, so none sits on an edge (where a large point is cut): a third of a
 * decade either side on the log learning-rate axis, a tenth of the spread (at least 0.05) on the eval loss.
 */
export function studyDomains(points: TrialPoint[]): { learningRate: [number, number]; evalLoss: [number, number] } {
  if (points.length === 0) return { learningRate: [1e-5, 1e-2], evalLoss: [0, 1] };
  const rates = points.map((point) => point.learning_rate);
  const losses = points.map((point) => point.eval_loss);
  const pad = Math.max((Math.max(...losses) - Math.min(...losses)) / 10, 0.05);
  const round = (value: number) => Number(value.toPrecision(3));
  return {
    learningRate: [round(Math.min(...rates) / 10 ** (1 / 3)), round(Math.max(...rates) * 10 ** (1 / 3))],
    evalLoss: [round(Math.max(0, Math.min(...losses) - pad)), round(Math.max(...losses) + pad)],
  };
}

export function finishedTrials(job: Pick<LoraJob, "trials">): number {
  return job.trials.filter((trial) => trial.state !== UNFINISHED_TRIAL).length;
}

/** 0..100: the share of the trial budget spent; 100 once the job is done. */
export function loraProgress(job: Pick<LoraJob, "status" | "trials" | "n_trials">): number {
  if (job.status === "done") return 100;
  if (job.n_trials <= 0) return 0;
  return Math.min(100, (100 * finishedTrials(job)) / job.n_trials);
}

/** Learning rates span decades: 0.00316 -> "3.16e-3". */
export function formatLearningRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const [mantissa, exponent] = value.toExponential(2).split("e");
  return `${mantissa}e${Number(exponent)}`;
}

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return `${minutes} min ${String(rest).padStart(2, "0")} s`;
}

/** What to pass to `from_pretrained` for the job's base model. */
export function loadableBaseModel(baseModel: string): string {
  return PACKAGED_MODELS[baseModel.trim().toLowerCase()] ?? baseModel;
}

/** Python that loads the downloaded adapter on its base model with PEFT and generates. */
export function adapterSnippet(job: Pick<LoraJob, "job_id" | "base_model">): string {
  const base = JSON.stringify(loadableBaseModel(job.base_model));
  const zipName = JSON.stringify(`${job.job_id}-adapter.zip`);
  return `import zipfile
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

adapter_dir = "adapter"
zipfile.ZipFile(${zipName}).extractall(adapter_dir)  # the file you downloaded

base = AutoModelForCausalLM.from_pretrained(${base})
tokenizer = AutoTokenizer.from_pretrained(${base})
model = PeftModel.from_pretrained(base, adapter_dir)

instruction = "Give three tips for staying healthy."
if tokenizer.chat_template:  # the prompt layout the adapter was trained with
    messages = [{"role": "user", "content": instruction}]
    prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
else:
    prompt = (tokenizer.bos_token or "") + f"### Instruction:\\n{instruction}\\n\\n### Response:\\n"
inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
output = model.generate(**inputs, max_new_tokens=128)
print(tokenizer.decode(output[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True))
`;
}
