import { useId, useState, type ChangeEvent, type DragEvent } from "react";

import { ACCEPTED_EXTENSIONS, MAX_UPLOAD_BYTES, formatBytes } from "../lib/validateFile";

interface FileDropProps {
  onFile: (file: File) => void;
  disabled?: boolean;
  /** Name of the file last chosen, shown in the zone. */
  currentName?: string;
  /** What the data should contain, after the formats and size limit. */
  hint?: string;
}

const TRAINING_DATA_HINT =
  "Text data needs a text column and a label column; image data an image column and a label column.";

/** A drop zone that is also the label of a real file input, so a click or Enter opens the picker. */
export function FileDrop({ onFile, disabled = false, currentName, hint = TRAINING_DATA_HINT }: FileDropProps) {
  const inputId = useId();
  const hintId = useId();
  const [dragging, setDragging] = useState(false);

  function handleChange(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    // Reset so choosing the same file again still fires a change.
    event.target.value = "";
    if (file) onFile(file);
  }

  function handleDragOver(event: DragEvent) {
    event.preventDefault();
    if (disabled) return;
    event.dataTransfer.dropEffect = "copy";
    setDragging(true);
  }

  function handleDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    if (disabled) return;
    const file = event.dataTransfer.files?.[0];
    if (file) onFile(file);
  }

  const border = dragging
    ? "border-indigo-500 bg-indigo-50"
    : "border-slate-300 bg-slate-50 hover:border-indigo-400 hover:bg-indigo-50/50";

  return (
    <div
      data-testid="dropzone"
      data-dragging={dragging || undefined}
      onDragOver={handleDragOver}
      onDragEnter={handleDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={handleDrop}
    >
      <input
        id={inputId}
        type="file"
        accept={ACCEPTED_EXTENSIONS.join(",")}
        className="peer sr-only"
        onChange={handleChange}
        disabled={disabled}
        aria-describedby={hintId}
        data-testid="file-input"
      />
      <label
        htmlFor={inputId}
        className={`flex min-h-36 cursor-pointer flex-col items-center justify-center gap-2 rounded-xl border-2 border-dashed px-4 py-6 text-center transition-colors peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-indigo-600 peer-disabled:cursor-wait peer-disabled:opacity-70 ${border}`}
      >
        <svg
          aria-hidden="true"
          viewBox="0 0 24 24"
          className="h-8 w-8 text-indigo-500"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
        >
          <path
            strokeLinecap="round"
            strokeLinejoin="round"
            d="M12 16V4m0 0L7 9m5-5 5 5M4 16v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-2"
          />
        </svg>
        <span className="text-sm font-medium text-slate-900">
          Dataset file:{" "}
          <span className="text-indigo-700 underline underline-offset-2">
            {currentName ? "choose another file" : "choose a file"}
          </span>{" "}
          or drop it here
        </span>
        {currentName && (
          <span className="max-w-full truncate rounded bg-white px-2 py-0.5 font-mono text-xs text-slate-700 ring-1 ring-slate-200">
            {currentName}
          </span>
        )}
      </label>
      <p id={hintId} className="mt-2 text-xs text-slate-500">
        CSV, JSON (an array of objects), JSONL, or a ZIP of images in class folders, up to{" "}
        {formatBytes(MAX_UPLOAD_BYTES)}. {hint}
      </p>
    </div>
  );
}
