/** Client-side checks that mirror the server's upload rules, so a wrong file is refused before it is sent. */

export const ACCEPTED_EXTENSIONS = [".csv", ".json", ".jsonl", ".zip"] as const;
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf(".");
  return dot > 0 ? filename.slice(dot).toLowerCase() : "";
}

/** Returns why `file` cannot be uploaded, or null when it may be sent. */
export function validateDatasetFile(file: Pick<File, "name" | "size">): string | null {
  const extension = extensionOf(file.name);
  if (!(ACCEPTED_EXTENSIONS as readonly string[]).includes(extension)) {
    const shown = extension || "no extension";
    return `“${file.name}” has ${extension ? `the extension ${shown}` : shown}: choose a .csv, .json, .jsonl or .zip file.`;
  }
  if (file.size > MAX_UPLOAD_BYTES) {
    return `“${file.name}” is ${formatBytes(file.size)}; the limit is ${formatBytes(MAX_UPLOAD_BYTES)}.`;
  }
  if (file.size === 0) return `“${file.name}” is empty.`;
  return null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  const megabytes = bytes / (1024 * 1024);
  return `${Number.isInteger(megabytes) ? megabytes : megabytes.toFixed(1)} MB`;
}
