import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { makeEvaluation } from "../test/fixtures";
import { ConfusionMatrix } from "./ConfusionMatrix";

describe("ConfusionMatrix", () => {
  it("has a cell per (true, predicted) pair with its count, rows true and columns predicted", () => {
    const { labels, confusion_matrix } = makeEvaluation();
    render(<ConfusionMatrix labels={labels} matrix={confusion_matrix} />);
    const cells = screen.getAllByTestId("confusion-cell");
    expect(cells).toHaveLength(9);
    const cell = cells.find((c) => c.dataset.true === "neutral" && c.dataset.predicted === "positive")!;
    expect(cell).toHaveTextContent("2");
    expect(cell).toHaveAttribute("title", "true neutral, predicted positive: 2 (20.0% of neutral)");
    const table = screen.getByRole("table");
    expect(
      within(table)
        .getAllByRole("columnheader")
        .map((th) => th.textContent),
    ).toEqual(["true ↓ · predicted →", "negative", "neutral", "positive"]);
    expect(
      within(table)
        .getAllByRole("rowheader")
        .map((th) => th.textContent),
    ).toEqual(labels);
  });

  it("shades the right answers indigo and the confusions rose, by share of the row", () => {
    const { labels, confusion_matrix } = makeEvaluation();
    render(<ConfusionMatrix labels={labels} matrix={confusion_matrix} />);
    const [first] = screen.getAllByTestId("confusion-cell");
    expect(first.style.backgroundColor).toMatch(/79,? 70,? 229/);
    const confused = screen
      .getAllByTestId("confusion-cell")
      .find((c) => c.dataset.true === "neutral" && c.dataset.predicted === "negative")!;
    expect(confused.style.backgroundColor).toMatch(/225,? 29,? 72/);
  });

  it("turns column labels on their side beyond 6 classes, and keeps 20 classes in one table", () => {
    const labels = Array.from({ length: 20 }, (_, i) => `class ${i}`);
    const matrix = labels.map((_, row) => labels.map((__, column) => (row === column ? 5 : 0)));
    render(<ConfusionMatrix labels={labels} matrix={matrix} />);
    expect(screen.getAllByTestId("confusion-cell")).toHaveLength(400);
    const header = screen.getAllByTestId("confusion-column")[0];
    expect(header.firstElementChild).toHaveClass("[writing-mode:vertical-rl]");
    expect(header).toHaveAttribute("title", "class 0");
  });
});
