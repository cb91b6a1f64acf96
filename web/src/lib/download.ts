/** Saving a file the page fetched (a Blob) under a name, as a click on a download link would. */

export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** "reviews.csv" -> "reviews-predictions.csv" */
export function predictionsFilename(uploaded: string): string {
  const dot = uploaded.lastIndexOf(".");
  return `${dot > 0 ? uploaded.slice(0, dot) : uploaded || "data"}-predictions.csv`;
}

export const IMAGE_TYPES = ["image/png", "image/jpeg"] as const;
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** Why `file` cannot be sent as an image to classify, or null. */
export function validateImageFile(file: Pick<File, "name" | "size" | "type">): string | null {
  if (!(IMAGE_TYPES as readonly string[]).includes(file.type)) {
    return `“${file.name}” is not a PNG or JPEG image.`;
  }
  if (file.size > MAX_IMAGE_BYTES) return `“${file.name}” is over ${MAX_IMAGE_BYTES / (1024 * 1024)} MB.`;
  return null;
}

/** The file as a base64 data URL (what the predict API takes for an image). */
export function readAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error("could not read the file"));
    reader.readAsDataURL(file);
  });
}
