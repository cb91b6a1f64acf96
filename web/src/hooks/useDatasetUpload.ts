import { useEffect, useRef, useState } from "react";

import { uploadDataset } from "../api/client";
import type { Dataset } from "../api/types";
import { validateDatasetFile } from "../lib/validateFile";

export type UploadState =
  | { phase: "idle" }
  | { phase: "rejected"; message: string }
  | { phase: "uploading"; fileName: string; fraction: number }
  | { phase: "failed"; fileName: string; error: unknown }
  | { phase: "ready"; dataset: Dataset };

/**
 * Checks a chosen file in the browser, then uploads it with progress and calls `onUploaded` with the new dataset.
 * A newer file or leaving the page cancels the upload in flight.
 */
export function useDatasetUpload(onUploaded?: (dataset: Dataset) => void) {
  const [upload, setUpload] = useState<UploadState>({ phase: "idle" });
  const uploadAbort = useRef<AbortController | null>(null);

  useEffect(() => () => uploadAbort.current?.abort(), []);

  function start(file: File) {
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
        onUploaded?.(dataset);
      })
      .catch((error) => {
        if (!controller.signal.aborted) setUpload({ phase: "failed", fileName: file.name, error });
      });
  }

  return { upload, start };
}
