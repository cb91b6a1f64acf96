import type { ReactNode } from "react";

import type { UploadState } from "../hooks/useDatasetUpload";
import { ErrorMessage } from "./ErrorMessage";
import { FileDrop } from "./FileDrop";
import { ProgressBar } from "./ProgressBar";

interface DatasetUploadProps {
  upload: UploadState;
  onFile: (file: File) => void;
  /** Refuse a new file (it is always refused while one uploads). */
  disabled?: boolean;
  hint?: string;
  /** Shown under the upload's progress or error, e.g. what was uploaded. */
  children?: ReactNode;
}

/** The file drop zone of a dataset upload, with its progress or why the file was not accepted. */
export function DatasetUpload({ upload, onFile, disabled = false, hint, children }: DatasetUploadProps) {
  return (
    <>
      <FileDrop
        onFile={onFile}
        disabled={disabled || upload.phase === "uploading"}
        currentName={
          upload.phase === "ready" ? upload.dataset.name : "fileName" in upload ? upload.fileName : undefined
        }
        hint={hint}
      />
      <div className="mt-4 space-y-4 empty:hidden">
        {upload.phase === "uploading" && (
          <ProgressBar value={upload.fraction * 100} label={`Uploading ${upload.fileName}`} testId="upload-progress" />
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
        {children}
      </div>
    </>
  );
}
