import { describe, expect, it } from "vitest";

import { predictionsFilename, validateImageFile } from "./download";

describe("predictionsFilename", () => {
  it("names the scored file after the upload", () => {
    expect(predictionsFilename("reviews.csv")).toBe("reviews-predictions.csv");
    expect(predictionsFilename("data.v2.jsonl")).toBe("data.v2-predictions.csv");
    expect(predictionsFilename("noext")).toBe("noext-predictions.csv");
  });
});

describe("validateImageFile", () => {
  it("takes PNG and JPEG up to 5 MB", () => {
    expect(validateImageFile({ name: "a.png", size: 100, type: "image/png" })).toBeNull();
    expect(validateImageFile({ name: "a.jpg", size: 100, type: "image/jpeg" })).toBeNull();
    expect(validateImageFile({ name: "a.gif", size: 100, type: "image/gif" })).toMatch(/not a PNG or JPEG/);
    expect(validateImageFile({ name: "a.png", size: 6 * 1024 * 1024, type: "image/png" })).toMatch(/over 5 MB/);
  });
});
