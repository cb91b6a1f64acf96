import { describe, expect, it } from "vitest";

import { MAX_UPLOAD_BYTES, validateDatasetFile } from "./validateFile";

describe("validateDatasetFile", () => {
  it("rejects a .txt file by its extension", () => {
    expect(validateDatasetFile({ name: "notes.txt", size: 100 })).toMatch(/\.txt.*\.csv, \.json, \.jsonl or \.zip/);
  });

  it("rejects a file without an extension", () => {
    expect(validateDatasetFile({ name: "data", size: 100 })).toMatch(/no extension/);
  });

  it("rejects an 11 MB file and names the limit", () => {
    expect(validateDatasetFile({ name: "big.csv", size: 11 * 1024 * 1024 })).toMatch(/11 MB; the limit is 10 MB/);
  });

  it("accepts csv, json, jsonl and zip up to the limit, whatever the case of the extension", () => {
    expect(validateDatasetFile({ name: "a.csv", size: MAX_UPLOAD_BYTES })).toBeNull();
    expect(validateDatasetFile({ name: "images.ZIP", size: 10 })).toBeNull();
    expect(validateDatasetFile({ name: "a.JSON", size: 10 })).toBeNull();
    expect(validateDatasetFile({ name: "a.b.jsonl", size: 10 })).toBeNull();
  });

  it("rejects an empty file", () => {
    expect(validateDatasetFile({ name: "a.csv", size: 0 })).toMatch(/empty/);
  });
});
