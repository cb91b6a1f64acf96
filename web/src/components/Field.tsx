import type { ReactNode } from "react";

interface FieldProps {
  label: string;
  testId: string;
  mono?: boolean;
  children: ReactNode;
}

/** One label/value pair of a description list (`<dl>`) on a detail page. */
export function Field({ label, testId, mono = false, children }: FieldProps) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd data-testid={testId} className={`break-all text-slate-900 ${mono ? "font-mono" : ""}`}>
        {children}
      </dd>
    </div>
  );
}
