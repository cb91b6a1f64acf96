import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { makeBaselines, makeRounds, makeTask } from "../test/fixtures";
import { BaselinePanel } from "./BaselinePanel";

/** A finished text task from scratch whose kept round (the second) scored 70% accuracy, 0.650 macro F1. */
function doneTask(classicalAccuracy: number, overrides = {}) {
  return makeTask({
    status: "done",
    progress: 100,
    rounds: makeRounds(3),
    kept_round: 1,
    baseline: makeBaselines(classicalAccuracy),
    ...overrides,
  });
}

describe("BaselinePanel", () => {
  it("shows the kept round's accuracy and macro F1 beside each baseline", () => {
    render(<BaselinePanel task={doneTask(0.65)} />);
    const panel = screen.getByTestId("baseline");
    expect(within(panel).getByTestId("baseline-model")).toHaveTextContent("Your model (kept round 2)");
    expect(screen.getByTestId("baseline-model-accuracy")).toHaveTextContent("70.0%");
    expect(screen.getByTestId("baseline-model-macro-f1")).toHaveTextContent("0.650");
    const rows = within(panel).getAllByTestId("baseline-row");
    expect(rows.map((row) => row.getAttribute("data-kind"))).toEqual(["majority", "classical"]);
    expect(rows[0]).toHaveTextContent(/majority class.*50\.0%.*0\.333/);
    expect(rows[1]).toHaveTextContent(/TF-IDF \+ logistic regression.*65\.0%.*0\.620/);
  });

  it("warns, with what to try, when the model does not beat the classical baseline", () => {
    render(<BaselinePanel task={doneTask(0.75)} />);
    const warning = screen.getByRole("alert", { name: "The model does not beat the baseline" });
    expect(warning).toHaveAttribute("data-testid", "baseline-warning");
    expect(warning).toHaveTextContent("Your model does not beat the baseline");
    expect(warning).toHaveTextContent(
      "Its held-out accuracy (70.0%) is not above TF-IDF + logistic regression (75.0%)",
    );
    const suggestions = within(warning)
      .getAllByRole("listitem")
      .map((item) => item.textContent);
    expect(suggestions).toHaveLength(3);
    expect(suggestions[0]).toMatch(/more labelled examples/);
    expect(suggestions[1]).toMatch(/more rounds, or a bigger time budget/);
    expect(suggestions[2]).toMatch(/pretrained model such as MiniLM/);
    expect(screen.queryByTestId("baseline-ok")).not.toBeInTheDocument();
  });

  it("warns on a tie: the model must do better, not as well", () => {
    render(<BaselinePanel task={doneTask(0.7)} />);
    expect(screen.getByTestId("baseline-warning")).toBeInTheDocument();
  });

  it("suggests more images or a larger image size for an image model", () => {
    render(<BaselinePanel task={doneTask(0.9, { kind: "image", model_type: "mobilenet_v2" })} />);
    const warning = screen.getByTestId("baseline-warning");
    expect(warning).toHaveTextContent(/more images/);
    expect(warning).toHaveTextContent(/larger image size/);
    expect(warning).not.toHaveTextContent(/MiniLM/);
  });

  it("does not warn when the model beats the baselines, and says by how much", () => {
    render(<BaselinePanel task={doneTask(0.65)} />);
    expect(screen.queryByTestId("baseline-warning")).not.toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.getByTestId("baseline-ok")).toHaveTextContent(
      "Your model beats the strongest baseline (TF-IDF + logistic regression) by 5.0 points of accuracy.",
    );
  });

  it("does not warn while training still runs", () => {
    render(<BaselinePanel task={doneTask(0.9, { status: "running", kept_round: null })} />);
    expect(screen.getByTestId("baseline-model")).toHaveTextContent("Your model (round 3, so far)");
    expect(screen.queryByTestId("baseline-warning")).not.toBeInTheDocument();
  });

  it("shows nothing until the baselines are computed", () => {
    const { container } = render(<BaselinePanel task={doneTask(0.65, { baseline: null })} />);
    expect(container).toBeEmptyDOMElement();
  });
});
