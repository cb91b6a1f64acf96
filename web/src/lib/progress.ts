/** Progress bars: the colour that tells a job's state. */

export type ProgressTone = "indigo" | "emerald" | "red" | "slate";

/** The bar's colour for a job in `status`: red once it failed, green once done. */
export function statusTone(status: string): ProgressTone {
  return status === "error" ? "red" : status === "done" ? "emerald" : "indigo";
}
