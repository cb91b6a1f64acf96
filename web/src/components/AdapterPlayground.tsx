import { useId, useState, type FormEvent } from "react";

import { generateWithAdapter } from "../api/client";
import type { PlaygroundCompletions } from "../api/types";
import { useRequest } from "../hooks/useRequest";
import { ErrorMessage } from "./ErrorMessage";

export const DEFAULT_NEW_TOKENS = 64;
export const MAX_NEW_TOKENS = 256;

/**
 * A prompt completed by the base model and by base + the job's adapter, side by side: the server decodes both
 * greedily with the same settings, so the difference is the adapter's.
 */
export function AdapterPlayground({ jobId }: { jobId: string }) {
  const promptId = useId();
  const tokensId = useId();
  const [prompt, setPrompt] = useState("");
  const [tokens, setTokens] = useState(String(DEFAULT_NEW_TOKENS));
  const request = useRequest<PlaygroundCompletions>();
  const maxNewTokens = Number(tokens);
  const tokensValid = Number.isInteger(maxNewTokens) && maxNewTokens >= 1 && maxNewTokens <= MAX_NEW_TOKENS;
  const ready = prompt.trim() !== "" && tokensValid && !request.pending;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!ready) return;
    void request.run(() => generateWithAdapter(jobId, { prompt, max_new_tokens: maxNewTokens }));
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" data-testid="playground">
      <div>
        <label htmlFor={promptId} className="mb-1 block text-sm font-medium text-slate-700">
          Prompt
        </label>
        <textarea
          id={promptId}
          data-testid="playground-prompt"
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          rows={3}
          maxLength={4000}
          placeholder="An instruction like those in your dataset"
          className="block w-full rounded-lg border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
        />
      </div>
      <div className="flex flex-wrap items-end gap-4">
        <div>
          <label htmlFor={tokensId} className="mb-1 block text-sm font-medium text-slate-700">
            New tokens
          </label>
          <input
            id={tokensId}
            data-testid="playground-tokens"
            type="number"
            min={1}
            max={MAX_NEW_TOKENS}
            step={1}
            value={tokens}
            onChange={(event) => setTokens(event.target.value)}
            aria-invalid={!tokensValid || undefined}
            className="block w-28 rounded-lg border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 aria-invalid:border-red-500"
          />
        </div>
        <button
          type="submit"
          data-testid="playground-generate"
          disabled={!ready}
          className="inline-flex items-center justify-center rounded-lg bg-indigo-600 px-5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600"
        >
          {request.pending ? "Generating…" : "Generate"}
        </button>
        <p className="text-xs text-slate-500" aria-live="polite">
          {!tokensValid
            ? `New tokens: a whole number from 1 to ${MAX_NEW_TOKENS}.`
            : request.pending
              ? "The first prompt loads the models on the server, which can take a minute."
              : "Greedy decoding, the same for both."}
        </p>
      </div>
      {request.error !== null && (
        <ErrorMessage error={request.error} title="Could not generate" testId="playground-error" />
      )}
      {request.data !== null && !request.error && (
        <div className="grid gap-4 sm:grid-cols-2" data-testid="playground-completions">
          <Completion title="Base model" text={request.data.base} testId="playground-base" />
          <Completion title="With your adapter" text={request.data.adapter} testId="playground-adapter" highlight />
        </div>
      )}
    </form>
  );
}

function Completion({
  title,
  text,
  testId,
  highlight = false,
}: {
  title: string;
  text: string;
  testId: string;
  highlight?: boolean;
}) {
  return (
    <section
      data-testid={testId}
      className={`min-w-0 rounded-lg border p-3 ${highlight ? "border-emerald-300 bg-emerald-50/50" : "border-slate-200"}`}
    >
      <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h3>
      {text ? (
        <p data-testid="completion-text" className="whitespace-pre-wrap break-words text-sm text-slate-900">
          {text}
        </p>
      ) : (
        <p data-testid="completion-text" className="text-sm italic text-slate-500">
          (no text: the model ended its answer at once)
        </p>
      )}
    </section>
  );
}
