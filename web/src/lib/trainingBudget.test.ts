import { describe, expect, it } from "vitest";

import { STARTED_AT, makeAutoTask, makeRounds, makeTask, withValidation } from "../test/fixtures";
import { budgetLine, timeLeft } from "./trainingBudget";

const START = Date.parse(STARTED_AT);
const MINUTE = 60_000;

describe("timeLeft", () => {
  it("counts the budget down from the start, rounding up to whole minutes", () => {
    expect(timeLeft(STARTED_AT, 10, START + 3 * MINUTE)).toBe("~7 min left");
    expect(timeLeft(STARTED_AT, 10, START + 3.5 * MINUTE)).toBe("~7 min left");
    expect(timeLeft(STARTED_AT, 10, START + 9.5 * MINUTE)).toBe("<1 min left");
    expect(timeLeft(STARTED_AT, 10, START + 11 * MINUTE)).toBe("time budget spent, finishing the round");
  });

  it("reads a zone-less timestamp as UTC and says nothing before the start", () => {
    expect(timeLeft("2025-01-01T10:00:00", 10, START + MINUTE)).toBe("~9 min left");
    expect(timeLeft(null, 10, START)).toBeNull();
  });
});

describe("budgetLine", () => {
  it("gives the round, the maximum, the budget and the time left of a running auto run", () => {
    expect(budgetLine(makeAutoTask(), START + 3 * MINUTE)).toBe("round 2 of at most 20 · budget 10 min · ~7 min left");
  });

  it("gives the maximum and the budget of an auto run not started yet", () => {
    const task = makeAutoTask({ status: "queued", started_at: null, current_round: 0, rounds: [] });
    expect(budgetLine(task, START)).toBe("up to 20 rounds · budget 10 min");
  });

  it("gives the stop reason and the kept round once finished", () => {
    const task = makeAutoTask({
      status: "done",
      rounds: withValidation(makeRounds(5)),
      current_round: 4,
      kept_round: 2,
      stop_reason: "validation accuracy did not improve by at least 0.5 points for 2 rounds",
    });
    expect(budgetLine(task, START + 20 * MINUTE)).toBe(
      "Stopped: validation accuracy did not improve by at least 0.5 points for 2 rounds · kept round 3",
    );
    expect(budgetLine({ ...task, averaged_rounds: [2, 1, 4] }, START + 20 * MINUTE)).toBe(
      "Stopped: validation accuracy did not improve by at least 0.5 points for 2 rounds · kept rounds 2, 3 and 5, averaged",
    );
  });

  it("says nothing of a fixed run while it runs, and why it stopped after", () => {
    expect(budgetLine(makeTask(), START)).toBeNull();
    const done = makeTask({ status: "done", kept_round: 1, stop_reason: "ran the 2 rounds asked for" });
    expect(budgetLine(done, START)).toBe("Stopped: ran the 2 rounds asked for · kept round 2");
    expect(budgetLine(makeTask({ status: "done" }), START)).toBeNull();
  });
});
