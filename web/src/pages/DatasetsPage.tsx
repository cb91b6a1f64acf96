import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";

import { listDatasets, listLoraJobs, uploadDataset } from "../api/client";
import { LORA_TERMINAL_STATUSES, type Dataset, type LoraJob } from "../api/types";
import { Card } from "../components/Card";
import { ErrorMessage } from "../components/ErrorMessage";
import { FileDrop } from "../components/FileDrop";
import { LoraJobList } from "../components/LoraJobList";
import { ProgressBar } from "../components/ProgressBar";
import { StatusBadge } from "../components/StatusBadge";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { usePolling } from "../hooks/usePolling";
import { isDatasetBusy, kindLabel } from "../lib/datasets";
import { formatDateTime, formatRelative } from "../lib/format";
import { validateDatasetFile } from "../lib/validateFile";

export const LIST_REFRESH_MS = 5000;

const INSTRUCTIONS_HINT =
  "For fine-tuning: instruction tasks with an instruction and an output column (input optional), " +
  "or self-instruct’s seed tasks (instruction + instances).";

type UploadState =
  | { phase: "idle" }
  | { phase: "rejected"; message: string }
  | { phase: "uploading"; fileName: string; fraction: number }
  | { phase: "failed"; fileName: string; error: unknown }
  | { phase: "ready"; dataset: Dataset };

const anyBusy = (datasets: Dataset[]) => datasets.some((dataset) => isDatasetBusy(dataset.status));
const anyTuning = (jobs: LoraJob[]) => jobs.some((job) => !LORA_TERMINAL_STATUSES.includes(job.status));

