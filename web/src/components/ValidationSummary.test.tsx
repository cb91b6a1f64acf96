import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { makeReport } from "../test/fixtures";
import { validationFigures } from "../lib/validation";
import { ValidationSummary } from "./ValidationSummary";

describe("validationFigures", () => {
  it("keeps the API's numbers: counts, JSON failures, ROUGE-L to 3 places and BLEU to 1", () => {
    const figures = Object.fromEntries(validationFigures(makeReport().metrics!).map((f) => [f.key, f.value]));
    expect(figures).toMatchObject({
      records: "12",
      valid_records: "11",
      json_output: "2",
      near_duplicates: "1",
      mean_nearest_rouge_l: "0.235",
      mean_self_bleu: "12.3",
      mean_reference_rouge_l: "0.111",
      mean_reference_bleu: "3.2",
    });
  });

  it("leaves out the seed comparisons when there were no references", () => {
    const keys = validationFigures({ records: 3, near_duplicates: 0 }).map((f) => f.key);
    expect(keys).not.toContain("mean_reference_rouge_l");
    expect(keys).not.toContain("reference_copies");
  });
});

describe("ValidationSummary", () => {
  it("lists each failed rule with the server's message", () => {
    const report = makeReport({
      verdict: "DELETED",
      failed_rules: ["max_duplicate_fraction"],
      rules: [
        { rule: "min_valid_records", passed: true, value: 9, limit: 5, message: "9 of 12 records pass" },
        {
          rule: "max_duplicate_fraction",
          passed: false,
          value: 0.25,
          limit: 0.2,
          message: "25.0% of records are exact or near duplicates (allowed 20%)",
        },
      ],
    });
    render(<ValidationSummary report={report} metrics={report.metrics} />);
    expect(screen.getByTestId("validation-verdict")).toHaveAttribute("data-status", "DELETED");
    const failed = within(screen.getByTestId("failed-rules")).getAllByTestId("failed-rule");
    expect(failed.map((item) => item.textContent)).toEqual([
      "max_duplicate_fraction: 25.0% of records are exact or near duplicates (allowed 20%)",
    ]);
    expect(screen.queryByTestId("rules-passed")).not.toBeInTheDocument();
    expect(within(screen.getByTestId("rules-table")).getAllByRole("row")).toHaveLength(3);
    expect(screen.getByTestId("rules-table")).toHaveTextContent("25.0% / 20%");
  });

  it("says every rule passes and shows the key numbers", () => {
    const report = makeReport();
    render(<ValidationSummary report={report} metrics={report.metrics} />);
    expect(screen.getByTestId("rules-passed")).toHaveTextContent("All 2 dataset rules pass.");
    expect(screen.getByTestId("metric-mean_nearest_rouge_l")).toHaveTextContent("0.235");
    expect(screen.getByTestId("metric-json_output")).toHaveTextContent("2");
  });
});
