import { describe, expect, it } from "vitest";

import { INITIAL_GENERATE_VALUES, parseGenerateForm } from "../lib/generateForm";
import { INITIAL_LORA_VALUES, parseLoraForm } from "../lib/loraForm";

describe("parseGenerateForm", () => {
  it("sends the count and teacher, and only the settings the user filled", () => {
    const values = {
      ...INITIAL_GENERATE_VALUES,
      num_examples: "12",
      teacher: "openai" as const,
      params: { ...INITIAL_GENERATE_VALUES.params, batch_size: "2", temperature: "0.7" },
    };
    expect(parseGenerateForm(values)).toEqual({
      request: { num_examples: 12, teacher: "openai", params: { batch_size: 2, temperature: 0.7 } },
      problem: null,
    });
    expect(parseGenerateForm(INITIAL_GENERATE_VALUES).request).toEqual({ num_examples: 100, teacher: "local" });
  });

  it("sends the teacher's GGUF path or endpoint, and refuses what cannot be one", () => {
    const gguf = { ...INITIAL_GENERATE_VALUES, teacher: "gguf" as const, teacher_model: " /models/m.gguf " };
    expect(parseGenerateForm(gguf).request).toEqual({
      num_examples: 100,
      teacher: "gguf",
      teacher_model: "/models/m.gguf",
    });
    expect(parseGenerateForm({ ...gguf, teacher_model: "/models/m.bin" }).problem).toMatch(/\.gguf file/);
    const openai = { ...INITIAL_GENERATE_VALUES, teacher: "openai" as const, teacher_url: "http://box:8000/v1" };
    expect(parseGenerateForm({ ...openai, teacher_model: "qwen" }).request).toEqual({
      num_examples: 100,
      teacher: "openai",
      teacher_url: "http://box:8000/v1",
      teacher_model: "qwen",
    });
    expect(parseGenerateForm({ ...openai, teacher_url: "box:8000" }).problem).toMatch(/http/);
    expect(parseGenerateForm({ ...INITIAL_GENERATE_VALUES, teacher_model: "x.gguf" }).request).toEqual({
      num_examples: 100,
      teacher: "local",
    });
  });

  it("refuses a missing or fractional count but leaves the upper limit to the server", () => {
    expect(parseGenerateForm({ ...INITIAL_GENERATE_VALUES, num_examples: "" }).problem).toMatch(/at least 1/);
    expect(parseGenerateForm({ ...INITIAL_GENERATE_VALUES, num_examples: "2.5" }).problem).toMatch(/whole number/);
    expect(parseGenerateForm({ ...INITIAL_GENERATE_VALUES, num_examples: "100000" }).problem).toBeNull();
  });
});

describe("parseLoraForm", () => {
  it("sends only the dataset when nothing is filled (the server's defaults)", () => {
    expect(parseLoraForm("ds_1", INITIAL_LORA_VALUES)).toEqual({ request: { dataset_id: "ds_1" }, problem: null });
  });

  it("passes a local base model path, the trial count and training settings", () => {
    const values = {
      base_model: " /models/tiny ",
      n_trials: "2",
      params: { ...INITIAL_LORA_VALUES.params, max_steps: "8", eval_fraction: "0.25" },
    };
    expect(parseLoraForm("ds_1", values).request).toEqual({
      dataset_id: "ds_1",
      base_model: "/models/tiny",
      n_trials: 2,
      params: { max_steps: 8, eval_fraction: 0.25 },
    });
  });

  it("names an invalid trial count or setting", () => {
    expect(parseLoraForm("ds_1", { ...INITIAL_LORA_VALUES, n_trials: "0" }).problem).toMatch(/Trials/);
    const params = { ...INITIAL_LORA_VALUES.params, eval_fraction: "0.9" };
    expect(parseLoraForm("ds_1", { ...INITIAL_LORA_VALUES, params }).problem).toBe(
      "Held-out share must be at most 0.5.",
    );
  });
});
