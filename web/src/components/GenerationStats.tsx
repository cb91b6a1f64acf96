import type { GenerationProgress } from "../api/types";
import { Field } from "./Field";

const REASONS: Record<string, string> = {
  parse_failure: "unparseable proposals",
  near_duplicate: "near-duplicates",
  truncated_output: "answers cut off (token limit or a word-for-word loop)",
  empty_output: "empty answers",
  too_short: "too short",
  too_long: "too long",
  non_text_keyword: "not a text task",
  bad_start: "bad start",
};

const TEACHER_KINDS: Record<string, string> = {
  llamacpp: "llama.cpp",
  local: "transformers",
  openai: "OpenAI-compatible endpoint",
};

/** A generation's teacher and live counters: what was proposed, kept and dropped (and why), and how fast. */
export function GenerationStats({ generation }: { generation: GenerationProgress }) {
  const teacher = generation.teacher ?? {};
  const rejected = Object.entries(generation.rejected ?? {}).filter(([, count]) => count > 0);
  const dropped = rejected.reduce((sum, [, count]) => sum + count, 0);
  const model = teacher.model ? teacher.model.split("/").pop() : undefined;
  return (
    <div className="space-y-3 text-sm" data-testid="generation-stats">
      {teacher.fallback && (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-amber-900" data-testid="generation-fallback">
          {teacher.fallback}
        </p>
      )}
      <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-2 lg:grid-cols-4">
        <Field label="Teacher" testId="generation-teacher">
          <span title={teacher.model ?? teacher.base_url}>
            {[TEACHER_KINDS[teacher.kind ?? ""] ?? teacher.kind, model].filter(Boolean).join(" · ") || "starting…"}
          </span>
          {teacher.threads ? <span className="text-slate-500"> ({teacher.threads} threads)</span> : null}
          {teacher.weights ? (
            <span className="block text-xs text-slate-500" data-testid="generation-weights">
              {teacher.weights}
            </span>
          ) : null}
        </Field>
        <Field label="Proposed / kept / dropped" testId="generation-counts">
          {(generation.proposed ?? 0).toLocaleString()} / {(generation.new_records ?? 0).toLocaleString()} /{" "}
          {dropped.toLocaleString()}
        </Field>
        <Field label="Records per minute" testId="generation-records-per-minute">
          {(generation.records_per_minute ?? 0).toFixed(1)}
        </Field>
        <Field label="Tokens per second" testId="generation-tokens-per-second">
          {(generation.tokens_per_second ?? 0).toFixed(0)}
        </Field>
      </dl>
      {rejected.length > 0 && (
        <p className="text-slate-600" data-testid="generation-rejected">
          Dropped: {rejected.map(([reason, count]) => `${count} ${REASONS[reason] ?? reason}`).join(", ")}
          {generation.truncated_proposals ? ` (${generation.truncated_proposals} proposals were cut off)` : ""}
        </p>
      )}
    </div>
  );
}
