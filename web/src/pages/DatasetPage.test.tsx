import { act, fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useParams } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";

import * as api from "../api/client";
import { httpError, makeInstructionDataset, makeLoraJob, makeReport } from "../test/fixtures";
import { renderAt, withFakeTimers } from "../test/render";
import { DATASET_REFRESH_MS, DatasetPage } from "./DatasetPage";

vi.mock("../api/client", async (importOriginal) => {
  const actual = await importOriginal<typeof api>();
  return {
    ...actual,
    getDataset: vi.fn(),
    listLoraJobs: vi.fn(),
    validateDataset: vi.fn(),
    generateDataset: vi.fn(),
    startLora: vi.fn(),
  };
});

const mocked = vi.mocked(api);

function LoraStub() {
  const { jobId } = useParams();
  return <p data-testid="lora-page">job {jobId}</p>;
}

function renderPage(datasetId = "ds_seed") {
  return renderAt(`/datasets/${datasetId}`, {
    "/datasets/:datasetId": <DatasetPage />,
    "/lora/:jobId": <LoraStub />,
  });
}

withFakeTimers();

beforeEach(() => {
  mocked.listLoraJobs.mockResolvedValue([]);
});

describe("DatasetPage", () => {
  it("offers validate and generate for uploaded seed tasks, but not LoRA, and a download link", async () => {
    mocked.getDataset.mockResolvedValue(makeInstructionDataset());
    renderPage();
    expect(await screen.findByTestId("dataset-status")).toHaveAttribute("data-status", "UPLOADED");
    expect(screen.getByTestId("dataset-summary")).toHaveTextContent("175 rows of instructions");
    expect(screen.getByRole("button", { name: "Validate" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Generate" })).toBeEnabled();
    expect(screen.queryByRole("button", { name: "Fine-tune with LoRA" })).not.toBeInTheDocument();
    expect(screen.getByTestId("lora-blocker")).toHaveTextContent("READY_FOR_FINE_TUNING");
    expect(screen.getByTestId("download-dataset")).toHaveAttribute("href", "/api/datasets/ds_seed/download");
    expect(screen.getByLabelText("Examples to generate")).toHaveValue(100);
    expect(screen.getByRole("radio", { name: /Bundled model/ })).toBeChecked();
  });

  it("starts validation, then polls until the verdict and offers LoRA on a ready dataset", async () => {
    mocked.getDataset
      .mockResolvedValueOnce(makeInstructionDataset())
      .mockResolvedValueOnce(makeInstructionDataset({ status: "VALIDATING" }))
      .mockResolvedValue(makeInstructionDataset({ status: "READY_FOR_FINE_TUNING", report: makeReport() }));
    mocked.validateDataset.mockResolvedValue({ dataset_id: "ds_seed", status: "VALIDATING" });
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "Validate" }));
    expect(mocked.validateDataset).toHaveBeenCalledWith("ds_seed");
    expect(await screen.findByTestId("dataset-status")).toHaveAttribute("data-status", "VALIDATING");
    expect(screen.queryByRole("button", { name: "Validate" })).not.toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(DATASET_REFRESH_MS));
    expect(screen.getByTestId("dataset-status")).toHaveAttribute("data-status", "READY_FOR_FINE_TUNING");
    expect(screen.getByTestId("rules-passed")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Fine-tune with LoRA" })).toBeEnabled();
    expect(screen.getByTestId("dataset-refresh-note")).toHaveTextContent("Up to date");

    await act(() => vi.advanceTimersByTimeAsync(DATASET_REFRESH_MS * 3));
    expect(mocked.getDataset).toHaveBeenCalledTimes(3);
  });

  it("shows the server's refusal of a generation request verbatim", async () => {
    mocked.getDataset.mockResolvedValue(makeInstructionDataset());
    mocked.generateDataset.mockRejectedValue(httpError(422, { detail: "num_examples=51 is above the limit of 50" }));
    renderPage();
    const count = await screen.findByLabelText("Examples to generate");
    fireEvent.change(count, { target: { value: "51" } });
    await userEvent.click(screen.getByRole("radio", { name: /OpenAI-compatible/ }));
    await userEvent.click(screen.getByRole("button", { name: "Generate" }));
    expect(mocked.generateDataset).toHaveBeenCalledWith("ds_seed", { num_examples: 51, teacher: "openai" });
    expect(await screen.findByTestId("generate-error")).toHaveTextContent("num_examples=51 is above the limit of 50");
    expect(screen.getByRole("button", { name: "Generate" })).toBeEnabled();
  });

  it("opens the new dataset once generation starts", async () => {
    mocked.getDataset.mockImplementation(async (id) =>
      id === "ds_gen"
        ? makeInstructionDataset({
            dataset_id: "ds_gen",
            name: "generated from seed_tasks.jsonl",
            status: "GENERATING",
            rows: 4,
            progress: 40,
            seed_dataset_id: "ds_seed",
            preview: [],
          })
        : makeInstructionDataset(),
    );
    mocked.generateDataset.mockResolvedValue({ dataset_id: "ds_gen", status: "GENERATING" });
    renderPage();
    await userEvent.click(await screen.findByRole("button", { name: "Generate" }));
    expect(await screen.findByTestId("dataset-name")).toHaveTextContent("generated from seed_tasks.jsonl");
    expect(screen.getByTestId("dataset-progress")).toHaveAttribute("aria-valuenow", "40");
    expect(screen.getByTestId("dataset-seed")).toHaveTextContent("ds_seed");
    expect(screen.queryByTestId("download-dataset")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Generate" })).not.toBeInTheDocument();
  });

  it("starts LoRA on a ready dataset with the chosen base model and trials, then opens the job", async () => {
    mocked.getDataset.mockResolvedValue(
      makeInstructionDataset({ status: "READY_FOR_FINE_TUNING", report: makeReport() }),
    );
    mocked.startLora.mockResolvedValue({ job_id: "lora_9", status: "queued" });
    renderPage();
    await userEvent.type(await screen.findByLabelText("Base model"), "/models/tiny");
    await userEvent.type(screen.getByLabelText("Trials"), "2");
    await userEvent.type(screen.getByLabelText("Steps per trial"), "8");
    await userEvent.click(screen.getByRole("button", { name: "Fine-tune with LoRA" }));
    expect(mocked.startLora).toHaveBeenCalledWith({
      dataset_id: "ds_seed",
      base_model: "/models/tiny",
      n_trials: 2,
      params: { max_steps: 8 },
    });
    expect(await screen.findByTestId("lora-page")).toHaveTextContent("job lora_9");
  });

  it("shows a rejected dataset's failed rules, with nothing left to do but read them", async () => {
    const report = makeReport({
      verdict: "DELETED",
      failed_rules: ["min_valid_records"],
      rules: [
        {
          rule: "min_valid_records",
          passed: false,
          value: 2,
          limit: 5,
          message: "2 of 12 records pass every record rule (need 5)",
        },
      ],
    });
    mocked.getDataset.mockResolvedValue(makeInstructionDataset({ status: "DELETED", report, metrics: report.metrics }));
    renderPage();
    expect(await screen.findByTestId("failed-rule")).toHaveTextContent("min_valid_records: 2 of 12 records pass");
    expect(screen.queryByTestId("download-dataset")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Validate|Generate/ })).not.toBeInTheDocument();
    expect(screen.getByTestId("lora-blocker")).toHaveTextContent(/rejected/);
  });

  it("lists the LoRA jobs run on this dataset only", async () => {
    mocked.getDataset.mockResolvedValue(makeInstructionDataset({ status: "READY_FOR_FINE_TUNING" }));
    mocked.listLoraJobs.mockResolvedValue([
      makeLoraJob({ job_id: "lora_a", dataset_id: "ds_seed", status: "done" }),
      makeLoraJob({ job_id: "lora_b", dataset_id: "ds_other", status: "done" }),
    ]);
    renderPage();
    const card = await screen.findByTestId("dataset-lora-card");
    const rows = within(card).getAllByTestId("lora-row");
    expect(rows.map((row) => row.getAttribute("data-job-id"))).toEqual(["lora_a"]);
    expect(rows[0]).toHaveAttribute("href", "/lora/lora_a");
  });

  it("says so when the dataset does not exist", async () => {
    mocked.getDataset.mockRejectedValue(httpError(404, { detail: "dataset nope not found" }));
    renderPage("nope");
    expect(await screen.findByText("Dataset not found")).toBeInTheDocument();
    expect(screen.getByTestId("dataset-load-error")).toHaveTextContent("dataset nope not found");
  });
});
