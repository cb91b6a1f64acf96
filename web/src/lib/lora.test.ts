import { describe, expect, it } from "vitest";

import { makeLoraJob, makeTrial } from "../test/fixtures";
import {
  adapterSnippet,
  bestTrialNumber,
  formatLearningRate,
  formatSeconds,
  loadableBaseModel,
  loraProgress,
  studyDomains,
  trialPoints,
} from "./lora";

describe("bestTrialNumber", () => {
  it("is the job's best trial once the server names it", () => {
    const job = makeLoraJob({
      trials: [makeTrial(0, { eval_loss: 1.0 }), makeTrial(1, { eval_loss: 0.5 })],
      best_trial: { number: 0, params: {}, eval_loss: 1.0 },
    });
    expect(bestTrialNumber(job)).toBe(0);
  });

  it("is the completed trial with the lowest eval loss while the search runs", () => {
    const job = makeLoraJob({
      trials: [
        makeTrial(0, { eval_loss: 1.2 }),
        makeTrial(1, { eval_loss: 0.4, state: "PRUNED" }),
        makeTrial(2, { eval_loss: 0.9 }),
        makeTrial(3, { eval_loss: null, state: "FAIL", fail_reason: "out of memory" }),
      ],
    });
    expect(bestTrialNumber(job)).toBe(2);
  });

  it("is null before any trial completes", () => {
    expect(bestTrialNumber(makeLoraJob({ trials: [makeTrial(0, { state: "PRUNED" })] }))).toBeNull();
    expect(bestTrialNumber(makeLoraJob({ trials: [] }))).toBeNull();
  });
});

describe("loraProgress", () => {
  it("is the share of the trial budget that has finished, and 100 when done", () => {
    const trials = [makeTrial(0), makeTrial(1, { state: "RUNNING" })];
    expect(loraProgress(makeLoraJob({ n_trials: 4, trials }))).toBe(25);
    expect(loraProgress(makeLoraJob({ status: "done", n_trials: 4, trials }))).toBe(100);
  });
});

describe("formatting", () => {
  it("writes learning rates in scientific notation", () => {
    expect(formatLearningRate(0.00316)).toBe("3.16e-3");
    expect(formatLearningRate(0.02)).toBe("2.00e-2");
    expect(formatLearningRate(undefined)).toBe("—");
  });

  it("writes durations in seconds, then minutes", () => {
    expect(formatSeconds(1.234)).toBe("1.2 s");
    expect(formatSeconds(42.4)).toBe("42 s");
    expect(formatSeconds(125)).toBe("2 min 05 s");
    expect(formatSeconds(null)).toBe("—");
  });
});

describe("adapterSnippet", () => {
  it("loads the adapter on its base model with PEFT", () => {
    const code = adapterSnippet({ job_id: "lora_7", base_model: "/models/tiny-llama" });
    expect(code).toContain("PeftModel.from_pretrained(base, adapter_dir)");
    expect(code).toContain('AutoModelForCausalLM.from_pretrained("/models/tiny-llama")');
    expect(code).toContain('zipfile.ZipFile("lora_7-adapter.zip")');
  });

  it("names the packaged default by its Hugging Face id", () => {
    expect(loadableBaseModel("smollm2")).toBe("HuggingFaceTB/SmolLM2-135M-Instruct");
    expect(adapterSnippet({ job_id: "j", base_model: "smollm2" })).toContain(
      'from_pretrained("HuggingFaceTB/SmolLM2-135M-Instruct")',
    );
  });
});

describe("trialPoints", () => {
  it("keeps the trials with a learning rate and a finite eval loss, in order", () => {
    const trials = [
      makeTrial(2, { eval_loss: 1.1 }),
      makeTrial(0, { eval_loss: null, state: "FAIL" }),
      makeTrial(1, { params: { learning_rate: 0.01 }, eval_loss: 1.3, state: "PRUNED" }),
    ];
    expect(trialPoints(trials)).toEqual([
      { number: 1, learning_rate: 0.01, eval_loss: 1.3, rank: 1, lora_alpha: null, state: "PRUNED" },
      { number: 2, learning_rate: 0.00316, eval_loss: 1.1, rank: 12, lora_alpha: 10, state: "COMPLETE" },
    ]);
  });
});

describe("studyDomains", () => {
  it("leaves room around the points on both axes", () => {
    const points = trialPoints([
      makeTrial(0, { params: { learning_rate: 1e-4 }, eval_loss: 2 }),
      makeTrial(1, { params: { learning_rate: 1e-2 }, eval_loss: 1 }),
    ]);
    expect(studyDomains(points)).toEqual({ learningRate: [0.0000464, 0.0215], evalLoss: [0.9, 2.1] });
    expect(studyDomains([points[0]]).evalLoss).toEqual([1.95, 2.05]);
  });
});
