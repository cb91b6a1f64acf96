import { useId, useState, type ChangeEvent, type DragEvent, type FormEvent } from "react";

import { predict, scoreFile } from "../api/client";
import type { ModelKind, Prediction } from "../api/types";
import { useRequest } from "../hooks/useRequest";
import { IMAGE_TYPES, predictionsFilename, readAsDataUrl, saveBlob, validateImageFile } from "../lib/download";
import { ACCEPTED_EXTENSIONS, validateDatasetFile } from "../lib/validateFile";
import { ErrorMessage } from "./ErrorMessage";
import { PredictionBars } from "./PredictionBars";

export const TOP_K = 3;

interface TryItPanelProps {
  modelId: string;
  kind: ModelKind;
}

/** Try a finished model: classify a text or an image (top-k labels with bars), or score a whole file to CSV. */
export function TryItPanel({ modelId, kind }: TryItPanelProps) {
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <PredictOne modelId={modelId} kind={kind} />
      <ScoreFile modelId={modelId} />
    </div>
  );
}

interface Image {
  name: string;
  dataUrl: string;
}

function PredictOne({ modelId, kind }: TryItPanelProps) {
  const inputId = useId();
  const [text, setText] = useState("");
  const [image, setImage] = useState<Image | null>(null);
  const [dragging, setDragging] = useState(false);
  const request = useRequest<Prediction[]>();
  const input = kind === "text" ? text.trim() && text : image?.dataUrl;

  async function chooseImage(file: File | undefined) {
    if (!file) return;
    const problem = validateImageFile(file);
    if (problem) {
      request.setError(new Error(problem));
      return;
    }
    request.setError(null);
    setImage({ name: file.name, dataUrl: await readAsDataUrl(file) });
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!input || request.pending) return;
    void request.run(async () => (await predict(modelId, { inputs: [input], top_k: TOP_K })).predictions[0] ?? []);
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    void chooseImage(event.dataTransfer.files?.[0]);
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3" data-testid="try-it-form">
      {kind === "text" ? (
        <div>
          <label htmlFor={inputId} className="mb-1 block text-sm font-medium text-slate-700">
            Text to classify
          </label>
          <textarea
            id={inputId}
            data-testid="try-it-text"
            value={text}
            onChange={(event) => setText(event.target.value)}
            rows={3}
            maxLength={10_000}
            placeholder="Type or paste a text like the ones you trained on"
            className="block w-full rounded-lg border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
          />
        </div>
      ) : (
        <div
          data-testid="try-it-dropzone"
          data-dragging={dragging || undefined}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <input
            id={inputId}
            type="file"
            accept={IMAGE_TYPES.join(",")}
            className="peer sr-only"
            data-testid="try-it-image"
            onChange={(event: ChangeEvent<HTMLInputElement>) => {
              const file = event.target.files?.[0];
              event.target.value = "";
              void chooseImage(file);
            }}
          />
          <label
            htmlFor={inputId}
            className={`flex min-h-28 cursor-pointer items-center justify-center gap-4 rounded-xl border-2 border-dashed px-4 py-4 text-sm peer-focus-visible:outline-2 peer-focus-visible:outline-indigo-600 ${
              dragging ? "border-indigo-500 bg-indigo-50" : "border-slate-300 bg-slate-50 hover:border-indigo-400"
            }`}
          >
            {image && (
              <img
                src={image.dataUrl}
                alt={`Chosen image ${image.name}`}
                data-testid="try-it-preview"
                className="h-20 w-20 rounded border border-slate-200 bg-white object-contain [image-rendering:pixelated]"
              />
            )}
            <span className="font-medium text-slate-900">
              Image to classify:{" "}
              <span className="text-indigo-700 underline underline-offset-2">
                {image ? "choose another" : "choose a PNG or JPEG"}
              </span>{" "}
              or drop it here
            </span>
          </label>
        </div>
      )}
      <button
        type="submit"
        data-testid="predict-button"
        disabled={!input || request.pending}
        className="inline-flex items-center justify-center rounded-lg bg-indigo-600 px-5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600"
      >
        {request.pending ? "Predicting…" : "Predict"}
      </button>
      {request.error !== null && (
        <ErrorMessage error={request.error} title="Could not predict" testId="predict-error" />
      )}
      <div aria-live="polite">
        {request.data !== null && !request.error && <PredictionBars predictions={request.data} />}
      </div>
    </form>
  );
}

function ScoreFile({ modelId }: { modelId: string }) {
  const inputId = useId();
  const hintId = useId();
  const request = useRequest<string>();

  function onChange(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    const problem = validateDatasetFile(file);
    if (problem) {
      request.setError(new Error(problem));
      return;
    }
    void request.run(async () => {
      const name = predictionsFilename(file.name);
      saveBlob(await scoreFile(modelId, file), name);
      return name;
    });
  }

  return (
    <div className="space-y-3 rounded-lg bg-slate-50 p-4" data-testid="score-file">
      <h3 className="text-sm font-medium text-slate-700">Score a file</h3>
      <p id={hintId} className="text-xs text-slate-500">
        A CSV, JSON or JSONL file with the same text or image column as your training data: you get it back as CSV with
        a prediction and a score column.
      </p>
      <input
        id={inputId}
        type="file"
        accept={ACCEPTED_EXTENSIONS.join(",")}
        className="peer sr-only"
        onChange={onChange}
        disabled={request.pending}
        aria-describedby={hintId}
        data-testid="score-file-input"
      />
      <label
        htmlFor={inputId}
        className="inline-flex cursor-pointer items-center justify-center rounded-lg border border-indigo-600 bg-white px-4 py-2 text-sm font-semibold text-indigo-700 hover:bg-indigo-50 peer-focus-visible:outline-2 peer-focus-visible:outline-indigo-600 peer-disabled:cursor-wait peer-disabled:opacity-60"
      >
        {request.pending ? "Scoring…" : "Choose a file to score"}
      </label>
      {request.error !== null && (
        <ErrorMessage error={request.error} title="Could not score the file" testId="score-file-error" />
      )}
      {request.data !== null && !request.error && !request.pending && (
        <p data-testid="score-file-done" className="text-sm text-emerald-800">
          Downloaded {request.data}.
        </p>
      )}
    </div>
  );
}
