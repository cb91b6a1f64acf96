/** The stored model's evaluation for display: starting weights, heat-map shades, example inputs. */
import type { TaskDetail } from "../api/types";
import { plural } from "./format";

/** "all-MiniLM-L6-v2, bundled"; a random init adds its shared warm-up. Never a server path. */
export function startingWeights(task: Pick<TaskDetail, "base_model" | "info">): string | null {
  const warmup = task.info?.warmup;
  const warmupText = warmup
    ? `, then ${plural(warmup.epochs, "shared warm-up epoch")} on ${warmup.rows.toLocaleString("en")} rows`
    : "";
  if (task.base_model) {
    const { name, source } = task.base_model;
    return `${name}, ${source}${source === "random init" ? warmupText : ""}`;
  }
  if (task.info?.pretrained === false) return `random (no pretrained weights available)${warmupText}`;
  return null;
}

export interface CellShade {
  backgroundColor: string;
  color: string;
}

/**
 * A confusion-matrix cell's colours, by the share of its row (its true class) it holds: indigo on the diagonal
 * (right), rose off it (wrong), white when empty, so a class the model confuses stands out at any class count.
 */
export function cellShade(count: number, rowTotal: number, diagonal: boolean): CellShade {
  const share = rowTotal > 0 ? Math.max(0, Math.min(1, count / rowTotal)) : 0;
  if (count <= 0) return { backgroundColor: "rgb(248 250 252)", color: "rgb(148 163 184)" };
  const alpha = 0.12 + 0.83 * share;
  const rgb = diagonal ? "79 70 229" : "225 29 72";
  return {
    backgroundColor: `rgb(${rgb} / ${alpha.toFixed(2)})`,
    color: alpha > 0.55 ? "#fff" : "rgb(15 23 42)",
  };
}

const IMAGE_DATA_URL = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/;

/** True for an image thumbnail the server sent as a base64 data URL (shown as an <img>, never as text). */
export function isImageDataUrl(input: string): boolean {
  return IMAGE_DATA_URL.test(input);
}