export function DatasetsPage() {
  usePageTitle("Datasets");
  const datasetsPoll = usePolling((signal) => listDatasets({ signal }), LIST_REFRESH_MS, anyBusy);
  const loraPoll = usePolling((signal) => listLoraJobs({ signal }), LIST_REFRESH_MS, anyTuning);
  const now = useNow(5000);
  const [upload, setUpload] = useState<UploadState>({ phase: "idle" });
  const uploadAbort = useRef<AbortController | null>(null);
  const refreshDatasets = datasetsPoll.refresh;

  useEffect(() => () => uploadAbort.current?.abort(), []);

  function handleFile(file: File) {
    uploadAbort.current?.abort();
    const problem = validateDatasetFile(file);
    if (problem) {
      setUpload({ phase: "rejected", message: problem });
      return;
    }
    const controller = new AbortController();
    uploadAbort.current = controller;
    setUpload({ phase: "uploading", fileName: file.name, fraction: 0 });
    uploadDataset(
      file,
      (fraction) => {
        if (!controller.signal.aborted) setUpload({ phase: "uploading", fileName: file.name, fraction });
      },
      { signal: controller.signal },
    )
      .then((dataset) => {
        setUpload({ phase: "ready", dataset });
        refreshDatasets();
      })
      .catch((error) => {
        if (!controller.signal.aborted) setUpload({ phase: "failed", fileName: file.name, error });
      });
  }

  const datasets = datasetsPoll.data;
  const jobs = loraPoll.data;
  const uploaded = upload.phase === "ready" ? upload.dataset : null;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Datasets</h1>
        <p className="mt-1 text-slate-600">
          Fine-tune a language model: upload instruction tasks, generate more with a teacher model, validate them, then
          train a LoRA adapter.
        </p>
      </div>

      <Card title="Upload instruction tasks" testId="dataset-upload-card">
        <FileDrop
          onFile={handleFile}
          disabled={upload.phase === "uploading"}
          currentName={uploaded ? uploaded.name : "fileName" in upload ? upload.fileName : undefined}
          hint={INSTRUCTIONS_HINT}
        />
        <div className="mt-4 space-y-4 empty:hidden">
          {upload.phase === "uploading" && (
            <ProgressBar
              value={upload.fraction * 100}
              label={`Uploading ${upload.fileName}`}
              testId="upload-progress"
            />
          )}
          {upload.phase === "rejected" && (
            <p
              role="alert"
              data-testid="upload-error"
              className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900"
            >
              {upload.message}
            </p>
          )}
          {upload.phase === "failed" && (
            <ErrorMessage error={upload.error} title={`Could not use ${upload.fileName}`} testId="upload-error" />
          )}
          {uploaded && (
            <div
              data-testid="uploaded-dataset"
              className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900"
            >
              <span className="min-w-0">
                Uploaded <span className="font-medium">{uploaded.name}</span>: {uploaded.rows.toLocaleString()} rows of{" "}
                {kindLabel(uploaded.kind)}.
              </span>
              <Link
                to={`/datasets/${encodeURIComponent(uploaded.dataset_id)}`}
                data-testid="open-uploaded"
                className="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700"
              >
                Open dataset
              </Link>
            </div>
          )}
        </div>
      </Card>

      <section aria-labelledby="datasets-heading" className="space-y-3">
        <h2 id="datasets-heading" className="text-lg font-semibold text-slate-900">
          All datasets
        </h2>
        {datasetsPoll.error !== null && (
          <ErrorMessage error={datasetsPoll.error} title="Could not load the datasets" testId="datasets-error" />
        )}
        {!datasets && datasetsPoll.loading && <Skeleton label="Loading datasets" />}
        {datasets && datasets.length === 0 && (
          <p
            data-testid="datasets-empty"
            className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-center text-slate-700"
          >
            No datasets yet: upload one above.
          </p>
        )}
        {datasets && datasets.length > 0 && (
          <ul data-testid="dataset-list" className="space-y-3">
            {datasets.map((dataset) => (
              <li key={dataset.dataset_id}>
                <DatasetRow dataset={dataset} now={now} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="lora-heading" className="space-y-3">
        <h2 id="lora-heading" className="text-lg font-semibold text-slate-900">
          LoRA fine-tuning jobs
        </h2>
        {loraPoll.error !== null && (
          <ErrorMessage error={loraPoll.error} title="Could not load the LoRA jobs" testId="lora-list-error" />
        )}
        {!jobs && loraPoll.loading && <Skeleton label="Loading LoRA jobs" />}
        {jobs && jobs.length === 0 && (
          <p
            data-testid="lora-empty"
            className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-center text-slate-700"
          >
            No fine-tuning yet. Validate a dataset; once it is READY_FOR_FINE_TUNING, start LoRA from its page.
          </p>
        )}
        {jobs && jobs.length > 0 && <LoraJobList jobs={jobs} now={now} />}
      </section>
    </div>
  );
}

function DatasetRow({ dataset, now }: { dataset: Dataset; now: number }) {
  return (
    <Link
      to={`/datasets/${encodeURIComponent(dataset.dataset_id)}`}
      data-testid="dataset-row"
      data-dataset-id={dataset.dataset_id}
      className="grid grid-cols-1 items-center gap-x-4 gap-y-1.5 rounded-xl border border-slate-200 bg-white p-4 shadow-sm transition-colors hover:border-indigo-300 hover:bg-indigo-50/30 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 md:grid-cols-[minmax(0,1.6fr)_minmax(0,1fr)_auto]"
    >
      <div className="min-w-0">
        <p className="truncate text-sm font-semibold text-slate-900" title={dataset.name}>
          {dataset.name}
        </p>
        <p className="truncate font-mono text-xs text-slate-500" title={dataset.dataset_id}>
          {dataset.dataset_id}
        </p>
      </div>
      <p className="min-w-0 text-sm text-slate-600">
        <span data-testid="dataset-rows">{dataset.rows.toLocaleString()} rows</span>
        <span className="text-slate-400"> · </span>
        {kindLabel(dataset.kind)}
        <span className="text-slate-400"> · </span>
        <span title={formatDateTime(dataset.created_at)}>
          <span className="sr-only">created </span>
          {formatRelative(dataset.created_at, now)}
        </span>
      </p>
      <div className="justify-self-start md:justify-self-end">
        <StatusBadge status={dataset.status} size="sm" />
      </div>
      {dataset.status === "GENERATING" && (
        <div className="md:col-span-3">
          <ProgressBar value={dataset.progress ?? 0} label={`Generating ${dataset.name}`} size="sm" />
        </div>
      )}
      {dataset.status === "error" && dataset.error && (
        <p className="truncate text-xs text-red-700 md:col-span-3" title={dataset.error}>
          {dataset.error}
        </p>
      )}
    </Link>
  );
}

function Skeleton({ label }: { label: string }) {
  return (
    <ul className="space-y-3" aria-busy="true" aria-label={label}>
      {[0, 1].map((i) => (
        <li key={i} className="h-20 animate-pulse rounded-xl bg-slate-200/60" />
      ))}
    </ul>
  );
}
