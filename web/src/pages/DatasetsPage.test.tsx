import { fireEvent, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";

import * as api from "../api/client";
import { httpError, makeDataset, makeInstructionDataset, makeLoraJob } from "../test/fixtures";
import { renderAt } from "../test/render";
import { DatasetsPage } from "./DatasetsPage";

vi.mock("../api/client");

const mocked = vi.mocked(api);

function renderPage() {
  return renderAt("/datasets", { "/datasets": <DatasetsPage /> });
}

function chooseFile(file: File) {
  fireEvent.change(screen.getByLabelText(/dataset file/i), { target: { files: [file] } });
}

beforeEach(() => {
  mocked.listLoraJobs.mockResolvedValue([]);
});

describe("DatasetsPage", () => {
  it("lists datasets newest first with status, rows, kind and a link to each", async () => {
    mocked.listDatasets.mockResolvedValue([
      makeInstructionDataset({
        dataset_id: "ds_gen",
        name: "generated from seed",
        status: "GENERATING",
        rows: 4,
        progress: 40,
      }),
      makeInstructionDataset(),
      makeDataset(),
    ]);
    renderPage();
    const rows = await screen.findAllByTestId("dataset-row");
    expect(rows.map((row) => row.getAttribute("href"))).toEqual([
      "/datasets/ds_gen",
      "/datasets/ds_seed",
      "/datasets/ds_1",
    ]);
    expect(within(rows[0]).getByTestId("status-badge")).toHaveAttribute("data-status", "GENERATING");
    expect(within(rows[0]).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "40");
    expect(rows[1]).toHaveTextContent("175 rows · instructions");
    expect(rows[2]).toHaveTextContent("40 rows · text data");
  });

  it("uploads seed tasks and links to the new dataset", async () => {
    mocked.listDatasets.mockResolvedValueOnce([]).mockResolvedValue([makeInstructionDataset()]);
    mocked.uploadDataset.mockResolvedValue(makeInstructionDataset());
    renderPage();
    expect(await screen.findByTestId("datasets-empty")).toBeInTheDocument();
    chooseFile(new File(['{"instruction": "Say hi", "output": "hi"}\n'], "seed_tasks.jsonl"));
    const notice = await screen.findByTestId("uploaded-dataset");
    expect(notice).toHaveTextContent("175 rows of instructions");
    expect(within(notice).getByRole("link", { name: "Open dataset" })).toHaveAttribute("href", "/datasets/ds_seed");
    expect(await screen.findByTestId("dataset-row")).toBeInTheDocument();
    expect(mocked.listDatasets).toHaveBeenCalledTimes(2);
  });

  it("shows the server's reason for refusing an upload", async () => {
    mocked.listDatasets.mockResolvedValue([]);
    mocked.uploadDataset.mockRejectedValue(httpError(422, { detail: "line 3 is not valid JSON" }));
    renderPage();
    chooseFile(new File(["{}"], "seed.jsonl"));
    expect(await screen.findByTestId("upload-error")).toHaveTextContent("line 3 is not valid JSON");
  });

  it("lists the LoRA jobs with their trial count", async () => {
    mocked.listDatasets.mockResolvedValue([]);
    mocked.listLoraJobs.mockResolvedValue([makeLoraJob({ status: "done", n_trials: 3 })]);
    renderPage();
    const row = await screen.findByTestId("lora-row");
    expect(row).toHaveAttribute("href", "/lora/lora_1");
    expect(row).toHaveTextContent("1/3 trials");
    expect(within(row).getByTestId("status-badge")).toHaveAttribute("data-status", "done");
  });
});
