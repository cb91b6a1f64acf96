import { AxiosError } from "axios";
import { describe, expect, it } from "vitest";

import { httpError } from "../test/fixtures";
import { describeError, formatLoc, reportFromDetail } from "./errors";

describe("formatLoc", () => {
  it("drops the request part and indexes lists", () => {
    expect(formatLoc(["body", "num_shards"])).toBe("num_shards");
    expect(formatLoc(["body", "rows", 0, "label"])).toBe("rows[0].label");
    expect(formatLoc(["body"])).toBe("");
    expect(formatLoc(undefined)).toBe("");
  });
});

describe("describeError", () => {
  it("keeps a string detail verbatim", () => {
    expect(describeError(httpError(415, { detail: "upload a .csv, .json or .jsonl file" }))).toEqual({
      kind: "text",
      text: "upload a .csv, .json or .jsonl file",
    });
  });

  it("turns a validation list into one line per field", () => {
    const detail = [
      { loc: ["body", "num_shards"], msg: "Input should be greater than or equal to 1", type: "greater_than_equal" },
      { loc: ["body"], msg: "Field required" },
    ];
    expect(reportFromDetail(detail)).toEqual({
      kind: "list",
      items: ["num_shards: Input should be greater than or equal to 1", "Field required"],
    });
  });

  it("says the server could not be reached when there is no response", () => {
    const report = describeError(new AxiosError("Network Error", "ERR_NETWORK"));
    expect(report).toEqual({ kind: "text", text: expect.stringMatching(/Could not reach the TrainNet server/) });
  });

  it("falls back to the HTTP status and a plain-text body when there is no detail", () => {
    expect(describeError(httpError(500, "Internal Server Error"))).toEqual({
      kind: "text",
      text: "The server answered HTTP 500: Internal Server Error.",
    });
    expect(describeError(httpError(502, "<html>bad gateway</html>"))).toEqual({
      kind: "text",
      text: "The server answered HTTP 502.",
    });
  });
});
