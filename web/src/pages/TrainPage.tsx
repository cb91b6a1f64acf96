import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";

import { listModelTypes, startTraining, uploadDataset } from "../api/client";
import type { Dataset, ModelType, TrainRequest } from "../api/types";
import { AdvancedOptions, EMPTY_ADVANCED, parseAdvanced, type AdvancedValues } from "../components/AdvancedOptions";
import { Card } from "../components/Card";
import { ColumnMapping, mappingProblem, requiredRoles, type ColumnChoice } from "../components/ColumnMapping";
import { DatasetPreview } from "../components/DatasetPreview";
import { ErrorMessage } from "../components/ErrorMessage";
import { FileDrop } from "../components/FileDrop";
import { ModelSelector, suggestModel } from "../components/ModelSelector";
import { ProgressBar } from "../components/ProgressBar";
import { usePageTitle } from "../hooks/usePageTitle";
import { validateDatasetFile } from "../lib/validateFile";

type ModelsState = { phase: "loading" } | { phase: "ready"; models: ModelType[] } | { phase: "failed"; error: unknown };

type UploadState =
  | { phase: "idle" }
  | { phase: "rejected"; message: string }
  | { phase: "uploading"; fileName: string; fraction: number }
  | { phase: "failed"; fileName: string; error: unknown }
  | { phase: "ready"; dataset: Dataset };

function detectedColumns(dataset: Dataset): ColumnChoice {
  const known = (column: string | null) => (column && dataset.columns.includes(column) ? column : undefined);
  return {
    text_column: known(dataset.text_column),
    image_column: known(dataset.image_column),
    label_column: known(dataset.label_column),
  };
}

