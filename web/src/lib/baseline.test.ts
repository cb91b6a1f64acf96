import { describe, expect, it } from "vitest";

import { makeBaselines, makeRounds, makeTask } from "../test/fixtures";
import { baselineSuggestions, beatsBaseline, modelScores, roundList, strongestBaseline } from "./baseline";

describe("modelScores", () => {
  it("takes the kept round's scores, else the latest evaluated round's", () => {
    const rounds = makeRounds(3);
    expect(modelScores(makeTask({ rounds, kept_round: 1 }))).toEqual({
      round: 1,
      metrics: rounds[1].metrics,
      kept: true,
    });
    expect(modelScores(makeTask({ rounds: makeRounds(3, 2), kept_round: null }))?.round).toBe(1);
    expect(modelScores(makeTask({ rounds: makeRounds(1, 0) }))).toBeNull();
  });

  it("takes the soup's own scores when the stored model averages rounds", () => {
    const rounds = makeRounds(3);
    const soup = { accuracy: 0.9, macro_f1: 0.88, loss: 0.3, rounds: [1, 2] };
    rounds[2] = { ...rounds[2], metrics: { ...rounds[2].metrics!, model: soup } };
    expect(modelScores(makeTask({ rounds, kept_round: 1, averaged_rounds: [1, 2] }))).toEqual({
      round: 1,
      metrics: soup,
      kept: true,
      averaged: [1, 2],
    });
    expect(roundList([2, 0, 1])).toBe("rounds 1, 2 and 3");
    expect(roundList([4])).toBe("round 5");
  });
});

describe("strongestBaseline / beatsBaseline", () => {
  it("compares with the most accurate baseline and needs a strictly higher accuracy", () => {
    const strongest = strongestBaseline(makeBaselines(0.7));
    expect(strongest?.name).toBe("TF-IDF + logistic regression");
    expect(beatsBaseline(0.71, strongest)).toBe(true);
    expect(beatsBaseline(0.7, strongest)).toBe(false);
    expect(beatsBaseline(undefined, strongest)).toBeNull();
    expect(strongestBaseline(null)).toBeNull();
  });
});

describe("baselineSuggestions", () => {
  it("suggests MiniLM for a text model from scratch and a larger image size for images", () => {
    expect(baselineSuggestions("text", false).join(" ")).toMatch(/MiniLM/);
    expect(baselineSuggestions("text", true).join(" ")).not.toMatch(/MiniLM/);
    expect(baselineSuggestions("image", false).join(" ")).toMatch(/more images.*larger image size/is);
  });
});
