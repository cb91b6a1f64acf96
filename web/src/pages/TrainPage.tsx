import { useCallback, useEffect, useState } from "react";
import { useNavigate } from "react-router";

import { listModelTypes, startTraining } from "../api/client";
import type { Dataset, ModelType, TrainRequest } from "../api/types";
import { AdvancedOptions } from "../components/AdvancedOptions";
import { Card } from "../components/Card";
import { ColumnMapping } from "../components/ColumnMapping";
import { DataFormats } from "../components/DataFormats";
import { DatasetPreview } from "../components/DatasetPreview";
import { DatasetUpload } from "../components/DatasetUpload";
import { ErrorMessage } from "../components/ErrorMessage";
import { ModelSelector } from "../components/ModelSelector";
import { SubmitRow } from "../components/SubmitRow";
import { useDatasetUpload } from "../hooks/useDatasetUpload";
import { usePageTitle } from "../hooks/usePageTitle";
import { useSubmit } from "../hooks/useSubmit";
import { EMPTY_ADVANCED, parseAdvanced, type AdvancedValues } from "../lib/advancedOptions";
import { mappingProblem, requiredRoles, type ColumnChoice } from "../lib/columns";
import { suggestModel } from "../lib/models";

type ModelsState = { phase: "loading" } | { phase: "ready"; models: ModelType[] } | { phase: "failed"; error: unknown };

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
  const [columns, setColumns] = useState<ColumnChoice>({});
  const [editingColumns, setEditingColumns] = useState(false);
  const [advanced, setAdvanced] = useState<AdvancedValues>(EMPTY_ADVANCED);
  const { upload, start: startUpload } = useDatasetUpload((dataset) => {
    setColumns(detectedColumns(dataset));
    setEditingColumns(false);
  });

  // The state starts as "loading", so only a retry needs to set it back before fetching again.
  const fetchModels = useCallback((signal?: AbortSignal) => {
    listModelTypes({ signal })
      .then((list) => setModels({ phase: "ready", models: list }))
      .catch((error) => {
        if (!signal?.aborted) setModels({ phase: "failed", error });
      });
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    fetchModels(controller.signal);
    return () => controller.abort();
  }, [fetchModels]);

  function retryModels() {
    setModels({ phase: "loading" });
    fetchModels();
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

  const train =
    blocker || !dataset || !model
      ? null
      : async () => {
          const request: TrainRequest = {
            model_type: model.model_type,
            dataset_id: dataset.dataset_id,
            ...advancedParsed.request,
          };
          if (showMapping) {
            for (const role of requiredRoles(model.kind)) request[role] = columns[role];
          }
          const accepted = await startTraining(request);
          navigate(`/status/${encodeURIComponent(accepted.task_id)}`);
        };
  const { submitting, error: submitError, onSubmit, clearError } = useSubmit(train);

  function handleFile(file: File) {
    clearError();
    startUpload(file);
  }

  return (
    <form onSubmit={onSubmit} className="space-y-6" noValidate>
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Train a model</h1>
        <p className="mt-1 text-slate-600">Upload labelled examples, check the model, press Train. No code needed.</p>
      </div>

      <Card title="1. Your data" testId="upload-card">
        <DatasetUpload upload={upload} onFile={handleFile} disabled={submitting}>
          {dataset && <DatasetPreview dataset={dataset} />}
        </DatasetUpload>
        <DataFormats />
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
              onClick={retryModels}
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
          <SubmitRow
            label="Train model"
            testId="train-button"
            submitting={submitting}
            blocked={Boolean(blocker)}
            note={
              blocker || (submitting ? "" : `Ready: ${model?.model_type} on ${dataset?.rows.toLocaleString()} rows.`)
            }
            noteId="train-blocker"
            noteTestId="train-blocker"
          />
          {submitError !== null && (
            <ErrorMessage error={submitError} title="Training could not start" testId="train-error" />
          )}
        </div>
      </Card>
    </form>
  );
}
