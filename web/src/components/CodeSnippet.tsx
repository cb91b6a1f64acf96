import { useState } from "react";

interface CodeSnippetProps {
  code: string;
  testId?: string;
}

/** A dark code block with a Copy button; the code stays selectable when the clipboard is refused. */
export function CodeSnippet({ code, testId }: CodeSnippetProps) {
  const [copied, setCopied] = useState(false);

  async function copy() {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // Clipboard access can be refused (insecure origin); the code stays selectable.
    }
  }

  return (
    <div className="relative">
      <pre
        data-testid={testId}
        className="overflow-x-auto rounded-lg bg-slate-900 p-4 pr-20 text-xs leading-relaxed text-slate-100 sm:text-sm"
      >
        <code>{code}</code>
      </pre>
      <button
        type="button"
        onClick={copy}
        className="absolute right-2 top-2 rounded-md bg-slate-700 px-2.5 py-1 text-xs font-medium text-slate-100 hover:bg-slate-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-400"
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
