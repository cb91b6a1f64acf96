import { Link } from "react-router";

import { listDatasets, listLoraJobs } from "../api/client";
import { LORA_TERMINAL_STATUSES, type Dataset, type LoraJob } from "../api/types";
import { Card } from "../components/Card";
import { DatasetUpload } from "../components/DatasetUpload";
import { ErrorMessage } from "../components/ErrorMessage";
import { ListSkeleton } from "../components/ListSkeleton";
import { LoraJobList } from "../components/LoraJobList";
import { ProgressBar } from "../components/ProgressBar";
import { RowLink } from "../components/RowLink";
import { StatusBadge } from "../components/StatusBadge";
import { useDatasetUpload } from "../hooks/useDatasetUpload";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { usePolling } from "../hooks/usePolling";
import { isDatasetBusy, kindLabel } from "../lib/datasets";
import { formatDateTime, formatRelative } from "../lib/format";

export const LIST_REFRESH_MS = 5000;

const INSTRUCTIONS_HINT =
  "For fine-tuning: instruction tasks with an instruction and an output column (input optional), " +
  "or self-instruct’s seed tasks (instruction + instances).";

const anyBusy = (datasets: Dataset[]) => datasets.some((dataset) => isDatasetBusy(dataset.status));
const anyTuning = (jobs: LoraJob[]) => jobs.some((job) => !LORA_TERMINAL_STATUSES.includes(job.status));

export function DatasetsPage() {
  usePageTitle("Datasets");
  const datasetsPoll = usePolling((signal) => listDatasets({ signal }), LIST_REFRESH_MS, anyBusy);
  const loraPoll = usePolling((signal) => listLoraJobs({ signal }), LIST_REFRESH_MS, anyTuning);
  const now = useNow(5000);
  const { upload, start: handleFile } = useDatasetUpload(datasetsPoll.refresh);

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
        <DatasetUpload upload={upload} onFile={handleFile} hint={INSTRUCTIONS_HINT}>
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
        </DatasetUpload>
      </Card>

      <section aria-labelledby="datasets-heading" className="space-y-3">
        <h2 id="datasets-heading" className="text-lg font-semibold text-slate-900">
          All datasets
        </h2>
        {datasetsPoll.error !== null && (
          <ErrorMessage error={datasetsPoll.error} title="Could not load the datasets" testId="datasets-error" />
        )}
        {!datasets && datasetsPoll.loading && <ListSkeleton label="Loading datasets" rows={2} rowHeight="h-20" />}
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
        {!jobs && loraPoll.loading && <ListSkeleton label="Loading LoRA jobs" rows={2} rowHeight="h-20" />}
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
    <RowLink
      to={`/datasets/${encodeURIComponent(dataset.dataset_id)}`}
      data-testid="dataset-row"
      data-dataset-id={dataset.dataset_id}
      className="grid-cols-1 gap-y-1.5 md:grid-cols-[minmax(0,1.6fr)_minmax(0,1fr)_auto]"
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
    </RowLink>
  );
}
