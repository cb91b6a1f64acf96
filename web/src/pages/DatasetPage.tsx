import { useState, type ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { downloadDatasetUrl, getDataset, listLoraJobs, validateDataset } from "../api/client";
import { LORA_TERMINAL_STATUSES, type Dataset, type LoraJob } from "../api/types";
import { Card } from "../components/Card";
import { DatasetPreview } from "../components/DatasetPreview";
import { DetailFallback, DetailHeader } from "../components/DetailPage";
import { DownloadIcon } from "../components/DownloadIcon";
import { ErrorMessage } from "../components/ErrorMessage";
import { FailureNotice } from "../components/FailureNotice";
import { Field } from "../components/Field";
import { GenerateForm } from "../components/GenerateForm";
import { GenerationStats } from "../components/GenerationStats";
import { LoraForm } from "../components/LoraForm";
import { LoraJobList } from "../components/LoraJobList";
import { ProgressBar } from "../components/ProgressBar";
import { StatusBadge } from "../components/StatusBadge";
import { ValidationSummary } from "../components/ValidationSummary";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { usePolling } from "../hooks/usePolling";
import { datasetActions, fineTuneBlocker, hasDownloadableData, isDatasetBusy, kindLabel } from "../lib/datasets";
import { formatDateTime, formatRelative } from "../lib/format";

/** Generation and validation move fast on a small dataset: refresh often while one runs. */
export const DATASET_REFRESH_MS = 2000;

const LORA_LIST_REFRESH_MS = 5000;

const keepPolling = (dataset: Dataset) => isDatasetBusy(dataset.status);

export function DatasetPage() {
  const { datasetId = "" } = useParams();
  // A fresh view per dataset: forms and errors of the previous one must not carry over.
  return <DatasetView key={datasetId} datasetId={datasetId} />;
}

function DatasetView({ datasetId }: { datasetId: string }) {
  const navigate = useNavigate();
  const poll = usePolling((signal) => getDataset(datasetId, { signal }), DATASET_REFRESH_MS, keepPolling, datasetId);
  const jobsPoll = usePolling(
    (signal) => listLoraJobs({ signal }),
    LORA_LIST_REFRESH_MS,
    (all: LoraJob[]) => all.some((job) => job.dataset_id === datasetId && !LORA_TERMINAL_STATUSES.includes(job.status)),
  );
  const now = useNow(5000);
  const [validating, setValidating] = useState(false);
  const [validateError, setValidateError] = useState<unknown>(null);
  const dataset = poll.data;
  usePageTitle(dataset ? dataset.name : `Dataset ${datasetId}`);

  if (!dataset) {
    return (
      <DetailFallback
        error={poll.error}
        title="Dataset"
        notFoundTitle="Dataset not found"
        retryTitle="Could not load the dataset; retrying"
        errorTestId="dataset-load-error"
        back={{ to: "/datasets", label: "See all datasets" }}
      />
    );
  }

  const actions = datasetActions(dataset);
  const blocker = fineTuneBlocker(dataset);
  const jobs = (jobsPoll.data ?? []).filter((job) => job.dataset_id === dataset.dataset_id);
  const validated = Boolean(dataset.report || dataset.metrics);

  async function handleValidate() {
    setValidating(true);
    setValidateError(null);
    try {
      await validateDataset(datasetId);
      poll.refresh();
    } catch (error) {
      setValidateError(error);
    } finally {
      setValidating(false);
    }
  }

  return (
    <div className="space-y-6">
      <DetailHeader
        back={{ to: "/datasets", label: "Datasets" }}
        note={poll.polling ? `Refreshing every ${DATASET_REFRESH_MS / 1000} s` : "Up to date"}
        noteTestId="dataset-refresh-note"
      >
        <h1
          className="mt-1 break-words text-2xl font-semibold tracking-tight text-slate-900"
          data-testid="dataset-name"
          title={dataset.name}
        >
          {dataset.name}
        </h1>
      </DetailHeader>

      {poll.error !== null && (
        <ErrorMessage error={poll.error} title="The last refresh failed; retrying" testId="dataset-load-error" />
      )}

      <Card testId="dataset-card">
        <div className="flex flex-wrap items-center gap-3">
          <StatusBadge status={dataset.status} testId="dataset-status" />
          <span className="text-sm text-slate-600" data-testid="dataset-summary">
            {dataset.rows.toLocaleString()} rows of {kindLabel(dataset.kind)}
          </span>
          {hasDownloadableData(dataset) && (
            <a
              href={downloadDatasetUrl(dataset.dataset_id)}
              download
              data-testid="download-dataset"
              className="ml-auto inline-flex items-center gap-2 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
            >
              <DownloadIcon />
              Download .{dataset.format}
            </a>
          )}
        </div>
        {dataset.status === "GENERATING" && (
          <div className="mt-4">
            <ProgressBar value={dataset.progress ?? 0} label="Generation progress" testId="dataset-progress" />
          </div>
        )}
        <dl className="mt-5 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2 lg:grid-cols-3">
          <Field label="Dataset id" testId="dataset-id" mono>
            {dataset.dataset_id}
          </Field>
          <Field label="Created" testId="dataset-created">
            {formatDateTime(dataset.created_at)}{" "}
            <span className="text-slate-500">({formatRelative(dataset.created_at, now)})</span>
          </Field>
          {dataset.seed_dataset_id && (
            <Field label="Generated from" testId="dataset-seed" mono>
              <Link
                to={`/datasets/${encodeURIComponent(dataset.seed_dataset_id)}`}
                className="text-indigo-700 underline underline-offset-2"
              >
                {dataset.seed_dataset_id}
              </Link>
            </Field>
          )}
        </dl>
      </Card>

      {dataset.generation && (
        <Card title="Generation" testId="generation-card">
          <GenerationStats generation={dataset.generation} />
        </Card>
      )}

      {dataset.status === "error" && (
        <FailureNotice title="The last job on this dataset failed" reason={dataset.error} testId="dataset-error" />
      )}

      {(validated || dataset.status === "VALIDATING") && (
        <Card title="Validation" testId="validation-card">
          {dataset.status === "VALIDATING" ? (
            <p className="text-sm text-slate-600">Scoring the records against the validation rules…</p>
          ) : (
            <ValidationSummary report={dataset.report} metrics={dataset.metrics} />
          )}
        </Card>
      )}

      <Card title="Next steps" testId="actions-card">
        <div className="divide-y divide-slate-200">
          <Step title="Validate" show={actions.validate}>
            <p className="text-sm text-slate-600">
              Checks schema, JSON outputs, lengths, duplicates and similarity to the seed tasks. A dataset that passes
              becomes READY_FOR_FINE_TUNING; one that fails is DELETED (its report stays).
            </p>
            <button
              type="button"
              onClick={handleValidate}
              disabled={validating}
              data-testid="validate-button"
              className="mt-3 inline-flex items-center justify-center rounded-lg bg-indigo-600 px-5 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600"
            >
              {validating ? "Starting…" : validated ? "Validate again" : "Validate"}
            </button>
            {validateError !== null && (
              <div className="mt-3">
                <ErrorMessage error={validateError} title="Validation could not start" testId="validate-error" />
              </div>
            )}
          </Step>
          <Step title="Generate more examples" show={actions.generate}>
            <GenerateForm
              seedDatasetId={dataset.dataset_id}
              onStarted={(id) => navigate(`/datasets/${encodeURIComponent(id)}`)}
            />
          </Step>
          <Step title="Fine-tune with LoRA" show>
            {actions.fineTune ? (
              <LoraForm
                datasetId={dataset.dataset_id}
                onStarted={(id) => navigate(`/lora/${encodeURIComponent(id)}`)}
              />
            ) : (
              <p data-testid="lora-blocker" className="text-sm text-slate-600">
                {blocker}
              </p>
            )}
          </Step>
        </div>
      </Card>

      {jobs.length > 0 && (
        <Card title="Fine-tuning jobs on this dataset" testId="dataset-lora-card">
          <LoraJobList jobs={jobs} now={now} showDataset={false} />
        </Card>
      )}

      {dataset.preview.length > 0 && (
        <Card title="Contents" testId="dataset-contents-card">
          <DatasetPreview dataset={dataset} />
        </Card>
      )}
    </div>
  );
}

function Step({ title, show, children }: { title: string; show: boolean; children: ReactNode }) {
  if (!show) return null;
  return (
    <section className="py-4 first:pt-0 last:pb-0">
      <h3 className="mb-2 text-sm font-semibold text-slate-900">{title}</h3>
      {children}
    </section>
  );
}
