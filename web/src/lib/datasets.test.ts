import { describe, expect, it } from "vitest";

import type { DatasetStatus } from "../api/types";
import { datasetActions, fineTuneBlocker, hasDownloadableData, isDatasetBusy } from "./datasets";

describe("datasetActions", () => {
  it.each<[DatasetStatus, { generate: boolean; validate: boolean; fineTune: boolean }]>([
    ["UPLOADED", { generate: true, validate: true, fineTune: false }],
    ["GENERATING", { generate: false, validate: false, fineTune: false }],
    ["GENERATED", { generate: true, validate: true, fineTune: false }],
    ["VALIDATING", { generate: false, validate: false, fineTune: false }],
    ["READY_FOR_FINE_TUNING", { generate: true, validate: true, fineTune: true }],
    ["DELETED", { generate: false, validate: false, fineTune: false }],
    ["error", { generate: true, validate: true, fineTune: false }],
  ])("an instruction dataset that is %s allows %o", (status, expected) => {
    expect(datasetActions({ status, kind: "instructions" })).toEqual(expected);
  });

  it("offers nothing of pipeline B for a text classification dataset", () => {
    expect(datasetActions({ status: "UPLOADED", kind: "text" })).toEqual({
      generate: false,
      validate: false,
      fineTune: false,
    });
  });
});

describe("fineTuneBlocker", () => {
  it("is null only when fine-tuning is offered", () => {
    expect(fineTuneBlocker({ status: "READY_FOR_FINE_TUNING", kind: "instructions" })).toBeNull();
  });

  it("tells an unvalidated dataset to validate first, naming the status LoRA needs", () => {
    expect(fineTuneBlocker({ status: "UPLOADED", kind: "instructions" })).toMatch(/READY_FOR_FINE_TUNING.*validate/);
    expect(fineTuneBlocker({ status: "GENERATED", kind: "instructions" })).toMatch(/validate it first/);
  });

  it("explains a deleted dataset and one that is not instructions", () => {
    expect(fineTuneBlocker({ status: "DELETED", kind: "instructions" })).toMatch(/rejected/);
    expect(fineTuneBlocker({ status: "UPLOADED", kind: "image" })).toMatch(/instruction column/);
  });
});

describe("hasDownloadableData / isDatasetBusy", () => {
  it("offers a download only when the server holds rows", () => {
    expect(hasDownloadableData({ status: "UPLOADED", rows: 175 })).toBe(true);
    expect(hasDownloadableData({ status: "error", rows: 3 })).toBe(true);
    expect(hasDownloadableData({ status: "error", rows: 0 })).toBe(false);
    expect(hasDownloadableData({ status: "GENERATING", rows: 4 })).toBe(false);
    expect(hasDownloadableData({ status: "DELETED", rows: 12 })).toBe(false);
  });

  it("treats generation and validation as running jobs", () => {
    expect(["GENERATING", "VALIDATING", "GENERATED", "READY_FOR_FINE_TUNING"].map(isDatasetBusy)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
