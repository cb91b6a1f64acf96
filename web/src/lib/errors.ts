/** Turn whatever a failed request threw into text a user can act on, keeping the server's words verbatim. */
import { isAxiosError, isCancel } from "axios";

export interface ValidationIssue {
  loc?: (string | number)[];
  msg: string;
}

export type ErrorReport = { kind: "text"; text: string } | { kind: "list"; items: string[] };

const REQUEST_PARTS = new Set(["body", "query", "path", "header", "cookie"]);

/** `["body", "rows", 0, "label"]` -> `rows[0].label`; the request part is noise to a user. */
export function formatLoc(loc: (string | number)[] | undefined): string {
  const parts = [...(loc ?? [])];
  if (parts.length > 0 && REQUEST_PARTS.has(String(parts[0]))) parts.shift();
  return parts.reduce<string>((path, part) => {
    if (typeof part === "number") return `${path}[${part}]`;
    return path ? `${path}.${part}` : part;
  }, "");
}

function isIssue(value: unknown): value is ValidationIssue {
  return typeof value === "object" && value !== null && typeof (value as ValidationIssue).msg === "string";
}

/** Read a FastAPI `detail` (a string, or a list of `{loc, msg}`) into a report. */
export function reportFromDetail(detail: unknown): ErrorReport | null {
  if (typeof detail === "string" && detail.trim()) return { kind: "text", text: detail };
  if (Array.isArray(detail) && detail.length > 0) {
    const items = detail.map((entry) => {
      if (isIssue(entry)) {
        const where = formatLoc(entry.loc);
        return where ? `${where}: ${entry.msg}` : entry.msg;
      }
      return typeof entry === "string" ? entry : JSON.stringify(entry);
    });
    return { kind: "list", items };
  }
  if (detail !== undefined && detail !== null && typeof detail === "object") {
    return { kind: "text", text: JSON.stringify(detail) };
  }
  return null;
}

export function describeError(error: unknown): ErrorReport {
  if (isCancel(error)) return { kind: "text", text: "The request was cancelled." };
  if (isAxiosError(error)) {
    const response = error.response;
    if (!response) {
      return { kind: "text", text: `Could not reach the TrainNet server (${error.message}). Is it running?` };
    }
    const data: unknown = response.data;
    const fromDetail =
      typeof data === "object" && data !== null && "detail" in data
        ? reportFromDetail((data as { detail: unknown }).detail)
        : null;
    if (fromDetail) return fromDetail;
    // A proxy in front of the API may answer with its own page (e.g. 413 from nginx): show the status line.
    // Starlette answers an unhandled exception with the plain text "Internal Server Error".
    const plainText =
      typeof data === "string" && data.length < 300 && !data.trimStart().startsWith("<") ? data.trim() : "";
    const reason = plainText || response.statusText;
    return { kind: "text", text: `The server answered HTTP ${response.status}${reason ? `: ${reason}` : ""}.` };
  }
  if (error instanceof Error) return { kind: "text", text: error.message };
  return { kind: "text", text: String(error) };
}

/** The HTTP status of a failed request, if it got that far. */
export function errorStatus(error: unknown): number | undefined {
  return isAxiosError(error) ? error.response?.status : undefined;
}
