import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { PNG_DATA_URL, makeEvaluation } from "../test/fixtures";
import { EvaluationReport } from "./EvaluationReport";

describe("EvaluationReport", () => {
  it("gives the headline scores, the matrix, a row per class and the misclassified texts", () => {
    render(<EvaluationReport report={makeEvaluation()} />);
    expect(screen.getByTestId("evaluation-summary")).toHaveTextContent(
      "Accuracy 80.0% · macro-F1 78.0% on 30 evaluation rows",
    );
    expect(screen.getAllByTestId("confusion-cell")).toHaveLength(9);
    const rows = within(screen.getByTestId("per-class-table")).getAllByTestId("per-class-row");
    expect(rows.map((row) => row.dataset.label)).toEqual(["negative", "neutral", "positive"]);
    expect(
      within(rows[1])
        .getAllByRole("cell")
        .map((cell) => cell.textContent),
    ).toEqual(["neutral", "75.0%", "60.0%", "66.7%", "10"]);
    expect(rows[1]).toHaveAttribute("data-weakest", "true");
    const examples = screen.getAllByTestId("misclassified-example");
    expect(examples).toHaveLength(2);
    expect(examples[0]).toHaveTextContent("“not bad at all”");
    expect(examples[0]).toHaveTextContent("true positive");
    expect(examples[0]).toHaveTextContent("predicted negative (71%)");
  });

  it("shows image examples as thumbnails", () => {
    const report = makeEvaluation({ examples: [{ input: PNG_DATA_URL, label: "3", predicted: "8", score: 0.6 }] });
    render(<EvaluationReport report={report} />);
    const image = screen.getByRole("img", { name: "Evaluation image labelled 3" });
    expect(image).toHaveAttribute("src", PNG_DATA_URL);
    expect(screen.queryByTestId("misclassified-text")).not.toBeInTheDocument();
  });

  it("says so when the model made no mistake", () => {
    render(<EvaluationReport report={makeEvaluation({ examples: [] })} />);
    expect(screen.getByTestId("no-misclassified")).toHaveTextContent("every evaluation row right");
  });
});
