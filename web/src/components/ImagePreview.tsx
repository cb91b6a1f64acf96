import { useEffect, useState } from "react";

import { getDatasetThumbnails } from "../api/client";
import type { Dataset, ImageArchiveSummary } from "../api/types";

type ThumbnailsState =
  { phase: "loading" } | { phase: "ready"; thumbnails: Record<string, string[]> } | { phase: "failed" };

/** An image dataset at a glance: a few thumbnails per class and, for a .zip, what was read and skipped. */
export function ImagePreview({ dataset }: { dataset: Dataset }) {
  const [state, setState] = useState<ThumbnailsState>({ phase: "loading" });

  useEffect(() => {
    const controller = new AbortController();
    getDatasetThumbnails(dataset.dataset_id, { signal: controller.signal })
      .then((answer) => setState({ phase: "ready", thumbnails: answer.thumbnails }))
      .catch(() => {
        if (!controller.signal.aborted) setState({ phase: "failed" });
      });
    return () => controller.abort();
  }, [dataset.dataset_id]);

  const classes = state.phase === "ready" ? Object.entries(state.thumbnails) : [];

  return (
    <div className="space-y-4">
      {dataset.images && <ArchiveSummary images={dataset.images} />}
      <div>
        <h3 className="mb-2 text-sm font-medium text-slate-700">A few images per class</h3>
        {state.phase === "loading" && <div className="h-16 animate-pulse rounded-lg bg-slate-100" />}
        {state.phase === "failed" && <p className="text-sm text-slate-500">The thumbnails could not be loaded.</p>}
        {state.phase === "ready" && classes.length === 0 && (
          <p className="text-sm text-slate-500">No image decodes for a preview; training will say which rows fail.</p>
        )}
        {classes.length > 0 && (
          <ul data-testid="thumbnails" className="grid gap-2 sm:grid-cols-2">
            {classes.map(([label, urls]) => (
              <li key={label} data-testid="thumbnail-class" className="flex min-w-0 items-center gap-2">
                <span className="w-16 shrink-0 truncate font-mono text-sm text-slate-800" title={label}>
                  {label}
                </span>
                {urls.map((url, i) => (
                  <img
                    key={i}
                    src={url}
                    alt={`${label} example ${i + 1}`}
                    className="h-12 w-12 rounded border border-slate-200 bg-white object-contain [image-rendering:pixelated]"
                  />
                ))}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function ArchiveSummary({ images }: { images: ImageArchiveSummary }) {
  const sizes = Object.entries(images.sizes)
    .map(([size, count]) => `${size} (${count})`)
    .join(", ");
  return (
    <div data-testid="archive-summary" className="space-y-2 text-sm text-slate-700">
      <p>
        <span data-testid="archive-image-count">{images.image_count.toLocaleString()} images</span> read by{" "}
        {images.layout}; sizes: {sizes}.
      </p>
      {images.skipped_count > 0 && (
        <details data-testid="archive-skipped" className="rounded-lg border border-amber-200 bg-amber-50 px-3 py-2">
          <summary className="cursor-pointer text-amber-900">
            {images.skipped_count} file{images.skipped_count === 1 ? "" : "s"} skipped
          </summary>
          <ul className="mt-2 max-h-40 space-y-1 overflow-y-auto text-xs text-amber-900">
            {images.skipped.map((skipped) => (
              <li key={skipped.file} className="break-words">
                <span className="font-mono">{skipped.file}</span>: {skipped.reason}
              </li>
            ))}
            {images.skipped_count > images.skipped.length && (
              <li>… and {images.skipped_count - images.skipped.length} more</li>
            )}
          </ul>
        </details>
      )}
    </div>
  );
}
