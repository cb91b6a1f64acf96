import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { makeLoraJob, makeTrial } from "../test/fixtures";
import { TrialsChart } from "./TrialsChart";

const JOB = makeLoraJob({
  status: "done",
  trials: [
    makeTrial(0, { params: { rank: 4, lora_alpha: 8, learning_rate: 1e-4 }, eval_loss: 2.1 }),
    makeTrial(1, { params: { rank: 32, lora_alpha: 16, learning_rate: 3e-3 }, eval_loss: 1.2 }),
    makeTrial(2, { params: { rank: 8, lora_alpha: 12, learning_rate: 1e-2 }, eval_loss: 1.6, state: "PRUNED" }),
    makeTrial(3, { eval_loss: null, state: "FAIL" }),
  ],
  best_trial: { number: 1, params: { rank: 32, lora_alpha: 16, learning_rate: 3e-3 }, eval_loss: 1.2 },
});

const point = (number: number) =>
  screen.getAllByTestId("trial-point").find((p) => p.getAttribute("data-trial-number") === String(number))!;

describe("TrialsChart", () => {
  it("places each scored trial by learning rate and eval loss, the best one marked", () => {
    render(<TrialsChart job={JOB} />);
    expect(screen.getAllByTestId("trial-point")).toHaveLength(3);
    expect(point(1)).toHaveAttribute("data-best", "true");
    expect(point(0)).not.toHaveAttribute("data-best");
    // a higher learning rate is further right; a lower loss is lower down
    expect(Number(point(2).getAttribute("cx"))).toBeGreaterThan(Number(point(1).getAttribute("cx")));
    expect(Number(point(1).getAttribute("cx"))).toBeGreaterThan(Number(point(0).getAttribute("cx")));
    expect(Number(point(1).getAttribute("cy"))).toBeGreaterThan(Number(point(0).getAttribute("cy")));
    expect(screen.getByRole("img")).toHaveAccessibleName(/Best: trial 1, learning rate 3\.00e-3, eval loss 1\.2000/);
  });

  it("sizes a point by its rank", () => {
    render(<TrialsChart job={JOB} />);
    expect(Number(point(1).getAttribute("r"))).toBeGreaterThan(Number(point(2).getAttribute("r")));
    expect(Number(point(2).getAttribute("r"))).toBeGreaterThan(Number(point(0).getAttribute("r")));
  });
});
