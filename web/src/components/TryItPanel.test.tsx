import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import * as api from "../api/client";
import { PREDICTIONS, httpError } from "../test/fixtures";
import { TOP_K, TryItPanel } from "./TryItPanel";

vi.mock("../api/client", async (importOriginal) => {
  const actual = await importOriginal<typeof api>();
  return { ...actual, predict: vi.fn(), scoreFile: vi.fn() };
});

const predict = vi.mocked(api.predict);
const scoreFile = vi.mocked(api.scoreFile);

describe("TryItPanel for a text model", () => {
  it("sends the text and shows the top labels with probability bars", async () => {
    predict.mockResolvedValue({ predictions: [PREDICTIONS] });
    const user = userEvent.setup();
    render(<TryItPanel modelId="m1" kind="text" />);
    const button = screen.getByRole("button", { name: "Predict" });
    expect(button).toBeDisabled();
    await user.type(screen.getByLabelText("Text to classify"), "what a great film");
    await user.click(button);
    expect(predict).toHaveBeenCalledWith("m1", { inputs: ["what a great film"], top_k: TOP_K });
    const rows = await screen.findAllByTestId("prediction");
    expect(rows.map((row) => row.dataset.label)).toEqual(["positive", "neutral", "negative"]);
    expect(rows[0]).toHaveTextContent("positive82.0%");
    expect(rows[0].querySelector("[style]")).toHaveStyle({ width: "82%" });
  });

  it("shows the server's reason for a refused input", async () => {
    predict.mockRejectedValue(httpError(422, { detail: "input 0 is longer than 2000 characters" }));
    const user = userEvent.setup();
    render(<TryItPanel modelId="m1" kind="text" />);
    await user.type(screen.getByLabelText("Text to classify"), "x");
    await user.click(screen.getByRole("button", { name: "Predict" }));
    expect(await screen.findByTestId("predict-error")).toHaveTextContent("input 0 is longer than 2000 characters");
    expect(screen.queryByTestId("prediction")).not.toBeInTheDocument();
  });
});

describe("TryItPanel for an image model", () => {
  it("reads the chosen image as a data URL, previews it and sends it", async () => {
    predict.mockResolvedValue({ predictions: [[{ label: "7", score: 0.9 }]] });
    const user = userEvent.setup();
    render(<TryItPanel modelId="m2" kind="image" />);
    const png = new File([new Uint8Array([137, 80, 78, 71])], "seven.png", { type: "image/png" });
    await user.upload(screen.getByTestId("try-it-image"), png);
    const preview = await screen.findByTestId("try-it-preview");
    expect(preview.getAttribute("src")).toBe("data:image/png;base64,iVBORw==");
    await user.click(screen.getByRole("button", { name: "Predict" }));
    expect(predict).toHaveBeenCalledWith("m2", { inputs: ["data:image/png;base64,iVBORw=="], top_k: TOP_K });
    expect(await screen.findByTestId("prediction-label")).toHaveTextContent("7");
  });

  it("refuses a file that is not a PNG or JPEG without sending it", async () => {
    const user = userEvent.setup({ applyAccept: false });
    render(<TryItPanel modelId="m2" kind="image" />);
    await user.upload(screen.getByTestId("try-it-image"), new File(["x"], "notes.gif", { type: "image/gif" }));
    expect(await screen.findByTestId("predict-error")).toHaveTextContent("“notes.gif” is not a PNG or JPEG image.");
    expect(screen.getByRole("button", { name: "Predict" })).toBeDisabled();
    expect(predict).not.toHaveBeenCalled();
  });
});

describe("TryItPanel: score a file", () => {
  const saved: string[] = [];
  beforeEach(() => {
    saved.length = 0;
    URL.createObjectURL = vi.fn(() => "blob:predictions");
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(`${this.download} ${this.href}`);
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it("uploads the file and downloads the predictions CSV", async () => {
    scoreFile.mockResolvedValue(new Blob(["text,label,prediction,score\n"], { type: "text/csv" }));
    const user = userEvent.setup();
    render(<TryItPanel modelId="m1" kind="text" />);
    const file = new File(["text\ngreat\n"], "reviews.csv", { type: "text/csv" });
    await user.upload(screen.getByTestId("score-file-input"), file);
    expect(await screen.findByTestId("score-file-done")).toHaveTextContent("Downloaded reviews-predictions.csv.");
    expect(scoreFile).toHaveBeenCalledWith("m1", file);
    expect(saved).toEqual(["reviews-predictions.csv blob:predictions"]);
  });

  it("shows the server's reason when the file is refused", async () => {
    scoreFile.mockRejectedValue(httpError(422, { detail: "the file has no column 'text'" }));
    const user = userEvent.setup();
    render(<TryItPanel modelId="m1" kind="text" />);
    await user.upload(screen.getByTestId("score-file-input"), new File(["a\n1\n"], "d.csv", { type: "text/csv" }));
    expect(await screen.findByTestId("score-file-error")).toHaveTextContent("the file has no column 'text'");
    expect(saved).toEqual([]);
  });

  it("refuses a file type the server does not read, without uploading it", async () => {
    const user = userEvent.setup({ applyAccept: false });
    render(<TryItPanel modelId="m1" kind="text" />);
    await user.upload(screen.getByTestId("score-file-input"), new File(["x"], "notes.txt"));
    await waitFor(() => expect(screen.getByTestId("score-file-error")).toHaveTextContent(".txt"));
    expect(scoreFile).not.toHaveBeenCalled();
  });
});
