import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { makeRounds, withValidation } from "../test/fixtures";
import { lossAxisMax } from "../lib/chart";
import { MetricsChart } from "./MetricsChart";

describe("MetricsChart", () => {
  it("draws one accuracy point and one loss point per evaluated round", () => {
    render(<MetricsChart rounds={makeRounds(3)} />);
    const accuracy = screen.getAllByTestId("chart-point-accuracy");
    expect(accuracy).toHaveLength(3);
    expect(screen.getAllByTestId("chart-point-loss")).toHaveLength(3);
    expect(accuracy.map((point) => point.getAttribute("data-round"))).toEqual(["0", "1", "2"]);
  });

  it("skips a round that is not evaluated yet", () => {
    render(<MetricsChart rounds={makeRounds(3, 2)} />);
    expect(screen.getAllByTestId("chart-point-accuracy")).toHaveLength(2);
  });

  it("places higher accuracy higher on the chart and moves right with each round", () => {
    render(<MetricsChart rounds={makeRounds(2)} />);
    const [first, second] = screen.getAllByTestId("chart-point-accuracy");
    expect(Number(second.getAttribute("cy"))).toBeLessThan(Number(first.getAttribute("cy")));
    expect(Number(second.getAttribute("cx"))).toBeGreaterThan(Number(first.getAttribute("cx")));
  });

  it("spans the planned rounds before they are evaluated", () => {
    const { container } = render(<MetricsChart rounds={makeRounds(1)} totalRounds={4} />);
    const [point] = screen.getAllByTestId("chart-point-accuracy");
    const ticks = [...container.querySelectorAll('.recharts-cartesian-axis-tick-value[orientation="bottom"]')];
    expect(ticks.map((tick) => tick.textContent)).toEqual(["1", "2", "3", "4"]);
    expect(Number(point.getAttribute("cx"))).toBe(Number(ticks[0].getAttribute("x")));
  });

  it("has an accessible name that reads out the accuracy", () => {
    render(<MetricsChart rounds={makeRounds(1)} />);
    expect(screen.getByRole("img")).toHaveAccessibleName(/round 1: 60\.0%/);
  });
});

describe("MetricsChart with validation scores", () => {
  it("draws a validation accuracy point per round that reports one, on the accuracy axis", () => {
    render(<MetricsChart rounds={withValidation(makeRounds(3, 2))} totalRounds={20} />);
    const validation = screen.getAllByTestId("chart-point-validation");
    expect(validation.map((point) => point.getAttribute("data-round"))).toEqual(["0", "1"]);
    const accuracy = screen.getAllByTestId("chart-point-accuracy");
    // 2 points lower accuracy sits a little lower than the held-out point of the same round.
    expect(Number(validation[0].getAttribute("cy"))).toBeGreaterThan(Number(accuracy[0].getAttribute("cy")));
    expect(validation[0].getAttribute("cx")).toBe(accuracy[0].getAttribute("cx"));
    expect(screen.getByText("Validation accuracy (left)")).toBeInTheDocument();
    expect(screen.getByRole("img")).toHaveAccessibleName(/Validation accuracy round 1: 58\.0%, round 2: 68\.0%/);
  });

  it("has no validation series when the rounds report none", () => {
    render(<MetricsChart rounds={makeRounds(2)} />);
    expect(screen.queryByTestId("chart-point-validation")).not.toBeInTheDocument();
    expect(screen.queryByText("Validation accuracy (left)")).not.toBeInTheDocument();
  });

  it("marks the kept round at its accuracy point", () => {
    render(<MetricsChart rounds={withValidation(makeRounds(4))} keptRound={2} />);
    const marker = screen.getByTestId("chart-kept-round");
    expect(marker).toHaveAttribute("data-round", "2");
    const line = marker.querySelector("line")!;
    const point = screen.getAllByTestId("chart-point-accuracy")[2];
    expect(line.getAttribute("x1")).toBe(point.getAttribute("cx"));
    expect(screen.getByRole("img")).toHaveAccessibleName(/Kept round 3\./);
  });

  it("has no marker without a kept round", () => {
    render(<MetricsChart rounds={makeRounds(2)} />);
    expect(screen.queryByTestId("chart-kept-round")).not.toBeInTheDocument();
  });
});

describe("lossAxisMax", () => {
  it("rounds up above the largest loss", () => {
    expect(lossAxisMax([0.31, 0.8])).toBe(0.85);
    expect(lossAxisMax([2.3])).toBe(2.5);
    expect(lossAxisMax([])).toBe(1);
  });
});
