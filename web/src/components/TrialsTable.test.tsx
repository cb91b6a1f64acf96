import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { makeLoraJob, makeTrial } from "../test/fixtures";
import { TrialsTable } from "./TrialsTable";

const table = () => screen.getByTestId("trials-table");

describe("TrialsTable", () => {
  it("shows each trial's hyper-parameters, eval loss, state and time", () => {
    const job = makeLoraJob({
      trials: [makeTrial(0, { params: { rank: 8, lora_alpha: 16, learning_rate: 0.00316 }, eval_loss: 1.23456 })],
    });
    render(<TrialsTable job={job} />);
    const cells = within(screen.getByTestId("trial-row"))
      .getAllByRole("cell")
      .map((cell) => cell.textContent);
    expect(cells).toEqual(["#0best so far", "8", "16", "3.16e-3", "1.2346", "COMPLETE", "1.5 s"]);
  });

  it("highlights the best trial the server reports once the job is done", () => {
    const job = makeLoraJob({
      status: "done",
      trials: [makeTrial(0, { eval_loss: 0.9 }), makeTrial(1, { eval_loss: 0.7 }), makeTrial(2, { eval_loss: 0.8 })],
      best_trial: { number: 1, params: {}, eval_loss: 0.7 },
    });
    render(<TrialsTable job={job} />);
    const rows = within(table()).getAllByTestId("trial-row");
    expect(rows.map((row) => row.getAttribute("data-best"))).toEqual([null, "true", null]);
    expect(rows[1]).toHaveClass("bg-emerald-50");
    expect(within(rows[1]).getByTestId("best-trial-tag")).toHaveTextContent("best");
    expect(within(table()).getAllByTestId("best-trial-tag")).toHaveLength(1);
  });

  it("marks the best completed trial so far while running, never a pruned one", () => {
    const job = makeLoraJob({
      trials: [makeTrial(1, { eval_loss: 0.2, state: "PRUNED" }), makeTrial(0, { eval_loss: 0.6 })],
    });
    render(<TrialsTable job={job} />);
    const rows = within(table()).getAllByTestId("trial-row");
    expect(rows.map((row) => row.getAttribute("data-trial-number"))).toEqual(["0", "1"]);
    expect(rows[0]).toHaveAttribute("data-best", "true");
    expect(within(rows[0]).getByTestId("best-trial-tag")).toHaveTextContent("best so far");
  });

  it("gives a phone one card per trial with the same figures and the same best trial", () => {
    const job = makeLoraJob({
      status: "done",
      trials: [makeTrial(0, { eval_loss: 0.9 }), makeTrial(1, { eval_loss: 0.7, seconds: 125 })],
      best_trial: { number: 1, params: {}, eval_loss: 0.7 },
    });
    render(<TrialsTable job={job} />);
    const cards = within(screen.getByTestId("trial-cards")).getAllByTestId("trial-card");
    expect(cards.map((card) => card.getAttribute("data-best"))).toEqual([null, "true"]);
    expect(cards[1]).toHaveClass("bg-emerald-50");
    expect(cards[1]).toHaveTextContent("Eval loss0.7000");
    expect(cards[1]).toHaveTextContent("Time2 min 05 s");
  });

  it("shows why a trial failed", () => {
    const job = makeLoraJob({
      trials: [makeTrial(0, { state: "FAIL", eval_loss: null, fail_reason: "CUDA out of memory" })],
    });
    render(<TrialsTable job={job} />);
    expect(screen.getByTestId("trial-row")).toHaveTextContent("CUDA out of memory");
    expect(screen.getByTestId("trial-card")).toHaveTextContent("CUDA out of memory");
    expect(screen.getByTestId("trial-state")).toHaveAttribute("data-status", "FAIL");
    expect(screen.queryByTestId("best-trial-tag")).not.toBeInTheDocument();
  });
});
