import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useParams } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";

import * as api from "../api/client";
import { MODEL_TYPES, httpError, makeDataset } from "../test/fixtures";
import { renderAt } from "../test/render";
import { TrainPage } from "./TrainPage";

vi.mock("../api/client");

const mocked = vi.mocked(api);

function StatusStub() {
  const { taskId } = useParams();
  return <p data-testid="status-page">status of {taskId}</p>;
}

function renderPage() {
  return renderAt("/train", { "/train": <TrainPage />, "/status/:taskId": <StatusStub /> });
}

function csvFile(name = "reviews.csv", content = "text,label\ngreat,pos\nawful,neg\n") {
  return new File([content], name, { type: "text/csv" });
}

function chooseFile(file: File) {
  fireEvent.change(screen.getByLabelText(/dataset file/i), { target: { files: [file] } });
}

beforeEach(() => {
  mocked.listModelTypes.mockResolvedValue(MODEL_TYPES);
});

describe("TrainPage", () => {
  it("has a real, labelled file input that accepts the four formats", async () => {
    renderPage();
    const input = screen.getByLabelText(/dataset file/i);
    expect(input).toHaveAttribute("type", "file");
    expect(input).toHaveAttribute("accept", ".csv,.json,.jsonl,.zip");
  });

  it("lists the model types with their kind and whether pretrained weights exist", async () => {
    renderPage();
    const distilbert = await screen.findByTestId("model-option-distilbert");
    expect(distilbert).toHaveTextContent("text");
    expect(distilbert).toHaveTextContent(/starts from scratch/);
    expect(screen.getByTestId("model-option-minilm")).toHaveTextContent(/Pretrained weights available/);
    expect(screen.getByTestId("model-option-mobilenet_v2")).toHaveTextContent("image");
    // The default path needs no choice: a pretrained model is preselected.
    expect(screen.getByRole("radio", { name: /minilm/ })).toBeChecked();
  });

  it("keeps Train disabled until a dataset is uploaded", async () => {
    let finishUpload: (dataset: ReturnType<typeof makeDataset>) => void = () => {};
    mocked.uploadDataset.mockImplementation(
      (_file, onProgress) =>
        new Promise((resolve) => {
          onProgress?.(0.4);
          finishUpload = resolve;
        }),
    );
    renderPage();
    await screen.findByTestId("model-option-distilbert");
    const train = screen.getByRole("button", { name: "Train model" });
    expect(train).toBeDisabled();
    expect(screen.getByTestId("train-blocker")).toHaveTextContent("Upload a dataset first.");

    chooseFile(csvFile());
    const progress = await screen.findByTestId("upload-progress");
    expect(progress).toHaveAttribute("aria-valuenow", "40");
    expect(train).toBeDisabled();

    await act(async () => finishUpload(makeDataset()));
    expect(train).toBeEnabled();
    expect(screen.queryByTestId("upload-progress")).not.toBeInTheDocument();
  });

  it("rejects a .txt file before sending it", async () => {
    renderPage();
    chooseFile(new File(["hello"], "notes.txt", { type: "text/plain" }));
    expect(await screen.findByTestId("upload-error")).toHaveTextContent(
      /\.txt.*choose a \.csv, \.json, \.jsonl or \.zip file/,
    );
    expect(mocked.uploadDataset).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Train model" })).toBeDisabled();
  });

  it("rejects an 11 MB file before sending it", async () => {
    renderPage();
    const big = csvFile("big.csv");
    Object.defineProperty(big, "size", { value: 11 * 1024 * 1024 });
    chooseFile(big);
    expect(await screen.findByTestId("upload-error")).toHaveTextContent("the limit is 10 MB");
    expect(mocked.uploadDataset).not.toHaveBeenCalled();
  });

  it("accepts a file dropped on the zone", async () => {
    mocked.uploadDataset.mockResolvedValue(makeDataset());
    renderPage();
    const file = csvFile();
    fireEvent.drop(screen.getByTestId("dropzone"), { dataTransfer: { files: [file] } });
    await screen.findByTestId("dataset-preview");
    expect(mocked.uploadDataset).toHaveBeenCalledWith(file, expect.any(Function), expect.anything());
  });

  it("previews the parsed dataset: rows, columns, label counts and first rows", async () => {
    mocked.uploadDataset.mockResolvedValue(makeDataset());
    renderPage();
    chooseFile(csvFile());
    const preview = await screen.findByTestId("dataset-preview");
    expect(within(preview).getByTestId("preview-rows")).toHaveTextContent("40");
    expect(within(preview).getByTestId("preview-columns")).toHaveTextContent("2");
    expect(within(preview).getByTestId("label-counts")).toHaveTextContent(/pos\s*20/);
    const table = within(preview).getByTestId("preview-table");
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    expect(table).toHaveTextContent("awful");
  });

  it("shows the server's upload error verbatim", async () => {
    mocked.uploadDataset.mockRejectedValue(
      httpError(422, { detail: "the CSV has a single column ('x'): a dataset needs a label column" }),
    );
    renderPage();
    chooseFile(csvFile("bad.csv", "x\n1\n"));
    expect(await screen.findByTestId("upload-error")).toHaveTextContent(
      "the CSV has a single column ('x'): a dataset needs a label column",
    );
    expect(screen.getByRole("button", { name: "Train model" })).toBeDisabled();
  });

  it("asks for the columns when the expected ones are missing, and sends them", async () => {
    const user = userEvent.setup();
    mocked.uploadDataset.mockResolvedValue(
      makeDataset({
        columns: ["review", "stars"],
        kind: null,
        text_column: null,
        label_column: null,
        label_counts: null,
      }),
    );
    mocked.startTraining.mockResolvedValue({ task_id: "t42", status: "queued" });
    renderPage();
    chooseFile(csvFile());
    const mapping = await screen.findByTestId("column-mapping");
    const train = screen.getByRole("button", { name: "Train model" });
    expect(train).toBeDisabled();

    await user.selectOptions(within(mapping).getByLabelText("Text column"), "review");
    await user.selectOptions(within(mapping).getByLabelText("Label column"), "review");
    expect(screen.getByTestId("mapping-problem")).toHaveTextContent("must differ");
    expect(train).toBeDisabled();

    await user.selectOptions(within(mapping).getByLabelText("Label column"), "stars");
    expect(train).toBeEnabled();
    await user.click(train);
    expect(mocked.startTraining).toHaveBeenCalledWith({
      model_type: "minilm",
      dataset_id: "ds_1",
      text_column: "review",
      label_column: "stars",
    });
  });

  it("hides the mapping when the columns were found", async () => {
    mocked.uploadDataset.mockResolvedValue(makeDataset());
    renderPage();
    chooseFile(csvFile());
    expect(await screen.findByTestId("detected-columns")).toHaveTextContent("Using text as text and label as label");
    expect(screen.queryByTestId("column-mapping")).not.toBeInTheDocument();
  });

  it("starts training with the chosen model and advanced options, then opens the status page", async () => {
    const user = userEvent.setup();
    mocked.uploadDataset.mockResolvedValue(makeDataset());
    mocked.startTraining.mockResolvedValue({ task_id: "abc123", status: "queued" });
    renderPage();
    chooseFile(csvFile());
    await screen.findByTestId("dataset-preview");

    await user.click(screen.getByRole("radio", { name: /distilbert/ }));
    await user.click(screen.getByText("Advanced options"));
    await user.type(screen.getByLabelText("Shards"), "2");
    await user.type(screen.getByLabelText("Rounds"), "2");
    await user.type(screen.getByLabelText("Epochs per round"), "1");
    await user.click(screen.getByRole("button", { name: "Train model" }));

    expect(mocked.startTraining).toHaveBeenCalledWith({
      model_type: "distilbert",
      dataset_id: "ds_1",
      num_shards: 2,
      rounds: 2,
      epochs: 1,
    });
    expect(await screen.findByTestId("status-page")).toHaveTextContent("status of abc123");
  });

  it("sends auto rounds and a time budget, and leaves unset options to the server", async () => {
    const user = userEvent.setup();
    mocked.uploadDataset.mockResolvedValue(makeDataset());
    mocked.startTraining.mockResolvedValue({ task_id: "auto1", status: "queued" });
    renderPage();
    chooseFile(csvFile());
    await screen.findByTestId("dataset-preview");
    await user.click(screen.getByText("Advanced options"));
    expect(screen.getByLabelText("Rounds")).toHaveAttribute("placeholder", "auto");
    expect(screen.getByLabelText("Epochs per round")).toHaveAttribute("placeholder", "auto");
    await user.type(screen.getByLabelText("Rounds"), "Auto");
    await user.type(screen.getByLabelText("Time budget (minutes)"), "5");
    await user.type(screen.getByLabelText("Patience (rounds)"), "3");
    await user.type(screen.getByLabelText("Minimum improvement"), "0.01");
    await user.click(screen.getByRole("button", { name: "Train model" }));
    expect(mocked.startTraining).toHaveBeenCalledWith({
      model_type: "minilm",
      dataset_id: "ds_1",
      rounds: "auto",
      time_budget_minutes: 5,
      patience: 3,
      min_delta: 0.01,
    });
  });

  it("blocks rounds that are neither auto nor a whole number, and a time budget of 0", async () => {
    const user = userEvent.setup();
    mocked.uploadDataset.mockResolvedValue(makeDataset());
    renderPage();
    chooseFile(csvFile());
    await screen.findByTestId("dataset-preview");
    await user.click(screen.getByText("Advanced options"));
    const train = screen.getByRole("button", { name: "Train model" });
    await user.type(screen.getByLabelText("Rounds"), "many");
    expect(screen.getByTestId("advanced-problem")).toHaveTextContent(
      'Rounds must be "auto" or a whole number of at least 1.',
    );
    expect(train).toBeDisabled();
    await user.clear(screen.getByLabelText("Rounds"));
    await user.type(screen.getByLabelText("Time budget (minutes)"), "0");
    expect(screen.getByTestId("advanced-problem")).toHaveTextContent("Time budget (minutes) must be a number above 0.");
    expect(train).toBeDisabled();
  });

  it("blocks a non-integer option", async () => {
    const user = userEvent.setup();
    mocked.uploadDataset.mockResolvedValue(makeDataset());
    renderPage();
    chooseFile(csvFile());
    await screen.findByTestId("dataset-preview");
    await user.click(screen.getByText("Advanced options"));
    await user.type(screen.getByLabelText("Shards"), "0");
    expect(screen.getByTestId("advanced-problem")).toHaveTextContent("Shards must be a whole number of at least 1.");
    expect(screen.getByRole("button", { name: "Train model" })).toBeDisabled();
  });

  it("renders a validation error list from POST /api/train readably", async () => {
    const user = userEvent.setup();
    mocked.uploadDataset.mockResolvedValue(makeDataset());
    mocked.startTraining.mockRejectedValue(
      httpError(422, { detail: [{ loc: ["body", "num_shards"], msg: "Input should be less than or equal to 64" }] }),
    );
    renderPage();
    chooseFile(csvFile());
    await screen.findByTestId("dataset-preview");
    await user.click(screen.getByRole("button", { name: "Train model" }));
    const error = await screen.findByTestId("train-error");
    expect(within(error).getByRole("listitem")).toHaveTextContent(
      "num_shards: Input should be less than or equal to 64",
    );
    await waitFor(() => expect(screen.getByRole("button", { name: "Train model" })).toBeEnabled());
  });

  it("offers to try again when the model types cannot be loaded", async () => {
    const user = userEvent.setup();
    mocked.listModelTypes.mockRejectedValueOnce(httpError(500, "Internal Server Error"));
    renderPage();
    expect(await screen.findByTestId("models-error")).toHaveTextContent("HTTP 500: Internal Server Error");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("model-option-minilm")).toBeInTheDocument();
  });
});
