import { describe, expect, it } from "vitest";

import { EMPTY_ADVANCED, advancedNote, parseAdvanced } from "./advancedOptions";

describe("parseAdvanced", () => {
  it("sends nothing when nothing is filled: rounds and epochs stay the server's auto", () => {
    expect(parseAdvanced(EMPTY_ADVANCED)).toEqual({ request: {}, problem: null });
  });

  it.each([
    ["auto", "auto"],
    [" AUTO ", "auto"],
    ["Auto", "auto"],
    ["3", 3],
    [" 12 ", 12],
  ])("reads rounds %o as %o", (raw, value) => {
    expect(parseAdvanced({ ...EMPTY_ADVANCED, rounds: raw })).toEqual({ request: { rounds: value }, problem: null });
    expect(parseAdvanced({ ...EMPTY_ADVANCED, epochs: raw })).toEqual({ request: { epochs: value }, problem: null });
  });

  it("sends every field the user set, as numbers or auto", () => {
    const values = {
      num_shards: "4",
      rounds: "auto",
      epochs: "2",
      time_budget_minutes: "2.5",
      patience: "3",
      min_delta: "0",
      base_model: " all-MiniLM-L6-v2 ",
    };
    expect(parseAdvanced(values)).toEqual({
      request: {
        num_shards: 4,
        rounds: "auto",
        epochs: 2,
        time_budget_minutes: 2.5,
        patience: 3,
        min_delta: 0,
        base_model: "all-MiniLM-L6-v2",
      },
      problem: null,
    });
  });

  it.each([
    [{ rounds: "0" }, 'Rounds must be "auto" or a whole number of at least 1.'],
    [{ rounds: "2.5" }, 'Rounds must be "auto" or a whole number of at least 1.'],
    [{ rounds: "automatic" }, 'Rounds must be "auto" or a whole number of at least 1.'],
    [{ epochs: "-1" }, 'Epochs per round must be "auto" or a whole number of at least 1.'],
    [{ num_shards: "auto" }, "Shards must be a whole number."],
    [{ time_budget_minutes: "0" }, "Time budget (minutes) must be a number above 0."],
    [{ time_budget_minutes: "auto" }, "Time budget (minutes) must be a number."],
    [{ patience: "0" }, "Patience (rounds) must be a whole number of at least 1."],
    [{ patience: "1.5" }, "Patience (rounds) must be a whole number."],
    [{ min_delta: "-0.01" }, "Minimum improvement must be a number of at least 0."],
    [{ min_delta: "5" }, "Minimum improvement must be at most 1."],
  ])("names the invalid field in %o", (changed, problem) => {
    expect(parseAdvanced({ ...EMPTY_ADVANCED, ...changed }).problem).toBe(problem);
  });
});

describe("advancedNote", () => {
  it("says early-stopping settings only apply with auto rounds", () => {
    expect(advancedNote({ ...EMPTY_ADVANCED, rounds: "5", patience: "3" })).toMatch(/only apply when rounds are auto/);
    expect(advancedNote({ ...EMPTY_ADVANCED, rounds: "auto", patience: "3" })).toBeNull();
    expect(advancedNote({ ...EMPTY_ADVANCED, patience: "3" })).toBeNull();
    expect(advancedNote({ ...EMPTY_ADVANCED, rounds: "5", time_budget_minutes: "3" })).toBeNull();
  });
});
