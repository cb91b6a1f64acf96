import type { ReactNode } from "react";

import { DisclosureIcon } from "./DisclosureIcon";

interface FoldedSectionProps {
  title: string;
  testId: string;
  /** Why a field's value is invalid, shown under the fields. */
  problem: string | null;
  problemTestId: string;
  children: ReactNode;
}

/** Optional fields folded away under a title: the default path needs none of them. */
export function FoldedSection({ title, testId, problem, problemTestId, children }: FoldedSectionProps) {
  return (
    <details data-testid={testId} className="group rounded-lg border border-slate-200 bg-white">
      <summary className="flex cursor-pointer select-none items-center gap-2 rounded-lg px-4 py-3 text-sm font-medium text-slate-800 hover:bg-slate-50">
        <DisclosureIcon />
        {title}
        <span className="font-normal text-slate-500">(optional)</span>
      </summary>
      <div className="space-y-4 border-t border-slate-200 px-4 py-4">
        <p className="text-xs text-slate-500">Leave a field empty to use the server’s default.</p>
        {children}
        {problem && (
          <p role="alert" data-testid={problemTestId} className="text-sm text-amber-800">
            {problem}
          </p>
        )}
      </div>
    </details>
  );
}
