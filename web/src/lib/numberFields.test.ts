import { describe, expect, it } from "vitest";

import { emptyValues, parseNumberFields, type NumberField } from "./numberFields";

const FIELDS: NumberField<"steps" | "share">[] = [
  { key: "steps", label: "Steps", hint: "", integer: true, min: 1 },
  { key: "share", label: "Share", hint: "", min: 0, minExclusive: true, max: 0.5 },
];

describe("parseNumberFields", () => {
  it("leaves empty fields to the server's default", () => {
    expect(parseNumberFields(FIELDS, emptyValues(FIELDS))).toEqual({ values: {}, problem: null });
  });

  it("turns the filled fields into numbers", () => {
    expect(parseNumberFields(FIELDS, { steps: " 8 ", share: "0.25" })).toEqual({
      values: { steps: 8, share: 0.25 },
      problem: null,
    });
  });

  it.each([
    [{ steps: "2.5", share: "" }, "Steps must be a whole number."],
    [{ steps: "0", share: "" }, "Steps must be a whole number of at least 1."],
    [{ steps: "", share: "0" }, "Share must be a number above 0."],
    [{ steps: "", share: "0.9" }, "Share must be at most 0.5."],
    [{ steps: "abc", share: "" }, "Steps must be a whole number."],
  ])("names the first invalid field in %o", (values, problem) => {
    expect(parseNumberFields(FIELDS, values).problem).toBe(problem);
  });
});
