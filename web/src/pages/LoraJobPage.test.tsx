import { act, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import * as api from "../api/client";
import { httpError, makeLoraJob, makeTrial } from "../test/fixtures";
import { renderAt, withFakeTimers } from "../test/render";
import { LORA_REFRESH_MS, LoraJobPage } from "./LoraJobPage";

vi.mock("../api/client", async (importOriginal) => {
  const actual = await importOriginal<typeof api>();
  return { ...actual, getLoraJob: vi.fn() };
});

const getLoraJob = vi.mocked(api.getLoraJob);

function renderPage(jobId = "lora_1") {
  return renderAt(`/lora/${jobId}`, { "/lora/:jobId": <LoraJobPage /> });
}

withFakeTimers();

const DONE = makeLoraJob({
  status: "done",
  n_trials: 2,
  base_model: "/models/tiny-llama",
  trials: [makeTrial(0, { eval_loss: 1.5 }), makeTrial(1, { eval_loss: 1.2 })],
  best_trial: { number: 1, params: { rank: 8, lora_alpha: 9, learning_rate: 0.00316 }, eval_loss: 1.2 },
  download_url: "/api/lora/lora_1/download_adapter",
});

describe("LoraJobPage", () => {
  it("polls while the search runs, filling the trials table, and stops when done", async () => {
    getLoraJob
      .mockResolvedValueOnce(makeLoraJob({ status: "queued", n_trials: 2, trials: [] }))
      .mockResolvedValueOnce(makeLoraJob({ n_trials: 2, trials: [makeTrial(0, { eval_loss: 1.5 })] }))
      .mockResolvedValue(DONE);
    renderPage();
    expect(await screen.findByTestId("lora-status")).toHaveAttribute("data-status", "queued");
    expect(screen.getByTestId("trials-card")).toHaveTextContent("Each trial appears here when it finishes.");

    await act(() => vi.advanceTimersByTimeAsync(LORA_REFRESH_MS));
    expect(screen.getAllByTestId("trial-row")).toHaveLength(1);
    expect(screen.getByTestId("lora-progress")).toHaveAttribute("aria-valuenow", "50");
    expect(screen.queryByTestId("download-adapter")).not.toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(LORA_REFRESH_MS));
    expect(screen.getByTestId("lora-status")).toHaveAttribute("data-status", "done");
    expect(screen.getAllByTestId("trial-row")).toHaveLength(2);
    await act(() => vi.advanceTimersByTimeAsync(LORA_REFRESH_MS * 3));
    expect(getLoraJob).toHaveBeenCalledTimes(3);
    expect(screen.getByTestId("lora-refresh-note")).toHaveTextContent("no longer refreshing");
  });

  it("offers the adapter, the best trial and a PEFT snippet when done", async () => {
    getLoraJob.mockResolvedValue(DONE);
    renderPage();
    expect(await screen.findByTestId("download-adapter")).toHaveAttribute("href", "/api/lora/lora_1/download_adapter");
    expect(screen.getByTestId("best-trial-summary")).toHaveTextContent(
      "Best trial #1: rank 8, alpha 9, learning rate 3.16e-3, eval loss 1.2000.",
    );
    const best = screen.getAllByTestId("trial-row").find((row) => row.hasAttribute("data-best"));
    expect(best).toHaveAttribute("data-trial-number", "1");
    const snippet = screen.getByTestId("adapter-snippet");
    expect(snippet).toHaveTextContent("PeftModel.from_pretrained(base, adapter_dir)");
    expect(snippet).toHaveTextContent('AutoModelForCausalLM.from_pretrained("/models/tiny-llama")');
    expect(screen.getByTestId("lora-dataset")).toHaveTextContent("ds_gen");
  });

  it("shows a failed job's error and no download", async () => {
    getLoraJob.mockResolvedValue(
      makeLoraJob({ status: "error", error: "no LoRA trial of lora_1 completed: out of memory", trials: [] }),
    );
    renderPage();
    expect(await screen.findByTestId("lora-job-error")).toHaveTextContent("no LoRA trial of lora_1 completed");
    expect(screen.queryByTestId("download-adapter")).not.toBeInTheDocument();
    expect(screen.getByTestId("trials-card")).toHaveTextContent("No trial finished.");
  });

  it("says so when the job does not exist", async () => {
    getLoraJob.mockRejectedValue(httpError(404, { detail: "LoRA job nope not found" }));
    renderPage("nope");
    expect(await screen.findByText("LoRA job not found")).toBeInTheDocument();
    expect(screen.getByTestId("lora-load-error")).toHaveTextContent("LoRA job nope not found");
  });

  it("opens the playground and charts the study once done", async () => {
    getLoraJob.mockResolvedValue(DONE);
    renderPage();
    expect(await screen.findByTestId("playground-card")).toBeInTheDocument();
    expect(screen.getByLabelText("Prompt")).toBeInTheDocument();
    const points = screen.getAllByTestId("trial-point");
    expect(points).toHaveLength(2);
    expect(points.filter((point) => point.dataset.best).map((point) => point.dataset.trialNumber)).toEqual(["1"]);
  });

  it("has no playground before the job is done", async () => {
    getLoraJob.mockResolvedValue(makeLoraJob({ status: "running" }));
    renderPage();
    expect(await screen.findByTestId("trials-chart")).toBeInTheDocument();
    expect(screen.queryByTestId("playground-card")).not.toBeInTheDocument();
  });
});
