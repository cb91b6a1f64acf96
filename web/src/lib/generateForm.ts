/** The self-instruct generation form: its fields, initial values and the request they describe. */
import type { GenerateRequest, Teacher } from "../api/types";
import { emptyValues, parseNumberFields, type NumberValues } from "./numberFields";

/** GenerationConfig overrides worth a field; the server checks them and names any problem. */
export const GENERATION_FIELDS = [
  {
    key: "batch_size",
    label: "Prompts per round",
    hint: "Proposal prompts sent to the teacher per round.",
    integer: true,
    min: 1,
  },
  { key: "temperature", label: "Temperature", hint: "Sampling temperature of the proposals (0: greedy).", min: 0 },
  {
    key: "answer_max_new_tokens",
    label: "Answer token limit",
    hint: "Longest answer the teacher may write for a task.",
    integer: true,
    min: 1,
  },
  {
    key: "rouge_threshold",
    label: "Similarity limit (ROUGE-L)",
    hint: "A new instruction more similar than this to a kept one is dropped.",
    min: 0,
    max: 1,
  },
  { key: "seed", label: "Seed", hint: "Seed for picking the example tasks of each prompt.", integer: true, min: 0 },
] as const;

type GenerationKey = (typeof GENERATION_FIELDS)[number]["key"];

export interface GenerateFormValues {
  num_examples: string;
  teacher: Teacher;
  /** gguf: the file's path; openai: the model name (optional: the server's default). */
  teacher_model: string;
  /** openai: the endpoint (optional: the server's default). */
  teacher_url: string;
  params: NumberValues<GenerationKey>;
}

export const INITIAL_GENERATE_VALUES: GenerateFormValues = {
  num_examples: "100",
  teacher: "local",
  teacher_model: "",
  teacher_url: "",
  params: emptyValues(GENERATION_FIELDS),
};

/** The request the form describes, or why it cannot be sent. */
export function parseGenerateForm(values: GenerateFormValues): {
  request: GenerateRequest | null;
  problem: string | null;
} {
  const count = Number(values.num_examples.trim());
  if (!values.num_examples.trim() || !Number.isInteger(count) || count < 1) {
    return { request: null, problem: "Examples to generate must be a whole number of at least 1." };
  }
  const params = parseNumberFields(GENERATION_FIELDS, values.params);
  if (params.problem) return { request: null, problem: params.problem };
  const model = values.teacher_model.trim();
  const url = values.teacher_url.trim();
  if (values.teacher === "gguf" && !model.toLowerCase().endsWith(".gguf")) {
    return { request: null, problem: "Give the path of a .gguf file on the server." };
  }
  if (values.teacher === "openai" && url && !/^https?:\/\//.test(url)) {
    return { request: null, problem: "The endpoint URL must start with http:// or https://." };
  }
  const request: GenerateRequest = { num_examples: count, teacher: values.teacher };
  if (values.teacher !== "local" && model) request.teacher_model = model;
  if (values.teacher === "openai" && url) request.teacher_url = url;
  if (Object.keys(params.values).length > 0) request.params = params.values;
  return { request, problem: null };
}
