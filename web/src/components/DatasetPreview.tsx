import type { Dataset, Scalar } from "../api/types";
import { kindLabel } from "../lib/datasets";
import { ImagePreview } from "./ImagePreview";

function cellText(value: Scalar | undefined): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : String(value);
}

/** What the server parsed: size, columns, label balance, the first rows and, for images, a few per class. */
export function DatasetPreview({ dataset }: { dataset: Dataset }) {
  const images = dataset.kind === "image";
  // Thumbnails show the images; their base64 text would only fill the table.
  const shownColumns = images ? dataset.columns.filter((column) => column !== dataset.image_column) : dataset.columns;
  const counts = Object.entries(dataset.label_counts ?? {}).sort((a, b) => b[1] - a[1]);
  const largest = counts.length > 0 ? counts[0][1] : 0;

  return (
    <div data-testid="dataset-preview" className="space-y-4">
      <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
        <Stat label="File" value={dataset.name} testId="preview-name" />
        <Stat label="Rows" value={dataset.rows.toLocaleString()} testId="preview-rows" />
        <Stat label="Columns" value={String(dataset.columns.length)} testId="preview-columns" />
        <Stat label="Looks like" value={kindLabel(dataset.kind)} testId="preview-kind" />
      </dl>

      {counts.length > 0 && (
        <div>
          <h3 className="mb-2 text-sm font-medium text-slate-700">
            Labels in <span className="font-mono">{dataset.label_column}</span> ({counts.length})
          </h3>
          <ul data-testid="label-counts" className="max-h-48 space-y-1 overflow-y-auto pr-1">
            {counts.map(([label, count]) => (
              <li key={label} className="grid grid-cols-[minmax(0,8rem)_1fr_auto] items-center gap-2 text-sm">
                <span className="truncate font-mono text-slate-800" title={label}>
                  {label}
                </span>
                <span className="h-2 rounded-full bg-slate-100">
                  <span
                    className="block h-2 rounded-full bg-indigo-400"
                    style={{ width: `${largest ? (count / largest) * 100 : 0}%` }}
                  />
                </span>
                <span className="tabular-nums text-slate-600">{count}</span>
              </li>
            ))}
          </ul>
        </div>
      )}

      {images && <ImagePreview dataset={dataset} />}

      {dataset.preview.length > 0 && (
        <div>
          <h3 className="mb-2 text-sm font-medium text-slate-700">First rows</h3>
          <div className="overflow-x-auto rounded-lg border border-slate-200">
            <table data-testid="preview-table" className="min-w-full divide-y divide-slate-200 text-left text-sm">
              <thead className="bg-slate-50">
                <tr>
                  {shownColumns.map((column) => (
                    <th
                      key={column}
                      scope="col"
                      className="whitespace-nowrap px-3 py-2 font-mono text-xs font-semibold text-slate-700"
                    >
                      {column}
                      {column === dataset.label_column && <RoleTag>label</RoleTag>}
                      {column === dataset.text_column && <RoleTag>text</RoleTag>}
                      {column === dataset.image_column && <RoleTag>image</RoleTag>}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {dataset.preview.map((row, i) => (
                  <tr key={i}>
                    {shownColumns.map((column) => (
                      <td
                        key={column}
                        className="max-w-44 truncate px-3 py-2 text-slate-800 sm:max-w-64"
                        title={cellText(row[column])}
                      >
                        {cellText(row[column])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="min-w-0 rounded-lg bg-slate-50 px-3 py-2">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd data-testid={testId} className="truncate font-medium text-slate-900" title={value}>
        {value}
      </dd>
    </div>
  );
}

function RoleTag({ children }: { children: string }) {
  return (
    <span className="ml-1.5 rounded bg-indigo-100 px-1 py-0.5 font-sans text-[10px] font-medium uppercase tracking-wide text-indigo-700">
      {children}
    </span>
  );
}