export function TrainPage() {
  usePageTitle("Train a model");
  const navigate = useNavigate();

  const [models, setModels] = useState<ModelsState>({ phase: "loading" });
  const [pickedModel, setPickedModel] = useState<string | null>(null);
  const [upload, setUpload] = useState<UploadState>({ phase: "idle" });
  const [columns, setColumns] = useState<ColumnChoice>({});
  const [editingColumns, setEditingColumns] = useState(false);
  const [advanced, setAdvanced] = useState<AdvancedValues>(EMPTY_ADVANCED);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<unknown>(null);
  const uploadAbort = useRef<AbortController | null>(null);

  const loadModels = useCallback((signal?: AbortSignal) => {
    setModels({ phase: "loading" });
    listModelTypes({ signal })
      .then((list) => setModels({ phase: "ready", models: list }))
      .catch((error) => {
        if (!signal?.aborted) setModels({ phase: "failed", error });
      });
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    loadModels(controller.signal);
    return () => {
      controller.abort();
      uploadAbort.current?.abort();
    };
  }, [loadModels]);

  function handleFile(file: File) {
    uploadAbort.current?.abort();
    setSubmitError(null);
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
        setColumns(detectedColumns(dataset));
        setEditingColumns(false);
      })
      .catch((error) => {
        if (!controller.signal.aborted) setUpload({ phase: "failed", fileName: file.name, error });
      });
  }

  const modelList = models.phase === "ready" ? models.models : [];
  const dataset = upload.phase === "ready" ? upload.dataset : null;
  const modelType = pickedModel ?? suggestModel(modelList, dataset?.kind);
  const model = modelList.find((candidate) => candidate.model_type === modelType) ?? null;
  const kind = model?.kind ?? null;

  const detected = dataset ? detectedColumns(dataset) : {};
  const columnsMissing = Boolean(dataset && kind && requiredRoles(kind).some((role) => !detected[role]));
  const showMapping = Boolean(dataset && kind && (columnsMissing || editingColumns));
  const advancedParsed = parseAdvanced(advanced);

  const blocker = !dataset
    ? upload.phase === "uploading"
      ? "Wait for the upload to finish."
      : "Upload a dataset first."
    : !model
      ? "Choose a model."
      : (showMapping && mappingProblem(model.kind, columns)) || advancedParsed.problem;

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (blocker || !dataset || !model || submitting) return;
    const request: TrainRequest = {
      model_type: model.model_type,
      dataset_id: dataset.dataset_id,
      ...advancedParsed.request,
    };
    if (showMapping) {
      for (const role of requiredRoles(model.kind)) request[role] = columns[role];
    }
    setSubmitting(true);
    setSubmitError(null);
    try {
      const accepted = await startTraining(request);
      navigate(`/status/${encodeURIComponent(accepted.task_id)}`);
    } catch (error) {
      setSubmitError(error);
      setSubmitting(false);
    }
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-6" noValidate>
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Train a model</h1>
        <p className="mt-1 text-slate-600">Upload labelled examples, check the model, press Train. No code needed.</p>
      </div>

      <Card title="1. Your data" testId="upload-card">
        <FileDrop
          onFile={handleFile}
          disabled={upload.phase === "uploading" || submitting}
          currentName={
            upload.phase === "ready" ? upload.dataset.name : "fileName" in upload ? upload.fileName : undefined
          }
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
          {dataset && <DatasetPreview dataset={dataset} />}
        </div>
      </Card>

      <Card title="2. Model" testId="model-card">
        {models.phase === "loading" && (
          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" aria-busy="true" aria-label="Loading models">
            {[0, 1, 2].map((i) => (
              <div key={i} className="h-28 animate-pulse rounded-lg bg-slate-100" />
            ))}
          </div>
        )}
        {models.phase === "failed" && (
          <div className="space-y-3">
            <ErrorMessage error={models.error} title="Could not load the model types" testId="models-error" />
            <button
              type="button"
              onClick={() => loadModels()}
              className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50"
            >
              Try again
            </button>
          </div>
        )}
        {models.phase === "ready" && <ModelSelector models={modelList} value={modelType} onChange={setPickedModel} />}

        {dataset?.kind && model && dataset.kind !== model.kind && (
          <p
            data-testid="kind-mismatch"
            className="mt-4 rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900"
          >
            This dataset looks like {dataset.kind} data, but <span className="font-mono">{model.model_type}</span>{" "}
            learns from {model.kind === "image" ? "images" : "text"}. Pick a {dataset.kind} model or choose the columns
            below.
          </p>
        )}

        {dataset && model && (
          <div className="mt-4">
            {showMapping ? (
              <>
                {columnsMissing && (
                  <p className="mb-3 text-sm text-slate-600">
                    Tell the trainer which columns to use: they could not be found by name in {dataset.name}.
                  </p>
                )}
                <ColumnMapping kind={model.kind} columns={dataset.columns} value={columns} onChange={setColumns} />
              </>
            ) : (
              <p className="text-sm text-slate-600" data-testid="detected-columns">
                Using{" "}
                {requiredRoles(model.kind).map((role, i) => (
                  <span key={role}>
                    {i > 0 && " and "}
                    <span className="font-mono text-slate-900">{detected[role]}</span> as {role.replace("_column", "")}
                  </span>
                ))}
                .{" "}
                <button
                  type="button"
                  onClick={() => setEditingColumns(true)}
                  className="font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900"
                >
                  Change columns
                </button>
              </p>
            )}
          </div>
        )}
      </Card>

      <Card title="3. Train" testId="train-card">
        <div className="space-y-4">
          <AdvancedOptions value={advanced} onChange={setAdvanced} defaultSource={model?.default_source} />
          <div className="flex flex-col gap-3 sm:flex-row sm:items-center">
            <button
              type="submit"
              data-testid="train-button"
              disabled={Boolean(blocker) || submitting}
              aria-describedby="train-blocker"
              className="inline-flex items-center justify-center rounded-lg bg-indigo-600 px-5 py-2.5 text-sm font-semibold text-white shadow-sm transition-colors hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600"
            >
              {submitting ? "Starting…" : "Train model"}
            </button>
            <p id="train-blocker" className="text-sm text-slate-500" data-testid="train-blocker">
              {blocker || (submitting ? "" : `Ready: ${model?.model_type} on ${dataset?.rows.toLocaleString()} rows.`)}
            </p>
          </div>
          {submitError !== null && (
            <ErrorMessage error={submitError} title="Training could not start" testId="train-error" />
          )}
        </div>
      </Card>
    </form>
  );
}
